"""Bargaining solutions over a finite set of candidate packages.

Every solution has the same signature: utilities ``(n, parties)``, the disagreement point
``(parties,)`` and optional bargaining powers ``(parties,)``, and returns the indices of
the candidates that attain the optimum (all of them, so that the caller can break ties
deterministically and report how many there were). Candidates are assumed to give every
party at least its disagreement utility (they come from the agreement region).

Each solution is the maximum of an objective (:func:`objectives`), a tuple of arrays
compared lexicographically: the first entry is the criterion, later ones break ties
(for max-min criteria, the total utility, so that the choice is Pareto-efficient).

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

from collections.abc import Callable

import numpy as np

__all__ = [
    "TOLERANCE",
    "POSITIVE_GAIN",
    "objectives",
    "ranking",
    "nash_solution",
    "kalai_smorodinsky_solution",
    "egalitarian_solution",
    "utilitarian_solution",
    "SOLUTIONS",
]

TOLERANCE = 1e-9
"""Objective values within this (relative) distance of the best count as ties."""
POSITIVE_GAIN = 1e-6
"""A gain over the disagreement point counts as positive (for the Nash product) above this."""


def _nash(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray, ideal: np.ndarray
) -> tuple[np.ndarray, ...]:
    # Lexicographic: first the number of parties with a positive gain (when every
    # candidate leaves someone at exactly its disagreement point), then the weighted sum
    # of log gains over the parties with positive gains.
    gains = np.maximum(utilities - disagreement, 0.0)
    positive = gains > POSITIVE_GAIN
    with np.errstate(divide="ignore"):
        logs = np.where(positive, np.log(np.where(positive, gains, 1.0)), 0.0)
    return positive.sum(axis=1).astype(float), logs @ powers


def _kalai_smorodinsky(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray, ideal: np.ndarray
) -> tuple[np.ndarray, ...]:
    ideal_gain = ideal - disagreement
    scale = np.where(ideal_gain > TOLERANCE, ideal_gain, 1.0)
    relative = np.where(ideal_gain > TOLERANCE, (utilities - disagreement) / scale, 1.0)
    return relative.min(axis=1), utilities.sum(axis=1)


def _egalitarian(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray, ideal: np.ndarray
) -> tuple[np.ndarray, ...]:
    return (utilities - disagreement).min(axis=1), utilities.sum(axis=1)


def _utilitarian(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray, ideal: np.ndarray
) -> tuple[np.ndarray, ...]:
    return (utilities.sum(axis=1),)


_OBJECTIVES: dict[str, Callable[..., tuple[np.ndarray, ...]]] = {
    "nash": _nash,
    "kalai_smorodinsky": _kalai_smorodinsky,
    "egalitarian": _egalitarian,
    "utilitarian": _utilitarian,
}


def objectives(
    name: str,
    utilities: np.ndarray,
    disagreement: np.ndarray,
    powers: np.ndarray | None = None,
    ideal: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """The lexicographic objective of solution ``name`` for every candidate.

    ``ideal`` is the ideal point (each party's best utility) for Kalai-Smorodinsky; by
    default the best utilities among the candidates themselves.
    """
    powers = np.ones(utilities.shape[1]) if powers is None else powers
    ideal = utilities.max(axis=0) if ideal is None and len(utilities) else ideal
    return _OBJECTIVES[name](utilities, disagreement, powers, ideal)


def _close(values: np.ndarray, best: float) -> np.ndarray:
    result: np.ndarray = values >= best - TOLERANCE * max(1.0, abs(best))
    return result


def ranking(
    name: str,
    utilities: np.ndarray,
    disagreement: np.ndarray,
    powers: np.ndarray | None = None,
    ideal: np.ndarray | None = None,
) -> np.ndarray:
    """Candidate indices from best to worst by solution ``name`` (stable among equals)."""
    keys = objectives(name, utilities, disagreement, powers, ideal)
    result: np.ndarray = np.lexsort(tuple(-key for key in reversed(keys)))
    return result


def _optimal(
    name: str, utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray | None
) -> np.ndarray:
    if len(utilities) == 0:
        return np.zeros(0, dtype=np.intp)
    tied = np.arange(len(utilities))
    for key in objectives(name, utilities, disagreement, powers):
        values = key[tied]
        tied = tied[_close(values, float(values.max()))]
    return tied


def nash_solution(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray | None = None
) -> np.ndarray:
    """Maximize the (asymmetric) Nash product ``prod (u_i - d_i) ** w_i``.

    Maximized as the weighted sum of log gains. When every candidate leaves some party at
    exactly its disagreement utility, the candidates that give positive gains to the most
    parties are compared by the product over those parties.
    """
    return _optimal("nash", utilities, disagreement, powers)


def kalai_smorodinsky_solution(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray | None = None
) -> np.ndarray:
    """Maximize the smallest gain relative to each party's ideal gain.

    The ideal point is each party's best utility among the candidates (the agreement
    region): ``max min_i (u_i - d_i) / (I_i - d_i)``, the candidate nearest the segment from
    the disagreement point to the ideal point in the max-min sense. Among ties the largest
    total utility is kept. ``powers`` are accepted for the common signature and ignored.
    """
    return _optimal("kalai_smorodinsky", utilities, disagreement, powers)


def egalitarian_solution(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray | None = None
) -> np.ndarray:
    """Maximize the smallest gain over the disagreement point (ties: largest total).

    ``powers`` are accepted for the common signature and ignored.
    """
    return _optimal("egalitarian", utilities, disagreement, powers)


def utilitarian_solution(
    utilities: np.ndarray, disagreement: np.ndarray, powers: np.ndarray | None = None
) -> np.ndarray:
    """Maximize the sum of utilities.

    ``powers`` are accepted for the common signature and ignored.
    """
    return _optimal("utilitarian", utilities, disagreement, powers)


SOLUTIONS = {
    "nash": nash_solution,
    "kalai_smorodinsky": kalai_smorodinsky_solution,
    "egalitarian": egalitarian_solution,
    "utilitarian": utilitarian_solution,
}
"""Registry of bargaining solutions by name (all share one signature)."""
