"""The exact search (MILP) agrees with enumeration wherever both can run."""

import numpy as np
from hypothesis import HealthCheck, given, settings

import sim
from sim.compile import compile_scenario
from sim.engine.milp import exact_solution
from sim.engine.solutions import objectives
from sim.engine.space import full_space, prune
from sim.io import scenario_from_data
from tests.strategies import scenarios

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def forced_exact(data):
    return scenario_from_data({**data, "limits": {"max_packages": 0}})


def objective(compiled, name, utilities, ideal=None):
    dims = compiled.bargaining if compiled.bargaining.any() else np.ones(compiled.n_parties, bool)
    keys = objectives(
        name,
        np.array([utilities])[:, dims],
        compiled.reservation[dims],
        compiled.power[dims],
        ideal,
    )
    return tuple(float(key[0]) for key in keys)


def close(a, b):
    return all(abs(x - y) <= 1e-6 * max(1.0, abs(y)) for x, y in zip(a, b, strict=True))


@SETTINGS
@given(scenarios())
def test_every_solution_reaches_the_enumerated_optimum(data):
    scenario = scenario_from_data(data)
    analysis = sim.analyze(scenario)
    compiled = compile_scenario(scenario)
    space = prune(compiled, full_space(compiled), tuple(r for r in compiled.rules if r.owner < 0))
    dims = (
        np.flatnonzero(compiled.bargaining)
        if compiled.bargaining.any()
        else np.arange(compiled.n_parties)
    )
    for name in ("nash", "utilitarian", "egalitarian", "kalai_smorodinsky"):
        found = exact_solution(compiled, space, name)
        expected = analysis.solutions[name]
        assert (found is None) == (expected is None), name
        if found is None:
            continue
        ideal = None
        if name == "kalai_smorodinsky":
            from sim.engine.milp import base_program, maximize_utility

            ideal = np.array(
                [maximize_utility(base_program(compiled, space), [d]).objective for d in dims]
            )
        enumerated = np.array([expected.utilities[p] for p in compiled.party_ids])
        assert close(
            objective(compiled, name, found.utilities, ideal),
            objective(compiled, name, enumerated, ideal),
        ), name


@SETTINGS
@given(scenarios())
def test_analysis_by_exact_search_matches_enumeration(data):
    enumerated = sim.analyze(scenario_from_data(data))
    exact = sim.analyze(forced_exact(data))
    assert enumerated.method == "enumeration"
    assert exact.method == "milp" or exact.pruned_size == 0
    assert exact.agreement_exists == enumerated.agreement_exists
    compiled = compile_scenario(scenario_from_data(data))
    for name in ("nash", "utilitarian", "egalitarian"):
        a, b = exact.solutions[name], enumerated.solutions[name]
        assert (a is None) == (b is None)
        if a is not None:
            ua = [a.utilities[p] for p in compiled.party_ids]
            ub = [b.utilities[p] for p in compiled.party_ids]
            assert close(objective(compiled, name, ua), objective(compiled, name, ub)), name
    for pid, evaluation in enumerated.proposals.items():
        other = exact.proposals[pid]
        assert other.verdicts == evaluation.verdicts, pid
        assert other.broken_red_lines == evaluation.broken_red_lines, pid
        for party, (low, high) in evaluation.utility_range.items():
            assert abs(other.utility_range[party][0] - low) < 1e-9
            assert abs(other.utility_range[party][1] - high) < 1e-9


def test_flagship_proposals_by_exact_search_agree_with_enumeration():
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scenarios" / "berlin-2025-12.yaml"
    scenario = sim.load_scenario(path)
    limits = scenario.limits.model_copy(update={"max_packages": 1000})
    exact = sim.analyze(scenario.model_copy(update={"limits": limits}))
    enumerated = sim.analyze(scenario)
    assert not exact.agreement_exists and not enumerated.agreement_exists
    searched = [pid for pid, e in exact.proposals.items() if not e.counts_exact]
    assert searched  # several proposals have more than 1,000 completions
    for pid, evaluation in enumerated.proposals.items():
        assert exact.proposals[pid].verdicts == evaluation.verdicts, pid
        assert exact.proposals[pid].broken_red_lines == evaluation.broken_red_lines, pid


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_parties=3))
def test_blocking_by_exact_search_matches_enumeration(data):
    from sim.diagnosis import explain

    enumerated = explain(scenario_from_data(data))
    exact = explain(forced_exact(data))
    assert exact.agreement_exists == enumerated.agreement_exists
    if exact.method != "milp":
        return
    assert {frozenset(c) for c in exact.conflicts} == {frozenset(c) for c in enumerated.conflicts}
    assert {frozenset(r.constraints) for r in exact.relaxations} <= {
        frozenset(r.constraints) for r in explain(scenario_from_data(data)).relaxations
    } or enumerated.relaxations_total > 10
    assert exact.relaxations_total == enumerated.relaxations_total
    if not enumerated.agreement_exists and enumerated.closest:
        first_exact, first_enum = exact.closest[0], enumerated.closest[0]
        broken = lambda c: sum(len(v) for v in c.broken_red_lines.values())  # noqa: E731
        assert broken(first_exact) == broken(first_enum)
        assert (
            abs(max(first_exact.shortfalls.values()) - max(first_enum.shortfalls.values())) < 1e-9
        )


def test_flagship_conflicts_by_exact_search_match_enumeration():
    from pathlib import Path

    from sim.diagnosis import explain

    path = Path(__file__).resolve().parent.parent / "scenarios" / "berlin-2025-12.yaml"
    scenario = sim.load_scenario(path)
    limits = scenario.limits.model_copy(update={"max_packages": 1000})
    exact = explain(scenario.model_copy(update={"limits": limits}))
    enumerated = explain(scenario)
    assert exact.method == "milp" and exact.conflicts_complete
    assert set(exact.conflicts) == set(enumerated.conflicts)
    assert {r.constraints for r in exact.relaxations} == {
        r.constraints for r in enumerated.relaxations
    }
    assert exact.relaxations_total == enumerated.relaxations_total == 17
