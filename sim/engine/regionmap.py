"""Where agreement lives over two issues: per cell, acceptable completions and who closes it.

A *cell* is a pair of options (or grid points) of issues ``x`` and ``y``; its completions
are the packages with those two choices. One pass over the space (pruned by scenario
constraints only, so that cells closed by red lines still appear) counts, per cell, the
completions in the agreement region, the best Nash objective among them, and for each
party whether some completion keeps its red lines and whether some clears its reservation.
Everything is accumulated with ``numpy.bincount``/``maximum.at`` on cell indices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.engine.agreement import RESERVATION_SLACK, frontier_dimensions, judge
from sim.engine.solutions import objectives
from sim.engine.space import Space, blocks

__all__ = ["CellCounts", "cell_counts"]


@dataclass(frozen=True)
class CellCounts:
    """Per-cell arrays of shape ``(len(y options), len(x options))``.

    ``keeps_red_lines[p]`` and ``clears_reservation[p]``: some completion of the cell keeps
    party ``p``'s red lines / gives it at least its reservation value (where it applies).
    ``best_nash`` is the largest log Nash product in the cell's agreement region (``-inf``
    where the region is empty).
    """

    agreements: np.ndarray
    completions: np.ndarray
    best_nash: np.ndarray
    keeps_red_lines: np.ndarray
    clears_reservation: np.ndarray


def cell_counts(compiled: CompiledScenario, space: Space, x: int, y: int) -> CellCounts:
    """Count, per (``y`` option, ``x`` option) cell, completions and agreements."""
    nx, ny = compiled.n_options[x], compiled.n_options[y]
    cells = nx * ny
    parties = compiled.n_parties
    dims = frontier_dimensions(compiled)
    agreements = np.zeros(cells, dtype=np.int64)
    completions = np.zeros(cells, dtype=np.int64)
    best = np.full(cells, -np.inf)
    keeps = np.zeros((parties, cells), dtype=bool)
    clears = np.zeros((parties, cells), dtype=bool)
    for block in blocks(compiled, space):
        verdict = judge(compiled, block)
        ok = verdict.constraints_ok
        cell = block.flat(block.columns[y]) * nx + block.flat(block.columns[x])
        completions += np.bincount(cell[ok], minlength=cells)
        agreements += np.bincount(cell[verdict.region], minlength=cells)
        by_rule = verdict.holds.T
        for p in range(parties):
            own = ok.copy()
            for r, rule in enumerate(compiled.rules):
                if rule.owner == p:
                    own &= by_rule[r]
            keeps[p] |= np.bincount(cell[own], minlength=cells) > 0
            if compiled.reservation_applies[p]:
                enough = ok & (block.utilities[:, p] >= compiled.reservation[p] - RESERVATION_SLACK)
                clears[p] |= np.bincount(cell[enough], minlength=cells) > 0
            else:
                clears[p] |= np.bincount(cell[ok], minlength=cells) > 0
        members = np.flatnonzero(verdict.region)
        if len(members):
            count, logs = objectives(
                "nash",
                block.utilities[members][:, dims],
                compiled.reservation[dims],
                compiled.power[dims],
            )
            value = np.where(count == len(dims), logs, -np.inf)
            np.maximum.at(best, cell[members], value)
    shape = (ny, nx)
    return CellCounts(
        agreements.reshape(shape),
        completions.reshape(shape),
        best.reshape(shape),
        keeps.reshape(parties, *shape),
        clears.reshape(parties, *shape),
    )
