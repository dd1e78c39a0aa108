"""Who accepts which package, and the agreement region with its Pareto frontier.

A party accepts a package when it breaks none of the party's red lines and, where the
party's reservation value applies, gives it at least that value. A package is in the
agreement region when it satisfies every scenario constraint and every party that must
accept it (signatories and guarantors) accepts it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.engine.pareto import dominated_by, pareto_mask
from sim.engine.solutions import SOLUTIONS
from sim.engine.space import Block, Space, SpaceTooLarge, blocks, prune

__all__ = [
    "RESERVATION_SLACK",
    "Judgement",
    "judge",
    "Scan",
    "scan",
    "frontier_dimensions",
    "merge_frontier",
    "separable_frontier",
    "canonical_first",
    "Choice",
    "solve_on_frontier",
    "verdict",
]

RESERVATION_SLACK = 1e-12
"""A utility this close below a reservation value still clears it (rounding noise)."""
_DECIMALS = 12


@dataclass(frozen=True)
class Judgement:
    """Verdicts on one block.

    ``holds[package, rule]`` says which rules each package satisfies,
    ``accepts[package, party]`` each party's verdict, ``constraints_ok`` whether the
    scenario constraints hold and ``region`` whether the package is an agreement.
    """

    holds: np.ndarray
    accepts: np.ndarray
    constraints_ok: np.ndarray
    region: np.ndarray


def judge(compiled: CompiledScenario, block: Block) -> Judgement:
    """Each party's verdict, and region membership, for every package of a block.

    The arrays are built rule-major and party-major (contiguous per rule and per party)
    and returned transposed, so that per-rule and per-party work reads contiguous memory.
    """
    utilities = block.utilities
    by_party = np.ones((compiled.n_parties, block.size), dtype=bool)
    applies = np.flatnonzero(compiled.reservation_applies)
    for p in applies:
        np.greater_equal(
            utilities[:, p], compiled.reservation[p] - RESERVATION_SLACK, out=by_party[p]
        )
    constraints_ok = np.ones(block.size, dtype=bool)
    by_rule = np.empty((len(compiled.rules), block.size), dtype=bool)
    for index, rule in enumerate(compiled.rules):
        by_rule[index] = block.flat(rule.predicate(block.columns))
        if rule.owner < 0:
            constraints_ok &= by_rule[index]
        else:
            by_party[rule.owner] &= by_rule[index]
    region = constraints_ok & by_party[compiled.must_accept].all(axis=0)
    return Judgement(by_rule.T, by_party.T, constraints_ok, region)


@dataclass(frozen=True)
class Scan:
    """What one pass over a space found.

    ``count`` is the size of the agreement region; ``party_counts`` how many packages
    each party accepts (among those the scenario constraints allow); ``rule_ever_holds``
    whether some package satisfies each rule; ``utility_low``/``utility_high`` each
    party's utility range. ``frontier`` holds flat indices (into ``space``) of the region's
    Pareto-optimal packages, judged on the bargaining parties' utilities;
    ``frontier_utilities`` are all parties' utilities there (rounded to 12 decimals so
    that results do not depend on the order in which terms were summed).
    """

    space: Space
    count: int
    party_counts: np.ndarray
    rule_ever_holds: np.ndarray
    utility_low: np.ndarray
    utility_high: np.ndarray
    frontier: np.ndarray
    frontier_utilities: np.ndarray


def frontier_dimensions(compiled: CompiledScenario) -> np.ndarray:
    """Parties whose utilities define dominance: the bargaining parties (else all)."""
    dims = compiled.bargaining
    result: np.ndarray = np.flatnonzero(dims) if dims.any() else np.arange(compiled.n_parties)
    return result


def merge_frontier(
    frontier: np.ndarray,
    frontier_utilities: np.ndarray,
    block: Block,
    members: np.ndarray,
    dims: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The Pareto frontier (on ``dims``) of a running frontier plus a block's ``members``."""
    if len(members) == 0:
        return frontier, frontier_utilities
    utilities = np.round(block.utilities[members], _DECIMALS)
    # Most new packages are dominated by the frontier so far: drop them first, take the
    # frontier of the rest, then drop old frontier points the newcomers dominate.
    fresh = ~dominated_by(frontier_utilities[:, dims], utilities[:, dims])
    utilities, members = utilities[fresh], members[fresh]
    keep_new = pareto_mask(utilities[:, dims])
    utilities, members = utilities[keep_new], members[keep_new]
    keep_old = ~dominated_by(utilities[:, dims], frontier_utilities[:, dims])
    return (
        np.concatenate([frontier[keep_old], block.start + members.astype(np.int64)]),
        np.concatenate([frontier_utilities[keep_old], utilities]),
    )


