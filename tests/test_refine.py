"""Continuous issues: bargaining solutions found between grid points, against closed forms."""

import pytest

import sim
from sim.io import scenario_from_data


def split(a_curve, b_curve, reservations=(0.0, 0.0), powers=(1.0, 1.0), red_lines=(), step=0.3):
    return scenario_from_data(
        {
            "title": "split",
            "issues": {"x": {"kind": "continuous", "range": [0, 1], "step": step}},
            "parties": {
                "a": {
                    "weights": {"x": 1},
                    "values": {"x": a_curve},
                    "reservation": reservations[0],
                    "power": powers[0],
                },
                "b": {
                    "weights": {"x": 1},
                    "values": {"x": b_curve},
                    "reservation": reservations[1],
                    "power": powers[1],
                    "red_lines": list(red_lines),
                },
            },
        }
    )


LINEAR_A = [[0, 0], [1, 1]]
LINEAR_B = [[0, 1], [1, 0]]


def solutions(scenario):
    return sim.analyze(scenario).solutions


def test_nash_between_grid_points_for_a_linear_split():
    # max (x - d1)(1 - x - d2)  ->  x* = (1 + d1 - d2) / 2 = 0.55, off the 0.3-step grid.
    result = solutions(split(LINEAR_A, LINEAR_B, reservations=(0.1, 0.0)))
    for name in ("nash", "kalai_smorodinsky", "egalitarian"):
        assert result[name].package["x"] == pytest.approx(0.55, abs=1e-7), name
        assert result[name].refined
    assert result["nash"].utilities == pytest.approx({"a": 0.55, "b": 0.45}, abs=1e-7)


@pytest.mark.parametrize("powers", [(3.0, 1.0), (1.0, 2.0), (2.5, 0.5)])
def test_asymmetric_nash_gives_each_party_its_power_share_of_the_surplus(powers):
    # max (x - d1)^a (1 - x - d2)^b  ->  x* = d1 + a / (a + b) * (1 - d1 - d2).
    d1, d2 = 0.1, 0.05
    a, b = powers
    expected = d1 + a / (a + b) * (1 - d1 - d2)
    result = solutions(split(LINEAR_A, LINEAR_B, reservations=(d1, d2), powers=powers))
    assert result["nash"].package["x"] == pytest.approx(expected, abs=1e-6)


def test_concave_utility_closed_forms():
    # u_a rises steeply to 0.9 at x = 0.8, then slowly to 1; u_b = 1 - x; no reservations.
    # Nash on [0, 0.8]: max 1.125 x (1 - x) -> x = 0.5.
    # Egalitarian: 1.125 x = 1 - x -> x = 1 / 2.125.
    # Utilitarian: 1.125 x + 1 - x rises to the kink at 0.8, then falls.
    result = solutions(split([[0, 0], [0.8, 0.9], [1, 1]], LINEAR_B))
    assert result["nash"].package["x"] == pytest.approx(0.5, abs=1e-6)
    assert result["egalitarian"].package["x"] == pytest.approx(1 / 2.125, abs=1e-7)
    assert result["utilitarian"].package["x"] == pytest.approx(0.8, abs=1e-12)


def test_red_lines_constrain_the_refinement():
    inclusive = {"id": "b_cap", "rule": "x <= 0.4"}
    result = solutions(split(LINEAR_A, LINEAR_B, red_lines=[inclusive]))
    assert result["nash"].package["x"] == pytest.approx(0.4, abs=1e-12)
    strict = {"id": "b_cap", "rule": "x < 0.4"}
    nash = solutions(split(LINEAR_A, LINEAR_B, red_lines=[strict]))["nash"]
    assert nash.package["x"] < 0.4
    assert nash.package["x"] == pytest.approx(0.4, abs=1e-6)


def test_refined_package_is_accepted_by_every_party():
    scenario = split(
        LINEAR_A, LINEAR_B, reservations=(0.1, 0.2), red_lines=[{"id": "r", "rule": "x >= 0.2"}]
    )
    nash = solutions(scenario)["nash"]
    evaluation = sim.evaluate(scenario, nash.package)
    assert evaluation.verdicts == {"a": "accept", "b": "accept"}
    assert evaluation.utilities["a"] == pytest.approx(nash.utilities["a"], abs=1e-9)


def test_integer_issues_stay_whole():
    scenario = scenario_from_data(
        {
            "title": "whole",
            "issues": {"x": {"kind": "continuous", "range": [0, 10], "step": 1, "integer": True}},
            "parties": {
                "a": {"weights": {"x": 1}, "values": {"x": [[0, 0], [10, 1]]}, "reservation": 0.15},
                "b": {"weights": {"x": 1}, "values": {"x": [[0, 1], [10, 0]]}},
            },
        }
    )
    nash = sim.analyze(scenario).solutions["nash"]
    # The continuous optimum is x = 5.75; whole values only: 5 or 6 (0.35 * 0.5 < 0.45 * 0.4).
    assert nash.package["x"] == 6.0 and not nash.refined
