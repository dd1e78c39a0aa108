"""Invariants of the engine on random scenarios."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.compile import compile_scenario
from sim.engine.agreement import judge
from sim.engine.space import blocks, full_space
from sim.io import scenario_from_data
from tests.strategies import scenarios

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def region_packages(scenario):
    """Every package of the region, by brute force over the unpruned space."""
    compiled = compile_scenario(scenario)
    space = full_space(compiled)
    members, utilities = [], []
    for block in blocks(compiled, space):
        verdict = judge(compiled, block)
        members.append(space.options(block.start + np.flatnonzero(verdict.region)))
        utilities.append(block.utilities[verdict.region])
    return compiled, np.concatenate(members), np.concatenate(utilities)


@SETTINGS
@given(scenarios())
def test_no_package_in_the_region_breaks_a_red_line_of_a_party_that_must_accept(data):
    scenario = scenario_from_data(data)
    compiled, members, utilities = region_packages(scenario)
    analysis = sim.analyze(scenario)
    assert analysis.agreement_count == len(members)
    for options in members[:50]:
        package = compiled.package(options)
        evaluation = sim.evaluate(scenario, package)
        for party in scenario.party_list:
            if party.must_accept:
                assert evaluation.broken_red_lines[party.id] == []
                assert evaluation.verdicts[party.id] == "accept"


@SETTINGS
@given(scenarios())
def test_nash_package_lies_in_the_region_and_on_its_frontier(data):
    scenario = scenario_from_data(data)
    analysis = sim.analyze(scenario)
    nash = analysis.solutions["nash"]
    if analysis.agreement_count == 0:
        assert nash is None
        return
    compiled, members, utilities = region_packages(scenario)
    evaluation = sim.evaluate(scenario, nash.package)
    assert evaluation.in_agreement_region
    dims = compiled.bargaining if compiled.bargaining.any() else np.ones(compiled.n_parties, bool)
    point = np.array([nash.utilities[p] for p in compiled.party_ids])[dims]
    others = np.round(utilities[:, dims], 12)
    dominated = ((others >= point - 1e-12).all(axis=1) & (others > point + 1e-12).any(axis=1)).any()
    assert not dominated
    for p, party in enumerate(compiled.party_ids):
        if compiled.bargaining[p]:
            assert nash.utilities[party] >= compiled.reservation[p] - 1e-12


@SETTINGS
@given(scenarios(ordering_rules=False), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_parties_issues_or_options(data, random):
    shuffled = dict(data)
    party_items = list(data["parties"].items())
    random.shuffle(party_items)
    shuffled["parties"] = dict(party_items)
    issue_items = []
    for issue_id, spec in data["issues"].items():
        spec = dict(spec)
        if spec["kind"] != "boolean":
            options = list(spec["options"])
            random.shuffle(options)
            spec["options"] = options
        issue_items.append((issue_id, spec))
    random.shuffle(issue_items)
    shuffled["issues"] = dict(issue_items)
    first = sim.analyze(scenario_from_data(data)).to_dict()
    second = sim.analyze(scenario_from_data(shuffled)).to_dict()
    for key in ("space", "agreement", "pareto"):
        assert (
            second[key]["size" if key == "space" else "count"]
            == first[key]["size" if key == "space" else "count"]
        )
    nash_first, nash_second = first["solutions"]["nash"], second["solutions"]["nash"]
    assert (nash_first is None) == (nash_second is None)
    if nash_first is not None:
        assert nash_second["package"] == nash_first["package"]
        assert nash_second["ties"] == nash_first["ties"]
        for party, utility in nash_first["utilities"].items():
            assert abs(nash_second["utilities"][party] - utility) < 1e-9
    for pid, block in first["proposals"].items():
        assert second["proposals"][pid]["verdicts"] == block["verdicts"]
        assert {p: sorted(v) for p, v in second["proposals"][pid]["broken_red_lines"].items()} == {
            p: sorted(v) for p, v in block["broken_red_lines"].items()
        }


@SETTINGS
@given(scenarios())
def test_issue_by_issue_frontier_and_counts_equal_the_enumerated_ones(data):
    import sim.engine.agreement as agreement

    scenario = scenario_from_data(data)
    compiled = compile_scenario(scenario)
    space = full_space(compiled)
    slow = agreement.scan(compiled, space)  # tiny space: members merged directly
    separable = not any(len(rule.issues) > 1 for rule in compiled.gating_rules())
    dims = agreement.frontier_dimensions(compiled)
    saved = agreement.SEPARABLE_FROM
    agreement.SEPARABLE_FROM = 1  # let the separable path run on tiny spaces too
    try:
        found = agreement.separable_frontier(compiled, space, dims)
        fast = agreement.scan(compiled, space)
    finally:
        agreement.SEPARABLE_FROM = saved
    assert (found is not None) == (separable and space.size > 1)
    assert fast.count == slow.count
    assert fast.party_counts.tolist() == slow.party_counts.tolist()
    assert fast.rule_ever_holds.tolist() == slow.rule_ever_holds.tolist()
    assert np.allclose(fast.utility_low, slow.utility_low, rtol=0, atol=1e-12)
    assert np.allclose(fast.utility_high, slow.utility_high, rtol=0, atol=1e-12)

    def packages(result):
        return sorted(map(tuple, result.space.options(result.frontier).tolist()))

    assert packages(fast) == packages(slow)


@SETTINGS
@given(scenarios(), st.sampled_from([0.0, 0.05]))
def test_counts_by_issue_equal_the_enumerated_counts_when_reservations_are_slack(data, floor):
    # Low reservations and single-issue red lines: the scan counts without enumerating.
    import sim.engine.agreement as agreement

    data = dict(data)
    data["parties"] = {
        pid: {
            **party,
            "reservation": floor,
            "red_lines": [
                line
                for line in party["red_lines"]
                if " and " not in line["rule"] and "->" not in line["rule"]
            ],
        }
        for pid, party in data["parties"].items()
    }
    compiled = compile_scenario(scenario_from_data(data))
    space = full_space(compiled)
    tally = agreement._tally_by_issue(compiled, space)
    slow = agreement.scan(compiled, space)
    lowest = slow.utility_low[compiled.reservation_applies]
    if (lowest >= floor + 1e-9).all():
        assert tally is not None
    if tally is None:
        return
    assert tally.count == slow.count
    assert tally.party_counts.tolist() == slow.party_counts.tolist()
    assert tally.rule_ever_holds.tolist() == slow.rule_ever_holds.tolist()
    assert np.allclose(tally.utility_low, slow.utility_low, rtol=0, atol=1e-12)
    assert np.allclose(tally.utility_high, slow.utility_high, rtol=0, atol=1e-12)
