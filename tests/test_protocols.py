"""Protocols on the teaching scenarios: exact transcripts, tactics, determinism, the CLI."""

import json

import numpy as np
import pytest

import sim
from sim.compile import compile_scenario
from sim.protocols import TACTICS, alternating, parse_tactic, simulate, simulate_many
from sim.protocols.tactics import TimeDependent

CEASEFIRE = "scenarios/teaching-ceasefire.yaml"
FULL = {"border": "full_withdrawal", "peacekeepers": "false", "sanctions": "lifted"}
NASH = {"border": "current_line", "peacekeepers": "false", "sanctions": "eased"}
LIFTED = {"border": "current_line", "peacekeepers": "false", "sanctions": "lifted"}


@pytest.fixture(scope="module")
def ceasefire():
    return sim.load_scenario(CEASEFIRE)


def exchange(trace):
    return [
        (m.round, m.proposer, m.package, {p: r.verdict for p, r in m.replies.items()})
        for m in trace.moves
    ]


def test_transcript_boulware_north_against_conceder_south(ceasefire):
    trace = simulate(ceasefire, tactics={"north": "boulware", "south": "conceder"}, rounds=4)
    assert exchange(trace) == [
        (0, "north", FULL, {"south": "reject", "guarantor": "reject"}),
        (1, "south", NASH, {"north": "reject", "guarantor": "accept"}),
        (2, "north", FULL, {"south": "reject", "guarantor": "reject"}),
        (3, "south", NASH, {"north": "accept", "guarantor": "accept"}),
    ]
    first, second = trace.moves[0], trace.moves[1]
    assert first.aspiration == 1.0
    assert first.replies["south"].red_lines == (
        "south_keeps_zone",
        "south_line_moves_only_with_peacekeepers",
    )
    assert first.replies["guarantor"].red_lines == ("guarantor_no_lifting",)
    assert first.replies["guarantor"].demand is None
    # South (Conceder, e = 2) after a third of the deadline: 0.3 + 0.7 (1 - sqrt(1/3)).
    assert second.aspiration == pytest.approx(0.3 + 0.7 * (1 - (1 / 3) ** 0.5), abs=1e-12)
    assert second.replies["north"].demand == pytest.approx(
        0.2 + 0.8 * (1 - (1 / 3) ** 5), abs=1e-12
    )
    assert trace.outcome == "agreement" and trace.ended == 3 and trace.agreement == NASH
    assert trace.utilities == {"north": 0.35, "south": 0.625, "guarantor": 0.6}


def test_transcript_linear_parties(ceasefire):
    trace = simulate(ceasefire, rounds=6)
    assert exchange(trace) == [
        (0, "north", FULL, {"south": "reject", "guarantor": "reject"}),
        (1, "south", {**NASH, "peacekeepers": "true"}, {"north": "reject", "guarantor": "accept"}),
        (2, "north", {**FULL, "sanctions": "eased"}, {"south": "reject", "guarantor": "accept"}),
        (3, "south", NASH, {"north": "reject", "guarantor": "accept"}),
        (4, "north", LIFTED, {"south": "accept", "guarantor": "reject"}),
        (5, "south", NASH, {"north": "accept", "guarantor": "accept"}),
    ]
    assert [m.aspiration for m in trace.moves] == pytest.approx([1.0, 0.86, 0.68, 0.58, 0.36, 0.3])


def test_hardliner_meets_hardliner_at_the_deadline(ceasefire):
    trace = simulate(ceasefire, tactics={"north": "hardliner", "south": "hardliner"}, rounds=5)
    assert trace.outcome == "deadline" and trace.ended == 4 and trace.agreement is None
    assert {m.aspiration for m in trace.moves} == {1.0}


def test_tit_for_tat_mirrors_the_other_sides_concession(ceasefire):
    trace = simulate(ceasefire, tactics={"north": "tit_for_tat", "south": "conceder"}, rounds=6)
    norths = [m for m in trace.moves if m.proposer == "north"]
    souths = [m for m in trace.moves if m.proposer == "south"]
    assert norths[0].aspiration == 1.0
    # South's second offer gave South 0.625 after 0.875: North concedes by the same ratio.
    ratio = souths[1].utilities["south"] / souths[0].utilities["south"]
    assert norths[2].aspiration == pytest.approx(max(1.0 * ratio, 0.2), abs=1e-12)


