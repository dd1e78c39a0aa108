"""The Pareto frontier: the one implementation, for two parties and for many.

A point is on the frontier when no other point is at least as good for every party and
strictly better for one (utilities are maximized). Equal points do not dominate each
other, so duplicates of a frontier point are all on it.

Two dimensions use sort-and-sweep: sort by the first utility (descending), and a point
survives when its second utility is the best of its group and beats every point with a
strictly larger first utility. More dimensions use a block skyline: in lexicographic
order (descending), a point can only be dominated by points before it, and only a
frontier point need be checked (dominance is transitive); blocks of candidates are
compared against the frontier so far with one broadcast comparison each. Three
dimensions, beyond one block, use divide and conquer over that order (Kung, Luccio and
Preparata's bound, O(n log^2 n) here), so three-party frontiers of thousands of points
cost milliseconds.

References
----------
Kung, H. T., Luccio, F., Preparata, F. P. (1975). On finding the maxima of a set of
vectors. Journal of the ACM 22(4), 469-476.
Börzsönyi, S., Kossmann, D., Stocker, K. (2001). The skyline operator. ICDE, 421-430.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pareto_mask", "dominated_by"]

_WORK = 1 << 24  # elements in one broadcast comparison


def pareto_mask(points: np.ndarray) -> np.ndarray:
    """Boolean mask of the non-dominated rows of ``points`` (shape ``(n, d)``, maximized)."""
    points = np.asarray(points, dtype=float)
    n, d = points.shape
    if n == 0:
        return np.zeros(0, dtype=bool)
    if d == 1:
        result: np.ndarray = points[:, 0] == points[:, 0].max()
        return result
    if d == 2:
        return _sweep(points)
    if d == 3 and n > _BLOCK:
        return _three(points)  # beyond one block of all pairs, n log^2 n wins
    return _skyline(points)


def _sweep(points: np.ndarray) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    order = np.lexsort((-y, -x))
    xs, ys = x[order], y[order]
    new_group = np.empty(len(xs), dtype=bool)
    new_group[0] = True
    np.not_equal(xs[1:], xs[:-1], out=new_group[1:])
    starts = np.flatnonzero(new_group)
    group = np.cumsum(new_group) - 1
    group_best = ys[starts]
    best_before = np.empty(len(group_best))
    best_before[0] = -np.inf
    np.maximum.accumulate(group_best[:-1], out=best_before[1:])
    keep = (ys == group_best[group]) & (group_best[group] > best_before[group])
    mask = np.zeros(len(points), dtype=bool)
    mask[order[keep]] = True
    return mask


def _dominates(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``(len(left), len(right))``: row i of ``left`` dominates row j of ``right``.

    Built one dimension at a time, so memory is two boolean matrices, not a 3-D array.
    """
    at_least = np.ones((len(left), len(right)), dtype=bool)
    better = np.zeros((len(left), len(right)), dtype=bool)
    for j in range(left.shape[1]):
        a, b = left[:, j, None], right[None, :, j]
        at_least &= a >= b
        better |= a > b
    result: np.ndarray = at_least & better
    return result


