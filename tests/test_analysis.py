from pathlib import Path

import numpy as np
import pytest

import sim
from sim.analysis import parse_package
from sim.compile import compile_scenario
from sim.engine.agreement import judge
from sim.engine.space import blocks, full_space
from sim.io import scenario_from_data

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def ceasefire():
    return sim.load_scenario(SCENARIOS / "teaching-ceasefire.yaml")


@pytest.fixture(scope="module")
def split():
    return sim.load_scenario(SCENARIOS / "teaching-split.yaml")


def test_ceasefire_region_and_nash_match_the_hand_worked_answer(ceasefire):
    analysis = sim.analyze(ceasefire)
    assert analysis.space_size == 18
    assert analysis.pruned_size == 4
    assert analysis.pruned_options == {
        "border": ["full_withdrawal"],
        "peacekeepers": ["true"],
        "sanctions": ["lifted"],
    }
    assert analysis.agreement_count == 2
    assert analysis.pareto_count == 2
    nash = analysis.solutions["nash"]
    assert nash.package == {"border": "current_line", "peacekeepers": "false", "sanctions": "eased"}
    assert nash.utilities == pytest.approx({"north": 0.35, "south": 0.625, "guarantor": 0.6})
    assert nash.ties == 1
    assert analysis.normalized_weights == ("south",)


def test_ceasefire_proposal_verdicts_name_the_red_lines_broken(ceasefire):
    proposals = sim.analyze(ceasefire).proposals
    north_plan = proposals["north_plan"]
    assert north_plan.verdicts == {"north": "accept", "south": "reject", "guarantor": "reject"}
    assert north_plan.broken_red_lines == {
        "north": [],
        "south": ["south_keeps_zone", "south_line_moves_only_with_peacekeepers"],
        "guarantor": ["guarantor_no_lifting"],
    }
    assert proposals["south_plan"].verdicts["north"] == "reject"
    assert proposals["south_plan"].broken_red_lines["north"] == ["north_no_peacekeepers"]


def test_partial_package_reports_completions_and_best_completion(ceasefire):
    framework = sim.analyze(ceasefire).proposals["framework"]
    assert framework.open_issues == ("peacekeepers", "sanctions")
    assert framework.completions == 6
    assert framework.verdicts == {
        "north": "accept_some_completion",
        "south": "accept",
        "guarantor": "accept_some_completion",
    }
    assert framework.acceptable_completions == {"north": 3, "south": 6, "guarantor": 4}
    assert framework.agreement_completions == 2
    assert framework.best_completion.package["sanctions"] == "eased"
    assert framework.utilities["north"] == pytest.approx(0.35)
    outline = sim.analyze(ceasefire).proposals["mediator_outline"]
    assert outline.verdicts["north"] == "reject"
    assert outline.broken_red_lines["north"] == ["north_no_peacekeepers"]
    assert outline.utilities == {"north": None, "south": None, "guarantor": None}


def test_split_nash_is_sixty_forty_and_lowball_falls_below_reservation(split):
    analysis = sim.analyze(split)
    assert analysis.solutions["nash"].package == {"buyer_share": 60.0}
    assert analysis.agreement_count == 81
    lowball = analysis.proposals["lowball"]
    assert lowball.verdicts == {"buyer": "reject", "seller": "accept"}
    assert lowball.margins["buyer"] == pytest.approx(-0.1)


def test_evaluating_an_off_grid_continuous_value_is_exact(split):
    evaluation = sim.evaluate(split, {"buyer_share": 33.25})
    assert evaluation.utilities == pytest.approx({"buyer": 0.3325, "seller": 0.6675})


def test_evaluate_accepts_a_proposal_id_or_a_typed_package(ceasefire):
    by_id = sim.evaluate(ceasefire, "south_plan")
    typed = sim.evaluate(
        ceasefire, parse_package(ceasefire, "border=current_line,peacekeepers=true,sanctions=kept")
    )
    assert by_id.to_dict() == typed.to_dict()
    with pytest.raises(KeyError):
        sim.evaluate(ceasefire, "no_such_plan")