def test_mediator_holds_the_nash_text_until_demands_fall(ceasefire):
    trace = simulate(ceasefire, protocol="mediator", rounds=6)
    assert [m.proposer for m in trace.moves] == ["mediator"] * 6
    assert all(m.package == NASH for m in trace.moves)
    assert [m.replies["north"].verdict for m in trace.moves] == ["reject"] * 5 + ["accept"]
    assert [m.replies["south"].verdict for m in trace.moves] == ["reject"] * 3 + ["accept"] * 3
    assert trace.outcome == "agreement" and trace.ended == 5


def test_mediator_deadlocks_when_nobody_can_concede(ceasefire):
    trace = simulate(
        ceasefire,
        protocol="mediator",
        rounds=50,
        tactics={"north": "hardliner", "south": "hardliner"},
    )
    assert trace.outcome == "deadlock" and trace.ended < 50


def test_breakdown_and_discounting(ceasefire):
    broken = simulate(ceasefire, rounds=50, breakdown=1.0, seed=3)
    assert broken.outcome == "breakdown" and broken.ended == 0 and broken.moves == ()
    # South's reservation 0.3 cannot be reached by its best 1.0 once 0.7 ** t < 0.3.
    walked = simulate(
        ceasefire,
        rounds=50,
        discount={"south": 0.7},
        tactics={"north": "hardliner", "south": "hardliner"},
    )
    assert walked.outcome == "walk_away" and walked.walked_away == "south" and walked.ended == 4


def test_same_seed_same_trace(ceasefire):
    options = dict(rounds=60, breakdown=0.05, tactics={"north": "boulware"})
    one = simulate(ceasefire, seed=11, **options)
    two = simulate(ceasefire, seed=11, **options)
    assert one == two and one.to_dict() == two.to_dict()
    other = [simulate(ceasefire, seed=s, **options).ended for s in range(8)]
    assert len(set(other)) > 1


def test_trace_is_json_and_frozen(ceasefire):
    trace = simulate(ceasefire, rounds=4, seed=1)
    data = json.loads(json.dumps(trace.to_dict()))
    assert (
        data["outcome"] == "agreement"
        and data["moves"][0]["replies"]["south"]["verdict"] == "reject"
    )
    with pytest.raises(AttributeError):
        trace.outcome = "deadline"


def test_public_api_and_errors(ceasefire):
    assert sim.simulate is simulate
    with pytest.raises(ValueError, match="unknown party"):
        simulate(ceasefire, tactics={"east": "linear"})
    with pytest.raises(ValueError, match="does not bargain"):
        simulate(ceasefire, tactics={"guarantor": "linear"})
    with pytest.raises(ValueError, match="unknown protocol"):
        simulate(ceasefire, protocol="auction")
    with pytest.raises(ValueError):
        simulate(ceasefire, discount=1.5)


def test_tactics_formula_and_parsing():
    boulware = TACTICS["boulware"]
    assert boulware.aspiration(0.0, 0.2, 1.0, 1.0, 1.0) == 1.0
    assert boulware.aspiration(1.0, 0.2, 1.0, 1.0, 1.0) == pytest.approx(0.2)
    assert boulware.aspiration(0.5, 0.0, 1.0, 1.0, 1.0) == pytest.approx(1 - 0.5**5)
    assert TACTICS["conceder"].aspiration(0.5, 0.0, 1.0, 1.0, 1.0) == pytest.approx(1 - 0.5**0.5)
    assert TACTICS["hardliner"].aspiration(0.9, 0.0, 1.0, 1.0, 1.0) == 1.0
    assert TACTICS["tit_for_tat"].aspiration(0.5, 0.2, 1.0, 0.8, 0.5) == pytest.approx(0.4)
    assert parse_tactic("boulware:e=0.1") == TimeDependent(0.1, 0.0, label="boulware")
    assert parse_tactic("time:e=3,k=0.1").name == "time:e=3,k=0.1"
    for bad in ("sly", "linear:z=1", "tit_for_tat:e=1", "time:e=x"):
        with pytest.raises(ValueError):
            parse_tactic(bad)


