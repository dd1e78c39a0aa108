"""Refine a bargaining solution on continuous issues beyond the enumeration grid.

The compiled grid of a continuous issue contains every value-curve breakpoint and every
number a rule compares the issue with (see :mod:`sim.compile`). So on each *cell* between
two adjacent grid points, every party's utility is linear in the issue's value and every
rule has a constant truth value (that of the cell's non-threshold end). Around a discrete
candidate, the boxes of adjacent cells therefore turn each bargaining solution into a
small convex program with linear utilities:

- utilitarian: a linear program (``scipy.optimize.linprog``);
- egalitarian and Kalai-Smorodinsky: maximize ``t`` subject to ``gain_i >= t`` (scaled by
  the ideal gain for Kalai-Smorodinsky), a linear program;
- Nash: maximize ``sum_i w_i log(gain_i)``, concave, solved with SLSQP
  (``scipy.optimize.minimize``) from the egalitarian point.

Boxes where a gating rule fails are skipped; reservation values of the bargaining parties
are linear constraints. The refined point replaces the discrete one only if it is better.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.engine.solutions import objectives
from sim.engine.space import utilities_of

__all__ = ["Refined", "refine", "CANDIDATES"]

CANDIDATES = 5
"""Discrete candidates (best first) whose neighbouring cells are searched."""


@dataclass(frozen=True)
class Refined:
    """A refined package: option rows for discrete issues, values for continuous ones."""

    options: np.ndarray
    values: dict[int, float]
    utilities: np.ndarray
    objective: tuple[float, ...]


@dataclass(frozen=True)
class _Box:
    issues: list[int]
    low: np.ndarray  # grid index of each cell's low end
    base: np.ndarray  # utilities at the low corner, all parties
    slopes: np.ndarray  # (issues, parties) utility per unit of value
    lower: np.ndarray  # value bounds
    upper: np.ndarray


def _score(
    name: str,
    utilities: np.ndarray,
    disagreement: np.ndarray,
    powers: np.ndarray,
    ideal: np.ndarray | None,
    weights: np.ndarray | None,
) -> tuple[float, ...]:
    """The solution's lexicographic objective at one point (``weights``: utilitarian only)."""
    if weights is not None:
        return (float(weights @ utilities),)
    keys = objectives(name, utilities[None, :], disagreement, powers, ideal)
    return tuple(float(key[0]) for key in keys)


def _boxes(compiled: CompiledScenario, options: np.ndarray, gating: list[int]) -> list[_Box]:
    continuous = [
        k for k, grid in enumerate(compiled.grids) if grid is not None and not compiled.integer[k]
    ]
    choices = []
    for k in continuous:
        j = int(options[k])
        n = len(compiled.grids[k])  # type: ignore[arg-type]
        choices.append([c for c in (j - 1, j) if 0 <= c and c + 1 < n])
    boxes = []
    for lows in itertools.product(*choices):
        low = np.array(lows, dtype=np.intp)
        representative = options.copy()
        for k, j in zip(continuous, low, strict=True):
            mask = compiled.thresholds[k]
            assert mask is not None
            representative[k] = j + 1 if mask[j] else j
        columns = [np.array([o]) for o in representative]
        if not all(bool(compiled.rules[r].predicate(columns)[0]) for r in gating):
            continue
        corner = options.copy()
        corner[continuous] = low
        base = utilities_of(compiled, corner[None, :])[0]
        slopes, lower, upper = [], [], []
        for k, j in zip(continuous, low, strict=True):
            grid = compiled.grids[k]
            assert grid is not None
            width = grid[j + 1] - grid[j]
            slopes.append((compiled.tables[k][j + 1] - compiled.tables[k][j]) / width)
            lower.append(grid[j])
            upper.append(grid[j + 1])
        boxes.append(
            _Box(continuous, low, base, np.array(slopes), np.array(lower), np.array(upper))
        )
    return boxes


