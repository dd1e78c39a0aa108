"""Turn a validated :class:`~sim.schema.Scenario` into frozen numpy arrays for the engine.

Compilation fixes an order for issues, options and parties (the file's), turns every
party's weights and values into one table per issue (``tables[k][option, party]`` is the
party's normalized weight on issue ``k`` times its value of that option), pairwise
interaction terms into option-by-option matrices, and every red line into a vectorized
predicate. Continuous issues become a grid: the range at the declared step, plus every
value a proposal names, so that proposals are evaluated exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import rules
from sim.schema import Choice, Issue, Party, Scenario, option_id

__all__ = ["CompiledRule", "Interaction", "CompiledScenario", "compile_scenario", "package_options"]


@dataclass(frozen=True)
class CompiledRule:
    """A red line (``owner`` is a party position) or scenario constraint (``owner`` -1)."""

    id: str
    owner: int
    predicate: rules.Predicate
    issues: frozenset[int]


@dataclass(frozen=True)
class Interaction:
    """Utility a party gains when issues ``first`` and ``second`` take given options."""

    party: int
    first: int
    second: int
    matrix: np.ndarray


@dataclass(frozen=True)
class CompiledScenario:
    """A scenario as arrays: everything the engine and protocols read, nothing else.

    Attributes
    ----------
    issue_ids, option_ids
        Issue ids, and per issue its option ids (continuous issues: grid values as text).
    grids
        Per issue, the grid values of a continuous issue, else ``None``.
    thresholds
        Per continuous issue, which grid points are numbers some rule compares it with.
    integer
        Per issue, whether a continuous issue takes whole values only (no refinement).
    party_ids
        Party ids, in file order.
    tables
        Per issue, an array ``(n_options, n_parties)`` of weighted values.
    interactions
        Pairwise interaction terms.
    rules
        Every red line and scenario constraint.
    must_accept
        Per party: its red lines gate the agreement region (signatories, guarantors).
    reservation_applies
        Per party: it must get its reservation value to accept.
    reservation, power
        Per party: reservation value and bargaining power.
    """

    issue_ids: tuple[str, ...]
    option_ids: tuple[tuple[str, ...], ...]
    grids: tuple[np.ndarray | None, ...]
    thresholds: tuple[np.ndarray | None, ...]
    integer: tuple[bool, ...]
    party_ids: tuple[str, ...]
    tables: tuple[np.ndarray, ...]
    interactions: tuple[Interaction, ...]
    rules: tuple[CompiledRule, ...]
    must_accept: np.ndarray
    reservation_applies: np.ndarray
    reservation: np.ndarray
    power: np.ndarray
    weights_normalized: tuple[bool, ...]
    max_packages: int
    max_completions: int
    chunk_size: int
    exact_search: bool = True

    @property
    def n_options(self) -> tuple[int, ...]:
        """Number of options (grid points) of each issue."""
        return tuple(len(options) for options in self.option_ids)

    @property
    def n_parties(self) -> int:
        """Number of parties."""
        return len(self.party_ids)

    @property
    def bargaining(self) -> np.ndarray:
        """Parties whose gains over reservation define the bargaining problem."""
        result: np.ndarray = self.must_accept & self.reservation_applies
        return result

    def gating_rules(self) -> tuple[CompiledRule, ...]:
        """Rules every agreement must satisfy: constraints and must-accept parties' red lines."""
        return tuple(
            rule for rule in self.rules if rule.owner < 0 or bool(self.must_accept[rule.owner])
        )

    def option_index(self, issue: int, choice: Choice) -> int:
        """Position of an option id (or a continuous value) on an issue."""
        grid = self.grids[issue]
        if grid is not None:
            position = int(np.argmin(np.abs(grid - float(choice))))
            if not np.isclose(grid[position], float(choice), rtol=0, atol=1e-9):
                raise KeyError(f"{choice} is not on the grid of {self.issue_ids[issue]!r}")
            return position
        return self.option_ids[issue].index(option_id(choice))

    def choice(self, issue: int, option: int) -> Choice:
        """The option id (or continuous value) at a position."""
        grid = self.grids[issue]
        if grid is not None:
            return float(grid[option])
        return self.option_ids[issue][option]

    def package(self, options: np.ndarray) -> dict[str, Choice]:
        """A package as ``{issue id: option id or value}`` from a row of option positions."""
        return {
            issue: self.choice(k, int(option))
            for k, (issue, option) in enumerate(zip(self.issue_ids, options, strict=True))
        }


