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
Kalai, E., Smorodinsky, M. (1975). Other solutions to Nash's bargaining problem.
Econometrica 43(3), 513-518.
Kalai, E. (1977). Proportional solutions to bargaining situations: interpersonal utility
comparisons. Econometrica 45(7), 1623-1630.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "TOLERANCE",
    "nash_solution",
    "kalai_smorodinsky_solution",
    "egalitarian_solution",
    "utilitarian_solution",
    "SOLUTIONS",
]

TOLERANCE = 1e-9
"""Objective values within this (relative) distance of the best count as ties."""


def _ties(objective: np.ndarray) -> np.ndarray:
    best = objective.max()
    tied: np.ndarray = np.flatnonzero(objective >= best - TOLERANCE * max(1.0, abs(best)))
    return tied


def _ties_then_sum(objective: np.ndarray, utilities: np.ndarray) -> np.ndarray:
    """Ties of a max-min objective, narrowed to those with the largest total (efficiency)."""
    tied = _ties(objective)
    result: np.ndarray = tied[_ties(utilities[tied].sum(axis=1))]
    return result


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


def kalai_smorodinsky_solution(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray | None = None
) -> np.ndarray:
    """Maximize the smallest gain relative to each party's ideal gain.

    The ideal point is each party's best utility among the candidates (the agreement
    region), so the solution is the candidate closest to the line from the disagreement
    point to the ideal point in the max-min sense: ``max min_i (u_i - d_i) / (I_i - d_i)``.
    Among ties the largest total utility is kept. ``powers`` are accepted for the common
    signature and ignored.
    """
    if len(utilities) == 0:
        return np.zeros(0, dtype=np.intp)
    ideal_gain = utilities.max(axis=0) - disagreement
    scale = np.where(ideal_gain > TOLERANCE, ideal_gain, 1.0)
    relative = np.where(ideal_gain > TOLERANCE, (utilities - disagreement) / scale, 1.0)
    return _ties_then_sum(relative.min(axis=1), utilities)


def egalitarian_solution(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray | None = None
) -> np.ndarray:
    """Maximize the smallest gain over the disagreement point (ties: largest total).

    ``powers`` are accepted for the common signature and ignored.
    """
    if len(utilities) == 0:
        return np.zeros(0, dtype=np.intp)
    return _ties_then_sum((utilities - disagreement).min(axis=1), utilities)


def utilitarian_solution(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray | None = None
) -> np.ndarray:
    """Maximize the sum of utilities. ``powers`` are accepted for the common signature and ignored."""
    if len(utilities) == 0:
        return np.zeros(0, dtype=np.intp)
    return _ties(utilities.sum(axis=1))


SOLUTIONS = {
    "nash": nash_solution,
    "kalai_smorodinsky": kalai_smorodinsky_solution,
    "egalitarian": egalitarian_solution,
    "utilitarian": utilitarian_solution,
}
"""Registry of bargaining solutions by name (all share one signature)."""
