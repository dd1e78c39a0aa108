import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

import sim
from sim.io import scenario_from_data
from sim.parameters import ParameterError, apply, resolve
from sim.results import SweepPoint, SweepResult
from sim.sweeps import _analysis_metrics, monte_carlo, sweep

ROOT = Path(__file__).resolve().parent.parent
CEASEFIRE = ROOT / "scenarios" / "teaching-ceasefire.yaml"


@pytest.fixture(scope="module")
def ceasefire():
    return sim.load_scenario(CEASEFIRE)


def with_batna(distribution):
    data = yaml.safe_load(CEASEFIRE.read_text())
    data["parameters"] = {
        "north_batna": {"value": 0.2, "range": [0.0, 0.6], "distribution": distribution}
    }
    data["parties"]["north"]["reservation"] = "$north_batna"
    return scenario_from_data(data)


def test_grid_visits_every_combination_first_parameter_slowest(ceasefire):
    result = sweep(
        ceasefire,
        {"parties.north.reservation": (0, 0.6, 4), "parties.south.reservation": (0, 0.8, 3)},
    )
    assert [tuple(p.values.values()) for p in result.points][:4] == [
        (0.0, 0.0),
        (0.0, 0.4),
        (0.0, 0.8),
        (0.2, 0.0),
    ]
    # North clears 0.35 at best (eased sanctions): no agreement once it asks for 0.4.
    counts = result.metric("agreement_count")
    assert counts == [2, 2, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0]


def test_reservation_fast_path_equals_full_reanalysis(ceasefire):
    params = {
        "parties.north.reservation": (0, 0.5, 6),
        "parties.south.power": (0.5, 3, 3),
        "parties.guarantor.reservation": (0, 1, 2),
    }
    result = sweep(ceasefire, params)
    targets = [resolve(ceasefire, path) for path in params]
    for point in result.points:
        full = _analysis_metrics(
            apply(ceasefire, dict(zip(targets, point.values.values(), strict=True))), False
        )
        assert point.metrics == full


def test_weight_sweep_shrinks_the_region_as_south_comes_to_care_about_peacekeepers(ceasefire):
    # South's utility of (current line, no peacekeepers, kept | eased) is 3 / (3 + w) and
    # 2.5 / (3 + w) for peacekeeper weight w; it needs 0.3.
    result = sweep(ceasefire, {"parties.south.weights.peacekeepers": (0.5, 9.5, 4)})
    assert result.metric("agreement_count") == [2, 2, 1, 0]
    assert result.points[2].metrics["nash"]["package"]["sanctions"] == "kept"
    assert result.points[3].metrics["nash"] is None


def test_named_parameter_propagates_to_every_field_that_refers_to_it():
    scenario = with_batna({"kind": "uniform", "low": 0, "high": 0.6})
    assert scenario.parties["north"].reservation == 0.2
    assert scenario.parameter_references == {"parties.north.reservation": "north_batna"}
    moved = apply(scenario, {resolve(scenario, "north_batna"): 0.5})
    assert moved.parties["north"].reservation == 0.5
    assert moved.parameters["north_batna"].value == 0.5


@pytest.mark.parametrize(
    "path, message",
    [
        ("parties.nrth.reservation", "closest: 'north'"),
        ("parties.north.label", "not a number"),
        ("parties.north.weights.borderline", "closest: 'border'"),
        ("parameters.nothing", "a named parameter|unknown parameter"),
        ("parties..north", "not a dotted path"),
    ],
)
def test_bad_paths_are_errors_naming_the_path(ceasefire, path, message):
    with pytest.raises(ParameterError, match=message):
        sweep(ceasefire, {path: (0, 1, 2)})


def test_out_of_range_values_are_errors_naming_the_path(ceasefire):
    with pytest.raises(ParameterError, match=r"parties\.north\.reservation.*in \[0, 1\]"):
        sweep(ceasefire, {"parties.north.reservation": (0.5, 1.5, 3)})


def test_monte_carlo_matches_the_analytic_probability_of_agreement():
    # Agreement iff North's reservation <= 0.35; uniform on [0, 0.6] gives 0.35 / 0.6.
    result = monte_carlo(
        with_batna({"kind": "uniform", "low": 0, "high": 0.6}), 400, seed=7, quiet=True
    )
    p, low, high = result.agreement_probability()
    assert low <= 0.35 / 0.6 <= high
    assert abs(p - 0.35 / 0.6) < 0.08


def test_monte_carlo_gives_each_point_its_own_stream():
    scenario = with_batna({"kind": "truncnorm", "mean": 0.3, "sd": 0.1, "low": 0, "high": 0.6})
    short = monte_carlo(scenario, 5, seed=3, quiet=True)
    long = monte_carlo(scenario, 12, seed=3, quiet=True)
    assert [p.values for p in long.points[:5]] == [p.values for p in short.points]
    assert all(0 <= p.values["north_batna"] <= 0.6 for p in long.points)