@pytest.mark.parametrize(
    "text, message",
    [
        ("border=nowhere", "no option 'nowhere'"),
        ("bordr=current_line", "closest: 'border'"),
        ("border", "expected issue=option"),
        ("border=current_line,border=buffer_zone", "given twice"),
    ],
)
def test_typed_packages_are_checked(ceasefire, text, message):
    with pytest.raises(ValueError, match=message):
        parse_package(ceasefire, text)


def test_enumeration_in_small_chunks_matches_one_block(ceasefire):
    compiled = compile_scenario(ceasefire)
    space = full_space(compiled)
    whole = [judge(compiled, block) for block in blocks(compiled, space, chunk_size=10_000)]
    pieces = [judge(compiled, block) for block in blocks(compiled, space, chunk_size=1)]
    assert np.concatenate([j.region for j in pieces]).tolist() == whole[0].region.tolist()
    chunked = np.concatenate([b.utilities for b in blocks(compiled, space, chunk_size=2)])
    single = next(blocks(compiled, space, chunk_size=10_000)).utilities
    assert np.array_equal(chunked, single)


def test_package_order_is_mixed_radix_with_the_first_issue_most_significant(ceasefire):
    compiled = compile_scenario(ceasefire)
    space = full_space(compiled)
    options = space.options(np.arange(space.size))
    assert options[:4].tolist() == [[0, 0, 0], [0, 0, 1], [0, 0, 2], [0, 1, 0]]
    block = next(blocks(compiled, space))
    for k in range(3):
        assert block.flat(block.columns[k]).tolist() == options[:, k].tolist()


def opposed_scenario(n_issues, n_options, reservation, limits=None):
    """Two parties with opposed linear values on every issue, no red lines."""
    issues = {
        f"i{k}": {"kind": "categorical", "options": [f"o{k}_{j}" for j in range(n_options)]}
        for k in range(n_issues)
    }

    def party(flip):
        return {
            "role": "signatory",
            "weights": {issue: 1.0 for issue in issues},
            "values": {
                f"i{k}": {
                    f"o{k}_{j}": (1 - j / (n_options - 1)) if flip else j / (n_options - 1)
                    for j in range(n_options)
                }
                for k in range(n_issues)
            },
            "reservation": reservation,
        }

    data = {"title": "opposed", "issues": issues, "parties": {"a": party(False), "b": party(True)}}
    if limits:
        data["limits"] = limits
    return scenario_from_data(data)


@pytest.mark.parametrize("reservation", [0.0, 0.3])
def test_the_package_limit_holds_whatever_the_reservation_values(reservation):
    from sim.engine.space import SpaceTooLarge

    limits = {"max_packages": 1000, "exact_search": False}
    with pytest.raises(SpaceTooLarge):
        sim.analyze(opposed_scenario(8, 4, reservation, limits))


def test_options_equal_after_rounding_all_stay_on_the_frontier():
    # 0.1 + 0.2 and 0.3 differ in the last bit; utilities are compared at 12 decimals, so
    # the two options are the same point and both belong on the frontier (the issue has
    # enough options for its own frontier to be taken first).
    import sim.engine.agreement as agreement

    options = [f"o{j}" for j in range(18)]
    mine = {option: 0.1 for option in options} | {"o0": 0.3, "o1": 0.1 + 0.2, "o2": 1.0, "o3": 0.0}
    theirs = {option: 0.1 for option in options} | {"o0": 0.5, "o1": 0.5, "o2": 0.0, "o3": 1.0}
    issues = {"x": {"kind": "categorical", "options": options}}
    issues |= {f"b{k}": {"kind": "boolean"} for k in range(6)}
    data = {
        "title": "ulp",
        "issues": issues,
        "parties": {
            "a": {"weights": {"x": 1.0}, "values": {"x": mine}},
            "b": {"weights": {"x": 1.0}, "values": {"x": theirs}},
        },
    }
    compiled = compile_scenario(scenario_from_data(data))
    space = full_space(compiled)
    assert space.size > agreement.SEPARABLE_FROM  # the issue-by-issue path runs
    fast = agreement.scan(compiled, space)
    assert set(compiled.option_ids[0][k] for k in space.options(fast.frontier)[:, 0]) == {
        "o0",
        "o1",
        "o2",
        "o3",
    }
    assert len(fast.frontier) == 4 * 2**6