SEPARABLE_LIMIT = 2_000_000
"""Most partial-frontier rows the separable frontier may hold before falling back."""
_OWN_FRONTIER_FROM = 16
"""Issues with more allowed options than this are cut to their own frontier first."""
_CUT_FROM = 512
"""The partial products are cut to their frontier before they outgrow this."""
SEPARABLE_FROM = 1024
"""Spaces up to this many packages take the direct path (its fixed cost is lower)."""


def separable_frontier(
    compiled: CompiledScenario, space: Space, dims: np.ndarray
) -> tuple[Space, np.ndarray, np.ndarray] | None:
    """The region's frontier issue by issue, when utilities and rules allow it.

    With additive utilities (no interaction terms) and only single-issue rules among those
    that gate the region, the packages are the product of per-issue options after pruning,
    and a package on the frontier of the product is a sum of options on the frontiers of
    the partial products: ``Pareto(A + B)`` lies within ``Pareto(A) + Pareto(B)``. So the
    frontier grows one issue at a time, pruned at each step, without enumerating the space.
    The reservation values of the bargaining parties then cut it: the frontier of the
    packages above a point is the part of the whole frontier above it.

    Returns the pruned space, flat indices into it and all parties' utilities, or None
    when the scenario is not separable or a partial frontier grows past the limit.
    """
    gating = compiled.gating_rules()
    if compiled.interactions or any(len(rule.issues) > 1 for rule in gating):
        return None
    if space.size <= SEPARABLE_FROM:
        return None  # a tiny space: merging its members directly is cheaper
    pruned = prune(compiled, space, gating)
    if pruned.size == 0:
        return pruned, np.zeros(0, dtype=np.int64), np.zeros((0, compiled.n_parties))
    parties = compiled.n_parties
    points = np.zeros((1, parties))
    flat = np.zeros(1, dtype=np.int64)  # index into the product of the issues so far
    sizes = pruned.shape
    for k, allowed in enumerate(pruned.allowed):
        values = compiled.tables[k][allowed]
        own = np.arange(len(allowed))
        if len(own) > _OWN_FRONTIER_FROM:
            own = own[pareto_mask(np.round(values[:, dims], _DECIMALS))]
        if len(points) * len(own) > SEPARABLE_LIMIT:
            return None
        points = (points[:, None, :] + values[None, own, :]).reshape(-1, parties)
        flat = (flat[:, None] * len(allowed) + own[None, :]).reshape(-1)
        # Cut to the frontier only when the next product would be large, and at the end:
        # each cut has a fixed cost, and a few hundred points cost little to carry.
        if k + 1 == len(sizes) or len(points) * sizes[k + 1] > _CUT_FROM:
            keep = pareto_mask(np.round(points[:, dims], _DECIMALS))
            points, flat = points[keep], flat[keep]
    points = np.round(points, _DECIMALS)
    bargaining = compiled.bargaining
    above = (points[:, bargaining] >= compiled.reservation[bargaining] - RESERVATION_SLACK).all(
        axis=1
    )
    return pruned, flat[above], points[above]


_CLEAR_MARGIN = 1e-13
"""Rounding allowance when a party's least utility is summed issue by issue.

Sums of the same terms in another order differ by a few units in the last place (about
1e-16 each for utilities near one), far below this and far below the reservation slack.
"""


@dataclass(frozen=True)
class _Tally:
    count: int
    party_counts: np.ndarray
    rule_ever_holds: np.ndarray
    utility_low: np.ndarray
    utility_high: np.ndarray


