"""Rubinstein's alternating offers: closed forms, backward induction, and the game played."""

import itertools

import numpy as np
import pytest

from sim.compile import compile_scenario
from sim.io import load_scenario, scenario_from_data
from sim.protocols import rubinstein, rubinstein_finite_split, rubinstein_split

DELTAS = [0.05, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99]


def split_scenario(reservations=(0.0, 0.0), step=10):
    return scenario_from_data(
        {
            "title": "unit split",
            "issues": {"share": {"kind": "continuous", "range": [0, 1], "step": step / 100}},
            "parties": {
                "first": {
                    "weights": {"share": 1},
                    "values": {"share": [[0, 0], [1, 1]]},
                    "reservation": reservations[0],
                },
                "second": {
                    "weights": {"share": 1},
                    "values": {"share": [[0, 1], [1, 0]]},
                    "reservation": reservations[1],
                },
            },
        }
    )


@pytest.fixture(scope="module")
def unit_split():
    return compile_scenario(split_scenario())


def test_closed_form_known_values():
    assert rubinstein_split(0.9, 0.9) == pytest.approx((1 / 1.9, 0.9 / 1.9), abs=1e-15)
    assert rubinstein_split(0.0, 0.5) == (0.5, 0.5)
    assert rubinstein_split(1.0, 0.5) == (1.0, 0.0)
    with pytest.raises(ValueError):
        rubinstein_split(1.0, 1.0)
    with pytest.raises(ValueError):
        rubinstein_split(1.2, 0.5)


def test_finite_horizon_by_hand():
    assert rubinstein_finite_split(0.9, 0.8, 1) == (1.0, 0.0)
    assert rubinstein_finite_split(0.9, 0.8, 2) == pytest.approx((0.2, 0.8))
    # Three rounds: the first proposer offers 0.8 * (1 - 0.9) = 0.08.
    assert rubinstein_finite_split(0.9, 0.8, 3) == pytest.approx((0.92, 0.08))


@pytest.mark.parametrize("d1, d2", list(itertools.product(DELTAS, DELTAS)))
def test_finite_horizon_tends_to_the_closed_form(d1, d2):
    rounds = 4000 if max(d1, d2) > 0.9 else 400
    assert rubinstein_finite_split(d1, d2, rounds)[0] == pytest.approx(
        rubinstein_split(d1, d2)[0], abs=1e-9
    )


@pytest.mark.parametrize("d1, d2", list(itertools.product(DELTAS, DELTAS)))
def test_simulation_reproduces_the_infinite_horizon_split(unit_split, d1, d2):
    trace = rubinstein.run(unit_split, {0: d1, 1: d2}, rng=np.random.default_rng(0))
    expected = rubinstein_split(d1, d2)
    assert trace.outcome == "agreement" and trace.ended == 0
    assert trace.moves[0].proposer == "first"
    assert trace.agreement["share"] == pytest.approx(expected[0], abs=1e-9)
    assert trace.utilities["first"] == pytest.approx(expected[0], abs=1e-9)
    assert trace.utilities["second"] == pytest.approx(expected[1], abs=1e-9)


@pytest.mark.parametrize("d1, d2", [(0.5, 0.9), (0.9, 0.5), (0.95, 0.95), (0.3, 0.7)])
@pytest.mark.parametrize("rounds", [1, 2, 3, 4, 7, 10])
def test_simulation_reproduces_the_finite_horizon_split(unit_split, d1, d2, rounds):
    trace = rubinstein.run(unit_split, {0: d1, 1: d2}, rounds=rounds, rng=np.random.default_rng(0))
    assert trace.utilities["first"] == pytest.approx(
        rubinstein_finite_split(d1, d2, rounds)[0], abs=1e-9
    )


def test_the_second_party_can_open(unit_split):
    trace = rubinstein.run(unit_split, {0: 0.9, 1: 0.6}, first=1, rng=np.random.default_rng(0))
    assert trace.moves[0].proposer == "second"
    assert trace.utilities["second"] == pytest.approx(rubinstein_split(0.6, 0.9)[0], abs=1e-9)


def test_outside_option_binds_only_above_the_equilibrium_share():
    # Responder's Rubinstein share is 0.45 / 0.95 ~ 0.47 at d = 0.9 (as responder: 0.9 x 0.526).
    loose = compile_scenario(split_scenario((0.0, 0.3)))
    tight = compile_scenario(split_scenario((0.0, 0.6)))
    rng = np.random.default_rng(0)
    assert rubinstein.run(loose, 0.9, rng=rng).utilities["second"] == pytest.approx(
        0.9 / 1.9, abs=1e-9
    )
    # With an outside option of 0.6 the second party gets exactly it as responder.
    assert rubinstein.run(tight, 0.9, rng=rng).utilities["second"] == pytest.approx(0.6, abs=1e-9)


def test_teaching_split_uses_the_interval_not_the_grid():
    compiled = compile_scenario(load_scenario("scenarios/teaching-split.yaml"))
    trace = rubinstein.run(compiled, 0.9, rng=np.random.default_rng(0))
    assert trace.agreement["buyer_share"] == pytest.approx(100 / 1.9, abs=1e-7)
    assert trace.to_dict()["outcome"] == "agreement"


def test_rubinstein_needs_a_divisible_issue():
    compiled = compile_scenario(load_scenario("scenarios/teaching-ceasefire.yaml"))
    with pytest.raises(ValueError, match="continuous"):
        rubinstein.run(compiled, 0.9, rng=np.random.default_rng(0))