def test_wilson_interval_known_answer():
    points = tuple(SweepPoint(i, {}, {"agreement_exists": i < 8}) for i in range(10))
    p, low, high = SweepResult(("x",), "grid", 0, points).agreement_probability()
    assert p == 0.8
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_sobol_indices_attribute_variance_to_the_parameter_that_matters(ceasefire):
    # The guarantor's reservation value does not bind: only North's moves the region.
    result = sweep(
        ceasefire,
        {"parties.north.reservation": (0, 0.6), "parties.guarantor.reservation": (0, 1)},
        design="sobol_indices",
        n=64,
        seed=1,
    )
    indices = result.sobol_indices("agreement_count")
    assert indices["total_order"]["parties.north.reservation"] > 0.9
    assert abs(indices["total_order"]["parties.guarantor.reservation"]) < 1e-9


def test_sampled_designs_stay_in_their_box_and_are_reproducible(ceasefire):
    for design in ("random", "lhs", "sobol"):
        params = {"parties.north.reservation": (0.1, 0.3)}
        first = sweep(ceasefire, params, design=design, n=8, seed=5)
        again = sweep(ceasefire, params, design=design, n=8, seed=5)
        values = [p.values["parties.north.reservation"] for p in first.points]
        assert all(0.1 <= v <= 0.3 for v in values)
        assert first == again


def test_results_are_identical_on_every_executor(ceasefire):
    params = {
        "parties.south.weights.sanctions": (0.1, 4, 6),
        "parties.north.reservation": (0, 0.4, 3),
    }
    serial = sweep(ceasefire, params)
    processes = sweep(ceasefire, params, executor="processes", workers=2)
    dask = sweep(ceasefire, params, executor="dask", workers=2)
    assert serial == processes == dask


def test_to_frame_has_a_row_per_point(ceasefire):
    frame = sweep(ceasefire, {"parties.north.reservation": (0, 0.4, 3)}).to_frame()
    assert list(frame["agreement_count"]) == [2, 2, 0]
    assert "nash_utility.north" in frame.columns


def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path, ceasefire):
    out = tmp_path / "points.jsonl"
    command = [
        sys.executable,
        "-m",
        "sim.cli",
        "sweep",
        str(CEASEFIRE),
        "--quiet",
        "--param",
        "parties.south.weights.sanctions=0.1:4:40",
        "--param",
        "parties.north.weights.border=0.1:2:15",
        "--out",
        str(out),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        lines = out.read_text().count("\n") if out.exists() else 0
        if lines >= 2 or process.poll() is not None:
            break
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    finished = out.read_text().count("\n") - 1
    params = {
        "parties.south.weights.sanctions": (0.1, 4, 40),
        "parties.north.weights.border": (0.1, 2, 15),
    }
    resumed = sweep(ceasefire, params, out=out, resume=True, quiet=True)
    uninterrupted = sweep(ceasefire, params, quiet=True)
    assert resumed == uninterrupted
    assert 0 < finished
    records = [json.loads(line) for line in out.read_text().splitlines()[1:]]
    assert sorted(r["index"] for r in records) == list(range(600))


def test_resume_refuses_a_checkpoint_from_another_sweep(tmp_path, ceasefire):
    out = tmp_path / "points.jsonl"
    sweep(ceasefire, {"parties.north.reservation": (0, 0.4, 3)}, out=out)
    with pytest.raises(ParameterError, match="different sweep"):
        sweep(ceasefire, {"parties.north.reservation": (0, 0.5, 3)}, out=out, resume=True)


def test_cli_sweep_json_and_errors(capsys):
    from sim.cli import main

    assert (
        main(["sweep", str(CEASEFIRE), "--param", "parties.north.reservation=0:0.4:3", "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert [p["metrics"]["agreement_count"] for p in data["points"]] == [2, 2, 0]
    assert data["agreement_probability"]["estimate"] == pytest.approx(2 / 3)
    assert main(["sweep", str(CEASEFIRE), "--param", "parties.north.reservation=a:b"]) == 2
    assert "expected low:high" in capsys.readouterr().err
    assert np.isfinite(data["agreement_probability"]["low"])


def test_only_whole_dollar_identifiers_outside_text_fields_are_references():
    data = yaml.safe_load(CEASEFIRE.read_text())
    data["issues"]["border"]["label"] = "$4.37 per unit"
    data["issues"]["border"]["options"][0]["label"] = "$north_batna"
    scenario = scenario_from_data(data)
    assert scenario.issues["border"].label == "$4.37 per unit"
    assert scenario.issues["border"].options[0].label == "$north_batna"
    assert scenario.parameter_references == {}


def test_sweeps_fall_back_to_full_analysis_when_exact_search_is_needed():
    data = yaml.safe_load(CEASEFIRE.read_text())
    data["limits"] = {"max_completions": 2}  # the framework's 6 completions go to exact search
    scenario = scenario_from_data(data)
    result = sweep(scenario, {"parties.north.reservation": (0, 0.4, 3)})
    assert result.metric("agreement_count") == [2, 2, 0]
    target = resolve(scenario, "parties.north.reservation")
    for point in result.points:
        moved = apply(scenario, {target: point.values["parties.north.reservation"]})
        assert point.metrics == _analysis_metrics(moved, False)
    # North could still take sanctions lifted (0.5) at a reservation of 0.4.
    assert result.points[2].metrics["verdicts"]["framework"]["north"] == "accept_some_completion"