def _grid(
    issue: Issue, extra: list[float], thresholds: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Grid of a continuous issue, and which grid points are rule thresholds.

    The grid holds the range at the declared step, the extra points (proposal values,
    value-curve breakpoints) and every number a rule compares the issue with. Between two
    adjacent thresholds a midpoint is added, so every open cell between grid points has a
    non-threshold end: rules are constant on each cell and equal their value at that end,
    and utilities are linear on each cell. Continuous refinement relies on both.
    """
    assert issue.range is not None and issue.step is not None
    low, high = issue.range
    count = int(np.floor((high - low) / issue.step + 1e-9)) + 1
    points = low + issue.step * np.arange(count)
    inside = [x for x in (*extra, *thresholds) if low <= x <= high]
    values = np.unique(np.round(np.concatenate([points, [high], inside]), 12))
    is_threshold = np.isin(values, np.round(np.asarray(thresholds, dtype=float), 12))
    both = np.flatnonzero(is_threshold[:-1] & is_threshold[1:])
    if len(both):
        middles = (values[both] + values[both + 1]) / 2
        values = np.unique(np.round(np.concatenate([values, middles]), 12))
        is_threshold = np.isin(values, np.round(np.asarray(thresholds, dtype=float), 12))
    return values, is_threshold


def _rule_numbers(scenario: Scenario) -> dict[str, list[float]]:
    """Numbers each continuous issue is compared with, across every rule of the scenario."""
    found: dict[str, list[float]] = {issue.id: [] for issue in scenario.issue_list}
    texts = [c.rule for c in scenario.constraints]
    texts += [r.rule for party in scenario.party_list for r in party.red_lines]

    def walk(node: rules.Rule) -> None:
        if isinstance(node, rules.Compare) and not isinstance(node.value, str):
            found[node.issue].append(float(node.value))
        elif isinstance(node, rules.Member):
            found[node.issue].extend(float(v) for v in node.values if not isinstance(v, str))
        elif isinstance(node, rules.Not):
            walk(node.operand)
        elif isinstance(node, (rules.And, rules.Or)):
            for operand in node.operands:
                walk(operand)
        elif isinstance(node, rules.Implies):
            walk(node.antecedent)
            walk(node.consequent)

    for text in texts:
        walk(rules.parse(text))
    return found


def _value_table(
    issue: Issue, option_ids: tuple[str, ...], grid: np.ndarray | None, spec: Any
) -> np.ndarray:
    if grid is not None:
        xs = np.array([point[0] for point in spec], dtype=float)
        vs = np.array([point[1] for point in spec], dtype=float)
        result: np.ndarray = np.interp(grid, xs, vs)
        return result
    count = len(option_ids)
    if spec in ("increasing", "decreasing") and count == 1:
        return np.ones(1)  # an uncontested issue: its one option is as good as it gets
    if spec == "increasing":
        return np.arange(count) / (count - 1)
    if spec == "decreasing":
        return 1.0 - np.arange(count) / (count - 1)
    return np.array([float(spec.get(option, 0.0)) for option in option_ids])


def _party_tables(
    party: Party,
    issues: tuple[Issue, ...],
    option_ids: tuple[tuple[str, ...], ...],
    grids: tuple[np.ndarray | None, ...],
) -> tuple[list[np.ndarray], bool]:
    total = sum(party.weights.values()) if party.normalize_weights else 1.0
    columns = []
    for k, issue in enumerate(issues):
        weight = party.weights.get(issue.id, 0.0) / total
        if weight == 0.0 or issue.id not in party.values:
            columns.append(np.zeros(len(option_ids[k])))
        else:
            columns.append(
                weight * _value_table(issue, option_ids[k], grids[k], party.values[issue.id])
            )
    return columns, party.normalize_weights and not np.isclose(sum(party.weights.values()), 1.0)


def compile_scenario(
    scenario: Scenario, extra_points: Mapping[str, Sequence[float]] | None = None
) -> CompiledScenario:
    """Compile a validated scenario to arrays.

    ``extra_points`` adds values to continuous issues' grids (a package typed by a user),
    as proposals' values are added, so that they are evaluated exactly.
    """
    issues = scenario.issue_list
    parties = scenario.party_list
    issue_ids = tuple(issue.id for issue in issues)
    position = {issue_id: k for k, issue_id in enumerate(issue_ids)}

    proposal_values: dict[str, list[float]] = {
        issue.id: list((extra_points or {}).get(issue.id, ())) for issue in issues
    }
    for proposal in scenario.proposals.values():
        for issue_id, choice in proposal.choices.items():
            if scenario.issues[issue_id].kind == "continuous":
                proposal_values[issue_id].append(float(choice))

    for party in parties:
        for issue_id, spec in party.values.items():
            if scenario.issues[issue_id].kind == "continuous":
                proposal_values[issue_id].extend(float(point[0]) for point in spec)  # type: ignore[union-attr,index]
    thresholds = _rule_numbers(scenario)
    built = {
        issue.id: _grid(issue, proposal_values[issue.id], thresholds[issue.id])
        for issue in issues
        if issue.kind == "continuous"
    }
    grids = tuple(built[issue.id][0] if issue.id in built else None for issue in issues)
    threshold_masks = tuple(built[issue.id][1] if issue.id in built else None for issue in issues)
    option_ids = tuple(
        tuple(f"{value:g}" for value in grid) if grid is not None else issue.option_ids
        for issue, grid in zip(issues, grids, strict=True)
    )

    per_party = [_party_tables(party, issues, option_ids, grids) for party in parties]
    tables = tuple(
        _frozen(np.stack([columns[k] for columns, _ in per_party], axis=1))
        for k in range(len(issues))
    )

    interactions = []
    for p, party in enumerate(parties):
        for term in party.interactions:
            first, second = (position[issue_id] for issue_id in term.issues)
            matrix = np.zeros((len(option_ids[first]), len(option_ids[second])))
            for a, row in term.values.items():
                for b, value in row.items():
                    matrix[option_ids[first].index(a), option_ids[second].index(b)] = value
            interactions.append(Interaction(p, first, second, _frozen(matrix)))

    domains = {
        issue.id: rules.IssueDomain(
            issue.id,
            issue.kind,
            option_ids[k],
            values=tuple(grids[k]) if grids[k] is not None else None,  # type: ignore[arg-type]
            bounds=issue.range,
        )
        for k, issue in enumerate(issues)
    }

    def compiled(rule_id: str, text: str, owner: int) -> CompiledRule:
        predicate = rules.compile_rule(rules.parse(text), domains, issue_ids)
        return CompiledRule(rule_id, owner, predicate, predicate.issues)

    compiled_rules = [compiled(c.id, c.rule, -1) for c in scenario.constraints]
    for p, party in enumerate(parties):
        compiled_rules.extend(compiled(r.id, r.rule, p) for r in party.red_lines)

    return CompiledScenario(
        issue_ids=issue_ids,
        option_ids=option_ids,
        grids=tuple(_frozen(grid) if grid is not None else None for grid in grids),
        thresholds=tuple(_frozen(mask) if mask is not None else None for mask in threshold_masks),
        integer=tuple(issue.integer for issue in issues),
        party_ids=tuple(party.id for party in parties),
        tables=tables,
        interactions=tuple(interactions),
        rules=tuple(compiled_rules),
        must_accept=_frozen(np.array([party.must_accept for party in parties], dtype=bool)),
        reservation_applies=_frozen(
            np.array([party.reservation_applies for party in parties], dtype=bool)
        ),
        reservation=_frozen(np.array([party.reservation for party in parties], dtype=float)),
        power=_frozen(np.array([party.power for party in parties], dtype=float)),
        weights_normalized=tuple(normalized for _, normalized in per_party),
        max_packages=scenario.limits.max_packages,
        max_completions=scenario.limits.max_completions,
        chunk_size=scenario.limits.chunk_size,
        exact_search=scenario.limits.exact_search,
    )


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def package_options(compiled: CompiledScenario, package: Mapping[str, Choice]) -> dict[int, int]:
    """Positions of the options a (possibly partial) package fixes, keyed by issue position."""
    fixed: dict[int, int] = {}
    for issue_id, choice in package.items():
        k = compiled.issue_ids.index(issue_id)
        fixed[k] = compiled.option_index(k, choice)
    return fixed
