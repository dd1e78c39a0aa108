"""Data for figures: region maps over two issues and the utility space of a scenario.

The plotting layer draws these result objects and computes nothing itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis import analyze, glossary
from sim.compile import compile_scenario, package_options
from sim.engine.agreement import frontier_dimensions, judge, scan
from sim.engine.blocking import blocking_space
from sim.engine.regionmap import cell_counts
from sim.engine.space import Block, full_space, prune, utilities_of
from sim.results import Glossary
from sim.schema import Scenario

__all__ = ["RegionMap", "UtilitySpace", "region_map", "utility_space"]


@dataclass(frozen=True)
class RegionMap:
    """Agreement over two issues: one cell per pair of options (rows: ``y``, columns: ``x``).

    ``agreements`` counts the completions of each cell that every party that must accept
    accepts; ``best_nash`` is the best log Nash product there (None: no agreement);
    ``closed_by`` names, per party that must accept, the cells where no completion keeps
    its red lines; ``short_of_reservation`` the cells where no completion clears its
    reservation value.
    """

    title: str
    x: str
    y: str
    x_options: tuple[str, ...]
    y_options: tuple[str, ...]
    agreements: tuple[tuple[int, ...], ...]
    completions: tuple[tuple[int, ...], ...]
    best_nash: tuple[tuple[float | None, ...], ...]
    closed_by: dict[str, tuple[tuple[bool, ...], ...]]
    short_of_reservation: dict[str, tuple[tuple[bool, ...], ...]]
    glossary: Glossary = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "title": self.title,
            "x": self.x,
            "y": self.y,
            "x_options": list(self.x_options),
            "y_options": list(self.y_options),
            "agreements": [list(row) for row in self.agreements],
            "completions": [list(row) for row in self.completions],
            "best_nash": [list(row) for row in self.best_nash],
            "closed_by": {p: [list(r) for r in m] for p, m in self.closed_by.items()},
            "short_of_reservation": {
                p: [list(r) for r in m] for p, m in self.short_of_reservation.items()
            },
        }


@dataclass(frozen=True)
class UtilitySpace:
    """Utilities of a sample of packages, the region's frontier, solutions and proposals.

    ``sample`` holds every party's utilities for up to ``max_points`` packages drawn
    uniformly without replacement (all of them when the space is small), with
    ``sample_in_region`` marking the agreement-region members among them. ``proposals``
    places complete proposals exactly and partial ones at their best completion (when one
    is acceptable to all); fragmentary proposals are not placed.
    """

    title: str
    parties: tuple[str, ...]
    space_size: int
    sample: np.ndarray
    sample_in_region: np.ndarray
    frontier: np.ndarray
    disagreement: dict[str, float]
    solutions: dict[str, dict[str, float]]
    proposals: dict[str, dict[str, float]]
    glossary: Glossary = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "title": self.title,
            "parties": list(self.parties),
            "space_size": self.space_size,
            "sample": self.sample.tolist(),
            "sample_in_region": self.sample_in_region.tolist(),
            "frontier": self.frontier.tolist(),
            "disagreement": dict(self.disagreement),
            "solutions": {k: dict(v) for k, v in self.solutions.items()},
            "proposals": {k: dict(v) for k, v in self.proposals.items()},
        }


def region_map(scenario: Scenario, x: str, y: str) -> RegionMap:
    """Count acceptable completions for every pair of options of issues ``x`` and ``y``."""
    compiled = compile_scenario(scenario)
    for issue in (x, y):
        if issue not in compiled.issue_ids:
            raise KeyError(f"unknown issue {issue!r}")
    if x == y:
        raise ValueError("a region map needs two different issues")
    ix, iy = compiled.issue_ids.index(x), compiled.issue_ids.index(y)
    counts = cell_counts(compiled, blocking_space(compiled), ix, iy)

    def rows(matrix: np.ndarray) -> tuple[tuple[Any, ...], ...]:
        return tuple(tuple(row) for row in matrix.tolist())

    must = [p for p in range(compiled.n_parties) if compiled.must_accept[p]]
    best = np.where(np.isfinite(counts.best_nash), counts.best_nash, np.nan)
    return RegionMap(
        title=scenario.title,
        x=x,
        y=y,
        x_options=compiled.option_ids[ix],
        y_options=compiled.option_ids[iy],
        agreements=rows(counts.agreements),
        completions=rows(counts.completions),
        best_nash=tuple(tuple(None if math.isnan(v) else v for v in row) for row in best.tolist()),
        closed_by={compiled.party_ids[p]: rows(~counts.keeps_red_lines[p]) for p in must},
        short_of_reservation={
            compiled.party_ids[p]: rows(~counts.clears_reservation[p])
            for p in must
            if compiled.reservation_applies[p]
        },
        glossary=glossary(scenario),
    )


def utility_space(scenario: Scenario, max_points: int = 20_000, seed: int = 0) -> UtilitySpace:
    """Sampled package utilities, the agreement region's frontier, solutions and proposals."""
    compiled = compile_scenario(scenario)
    whole = full_space(compiled)
    rng = np.random.default_rng(seed)
    size = whole.size
    flat = (
        np.arange(size)
        if size <= max_points
        else np.sort(rng.choice(size, max_points, replace=False))
    )
    options = whole.options(flat)
    utilities = utilities_of(compiled, options)
    block = Block(
        0, len(flat), 1, tuple(options[:, [k]] for k in range(options.shape[1])), utilities
    )
    in_region = judge(compiled, block).region
    region = scan(compiled, prune(compiled, whole, compiled.gating_rules()))
    analysis = analyze(scenario)
    parties = compiled.party_ids
    dims = frontier_dimensions(compiled)
    proposals = {}
    for pid, proposal in scenario.proposals.items():
        if len(proposal.choices) == len(compiled.issue_ids):
            fixed = package_options(compiled, proposal.choices)
            row = np.array([[fixed[k] for k in range(len(compiled.issue_ids))]])
            proposals[pid] = dict(
                zip(parties, utilities_of(compiled, row)[0].tolist(), strict=True)
            )
        elif not proposal.fragmentary:
            # A fragment's "best completion" is our guess, not the text: leave it out.
            evaluation = analysis.proposals[pid]
            if all(u is not None for u in evaluation.utilities.values()):
                proposals[pid] = {p: float(u) for p, u in evaluation.utilities.items()}  # type: ignore[arg-type]
    return UtilitySpace(
        title=scenario.title,
        parties=parties,
        space_size=size,
        sample=utilities,
        sample_in_region=in_region,
        frontier=region.frontier_utilities,
        disagreement={parties[d]: float(compiled.reservation[d]) for d in dims},
        solutions={name: dict(s.utilities) for name, s in analysis.solutions.items() if s},
        proposals=proposals,
        glossary=glossary(scenario),
    )
