"""Why no deal, and what would have to give: conflicts, relaxations, closest packages.

The relaxable constraints are the red lines of the parties that must accept a package and
the reservation values of the bargaining parties; scenario constraints are facts and are
never relaxed. One pass over the space gives every package a *signature*: the bit set of
constraints it violates. Everything else follows from the table of distinct signatures
and their counts:

- a set R of constraints, once relaxed, opens an agreement iff some signature is a subset
  of R; the **minimal relaxations** (minimal correction sets) are exactly the minimal
  signatures under inclusion;
- a set C of constraints **conflicts** (no package satisfies all of C) iff C meets every
  signature; the minimal conflicts (minimal unsatisfiable subsets) are the minimal hitting
  sets of the minimal signatures, found with Berge's transversal algorithm;
- the **price** of a constraint, how much the region grows without it, is the number of
  packages whose signature is that constraint alone.

A second pass finds, for each relaxation of interest, the Nash package of the region it
opens (the parties whose reservation is relaxed drop out of the bargaining problem).

References
----------
Liffiton, M. H., Sakallah, K. A. (2008). Algorithms for computing minimal unsatisfiable
subsets of constraints. Journal of Automated Reasoning 40(1), 1-33.
Berge, C. (1989). Hypergraphs: Combinatorics of Finite Sets. North-Holland, ch. 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.engine.agreement import (
    RESERVATION_SLACK,
    Choice,
    frontier_dimensions,
    judge,
    merge_frontier,
    solve_on_frontier,
)
from sim.engine.space import Space, blocks, full_space, prune

__all__ = [
    "MAX_CONSTRAINTS",
    "MAX_CONFLICTS",
    "Constraint",
    "relaxable_constraints",
    "SignatureTable",
    "signature_table",
    "minimal_signatures",
    "minimal_conflicts",
    "relaxed_solutions",
    "blocking_space",
]

MAX_CONSTRAINTS = 64
"""Relaxable constraints a signature can hold (one bit each in a 64-bit word)."""
MAX_CONFLICTS = 5000
"""Transversals kept while enumerating minimal conflicts before reporting truncation."""


@dataclass(frozen=True)
class Constraint:
    """A relaxable constraint: a red line (``rule`` its index) or a reservation value."""

    id: str
    kind: str
    party: int
    rule: int = -1


def relaxable_constraints(compiled: CompiledScenario) -> tuple[Constraint, ...]:
    """Red lines of parties that must accept, then reservation values of bargaining parties."""
    constraints = [
        Constraint(rule.id, "red_line", rule.owner, index)
        for index, rule in enumerate(compiled.rules)
        if rule.owner >= 0 and compiled.must_accept[rule.owner]
    ]
    constraints.extend(
        Constraint(f"reservation:{party}", "reservation", p)
        for p, party in enumerate(compiled.party_ids)
        if compiled.bargaining[p]
    )
    if len(constraints) > MAX_CONSTRAINTS:
        raise ValueError(
            f"blocking analysis handles at most {MAX_CONSTRAINTS} relaxable constraints; "
            f"this scenario has {len(constraints)}"
        )
    return tuple(constraints)


def blocking_space(compiled: CompiledScenario) -> Space:
    """The space pruned by scenario constraints only (red lines may be relaxed)."""
    hard = tuple(rule for rule in compiled.rules if rule.owner < 0)
    return prune(compiled, full_space(compiled), hard)


def _signatures(
    compiled: CompiledScenario,
    utilities: np.ndarray,
    by_rule: np.ndarray,
    constraints: Sequence[Constraint],
) -> np.ndarray:
    """Bit ``i`` of a package's signature is set when it violates constraint ``i``.

    ``by_rule[rule]`` says which packages satisfy each rule (rule-major, contiguous). The
    bits are gathered a byte at a time in ``uint8`` rows, then viewed as one ``uint64``
    per package.
    """
    size = utilities.shape[0]
    octets = np.zeros((8, size), dtype=np.uint8)
    violated = np.empty(size, dtype=bool)
    for bit, constraint in enumerate(constraints):
        if constraint.kind == "red_line":
            np.logical_not(by_rule[constraint.rule], out=violated)
        else:
            p = constraint.party
            np.less(utilities[:, p], compiled.reservation[p] - RESERVATION_SLACK, out=violated)
        octets[bit // 8] |= violated.view(np.uint8) << np.uint8(bit % 8)
    result: np.ndarray = np.ascontiguousarray(octets.T).view("<u8").reshape(-1)
    return result


@dataclass(frozen=True)
class SignatureTable:
    """Distinct violation signatures with their package counts, and the closest packages.

    ``closest`` holds flat indices of the packages with the fewest broken red lines, then
    the smallest worst reservation shortfall, then the smallest total shortfall.
    """

    signatures: np.ndarray
    counts: np.ndarray
    closest: np.ndarray
    closest_signatures: np.ndarray
    closest_shortfalls: np.ndarray


def signature_table(
    compiled: CompiledScenario, space: Space, constraints: Sequence[Constraint], keep: int = 5
) -> SignatureTable:
    """One pass: count packages per signature and keep the ``keep`` closest packages."""
    red_bits = np.uint64(sum(1 << bit for bit, c in enumerate(constraints) if c.kind == "red_line"))
    reserved = compiled.bargaining
    signatures = np.zeros(0, dtype=np.uint64)
    counts = np.zeros(0, dtype=np.int64)
    best_index = np.zeros(0, dtype=np.int64)
    best_signature = np.zeros(0, dtype=np.uint64)
    best_shortfall = np.zeros((0, compiled.n_parties))
    for block in blocks(compiled, space):
        verdict = judge(compiled, block)
        ok = np.flatnonzero(verdict.constraints_ok)
        signature = _signatures(compiled, block.utilities, verdict.holds.T, constraints)[ok]
        distinct, found = np.unique(signature, return_counts=True)
        merged, inverse = np.unique(np.concatenate([signatures, distinct]), return_inverse=True)
        totals = np.zeros(len(merged), dtype=np.int64)
        np.add.at(totals, inverse, np.concatenate([counts, found]))
        signatures, counts = merged, totals

        # Shortfalls only for packages that can still be among the block's closest: those
        # breaking no more red lines than its keep-th fewest (most packages break more).
        broken = _popcount(signature & red_bits)
        near = np.arange(len(broken))
        if len(broken) > keep:
            near = np.flatnonzero(broken <= np.partition(broken, keep - 1)[keep - 1])
        shortfall = np.where(
            reserved, np.maximum(compiled.reservation - block.utilities[ok[near]], 0.0), 0.0
        )
        shortfall = np.round(shortfall, 12)
        keys = [broken[near], shortfall.max(axis=1, initial=0.0), shortfall.sum(axis=1)]
        chosen = _lexicographic_candidates(keys, keep)
        rows = near[chosen]
        candidates_index = np.concatenate([best_index, block.start + ok[rows].astype(np.int64)])
        candidates_signature = np.concatenate([best_signature, signature[rows]])
        candidates_shortfall = np.concatenate([best_shortfall, shortfall[chosen]])
        order = np.lexsort(
            (
                candidates_index,
                candidates_shortfall.sum(axis=1),
                candidates_shortfall.max(axis=1, initial=0.0),
                _popcount(candidates_signature & red_bits),
            )
        )[:keep]
        best_index = candidates_index[order]
        best_signature = candidates_signature[order]
        best_shortfall = candidates_shortfall[order]
    return SignatureTable(signatures, counts, best_index, best_signature, best_shortfall)


def _lexicographic_candidates(keys: list[np.ndarray], keep: int) -> np.ndarray:
    """Rows that can be among the ``keep`` smallest in lexicographic order of ``keys``.

    Key by key: rows strictly below the cut value are in for sure; only rows equal to it
    compete, on the next key, for the places left. Ties that remain are all returned.
    """
    rows = np.arange(len(keys[0]))
    sure: list[np.ndarray] = []
    left = keep
    for key in keys:
        if len(rows) <= left or left <= 0:
            break
        values = key[rows]
        cut = np.partition(values, left - 1)[left - 1]
        below = rows[values < cut]
        sure.append(below)
        left -= len(below)
        rows = rows[values == cut]
    return np.concatenate([*sure, rows]) if left > 0 else np.concatenate(sure)


def _popcount(values: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.bitwise_count(values.astype(np.uint64)).astype(np.int64)
    return result


def minimal_signatures(signatures: np.ndarray) -> np.ndarray:
    """The non-empty signatures with no other non-empty signature strictly inside them."""
    nonzero = np.unique(signatures[signatures != 0])
    if len(nonzero) == 0:
        return nonzero
    order = np.argsort(_popcount(nonzero), kind="stable")
    nonzero = nonzero[order]
    minimal = np.ones(len(nonzero), dtype=bool)
    step = max(1, (1 << 22) // len(nonzero))
    for first in range(0, len(nonzero), step):
        block = nonzero[first : first + step]
        inside = (nonzero[None, :] & ~block[:, None]) == 0
        inside &= nonzero[None, :] != block[:, None]
        minimal[first : first + step] = ~inside.any(axis=1)
    return nonzero[minimal]


def minimal_conflicts(minimal: np.ndarray, limit: int = MAX_CONFLICTS) -> tuple[list[int], bool]:
    """Minimal hitting sets of the minimal signatures (Berge), as bit sets; and completeness.

    Works on sets of constraints (a few dozen bits), never on packages.
    """
    transversals: list[int] = [0]
    complete = True
    for edge in sorted((int(s) for s in minimal), key=lambda s: bin(s).count("1")):
        grown: set[int] = set()
        for t in transversals:
            if t & edge:
                grown.add(t)
                continue
            bits = edge
            while bits:
                low = bits & -bits
                grown.add(t | low)
                bits ^= low
        ordered = sorted(grown, key=lambda s: (bin(s).count("1"), s))
        kept: list[int] = []
        for candidate in ordered:
            if not any(k & candidate == k for k in kept):
                kept.append(candidate)
        if len(kept) > limit:
            kept, complete = kept[:limit], False
        transversals = kept
    return ([] if transversals == [0] else transversals), complete


def relaxed_solutions(
    compiled: CompiledScenario,
    space: Space,
    constraints: Sequence[Constraint],
    relaxations: Sequence[int],
) -> list[tuple[int, Choice | None]]:
    """For each relaxation (a bit set), the size of the region it opens and its Nash package.

    The region relaxed by R holds the packages whose signature lies inside R. Parties whose
    reservation constraint is in R leave the bargaining problem.
    """
    base_dims = frontier_dimensions(compiled)
    dims_for = []
    for relaxation in relaxations:
        dropped = {
            c.party
            for bit, c in enumerate(constraints)
            if c.kind == "reservation" and relaxation >> bit & 1
        }
        dims = np.array([d for d in base_dims if d not in dropped], dtype=np.intp)
        dims_for.append(dims if len(dims) else base_dims)
    counts = [0] * len(relaxations)
    frontiers = [(np.zeros(0, dtype=np.int64), np.zeros((0, compiled.n_parties)))] * len(
        relaxations
    )
    masks = [np.uint64(r) for r in relaxations]
    for block in blocks(compiled, space):
        verdict = judge(compiled, block)
        ok = np.flatnonzero(verdict.constraints_ok)
        signature = _signatures(compiled, block.utilities, verdict.holds.T, constraints)[ok]
        for i, mask in enumerate(masks):
            members = ok[(signature & ~mask) == 0]
            counts[i] += len(members)
            frontiers[i] = merge_frontier(*frontiers[i], block, members, dims_for[i])
    return [
        (count, solve_on_frontier(compiled, space, front, utilities, "nash", dims))
        for count, (front, utilities), dims in zip(counts, frontiers, dims_for, strict=True)
    ]