def _solve_box(
    box: _Box,
    name: str,
    dims: np.ndarray,
    disagreement: np.ndarray,
    powers: np.ndarray,
    ideal_gain: np.ndarray,
    weights: np.ndarray | None,
) -> np.ndarray | None:
    """Optimal values of the box's continuous issues for solution ``name`` (None: infeasible)."""
    from scipy.optimize import linprog, minimize

    m = len(box.issues)
    slopes = box.slopes[:, dims]  # (m, d)
    offset = (
        box.base[dims] - box.slopes[:, dims].T @ box.lower - disagreement
    )  # gain = offset + slopes.T x
    bounds = list(zip(box.lower, box.upper, strict=True))
    if name == "utilitarian":
        direction = slopes @ (np.ones(len(dims)) if weights is None else weights)
        result = linprog(-direction, A_ub=-slopes.T, b_ub=offset, bounds=bounds, method="highs")
        return result.x if result.status == 0 else None
    scale = np.ones(len(dims))
    if name == "kalai_smorodinsky":
        scale = np.where(ideal_gain > 1e-12, ideal_gain, 1.0)
    # maximize t: t <= gain_i / scale_i  ->  t * scale_i - slopes_i . x <= offset_i
    a_ub = np.hstack([-slopes.T, scale[:, None]])
    a_ub = np.vstack([a_ub, np.hstack([-slopes.T, np.zeros((len(dims), 1))])])
    b_ub = np.concatenate([offset, offset])
    c = np.zeros(m + 1)
    c[-1] = -1.0
    result = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=[*bounds, (None, None)], method="highs")
    if result.status != 0:
        return None
    start = result.x[:m]
    if name in ("egalitarian", "kalai_smorodinsky"):
        return start
    if result.x[-1] <= 1e-12:
        return None  # no point of the box gives every bargaining party a positive gain

    def negative_log_product(x: np.ndarray) -> float:
        gains = np.maximum(offset + slopes.T @ x, 1e-300)
        return float(-(powers @ np.log(gains)))

    def gradient(x: np.ndarray) -> np.ndarray:
        gains = np.maximum(offset + slopes.T @ x, 1e-300)
        result: np.ndarray = -(slopes @ (powers / gains))
        return result

    solved = minimize(
        negative_log_product,
        start,
        jac=gradient,
        bounds=bounds,
        constraints=[
            {"type": "ineq", "fun": lambda x: offset + slopes.T @ x, "jac": lambda x: slopes.T}
        ],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    return solved.x if solved.success else start


def refine(
    compiled: CompiledScenario,
    candidates: np.ndarray,
    name: str,
    dims: np.ndarray,
    ideal: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    baseline: np.ndarray | None = None,
) -> Refined | None:
    """Best point of solution ``name`` in the cells around each candidate package.

    ``candidates`` are option rows (best discrete candidates first); ``dims`` the
    bargaining parties, whose reservation values constrain every point; ``ideal`` their
    ideal utilities (Kalai-Smorodinsky); ``weights`` turns the utilitarian objective into
    ``weights @ utilities[dims]`` (used to refine the ideal point itself). With
    ``baseline`` (all parties' utilities at the discrete solution) only a strictly better
    point is returned. Returns None when the scenario has no continuous issue or nothing
    feasible (and better) was found.
    """
    refinable = [
        g is not None and not i for g, i in zip(compiled.grids, compiled.integer, strict=True)
    ]
    if not any(refinable) or len(candidates) == 0:
        return None
    gating = [
        r
        for r, rule in enumerate(compiled.rules)
        if rule.owner < 0 or bool(compiled.must_accept[rule.owner])
    ]
    disagreement = compiled.reservation[dims]
    powers = compiled.power[dims]
    ideal_gain = (ideal - disagreement) if ideal is not None else np.ones(len(dims))
    best: Refined | None = None
    best_score: tuple[float, ...] = ()
    if baseline is not None:
        best_score = _score(name, baseline[dims], disagreement, powers, ideal, weights)
    for options in candidates[:CANDIDATES]:
        for box in _boxes(compiled, options, gating):
            x = _solve_box(box, name, dims, disagreement, powers, ideal_gain, weights)
            if x is None:
                continue
            x = _inside(compiled, box, np.clip(x, box.lower, box.upper))
            utilities = box.base + box.slopes.T @ (x - box.lower)
            if np.any(utilities[dims] - disagreement < -1e-9):
                continue
            score = _score(name, utilities[dims], disagreement, powers, ideal, weights)
            if (best is None and baseline is None) or _better(score, best_score):
                values = {k: float(v) for k, v in zip(box.issues, x, strict=True)}
                best, best_score = Refined(options.copy(), values, utilities, score), score
    return best


def _inside(compiled: CompiledScenario, box: _Box, x: np.ndarray) -> np.ndarray:
    """Move a point off any rule-threshold end of its cell: rules there may differ."""
    x = x.copy()
    for i, (k, j) in enumerate(zip(box.issues, box.low, strict=True)):
        mask = compiled.thresholds[k]
        assert mask is not None
        nudge = 1e-9 * (box.upper[i] - box.lower[i])
        if mask[j] and x[i] - box.lower[i] < nudge:
            x[i] = box.lower[i] + nudge
        if mask[j + 1] and box.upper[i] - x[i] < nudge:
            x[i] = box.upper[i] - nudge
    return x


def _better(score: tuple[float, ...], than: tuple[float, ...]) -> bool:
    for a, b in zip(score, than, strict=True):
        if a > b + 1e-12 * max(1.0, abs(b)):
            return True
        if a < b - 1e-12 * max(1.0, abs(b)):
            return False
    return False
