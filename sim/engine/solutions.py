"""Bargaining solutions over a finite set of candidate packages.

Every solution has the same signature: utilities ``(n, parties)``, the disagreement point
``(parties,)`` and optional bargaining powers ``(parties,)``, and returns the indices of
the candidates that attain the optimum (all of them, so that the caller can break ties
deterministically and report how many there were). Candidates are assumed to give every
party at least its disagreement utility (they come from the agreement region).

References
----------
Nash, J. F. (1950). The bargaining problem. Econometrica 18(2), 155-162.
Kalai, E. (1977). Nonsymmetric Nash solutions and replications of 2-person bargaining.
International Journal of Game Theory 6(3), 129-133.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TOLERANCE", "nash_solution", "SOLUTIONS"]

TOLERANCE = 1e-9
"""Objective values within this (relative) distance of the best count as ties."""


def _ties(objective: np.ndarray) -> np.ndarray:
    best = objective.max()
    tied: np.ndarray = np.flatnonzero(objective >= best - TOLERANCE * max(1.0, abs(best)))
    return tied


def nash_solution(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray | None = None
) -> np.ndarray:
    """Maximize the (asymmetric) Nash product ``prod (u_i - d_i) ** w_i``.

    Maximized as the weighted sum of log gains. When every candidate leaves some party at
    exactly its disagreement utility, the candidates that give positive gains to the most
    parties are compared by the product over those parties.
    """
    if len(utilities) == 0:
        return np.zeros(0, dtype=np.intp)
    powers = np.ones(utilities.shape[1]) if powers is None else powers
    gains = np.maximum(utilities - disagreement, 0.0)
    positive = gains > TOLERANCE
    count = positive.sum(axis=1)
    most = np.flatnonzero(count == count.max())
    with np.errstate(divide="ignore"):
        logs = np.where(positive[most], np.log(np.where(positive[most], gains[most], 1.0)), 0.0)
    objective = logs @ powers
    result: np.ndarray = most[_ties(objective)]
    return result


SOLUTIONS = {"nash": nash_solution}
"""Registry of bargaining solutions by name (all share one signature)."""
