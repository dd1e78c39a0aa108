"""Chunked enumeration of a package space, with utilities summed from option tables.

A space is the product of the allowed options of each issue; packages are numbered in
mixed radix (first issue most significant). Enumeration splits the issues into a
*prefix* and a *tail* whose product fits in one chunk: the tail's utilities are summed
once, and each block of packages is ``prefix rows x tail`` computed by one broadcast
addition. Option columns are kept broadcastable (``(rows, 1)`` for prefix issues,
``(1, tail)`` for tail issues), so rule predicates cost a gather on the small side only.
Memory is bounded by the chunk size, whatever the size of the space.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.compile import CompiledRule, CompiledScenario

__all__ = [
    "SpaceTooLarge",
    "Space",
    "Block",
    "full_space",
    "prune",
    "blocks",
    "add_interactions",
    "utilities_of",
]


class SpaceTooLarge(ValueError):
    """The space to enumerate exceeds the scenario's ``limits.max_packages``."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"the package space to enumerate has {size:,} packages, more than the limit of "
            f"{limit:,} (limits.max_packages); fix more issues or raise the limit"
        )
        self.size = size
        self.limit = limit


@dataclass(frozen=True)
class Space:
    """Allowed option positions per issue; the packages are their product."""

    allowed: tuple[np.ndarray, ...]

    @cached_property
    def shape(self) -> tuple[int, ...]:
        """Number of allowed options per issue."""
        return tuple(len(options) for options in self.allowed)

    @cached_property
    def size(self) -> int:
        """Number of packages (exact, arbitrary precision)."""
        return math.prod(self.shape)

    def options(self, flat: np.ndarray) -> np.ndarray:
        """Option positions ``(n, issues)`` of packages given by flat index."""
        if self.size == 0:
            return np.zeros((0, len(self.allowed)), dtype=np.intp)
        digits = np.unravel_index(np.asarray(flat, dtype=np.intp), self.shape)
        return np.stack(
            [allowed[d] for allowed, d in zip(self.allowed, digits, strict=True)], axis=-1
        )


def full_space(compiled: CompiledScenario, fixed: Mapping[int, int] | None = None) -> Space:
    """Every package, or every completion of a partial package ``fixed`` (issue -> option)."""
    fixed = fixed or {}
    return Space(
        tuple(
            np.array([fixed[k]], dtype=np.intp) if k in fixed else np.arange(n, dtype=np.intp)
            for k, n in enumerate(compiled.n_options)
        )
    )


def prune(compiled: CompiledScenario, space: Space, rules: tuple[CompiledRule, ...]) -> Space:
    """Drop options that a single-issue rule among ``rules`` excludes."""
    allowed = list(space.allowed)
    every_option = [np.arange(n, dtype=np.intp) for n in compiled.n_options]
    for rule in rules:
        if len(rule.issues) == 1:
            (k,) = rule.issues
            keep = rule.predicate(every_option)
            allowed[k] = allowed[k][keep[allowed[k]]]
    return Space(tuple(allowed))


Columns = tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Block:
    """A block of consecutive packages: ``rows x tail`` of them, starting at ``start``.

    ``columns[k]`` holds issue ``k``'s option positions, broadcastable to ``(rows, tail)``;
    ``utilities`` is ``(rows * tail, parties)``. The columns may be given as a function
    that builds them: a pass that reads only utilities then never pays for them.
    """

    start: int
    rows: int
    tail: int
    column_source: Columns | Callable[[], Columns]
    utilities: np.ndarray

    @cached_property
    def columns(self) -> Columns:
        """Option positions per issue, built on first use."""
        source = self.column_source
        return source() if callable(source) else source

    @property
    def size(self) -> int:
        """Number of packages in the block."""
        return self.rows * self.tail

    def flat(self, values: np.ndarray) -> np.ndarray:
        """A per-package array broadcast to the block's shape and flattened."""
        return np.broadcast_to(values, (self.rows, self.tail)).reshape(-1)


def _split(shape: tuple[int, ...], chunk_size: int) -> int:
    """First tail issue: the longest suffix of issues whose product fits in a chunk."""
    split = len(shape)
    product = 1
    while split > 0 and product * shape[split - 1] <= chunk_size:
        product *= shape[split - 1]
        split -= 1
    return split


