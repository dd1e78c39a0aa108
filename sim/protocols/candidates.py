"""The finite set of packages a protocol can table, and each proposer's offer table.

Every decision the protocols make about a package depends on it only through each
necessary party's *standing*: for a bargaining party (one that must accept and whose
reservation value applies), its utility, pushed down by 2 when the package breaks one of
its red lines; for a party that must accept only the terms that bind it (a guarantor), 0
or -1 as the package keeps or breaks its red lines. A proposer picks, among the packages
that keep its own red lines and reach its target, the one that is best for the others by
a rule that never prefers a package whose standings are all worse; a mediator likewise.
So only the Pareto frontier of the standings can ever be tabled: per proposer the
frontier of the packages that keep its red lines, for a mediator the frontier of all
packages. They are found in one pass over the (pruned) space, block by block.

Within one block the frontier is found per *pattern* of kept and broken red lines, on the
bargaining parties' utilities alone (two parties: a sort-and-sweep, after dropping the
points the pattern's running frontier already covers), then merged with that running
frontier; the union over patterns holds every package worth tabling.
Among packages with equal standings the one with the smallest mixed-radix index (file
order of issues and options) is kept, which makes every tie-break deterministic.

The offer rule is vectorized by precomputation (:class:`OfferTable`): a proposer's
candidates sorted by its own utility, and for each prefix the best candidate for the
others, so that an offer at a target utility is one binary search.

References
----------
Börzsönyi, S., Kossmann, D., Stocker, K. (2001). The skyline operator. ICDE, 421-430.
Nash, J. F. (1950). The bargaining problem. Econometrica 18(2), 155-162.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.engine.agreement import RESERVATION_SLACK
from sim.engine.pareto import pareto_mask
from sim.engine.solutions import objectives
from sim.engine.space import blocks, full_space, prune, utilities_of

__all__ = ["Candidates", "OfferTable", "candidate_set", "standings", "static_rank"]

_DECIMALS = 12


@dataclass(frozen=True)
class OfferTable:
    """One proposer's offers: ``utilities`` (its own, descending) and ``best`` per prefix.

    ``best[m]`` is the candidate (index into :class:`Candidates`) the proposer offers when
    exactly its first ``m + 1`` candidates reach its target.
    """

    utilities: np.ndarray
    best: np.ndarray

    def offer(self, target: float) -> int:
        """The candidate offered at ``target`` (at least the proposer's best package)."""
        reach = int(np.searchsorted(-self.utilities, -target + RESERVATION_SLACK, side="right"))
        return int(self.best[max(reach, 1) - 1])


@dataclass(frozen=True)
class Candidates:
    """Packages a protocol may table, with everything the protocols read about them.

    Attributes
    ----------
    options
        Option positions ``(n, issues)``.
    utilities
        Every party's utility ``(n, parties)``.
    holds
        Whether each package satisfies each compiled rule ``(n, rules)``.
    keeps
        Whether each package keeps each party's red lines ``(n, parties)``.
    best
        Each party's best utility among packages that keep its red lines and the scenario
        constraints (``-inf`` when there is none).
    tables
        Offer tables of the proposers, by party position.
    mediated
        Candidates a mediator may table (indices), or ``None`` if not prepared.
    """

    options: np.ndarray
    utilities: np.ndarray
    holds: np.ndarray
    keeps: np.ndarray
    best: np.ndarray
    tables: dict[int, OfferTable]
    mediated: np.ndarray | None

    def __len__(self) -> int:
        return len(self.options)


def standings(compiled: CompiledScenario, utilities: np.ndarray, keeps: np.ndarray) -> np.ndarray:
    """Each necessary party's standing ``(n, must-accept parties)`` (see module docstring)."""
    bargaining = compiled.bargaining[compiled.must_accept]
    broken = ~keeps[:, compiled.must_accept]
    real = np.round(utilities[:, compiled.must_accept], _DECIMALS)
    result: np.ndarray = np.where(bargaining, real - 2.0 * broken, -1.0 * broken)
    return result


def static_rank(
    compiled: CompiledScenario,
    utilities: np.ndarray,
    keeps: np.ndarray,
    codes: np.ndarray,
    exclude: int | None = None,
) -> np.ndarray:
    """Rank (0 best) of packages for the parties other than ``exclude``.

    Lexicographic: fewest necessary parties that refuse outright (a red line broken, or
    short of a reservation value that applies); then the largest (asymmetric) Nash
    product of the bargaining parties' gains over their reservation values; then the
    largest total standing; then the smallest mixed-radix index ``codes``.
    """
    others = compiled.must_accept.copy()
    if exclude is not None:
        others[exclude] = False
    applies = compiled.reservation_applies
    short = applies & (utilities < compiled.reservation - RESERVATION_SLACK)
    refusals = ((~keeps | short) & others).sum(axis=1)
    gaining = np.flatnonzero(others & compiled.bargaining)
    positive, logs = objectives(
        "nash",
        np.round(utilities[:, gaining], _DECIMALS),
        compiled.reservation[gaining],
        compiled.power[gaining],
    )
    total = standings(compiled, utilities, keeps).sum(axis=1)
    order = np.lexsort(
        (codes, -np.round(total, _DECIMALS), -np.round(logs, 9), -positive, refusals)
    )
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return rank


def _holds(compiled: CompiledScenario, columns: tuple[np.ndarray, ...]) -> np.ndarray:
    """Whether each package satisfies each rule, ``(packages, rules)``."""
    shape = np.broadcast_shapes(*(np.shape(column) for column in columns))
    result = np.empty((len(compiled.rules), int(np.prod(shape))), dtype=bool)
    for index, rule in enumerate(compiled.rules):
        result[index] = np.broadcast_to(rule.predicate(columns), shape).reshape(-1)
    return result.T


def _keeps(compiled: CompiledScenario, holds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keeps = np.ones((len(holds), compiled.n_parties), dtype=bool)
    constraints = np.ones(len(holds), dtype=bool)
    for index, rule in enumerate(compiled.rules):
        if rule.owner < 0:
            constraints &= holds[:, index]
        else:
            keeps[:, rule.owner] &= holds[:, index]
    return keeps, constraints


def _unique_first(points: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Indices of the rows of ``points`` that are first (smallest code) among equal rows."""
    if len(points) <= 1:
        return np.arange(len(points))
    order = np.lexsort((codes, *points.T[::-1]))
    ordered = points[order]
    new = np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)]
    return np.sort(order[new])


def _frontier_of(points: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of ``points``, one per group of equal rows."""
    unique = _unique_first(points, codes)
    if points.shape[1] == 0:
        return unique[:1]
    return unique[pareto_mask(points[unique])]


def _covered(front: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Which 2-d ``points`` some row of ``front`` weakly dominates (at least as good in both).

    Packages come in increasing index order, so a point equal to a frontier point loses
    the tie-break to it and may be dropped as well.
    """
    if len(front) == 0:
        return np.zeros(len(points), dtype=bool)
    order = np.argsort(front[:, 0], kind="stable")
    xs = front[order, 0]
    best_y = np.maximum.accumulate(front[order, 1][::-1])[::-1]
    first = np.searchsorted(xs, points[:, 0], side="left")
    inside = first < len(xs)
    result: np.ndarray = inside & (best_y[np.minimum(first, len(xs) - 1)] >= points[:, 1])
    return result


def _prefilter(real: np.ndarray, group: np.ndarray, front: np.ndarray | None) -> np.ndarray:
    """Drop the 2-d points of ``group`` covered by ``front`` or by a few sure frontier points.

    The first maximizers of positive weighted sums are on the frontier and, among equal
    points, come first (smallest index), so anything else they cover is dominated or a
    later duplicate.
    """
    if front is not None:
        group = group[~_covered(front, real[group])]
    if len(group) < 64:
        return group
    points = real[group]
    anchors = np.unique(
        [int(np.argmax(points @ w)) for w in ((1, 0.5), (1, 1), (0.5, 1), (1, 0.1), (0.1, 1))]
    )
    covered = _covered(points[anchors], points)
    covered[anchors] = False
    return group[~covered]


def _codes(columns: tuple[np.ndarray, ...], radix: np.ndarray) -> np.ndarray:
    """Mixed-radix index of every package of a block (issue order, first most significant)."""
    strides = np.cumprod(np.r_[radix[1:], 1][::-1])[::-1]
    total = np.zeros((1, 1), dtype=np.int64)
    for column, stride in zip(columns, strides, strict=True):
        total = total + column.astype(np.int64) * stride
    shape = np.broadcast_shapes(*(np.shape(column) for column in columns))
    return np.broadcast_to(total, shape).reshape(-1)


def _pattern_frontiers(compiled: CompiledScenario, owner: int | None) -> np.ndarray:
    """Codes of packages on the standings frontier of their pattern of broken red lines.

    Packages must satisfy the scenario constraints and keep ``owner``'s red lines (if
    given). Their union holds every package a protocol can table (module docstring).
    """
    gating = tuple(rule for rule in compiled.rules if rule.owner < 0 or rule.owner == owner)
    space = prune(compiled, full_space(compiled), gating)
    radix = np.array(compiled.n_options, dtype=np.int64)
    necessary = compiled.must_accept
    real_columns = np.flatnonzero(compiled.bargaining)
    weights = np.int64(1) << np.arange(int(necessary.sum()), dtype=np.int64)
    running: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for block in blocks(compiled, space):
        keeps, constraints = _keeps(compiled, _holds(compiled, block.columns))
        ok = constraints & keeps[:, owner] if owner is not None else constraints
        members = np.flatnonzero(ok)
        if len(members) == 0:
            continue
        codes = _codes(block.columns, radix)[members]
        broken = ~keeps[members][:, necessary]
        keys = (
            broken.astype(np.int64) @ weights
            if len(weights) <= 62
            else (np.unique(broken, axis=0, return_inverse=True)[1].reshape(-1))
        )
        real = np.round(block.utilities[members][:, real_columns], _DECIMALS)
        order = np.argsort(keys, kind="stable")
        starts = np.flatnonzero(np.r_[True, keys[order][1:] != keys[order][:-1]])
        for group in np.split(order, starts[1:]):
            key = int(keys[group[0]])
            if real.shape[1] == 2:
                group = _prefilter(real, group, running[key][0] if key in running else None)
            if real.shape[1] <= 2 and len(group):
                group = group[pareto_mask(real[group])] if real.shape[1] else group
            points = real[group]
            group_codes = codes[group]
            if key in running:
                points = np.concatenate([running[key][0], points])
                group_codes = np.concatenate([running[key][1], group_codes])
            keep = _frontier_of(points, group_codes)
            running[key] = (points[keep], group_codes[keep])
    if not running:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.concatenate([codes for _, codes in running.values()]))


def candidate_set(
    compiled: CompiledScenario, proposers: tuple[int, ...] = (), mediator: bool = False
) -> Candidates:
    """Enumerate once and keep the packages ``proposers`` (and a mediator) may table.

    Raises
    ------
    sim.engine.space.SpaceTooLarge
        If a space to enumerate exceeds the scenario's package limit.
    """
    fronts = {p: _pattern_frontiers(compiled, p) for p in proposers}
    mediated_codes = _pattern_frontiers(compiled, None) if mediator else None
    every = [*fronts.values(), *([mediated_codes] if mediated_codes is not None else [])]
    codes = np.unique(np.concatenate(every)) if every else np.zeros(0, dtype=np.int64)
    radix = tuple(compiled.n_options)
    options = np.stack(np.unravel_index(codes, radix), axis=1).astype(np.intp)
    options = options.reshape(-1, len(radix))
    utilities = utilities_of(compiled, options)
    holds = _holds(compiled, tuple(options[:, k] for k in range(len(radix))))
    keeps, _ = _keeps(compiled, holds)
    best = np.where(keeps, utilities, -np.inf).max(axis=0, initial=-np.inf)
    tables = {}
    for p, own_codes in fronts.items():
        own = np.searchsorted(codes, own_codes)
        rank = static_rank(compiled, utilities[own], keeps[own], codes[own], exclude=p)
        order = np.lexsort((rank, -utilities[own, p]))
        prefix = np.minimum.accumulate(rank[order])
        by_rank = np.empty(len(own), dtype=np.intp)
        by_rank[rank] = own
        tables[p] = OfferTable(utilities[own[order], p].copy(), by_rank[prefix])
    mediated = np.searchsorted(codes, mediated_codes) if mediated_codes is not None else None
    return Candidates(options, utilities, holds, keeps, best, tables, mediated)