def _dominated_2d(front: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Two dimensions by binary search: O((F + n) log F) instead of F x n comparisons.

    A candidate ``(x, y)`` is dominated when some front point has ``fx >= x`` and
    ``fy > y``, or ``fx > x`` and ``fy >= y``: suffix maxima of ``fy`` over the front sorted
    by ``fx`` answer both with one search each.
    """
    order = np.argsort(front[:, 0], kind="stable")
    fx, fy = front[order, 0], front[order, 1]
    suffix = np.maximum.accumulate(fy[::-1])[::-1]
    suffix = np.append(suffix, -np.inf)
    x, y = candidates[:, 0], candidates[:, 1]
    at_least_x = suffix[np.searchsorted(fx, x, side="left")]
    beyond_x = suffix[np.searchsorted(fx, x, side="right")]
    result: np.ndarray = (at_least_x > y) | (beyond_x >= y)
    return result


def dominated_by(front: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """For each candidate, whether some row of ``front`` dominates it."""
    result = np.zeros(len(candidates), dtype=bool)
    if len(front) == 0 or len(candidates) == 0:
        return result
    if front.shape[1] == 2:
        return _dominated_2d(front, candidates)
    step = max(1, _WORK // max(1, len(front)))
    for first in range(0, len(candidates), step):
        block = candidates[first : first + step]
        result[first : first + step] = _dominates(front, block).any(axis=0)
    return result


_PIVOTS = 256
_BLOCK = 512


def _three(points: np.ndarray) -> np.ndarray:
    """Three dimensions in O(n log^2 n): earlier-and-better queries, halves by halves.

    In lexicographic order (descending), with duplicates merged, a point is dominated
    exactly when some earlier point is at least as good in the second and third
    dimensions. Those queries are answered by divide and conquer over positions: at each
    level, the points of every right half ask the left half of their pair of halves, whose
    points are sorted by the second dimension (descending) with a running maximum of the
    third. Dimensions are replaced by their ranks first, so that halves can be told apart
    by adding a whole-number offset to the keys and every comparison stays exact. Every
    level is a handful of array operations over all pairs of halves at once.
    """
    n = len(points)
    order = np.lexsort((-points[:, 2], -points[:, 1], -points[:, 0]))
    ordered = points[order]
    first = np.ones(n, dtype=bool)
    first[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    run = np.cumsum(first) - 1  # which distinct point each ordered point is
    unique = ordered[first]
    m = len(unique)
    second = np.unique(unique[:, 1], return_inverse=True)[1].astype(np.int64)
    third = np.unique(unique[:, 2], return_inverse=True)[1].astype(np.int64)
    span = m + 1  # one more than any rank: a pair of halves' keys lie in [pair * span, ...)
    position = np.arange(m)
    dominated = np.zeros(m, dtype=bool)
    width = 1
    while width < m:
        pair = position // (2 * width)
        left = position % (2 * width) < width
        asks, told = position[~left], position[left]
        keys = pair[told] * span + (m - 1 - second[told])  # pair ascending, second descending
        sort = np.argsort(keys, kind="stable")
        best = np.maximum.accumulate(pair[told][sort] * span + third[told][sort])
        last = np.searchsorted(keys[sort], pair[asks] * span + (m - 1 - second[asks]), "right")
        hit = (last > 0) & (best[np.maximum(last - 1, 0)] >= pair[asks] * span + third[asks])
        dominated[asks[hit]] = True
        width *= 2
    mask = np.zeros(n, dtype=bool)
    mask[order] = ~dominated[run]
    return mask


def _skyline(points: np.ndarray) -> np.ndarray:
    """Frontier of three or more dimensions, in lexicographic order, block by block.

    In lexicographic order (descending), a point that is at least as good as a later one
    in every dimension either dominates it or equals it, and equal points are adjacent.
    So a point is dominated exactly when some point before its run of duplicates is at
    least as good everywhere, and only frontier points need be checked (dominance is
    transitive). Points before it are at least as good in the first dimension already,
    so one broadcast comparison per further dimension decides it: each block is checked
    against the frontier found so far and against itself.
    """
    n, d = points.shape
    if n > 4 * _PIVOTS:
        # Cheap first cut: the frontier of the highest-sum points dominates most of the
        # rest; drop what it dominates in one pass, then find the frontier of the
        # survivors (the pivots included), which is the frontier of all the points.
        by_sum = np.argsort(-points.sum(axis=1), kind="stable")
        head = points[by_sum[:_PIVOTS]]
        pivots = head[_skyline(head)]
        survivors = np.concatenate(
            [by_sum[:_PIVOTS], by_sum[_PIVOTS:][~dominated_by(pivots, points[by_sum[_PIVOTS:]])]]
        )
        if len(survivors) < n:
            mask = np.zeros(n, dtype=bool)
            mask[survivors] = _skyline(points[survivors])
            return mask
    order = np.lexsort(tuple(-points[:, k] for k in reversed(range(d))))
    ordered = points[order]
    index = np.arange(n)
    repeats = np.zeros(n, dtype=bool)
    repeats[1:] = (ordered[1:] == ordered[:-1]).all(axis=1)
    run_start = np.maximum.accumulate(np.where(repeats, 0, index))
    keep = np.zeros(n, dtype=bool)
    front = np.zeros(0, dtype=np.intp)  # positions in ``ordered`` of frontier points
    for first in range(0, n, _BLOCK):
        last = min(n, first + _BLOCK)
        earlier = np.concatenate([front, index[first:last]])
        at_least = earlier[:, None] < run_start[None, first:last]
        for k in range(1, d):
            at_least &= ordered[earlier, k, None] >= ordered[None, first:last, k]
        survivors = first + np.flatnonzero(~at_least.any(axis=0))
        keep[survivors] = True
        front = np.concatenate([front, survivors])
    mask = np.zeros(n, dtype=bool)
    mask[order[keep]] = True
    return mask