def test_offer_table_matches_brute_force(ceasefire):
    compiled = compile_scenario(ceasefire)
    candidates = alternating.prepare(compiled)
    from sim.engine.space import full_space, utilities_of
    from sim.protocols.candidates import static_rank

    space = full_space(compiled)
    options = space.options(np.arange(space.size))
    utilities = utilities_of(compiled, options)
    holds = np.stack([r.predicate([options[:, k] for k in range(3)]) for r in compiled.rules], 1)
    keeps = np.ones((len(options), 3), dtype=bool)
    for index, rule in enumerate(compiled.rules):
        keeps[:, rule.owner] &= holds[:, index]
    codes = np.ravel_multi_index(options.T, compiled.n_options)
    for proposer in (0, 1):
        rank = static_rank(compiled, utilities, keeps, codes, exclude=proposer)
        for target in np.linspace(0, 1, 41):
            feasible = keeps[:, proposer] & (utilities[:, proposer] >= target - 1e-12)
            if not feasible.any():
                continue
            expected = options[np.flatnonzero(feasible)[np.argmin(rank[feasible])]]
            offered = candidates.options[candidates.tables[proposer].offer(target)]
            assert offered.tolist() == expected.tolist()


def test_monte_carlo_summary(ceasefire):
    summary = simulate_many(ceasefire, runs=60, seed=5, rounds=40, tactics={"north": "linear"})
    assert sum(summary.outcomes.values()) == 60
    assert summary.agreement_by_round[-1] == pytest.approx(summary.agreement_probability)
    assert list(summary.agreement_by_round) == sorted(summary.agreement_by_round)
    assert summary.packages[0].package == NASH
    assert set(summary.tactic_agreement) == {"south"}
    assert summary.tactic_agreement["south"]["hardliner"] == 0.0
    again = simulate_many(
        ceasefire, runs=60, seed=5, rounds=40, tactics={"north": "linear"}, workers=2
    )
    assert again.to_dict() == summary.to_dict()
    json.dumps(summary.to_dict())


def test_cli_simulate(negosim):
    result = negosim(
        "simulate",
        CEASEFIRE,
        "--tactic",
        "north=boulware",
        "--tactic",
        "south=conceder",
        "--rounds",
        "4",
    )
    assert result.status == 0, result.err
    assert "Round 0: North proposes (asking for 1.000):" in result.out
    assert (
        "South rejects (breaks: South will not withdraw from the whole disputed zone" in result.out
    )
    assert "Outcome: agreement in round 3:" in result.out
    data = json.loads(negosim("simulate", CEASEFIRE, "--rounds", "4", "--seed", "2", "--json").out)
    assert data["outcome"] == "agreement" and data["seed"] == 2
    mediated = negosim("simulate", CEASEFIRE, "--protocol", "mediator", "--rounds", "6")
    assert "The mediator tables a text" in mediated.out
    many = negosim("simulate", CEASEFIRE, "--runs", "20", "--seed", "1")
    assert many.status == 0 and "P(agreement) by round" in many.out
    split = negosim(
        "simulate",
        "scenarios/teaching-split.yaml",
        "--protocol",
        "rubinstein",
        "--discount",
        "0.9",
        "--json",
    )
    assert json.loads(split.out)["utilities"]["buyer"] == pytest.approx(1 / 1.9)
    for bad in (
        ["--tactic", "north"],
        ["--tactic", "north=sly"],
        ["--tactic", "east=linear"],
        ["--discount", "x"],
        ["--protocol", "rubinstein"],
        ["--rounds", "0"],
    ):
        failed = negosim("simulate", CEASEFIRE, *bad)
        assert (
            failed.status == 2
            and failed.err.startswith("negosim: error:")
            and "Traceback" not in failed.err
        )
        assert failed.err.count("\n") == 1


def test_tactics_and_discounts_declared_in_the_scenario_are_used():
    from pathlib import Path

    import yaml

    from sim.io import scenario_from_data

    path = Path(__file__).resolve().parent.parent / "scenarios" / "teaching-ceasefire.yaml"
    data = yaml.safe_load(path.read_text())
    data["parties"]["north"]["tactic"] = "hardliner"
    data["parties"]["south"]["discount"] = 0.9
    declared = scenario_from_data(data)
    explicit = sim.load_scenario(path)
    a = sim.simulate(declared, rounds=8, seed=1)
    b = sim.simulate(
        explicit,
        rounds=8,
        seed=1,
        tactics={"north": "hardliner"},
        discount={"north": 1.0, "south": 0.9, "guarantor": 1.0},
    )
    assert a.to_dict() == b.to_dict()
