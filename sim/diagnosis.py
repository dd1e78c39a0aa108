"""``explain``: run the blocking analysis on a scenario and build a :class:`Blocking` result."""

from __future__ import annotations

import numpy as np

from sim.analysis import glossary
from sim.compile import CompiledScenario, compile_scenario
from sim.engine.agreement import Choice
from sim.engine.blocking import (
    Constraint,
    blocking_space,
    minimal_conflicts,
    minimal_signatures,
    relaxable_constraints,
    relaxed_solutions,
    signature_table,
)
from sim.engine.space import Space, utilities_of
from sim.results import Blocking, ClosePackage, Relaxation, Solution
from sim.schema import Scenario

__all__ = ["explain", "MAX_RELAXATIONS"]

MAX_RELAXATIONS = 10
"""Minimal relaxations reported with their Nash packages (all are counted)."""


def explain(scenario: Scenario, closest: int = 5) -> Blocking:
    """Minimal conflicts, minimal relaxations, closest packages, prices and binding constraints.

    Exact on enumerable spaces: two passes over the space pruned by scenario constraints
    only (relaxing a red line can bring back options that pruning removed). Larger spaces
    go to exact search (:func:`sim.exact.explain_exact`): conflicts and relaxations are
    then exact (the enumeration of relaxations stops at 50), region sizes estimated.

    Raises
    ------
    sim.engine.space.SpaceTooLarge
        If that space exceeds ``limits.max_packages``.
    """
    compiled = compile_scenario(scenario)
    constraints = relaxable_constraints(compiled)
    space = blocking_space(compiled)
    if space.size > compiled.max_packages and compiled.exact_search:
        from sim.exact import explain_exact

        return explain_exact(scenario, compiled, closest, limit=50)  # type: ignore[no-any-return]
    table = signature_table(compiled, space, constraints, keep=closest)
    empty = table.signatures == 0
    region = int(table.counts[empty].sum())

    ids = [c.id for c in constraints]
    minimal = minimal_signatures(table.signatures) if region == 0 else np.zeros(0, np.uint64)
    count_of = dict(zip(table.signatures.tolist(), table.counts.tolist(), strict=True))
    ranked = sorted(
        (int(s) for s in minimal), key=lambda s: (bin(s).count("1"), -count_of[s], _names(s, ids))
    )
    shown = ranked[:MAX_RELAXATIONS]
    singles = [1 << bit for bit in range(len(constraints))] if region > 0 else []
    solved = relaxed_solutions(compiled, space, constraints, [*shown, *singles, 0])
    current = _solution(compiled, space, solved[-1][1])

    relaxations = tuple(
        Relaxation(_names(s, ids), count, _solution(compiled, space, choice))
        for s, (count, choice) in zip(shown, solved[: len(shown)], strict=True)
    )
    binding = []
    for bit, (count, choice) in enumerate(solved[len(shown) : -1]):
        moved = _solution(compiled, space, choice)
        if moved is None or current is None or moved.package == current.package:
            continue
        constraint = constraints[bit]
        if constraint.kind == "reservation":
            # Dropping a reservation also drops the party from the Nash product; it binds
            # only when the party is held at exactly its reservation value.
            if current.margins[compiled.party_ids[constraint.party]] > 1e-9:
                continue
        binding.append(Relaxation((ids[bit],), count, moved))

    conflicts, complete = minimal_conflicts(minimal) if region == 0 else ([], True)
    return Blocking(
        title=scenario.title,
        space_size=space.size,
        agreement_count=region,
        constraints={c.id: (c.kind, compiled.party_ids[c.party]) for c in constraints},
        conflicts=tuple(
            sorted((_names(c, ids) for c in conflicts), key=lambda names: (len(names), names))
        ),
        conflicts_complete=complete,
        relaxations=relaxations,
        relaxations_total=len(ranked),
        closest=tuple(
            _close_package(compiled, space, constraints, int(index), int(signature), shortfall)
            for index, signature, shortfall in zip(
                table.closest, table.closest_signatures, table.closest_shortfalls, strict=True
            )
        )
        if region == 0
        else (),
        prices={c.id: count_of.get(1 << bit, 0) for bit, c in enumerate(constraints)},
        binding=tuple(binding),
        nash=current,
        glossary=glossary(scenario),
    )


def _names(bits: int, ids: list[str]) -> tuple[str, ...]:
    return tuple(ids[bit] for bit in range(len(ids)) if bits >> bit & 1)


def _per_party(compiled: CompiledScenario, values: np.ndarray) -> dict[str, float]:
    return {party: round(float(v), 12) for party, v in zip(compiled.party_ids, values, strict=True)}


def _solution(compiled: CompiledScenario, space: Space, choice: Choice | None) -> Solution | None:
    if choice is None:
        return None
    return Solution(
        name="nash",
        package=compiled.package(choice.options),
        utilities=_per_party(compiled, choice.utilities),
        margins=_per_party(compiled, choice.utilities - compiled.reservation),
        ties=choice.ties,
    )


def _close_package(
    compiled: CompiledScenario,
    space: Space,
    constraints: tuple[Constraint, ...],
    index: int,
    signature: int,
    shortfall: np.ndarray,
) -> ClosePackage:
    options = space.options(np.array([index]))[0]
    utilities = utilities_of(compiled, options[None, :])[0]
    broken: dict[str, list[str]] = {party: [] for party in compiled.party_ids}
    for bit, constraint in enumerate(constraints):
        if constraint.kind == "red_line" and signature >> bit & 1:
            broken[compiled.party_ids[constraint.party]].append(constraint.id)
    return ClosePackage(
        package=compiled.package(options),
        utilities=_per_party(compiled, utilities),
        shortfalls=_per_party(compiled, shortfall),
        broken_red_lines=broken,
    )
