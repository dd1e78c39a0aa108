from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from sim.compile import compile_scenario
from sim.diagnosis import explain
from sim.engine.agreement import RESERVATION_SLACK, judge
from sim.engine.blocking import blocking_space, relaxable_constraints
from sim.engine.space import blocks
from sim.io import load_scenario, scenario_from_data
from tests.strategies import scenarios

CEASEFIRE = Path(__file__).resolve().parent.parent / "scenarios" / "teaching-ceasefire.yaml"


@pytest.fixture(scope="module")
def deadlocked(tmp_path_factory):
    data = yaml.safe_load(CEASEFIRE.read_text())
    data["parties"]["guarantor"]["red_lines"].append(
        {
            "id": "guarantor_needs_peacekeepers",
            "rule": "peacekeepers == true",
            "description": "The coalition guarantees only a ceasefire watched by peacekeepers",
        }
    )
    path = tmp_path_factory.mktemp("deadlock") / "deadlock.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_scenario(path)


def test_deadlock_names_the_two_incompatible_red_lines(deadlocked):
    blocking = explain(deadlocked)
    assert not blocking.agreement_exists
    assert blocking.conflicts == (("north_no_peacekeepers", "guarantor_needs_peacekeepers"),)
    assert blocking.conflicts_complete


def test_deadlock_relaxations_each_open_a_region_with_its_nash_package(deadlocked):
    blocking = explain(deadlocked)
    relaxations = {r.constraints: r for r in blocking.relaxations}
    assert set(relaxations) == {("north_no_peacekeepers",), ("guarantor_needs_peacekeepers",)}
    assert relaxations[("guarantor_needs_peacekeepers",)].opens == 2
    assert relaxations[("guarantor_needs_peacekeepers",)].nash.package == {
        "border": "current_line",
        "peacekeepers": "false",
        "sanctions": "eased",
    }
    assert relaxations[("north_no_peacekeepers",)].nash.package["peacekeepers"] == "true"


def test_deadlock_closest_packages_break_one_red_line_and_no_reservation(deadlocked):
    closest = explain(deadlocked).closest
    assert len(closest) == 5
    first = closest[0]
    assert sum(len(ids) for ids in first.broken_red_lines.values()) == 1
    assert all(shortfall == 0 for shortfall in first.shortfalls.values())


def test_prices_count_packages_kept_out_by_one_constraint_alone():
    blocking = explain(load_scenario(CEASEFIRE))
    # Without North's red line, two peacekeeper packages join (buffer zone, kept or eased).
    assert blocking.prices["north_no_peacekeepers"] == 2
    assert blocking.prices["south_keeps_zone"] == 0
    assert blocking.prices["guarantor_no_lifting"] == 1


def test_binding_constraints_move_the_nash_package_when_dropped():
    blocking = explain(load_scenario(CEASEFIRE))
    binding = {r.constraints[0]: r for r in blocking.binding}
    assert set(binding) == {
        "north_no_peacekeepers",
        "south_line_moves_only_with_peacekeepers",
        "guarantor_no_lifting",
    }
    assert binding["north_no_peacekeepers"].nash.package == {
        "border": "buffer_zone",
        "peacekeepers": "true",
        "sanctions": "eased",
    }
    assert blocking.nash.package["sanctions"] == "eased"


def brute_force_signatures(scenario):
    compiled = compile_scenario(scenario)
    constraints = relaxable_constraints(compiled)
    rows = []
    for block in blocks(compiled, blocking_space(compiled)):
        verdict = judge(compiled, block)
        ok = verdict.constraints_ok
        violated = np.zeros((ok.sum(), len(constraints)), dtype=bool)
        for j, c in enumerate(constraints):
            if c.kind == "red_line":
                violated[:, j] = ~verdict.holds[ok, c.rule]
            else:
                u = block.utilities[ok, c.party]
                violated[:, j] = u < compiled.reservation[c.party] - RESERVATION_SLACK
        rows.append(violated)
    return [c.id for c in constraints], np.concatenate(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_conflicts_and_relaxations_are_exact_and_minimal(data):
    scenario = scenario_from_data(data)
    blocking = explain(scenario)
    ids, violated = brute_force_signatures(scenario)
    column = {cid: j for j, cid in enumerate(ids)}
    assert blocking.agreement_count == int((~violated.any(axis=1)).sum())

    def satisfiable(subset):
        cols = [column[c] for c in subset]
        return bool((~violated[:, cols].any(axis=1)).any()) if cols else len(violated) > 0

    def opens(relaxed):
        rest = [j for cid, j in column.items() if cid not in relaxed]
        return int((~violated[:, rest].any(axis=1)).sum())

    for conflict in blocking.conflicts:
        assert not satisfiable(conflict)
        for member in conflict:
            assert satisfiable([c for c in conflict if c != member])
    for relaxation in blocking.relaxations:
        assert opens(relaxation.constraints) == relaxation.opens > 0
        for smaller in combinations(relaxation.constraints, len(relaxation.constraints) - 1):
            assert opens(smaller) == 0
    if blocking.agreement_count == 0 and len(violated) and blocking.conflicts_complete:
        found = {frozenset(c) for c in blocking.conflicts}
        for size in (1, 2):
            for subset in combinations(ids, size):
                minimal = not satisfiable(subset) and all(
                    satisfiable(s) for s in combinations(subset, size - 1)
                )
                if minimal:
                    assert frozenset(subset) in found