def _tally_by_issue(compiled: CompiledScenario, space: Space) -> _Tally | None:
    """A scan's counts and ranges as products and sums over issues, when that is exact.

    It is exact when utilities are additive, every rule concerns one issue, and every
    reservation value that applies lies clearly below the party's least utility over the
    space: then each verdict is a conjunction of per-issue conditions, and the number of
    packages meeting it is the product of the numbers of options meeting each. Returns
    None otherwise (or when a count would not fit in 64 bits).
    """
    if compiled.interactions or any(len(rule.issues) != 1 for rule in compiled.rules):
        return None
    if space.size == 0:
        return None
    parties = compiled.n_parties
    # Every issue's allowed rows stacked, then one reduction per run of rows.
    values = np.concatenate(
        [table[allowed] for table, allowed in zip(compiled.tables, space.allowed, strict=True)]
    )
    starts = np.cumsum([0, *space.shape[:-1]])
    low = np.minimum.reduceat(values, starts, axis=0).sum(axis=0)
    high = np.maximum.reduceat(values, starts, axis=0).sum(axis=0)
    applies = compiled.reservation_applies
    threshold = compiled.reservation[applies] - RESERVATION_SLACK
    margin = _CLEAR_MARGIN * max(1.0, float(np.abs(high).max(initial=0.0)))
    if (threshold > low[applies] - margin).any():
        return None
    every_option = [np.arange(n, dtype=np.intp) for n in compiled.n_options]
    # Per issue that some rule concerns, and per owner (-1: the scenario's constraints),
    # which allowed options pass; an issue no rule concerns lets all of them pass.
    passes: dict[tuple[int, int], np.ndarray] = {}
    ever_holds = np.zeros(len(compiled.rules), dtype=bool)
    for index, rule in enumerate(compiled.rules):
        (k,) = rule.issues
        holds = np.broadcast_to(rule.predicate(every_option), (compiled.n_options[k],))
        holds = holds[space.allowed[k]]
        ever_holds[index] = holds.any()
        if (k, rule.owner) in passes:
            holds = holds & passes[k, rule.owner]
        passes[k, rule.owner] = holds
    must = np.flatnonzero(compiled.must_accept)
    count, party_counts = 1, [1] * parties
    ruled = {k for k, _ in passes}
    for k, allowed in enumerate(space.allowed):
        if k not in ruled:
            count *= len(allowed)
            party_counts = [n * len(allowed) for n in party_counts]
            continue
        every = np.ones(len(allowed), dtype=bool)
        constraints = passes.get((k, -1), every)
        region = constraints
        for owner in must.tolist():
            region = region & passes.get((k, owner), every)
        count *= int(np.count_nonzero(region))
        for p in range(parties):
            party_counts[p] *= int(np.count_nonzero(constraints & passes.get((k, p), every)))
    if max(count, *party_counts) >= 2**63:
        return None
    return _Tally(count, np.array(party_counts, dtype=np.int64), ever_holds, low, high)


def scan(compiled: CompiledScenario, space: Space) -> Scan:
    """Count the agreement region of ``space`` and find its Pareto frontier, block by block.

    When the scenario is separable (:func:`separable_frontier`) the frontier is built issue
    by issue instead, and the pass over the space only counts; when the counts themselves
    factor over issues (:func:`_tally_by_issue`), there is no pass at all.
    """
    if space.size > compiled.max_packages:
        # The limit holds whichever way the space is counted, so that whether a scenario
        # can be analyzed does not hang on its reservation values.
        raise SpaceTooLarge(space.size, compiled.max_packages)
    dims = frontier_dimensions(compiled)
    separable = separable_frontier(compiled, space, dims)
    tally = None if separable is None else _tally_by_issue(compiled, space)
    if tally is None:
        tally, frontier, frontier_utilities = _tally_by_enumeration(
            compiled, space, dims if separable is None else None
        )
    decode = space
    if separable is not None:
        decode, frontier, frontier_utilities = separable
    order = np.argsort(frontier, kind="stable")
    return Scan(
        decode,
        tally.count,
        tally.party_counts,
        tally.rule_ever_holds,
        np.round(tally.utility_low, _DECIMALS),
        np.round(tally.utility_high, _DECIMALS),
        frontier[order],
        frontier_utilities[order],
    )