def _outer_utilities(compiled: CompiledScenario, space: Space, issues: range) -> np.ndarray:
    """Utilities ``(parties, product of the issues' allowed options)`` by broadcast sums.

    The packages of a run of consecutive issues, in mixed radix order, are the cells of a
    grid. The run is halved: each half's sums are computed the same way, and one broadcast
    addition of the two halves fills the grid. Its inner loop runs along the second half's
    packages, not along one issue's few options, which keeps numpy's loops long. The terms
    are grouped differently from :func:`utilities_of`, so the two may differ in the last
    bit; results compare utilities at 12 decimals and with a reservation slack of 1e-12.
    """
    if len(issues) == 0:
        return np.zeros((compiled.n_parties, 1))
    if len(issues) == 1:
        k = issues[0]
        return np.ascontiguousarray(compiled.tables[k][space.allowed[k]].T)
    middle = len(issues) // 2
    first = _outer_utilities(compiled, space, issues[:middle])
    second = _outer_utilities(compiled, space, issues[middle:])
    return (first[:, :, None] + second[:, None, :]).reshape(compiled.n_parties, -1)


def add_interactions(
    compiled: CompiledScenario, utilities: np.ndarray, columns: list[np.ndarray]
) -> None:
    """Add pairwise interaction terms to ``utilities[party]`` in place, then clip to [0, 1].

    ``utilities`` is party-major: ``(parties, ...)`` broadcastable with the columns.
    """
    for term in compiled.interactions:
        utilities[term.party] += term.matrix[columns[term.first], columns[term.second]]
    if compiled.interactions:
        np.clip(utilities, 0.0, 1.0, out=utilities)


def utilities_of(compiled: CompiledScenario, options: np.ndarray) -> np.ndarray:
    """Every party's utility ``(n, parties)`` for packages given as option rows ``(n, issues)``."""
    columns = [options[:, k] for k in range(options.shape[1])]
    total = np.zeros((compiled.n_parties, len(options)))
    for k, column in enumerate(columns):
        total += compiled.tables[k][column].T
    add_interactions(compiled, total, columns)
    result: np.ndarray = total.T
    return result


def blocks(
    compiled: CompiledScenario, space: Space, chunk_size: int | None = None
) -> Iterator[Block]:
    """Enumerate a space in blocks of at most about ``chunk_size`` packages.

    Utilities are computed party-major, ``(parties, rows, tail)``, so the one broadcast
    addition per block runs along long contiguous rows; ``Block.utilities`` is the
    ``(packages, parties)`` transposed view of that array.

    Raises
    ------
    SpaceTooLarge
        If the space is larger than the scenario's package limit.
    """
    if space.size > compiled.max_packages:
        raise SpaceTooLarge(space.size, compiled.max_packages)
    if space.size == 0:
        return
    chunk_size = chunk_size or compiled.chunk_size
    shape = space.shape
    split = _split(shape, chunk_size)
    tail_shape, prefix_shape = shape[split:], shape[:split]
    tail = math.prod(tail_shape)
    prefix = math.prod(prefix_shape)
    parties = compiled.n_parties
    tail_utilities = _outer_utilities(compiled, space, range(split, len(shape))).reshape(
        parties, 1, tail
    )
    tail_columns = _TailColumns(space, split, tail)
    rows_per_block = max(1, chunk_size // tail)
    for first in range(0, prefix, rows_per_block):
        rows = min(rows_per_block, prefix - first)
        prefix_digits = (
            np.unravel_index(np.arange(first, first + rows), prefix_shape) if prefix_shape else ()
        )
        head = np.zeros((parties, rows, 1))
        prefix_columns = []
        for k in range(split):
            options = space.allowed[k][prefix_digits[k]]
            prefix_columns.append(options.reshape(rows, 1))
            head += compiled.tables[k][options].T[:, :, None]
        # With no prefix issues the block is the tail itself: no copy (a fresh array of
        # this size can cost more in page faults than the addition does).
        utilities = head + tail_utilities if split else tail_utilities
        source = _BlockColumns(tuple(prefix_columns), tail_columns)
        if compiled.interactions:
            add_interactions(compiled, utilities, list(source()))
        yield Block(first * tail, rows, tail, source, utilities.reshape(parties, -1).T)


@dataclass
class _TailColumns:
    """The tail issues' columns ``(1, tail)``: the same in every block, built once if asked."""

    space: Space
    split: int
    tail: int

    @cached_property
    def columns(self) -> Columns:
        shape = self.space.shape[self.split :]
        if not shape:
            return ()
        digits = np.unravel_index(np.arange(self.tail), shape)
        return tuple(
            self.space.allowed[k][digit].reshape(1, self.tail)
            for k, digit in zip(range(self.split, len(self.space.allowed)), digits, strict=True)
        )


@dataclass(frozen=True)
class _BlockColumns:
    """A block's columns: its own prefix columns and the shared tail columns."""

    prefix: Columns
    tail: _TailColumns

    def __call__(self) -> Columns:
        return self.prefix + self.tail.columns
