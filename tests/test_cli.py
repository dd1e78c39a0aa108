"""The ``negosim`` command: every subcommand, its exit status and what it prints.

The known answers come from the worked comments at the bottom of the teaching scenarios
(``scenarios/teaching-ceasefire.yaml``: 18 packages, a 2-package agreement region, Nash on
the current line without peacekeepers with sanctions eased; ``scenarios/teaching-split.yaml``:
a 60/40 split).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CEASEFIRE = REPO / "scenarios" / "teaching-ceasefire.yaml"
SPLIT = REPO / "scenarios" / "teaching-split.yaml"

VERDICTS = {"accept", "reject", "accept_some_completion"}
NASH_PACKAGE = {"border": "current_line", "peacekeepers": "false", "sanctions": "eased"}


def run_json(negosim: Any, *argv: Any) -> dict[str, Any]:
    result = negosim(*argv)
    assert result.status == 0, result.err
    return json.loads(result.out)


def subprocess_negosim(*argv: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


# --------------------------------------------------------------------------- run --json


def test_run_json_gives_the_ceasefire_space_and_its_two_package_agreement_region(negosim):
    data = run_json(negosim, "run", CEASEFIRE, "--json")
    assert type(data["space"]["size"]) is int and data["space"]["size"] == 18
    assert data["agreement"]["exists"] is True
    assert type(data["agreement"]["count"]) is int and data["agreement"]["count"] == 2
    assert type(data["pareto"]["count"]) is int and data["pareto"]["count"] == 2


def test_run_json_nash_is_current_line_without_peacekeepers_and_sanctions_eased(negosim):
    nash = run_json(negosim, "run", CEASEFIRE, "--json")["solutions"]["nash"]
    assert nash["package"] == NASH_PACKAGE
    utilities = nash["utilities"]
    assert all(isinstance(value, float) for value in utilities.values())
    assert utilities["north"] == pytest.approx(0.35)
    assert utilities["south"] == pytest.approx(0.625)


def test_run_json_north_plan_is_rejected_by_south_and_guarantor_for_their_red_lines(negosim):
    plan = run_json(negosim, "run", CEASEFIRE, "--json")["proposals"]["north_plan"]
    assert plan["verdicts"] == {"north": "accept", "south": "reject", "guarantor": "reject"}
    broken = plan["broken_red_lines"]
    assert broken["north"] == []
    assert sorted(broken["south"]) == [
        "south_keeps_zone",
        "south_line_moves_only_with_peacekeepers",
    ]
    assert broken["guarantor"] == ["guarantor_no_lifting"]


def test_run_json_south_plan_is_rejected_by_north_for_its_peacekeeper_red_line(negosim):
    plan = run_json(negosim, "run", CEASEFIRE, "--json")["proposals"]["south_plan"]
    assert plan["verdicts"]["north"] == "reject"
    assert plan["broken_red_lines"]["north"] == ["north_no_peacekeepers"]
    assert plan["verdicts"]["south"] == "accept"


def test_run_json_partial_framework_is_acceptable_to_north_only_with_some_completion(negosim):
    framework = run_json(negosim, "run", CEASEFIRE, "--json")["proposals"]["framework"]
    assert framework["verdicts"]["north"] == "accept_some_completion"
    assert framework["verdicts"]["south"] == "accept"
    assert all(ids == [] for ids in framework["broken_red_lines"].values())


def test_run_json_has_a_verdict_and_red_line_list_for_every_party_and_proposal(negosim):
    data = run_json(negosim, "run", CEASEFIRE, "--json")
    scenario = yaml.safe_load(CEASEFIRE.read_text())
    assert set(data["proposals"]) == set(scenario["proposals"])
    for proposal in data["proposals"].values():
        assert set(proposal["verdicts"]) == set(scenario["parties"])
        assert set(proposal["verdicts"].values()) <= VERDICTS
        assert set(proposal["broken_red_lines"]) == set(scenario["parties"])
        assert all(isinstance(ids, list) for ids in proposal["broken_red_lines"].values())


def test_run_json_splits_the_surplus_60_40_with_81_acceptable_shares(negosim):
    data = run_json(negosim, "run", SPLIT, "--json")
    assert data["space"]["size"] == 101  # 0, 1, ..., 100
    assert data["agreement"]["exists"] is True
    assert data["agreement"]["count"] == 81  # the buyer needs at least 20 of 100
    nash = data["solutions"]["nash"]
    assert nash["package"]["buyer_share"] == pytest.approx(60)
    assert nash["utilities"]["buyer"] == pytest.approx(0.6)
    assert nash["utilities"]["seller"] == pytest.approx(0.4)


def test_run_json_reports_no_nash_solution_when_no_package_is_acceptable(negosim, tmp_path):
    text = SPLIT.read_text()
    assert text.count("    reservation: 0.0\n") == 1
    both_greedy = tmp_path / "greedy.yaml"
    both_greedy.write_text(text.replace("    reservation: 0.0\n", "    reservation: 0.9\n"))
    data = run_json(negosim, "run", both_greedy, "--json")
    assert data["agreement"] == {**data["agreement"], "exists": False, "count": 0}
    assert data["pareto"]["count"] == 0
    assert data["solutions"]["nash"] is None


def test_run_json_reads_a_json_scenario_like_its_yaml_twin(negosim, tmp_path):
    twin = tmp_path / "ceasefire.json"
    twin.write_text(json.dumps(yaml.safe_load(CEASEFIRE.read_text()), default=str, indent=2))
    from_json = run_json(negosim, "run", twin, "--json")
    from_yaml = run_json(negosim, "run", CEASEFIRE, "--json")
    assert from_json["agreement"] == from_yaml["agreement"]
    assert from_json["solutions"]["nash"] == from_yaml["solutions"]["nash"]
    assert from_json["proposals"] == from_yaml["proposals"]


def test_python_dash_m_sim_cli_runs_and_prints_json():
    result = subprocess_negosim("run", CEASEFIRE, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["solutions"]["nash"]["package"] == NASH_PACKAGE


@pytest.mark.skipif(shutil.which("negosim") is None, reason="console script not on PATH")
def test_console_script_negosim_validates_the_teaching_scenario():
    result = subprocess.run(
        ["negosim", "validate", str(CEASEFIRE)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "3 issues" in result.stdout


# --------------------------------------------------------------------------- run (text)


def test_run_prints_a_report_in_the_scenarios_own_words(negosim):
    result = negosim("run", CEASEFIRE)
    assert result.status == 0, result.err
    report = result.out
    assert "A ceasefire between North and South (teaching scenario)" in report
    assert "2025-06-01" in report
    assert "18" in report
    # The Nash package, spelled with the option labels.
    for label in (
        "the current line of contact",
        "eased step by step",
        "North's plan",
        "Guarantor coalition",
    ):
        assert label in report
    # Red lines broken by North's plan, with their plain-language description and evidence.
    assert "South will not withdraw from the whole disputed zone" in report
    assert "ev_south_no_full_withdrawal" in report
    # Labels, not ids.
    for option_id in ("current_line", "full_withdrawal", "buffer_zone"):
        assert not re.search(rf"(?<!\w){option_id}(?!\w)", report), option_id


def test_run_text_and_json_agree_on_the_split_scenario(negosim):
    result = negosim("run", SPLIT)
    assert result.status == 0, result.err
    assert "Splitting a surplus" in result.out
    assert re.search(r"\b60\b", result.out)


# --------------------------------------------------------------------------- evaluate


def test_evaluate_proposal_json_puts_verdicts_red_lines_and_utilities_at_top_level(negosim):
    data = run_json(negosim, "evaluate", CEASEFIRE, "--proposal", "north_plan", "--json")
    assert data["verdicts"] == {"north": "accept", "south": "reject", "guarantor": "reject"}
    assert sorted(data["broken_red_lines"]["south"]) == [
        "south_keeps_zone",
        "south_line_moves_only_with_peacekeepers",
    ]
    assert data["broken_red_lines"]["guarantor"] == ["guarantor_no_lifting"]
    assert data["utilities"]["north"] == pytest.approx(1.0)
    assert data["utilities"]["south"] == pytest.approx(0.0)


def test_evaluate_partial_proposal_json_says_accept_some_completion(negosim):
    data = run_json(negosim, "evaluate", CEASEFIRE, "--proposal", "framework", "--json")
    assert data["verdicts"]["north"] == "accept_some_completion"
    assert data["verdicts"]["south"] == "accept"


def test_evaluate_proposal_json_matches_the_block_in_run_json(negosim):
    evaluated = run_json(negosim, "evaluate", CEASEFIRE, "--proposal", "mediator_outline", "--json")
    in_run = run_json(negosim, "run", CEASEFIRE, "--json")["proposals"]["mediator_outline"]
    for key in ("verdicts", "broken_red_lines", "utilities"):
        assert evaluated[key] == in_run[key]


def test_evaluate_package_of_the_nash_terms_is_accepted_by_everyone(negosim):
    package = ",".join(f"{issue}={option}" for issue, option in NASH_PACKAGE.items())
    data = run_json(negosim, "evaluate", CEASEFIRE, "--package", package, "--json")
    assert data["verdicts"] == {"north": "accept", "south": "accept", "guarantor": "accept"}
    assert all(ids == [] for ids in data["broken_red_lines"].values())
    assert data["utilities"]["north"] == pytest.approx(0.35)
    assert data["utilities"]["south"] == pytest.approx(0.625)


def test_evaluate_partial_package_on_the_command_line_equals_the_framework_proposal(negosim):
    typed = run_json(negosim, "evaluate", CEASEFIRE, "--package", "border=current_line", "--json")
    named = run_json(negosim, "evaluate", CEASEFIRE, "--proposal", "framework", "--json")
    assert typed["verdicts"] == named["verdicts"]
    assert typed["broken_red_lines"] == named["broken_red_lines"]


def test_evaluate_package_on_a_continuous_issue_takes_a_number(negosim):
    data = run_json(negosim, "evaluate", SPLIT, "--package", "buyer_share=60", "--json")
    assert data["verdicts"] == {"buyer": "accept", "seller": "accept"}
    assert data["utilities"]["buyer"] == pytest.approx(0.6)
    assert data["utilities"]["seller"] == pytest.approx(0.4)


def test_evaluate_lowball_proposal_is_rejected_by_the_buyer_below_its_reservation(negosim):
    data = run_json(negosim, "evaluate", SPLIT, "--proposal", "lowball", "--json")
    assert data["verdicts"] == {"buyer": "reject", "seller": "accept"}
    assert data["utilities"]["buyer"] == pytest.approx(0.1)


def test_evaluate_prints_a_report_naming_the_terms_and_parties(negosim):
    result = negosim("evaluate", CEASEFIRE, "--proposal", "south_plan")
    assert result.status == 0, result.err
    for label in (
        "the current line of contact",
        "kept in place",
        "North",
        "South",
        "Guarantor coalition",
    ):
        assert label in result.out
    assert "North accepts no foreign peacekeepers" in result.out


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="neither-proposal-nor-package"),
        pytest.param(["--proposal", "framework", "--package", "border=current_line"], id="both"),
    ],
)
def test_evaluate_needs_exactly_one_of_proposal_and_package(negosim, argv):
    result = negosim("evaluate", CEASEFIRE, *argv)
    assert result.status == 2
    assert len(result.err.splitlines()) == 1
    assert "--proposal" in result.err and "--package" in result.err
    assert result.out == ""


# --------------------------------------------------------------------------- validate


def test_validate_prints_one_line_with_the_counts_of_the_ceasefire_scenario(negosim):
    result = negosim("validate", CEASEFIRE)
    assert result.status == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert str(CEASEFIRE) in line
    assert "valid" in line
    for count in ("3 issues", "3 parties", "4 red lines", "4 proposals", "4 evidence records"):
        assert count in line


def test_validate_counts_the_split_scenario(negosim):
    result = negosim("validate", SPLIT)
    assert result.status == 0, result.err
    assert re.search(r"\b1 issues?\b", result.out)
    assert re.search(r"\b2 parties\b", result.out)
    assert re.search(r"\b3 proposals\b", result.out)


def test_validate_warns_on_stderr_about_evidence_nobody_cites(negosim, tmp_path):
    text = CEASEFIRE.read_text()
    anchor = "evidence: [ev_guarantor_sanctions]"
    assert text.count(anchor) == 1
    uncited = tmp_path / "uncited.yaml"
    uncited.write_text(text.replace(anchor, "evidence: []"))
    result = negosim("validate", uncited)
    assert result.status == 0
    assert "ev_guarantor_sanctions" in result.err
    assert "valid" in result.out


def test_validate_accepts_a_proposal_choosing_a_numeric_option_written_as_a_number(
    negosim, tmp_path
):
    text = CEASEFIRE.read_text()
    issue_anchor = "  peacekeepers:\n    label: Foreign peacekeepers\n"
    proposal_anchor = "choices: {border: current_line}\n"
    assert text.count(issue_anchor) == 1 and text.count(proposal_anchor) == 1
    text = text.replace(
        issue_anchor, "  troops:\n    kind: ordinal\n    options: [1, 2, 3]\n" + issue_anchor
    ).replace(proposal_anchor, "choices: {border: current_line, troops: 2}\n")
    scenario = tmp_path / "numeric.yaml"
    scenario.write_text(text)
    result = negosim("validate", scenario)
    assert result.status == 0, result.err
    assert "4 issues" in result.out


# --------------------------------------------------------------------------- schema


def test_schema_prints_a_json_schema_with_issues_and_parties(negosim):
    data = run_json(negosim, "schema")
    assert data["type"] == "object"
    assert {"issues", "parties", "proposals"} <= set(data["properties"])
    assert "title" in data.get("required", [])
    assert "$schema" in data


def test_schema_forbids_unknown_top_level_keys(negosim):
    data = run_json(negosim, "schema")
    assert data.get("additionalProperties") is False


# --------------------------------------------------------------------------- --help


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        ("run", ["scenario", "--json"]),
        ("evaluate", ["scenario", "--proposal", "--package", "--json"]),
        ("explain", ["scenario", "--json"]),
        ("validate", ["scenario"]),
        ("schema", ["usage: negosim schema"]),
    ],
)
def test_help_on_each_subcommand_exits_0_and_mentions_its_flags(negosim, command, mentions):
    result = negosim(command, "--help")
    assert result.status == 0
    assert f"negosim {command}" in result.out
    for word in mentions:
        assert word in result.out


def test_top_level_help_lists_every_subcommand(negosim):
    result = negosim("--help")
    assert result.status == 0
    for command in ("run", "evaluate", "validate", "schema"):
        assert re.search(rf"^\s+{command}\b", result.out, re.MULTILINE)


@pytest.mark.parametrize(
    "argv",
    [pytest.param([], id="no-command"), pytest.param(["bogus"], id="unknown-command")],
)
def test_usage_errors_exit_2_with_one_line(negosim, argv):
    result = negosim(*argv)
    assert result.status == 2
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith("negosim: error:")