def _tally_by_enumeration(
    compiled: CompiledScenario, space: Space, dims: np.ndarray | None
) -> tuple[_Tally, np.ndarray, np.ndarray]:
    """One pass over the space, block by block: the tally, and the frontier if ``dims``."""
    count = 0
    party_counts = np.zeros(compiled.n_parties, dtype=np.int64)
    ever_holds = np.zeros(len(compiled.rules), dtype=bool)
    low = np.full(compiled.n_parties, np.inf)
    high = np.full(compiled.n_parties, -np.inf)
    frontier = np.zeros(0, dtype=np.int64)
    frontier_utilities = np.zeros((0, compiled.n_parties))
    for block in blocks(compiled, space):
        verdict = judge(compiled, block)
        by_party, by_rule = verdict.accepts.T, verdict.holds.T  # contiguous rows
        party_counts += np.count_nonzero(by_party & verdict.constraints_ok, axis=1)
        ever_holds |= by_rule.any(axis=1)
        np.minimum(low, block.utilities.min(axis=0), out=low)
        np.maximum(high, block.utilities.max(axis=0), out=high)
        members = np.flatnonzero(verdict.region)
        if len(members) == 0:
            continue
        count += len(members)
        if dims is not None:
            frontier, frontier_utilities = merge_frontier(
                frontier, frontier_utilities, block, members, dims
            )
    tally = _Tally(count, party_counts, ever_holds, low, high)
    return tally, frontier, frontier_utilities


def canonical_first(compiled: CompiledScenario, options: np.ndarray) -> int:
    """Row of ``options`` (option positions) that comes first in a canonical order.

    The order compares issues by id and, within an issue, options by id (continuous issues
    by value), so a tie is broken the same way whatever order the file lists things in.
    """
    if len(options) <= 1:
        return 0
    keys = []
    for k in sorted(range(len(compiled.issue_ids)), key=lambda k: compiled.issue_ids[k]):
        grid = compiled.grids[k]
        if grid is not None:
            keys.append(grid[options[:, k]])
        else:
            ids = compiled.option_ids[k]
            rank = np.empty(len(ids), dtype=np.intp)
            rank[np.argsort(np.array(ids, dtype=object))] = np.arange(len(ids))
            keys.append(rank[options[:, k]])
    return int(np.lexsort(keys[::-1])[0]) if keys else 0


@dataclass(frozen=True)
class Choice:
    """A package chosen by a bargaining solution: option positions, utilities, tie count."""

    options: np.ndarray
    utilities: np.ndarray
    ties: int


def solve_on_frontier(
    compiled: CompiledScenario,
    space: Space,
    frontier: np.ndarray,
    frontier_utilities: np.ndarray,
    name: str = "nash",
    dims: np.ndarray | None = None,
) -> Choice | None:
    """Apply bargaining solution ``name`` to frontier packages; break ties canonically.

    ``dims`` are the parties whose gains over reservation define the problem (by default
    the bargaining parties).
    """
    if len(frontier) == 0:
        return None
    dims = frontier_dimensions(compiled) if dims is None else dims
    tied = SOLUTIONS[name](
        frontier_utilities[:, dims], compiled.reservation[dims], compiled.power[dims]
    )
    options = space.options(frontier[tied])
    first = canonical_first(compiled, options)
    return Choice(options[first], frontier_utilities[tied[first]], len(tied))


def verdict(accepted: int, completions: int, partial: bool, fragmentary: bool = False) -> str:
    """A party's verdict on a package from how many of its completions it accepts.

    A complete package is accepted or rejected. A partial one is accepted when every
    completion is acceptable, rejected when none is, and otherwise acceptable under some
    completion, unless the proposal is *fragmentary* (its open issues are unknown rather
    than left open), in which case the known terms do not decide: ``undetermined``.
    """
    if accepted == 0:
        return "reject"
    if accepted == completions or not partial:
        return "accept"
    return "undetermined" if fragmentary else "accept_some_completion"
