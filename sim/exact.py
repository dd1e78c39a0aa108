"""Analysis by exact search, for package spaces too large to enumerate.

:func:`sim.analysis.analyze` comes here when the pruned space exceeds
``limits.max_packages``. Existence of an agreement, every bargaining solution and every
proposal verdict are exact (mixed-integer programs, :mod:`sim.engine.milp`). Counts (the
size of the region, how many completions each party accepts) cannot be had without
enumeration: they are estimated from a uniform sample of packages and flagged as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.engine.agreement import judge
from sim.engine.milp import MilpResult, Program, base_program, exact_solution
from sim.engine.space import Block, Space, full_space, prune, utilities_of

__all__ = [
    "SAMPLE",
    "sample_block",
    "sample_judgement",
    "estimate",
    "exact_solutions",
    "ExactEvaluation",
    "exact_evaluation",
    "explain_exact",
]

SAMPLE = 100_000
"""Packages drawn uniformly to estimate counts on the exact path."""


def sample_block(compiled: CompiledScenario, space: Space, seed: int = 0) -> Block:
    """A uniform sample of the space (with replacement) as one block of packages."""
    rng = np.random.default_rng(seed)
    options = np.stack(
        [allowed[rng.integers(0, len(allowed), SAMPLE)] for allowed in space.allowed], axis=1
    )
    utilities = utilities_of(compiled, options)
    return Block(0, SAMPLE, 1, tuple(options[:, [k]] for k in range(options.shape[1])), utilities)


def sample_judgement(compiled: CompiledScenario, space: Space, seed: int = 0):  # type: ignore[no-untyped-def]
    """Judge a uniform sample of the space."""
    return judge(compiled, sample_block(compiled, space, seed))


def estimate(hits: int, size: int) -> int:
    """Scale a sample count to the space."""
    return int(round(hits / SAMPLE * size))


def exact_solutions(
    compiled: CompiledScenario, space: Space, names: list[str]
) -> dict[str, MilpResult | None]:
    """Each named bargaining solution by exact search (None when the region is empty)."""
    results: dict[str, MilpResult | None] = {}
    for name in names:
        results[name] = exact_solution(compiled, space, name)
        if results[name] is None:
            return dict.fromkeys(names)
    return results


def _feasible(program: Program) -> bool:
    return program.solve({}) is not None


@dataclass(frozen=True)
class ExactEvaluation:
    """What exact search says about a partial package's completions (per party / rule).

    Counts (``party_counts``, ``region_count``) are estimates from a uniform sample.
    """

    some: np.ndarray
    every: np.ndarray
    low: np.ndarray
    high: np.ndarray
    ever_holds: np.ndarray
    region_exists: bool
    nash: MilpResult | None
    party_counts: np.ndarray
    region_count: int


def exact_evaluation(compiled: CompiledScenario, fixed: dict[int, int]) -> ExactEvaluation:
    """Verdict inputs for a partial package whose completions are too many to enumerate.

    For each party: whether some completion is acceptable to it, whether all are, and its
    utility range; for each red line, whether some completion keeps it; whether some
    completion is in the agreement region, and the Nash-best such completion.
    """
    hard = tuple(rule for rule in compiled.rules if rule.owner < 0)
    space = prune(compiled, full_space(compiled, fixed), hard)

    def program() -> Program:
        built = Program(compiled, space)
        for rule in hard:
            built.require(rule.predicate)
        return built

    some, every, low, high = [], [], [], []
    for p in range(compiled.n_parties):
        own = [rule for rule in compiled.rules if rule.owner == p]
        acceptable = program()
        for rule in own:
            acceptable.require(rule.predicate)
        if compiled.reservation_applies[p]:
            acceptable.at_least(p, float(compiled.reservation[p]))
        some.append(_feasible(acceptable))
        lowest, highest = program(), program()
        utility = dict(lowest.utility[p][0])
        x_low = lowest.solve({v: -c for v, c in utility.items()})
        x_high = highest.solve(utility)
        low.append(float(lowest.package(x_low).utilities[p]) if x_low is not None else np.nan)
        high.append(float(highest.package(x_high).utilities[p]) if x_high is not None else np.nan)
        u_low = low[-1]
        can_fail = any(_fails_somewhere(program(), rule.predicate) for rule in own)
        below = bool(compiled.reservation_applies[p]) and u_low < compiled.reservation[p] - 1e-12
        every.append(some[-1] and not can_fail and not below)
    ever_holds = []
    for rule in compiled.rules:
        keeps = program()
        keeps.require(rule.predicate)
        ever_holds.append(_feasible(keeps))
    judgement = sample_judgement(compiled, space)
    accepted = np.count_nonzero(judgement.accepts & judgement.constraints_ok[:, None], axis=0)
    return ExactEvaluation(
        some=np.array(some, dtype=bool),
        every=np.array(every, dtype=bool),
        low=np.array(low),
        high=np.array(high),
        ever_holds=np.array(ever_holds, dtype=bool),
        region_exists=_feasible(base_program(compiled, space)),
        nash=exact_solution(compiled, space, "nash"),
        party_counts=np.array([estimate(int(n), space.size) for n in accepted]),
        region_count=estimate(int(np.count_nonzero(judgement.region)), space.size),
    )


def _fails_somewhere(program: Program, predicate) -> bool:  # type: ignore[no-untyped-def]
    """Whether some feasible point breaks the predicate (its truth forced to 0)."""
    expression, constant = program.truth(predicate)
    program.row(expression, -np.inf, -constant)
    return _feasible(program)


def explain_exact(scenario, compiled: CompiledScenario, closest: int, limit: int):  # type: ignore[no-untyped-def]
    """The blocking analysis by exact search (see :func:`sim.diagnosis.explain`).

    Minimal relaxations are enumerated smallest first (up to ``limit``); minimal conflicts
    are the minimal hitting sets of the relaxations found, complete when the enumeration
    was. Region sizes and prices are estimated from a uniform sample.
    """
    from sim.analysis import glossary
    from sim.engine.blocking import (
        _signatures,
        blocking_space,
        minimal_conflicts,
        relaxable_constraints,
    )
    from sim.engine.milp import (
        closest_packages,
        maximize_nash,
        minimal_relaxations,
        relaxed_program,
    )
    from sim.results import Blocking, ClosePackage, Relaxation, Solution

    constraints = relaxable_constraints(compiled)
    ids = [c.id for c in constraints]
    space = blocking_space(compiled)
    block = sample_block(compiled, space)
    sampled = judge(compiled, block)
    signatures = _signatures(compiled, block.utilities, sampled.holds.T, constraints)
    signatures = signatures[sampled.constraints_ok]

    def opened(relaxed: int) -> int:
        inside = np.count_nonzero((signatures & ~np.uint64(relaxed)) == 0)
        return estimate(int(inside), space.size)

    bargaining = np.flatnonzero(compiled.bargaining)
    dims = bargaining if len(bargaining) else np.arange(compiled.n_parties)

    def nash(relaxed: int) -> Solution | None:
        dropped = {
            c.party
            for bit, c in enumerate(constraints)
            if c.kind == "reservation" and relaxed >> bit & 1
        }
        parties = np.array([d for d in dims if d not in dropped]) if len(dims) else dims
        parties = parties if len(parties) else dims
        program = relaxed_program(compiled, space, constraints, relaxed)
        found = maximize_nash(
            program, parties, compiled.reservation[parties], compiled.power[parties]
        )
        if found is None:
            return None
        return Solution(
            "nash",
            compiled.package(found.options),
            _per_party(compiled, found.utilities),
            _per_party(compiled, found.utilities - compiled.reservation),
        )

    current = nash(0)
    relaxations: tuple = ()
    conflicts: list[int] = []
    complete = True
    binding = []
    close: list = []
    total = 0
    if current is None:
        found, complete = minimal_relaxations(compiled, space, constraints, limit)
        total = len(found)
        names = lambda r: tuple(ids[b] for b in range(len(ids)) if r >> b & 1)  # noqa: E731
        shown = sorted(found, key=lambda r: (bin(r).count("1"), -opened(r), names(r)))[:10]
        relaxations = tuple(
            Relaxation(
                tuple(ids[b] for b in range(len(ids)) if r >> b & 1), opened(r) or None, nash(r)
            )
            for r in shown
        )
        conflicts, conflicts_complete = minimal_conflicts(np.array(found, dtype=np.uint64))
        complete = complete and conflicts_complete
        for package_options, utilities, broken, shortfall in closest_packages(
            compiled, space, constraints, closest
        ):
            close.append(
                ClosePackage(
                    package=compiled.package(package_options),
                    utilities=_per_party(compiled, utilities),
                    shortfalls=_per_party(compiled, shortfall),
                    broken_red_lines={
                        party: [
                            c.id
                            for bit, c in enumerate(constraints)
                            if c.kind == "red_line" and c.party == p and broken >> bit & 1
                        ]
                        for p, party in enumerate(compiled.party_ids)
                    },
                )
            )
    else:
        for bit, constraint in enumerate(constraints):
            if (
                constraint.kind == "reservation"
                and current.margins[compiled.party_ids[constraint.party]] > 1e-9
            ):
                continue
            moved = nash(1 << bit)
            if moved is not None and moved.package != current.package:
                binding.append(Relaxation((ids[bit],), opened(1 << bit) or None, moved))
    return Blocking(
        title=scenario.title,
        space_size=space.size,
        agreement_count=max(opened(0), 1) if current is not None else 0,
        constraints={c.id: (c.kind, compiled.party_ids[c.party]) for c in constraints},
        conflicts=tuple(
            sorted(
                (tuple(ids[b] for b in range(len(ids)) if c >> b & 1) for c in conflicts),
                key=lambda names: (len(names), names),
            )
        ),
        conflicts_complete=complete,
        relaxations=relaxations,
        relaxations_total=total,
        closest=tuple(close),
        prices={
            c.id: estimate(int(np.count_nonzero(signatures == np.uint64(1 << bit))), space.size)
            for bit, c in enumerate(constraints)
        },
        binding=tuple(binding),
        nash=current,
        glossary=glossary(scenario),
        method="milp",
        counts_exact=False,
    )


def _per_party(compiled: CompiledScenario, values: np.ndarray) -> dict[str, float]:
    return {party: round(float(v), 12) for party, v in zip(compiled.party_ids, values, strict=True)}
