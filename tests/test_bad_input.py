"""Bad input: every mistake exits 2 with ONE line on stderr, never a traceback.

The line names the file, the dotted field path (and the line, where YAML gives it) and what
was expected. Most bad files are made from a teaching scenario by one targeted edit, so each
case reads as "the good file, except ..."; a few whole files live in ``tests/data/bad/``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CEASEFIRE = REPO / "scenarios" / "teaching-ceasefire.yaml"
SPLIT = REPO / "scenarios" / "teaching-split.yaml"
BAD = Path(__file__).resolve().parent / "data" / "bad"


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Case:
    """A good scenario with targeted edits, and what the error line must say.

    ``edits`` are (old, new) replacements, each ``old`` occurring exactly once; ``path`` is
    the dotted field path the message must name (None for YAML syntax errors); ``line_at``
    is text of the edited file (unique there) whose line the message must give; ``words``
    are fragments of the expectation.
    """

    edits: tuple[tuple[str, str], ...]
    path: str | None
    line_at: str | None
    words: tuple[str, ...]
    source: Path = CEASEFIRE
    command: str = "validate"


def edited(source: Path, edits: tuple[tuple[str, str], ...], target: Path) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"edit anchor must occur once in {source.name}: {old!r}"
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, f"line anchor must occur once: {needle!r}"
    return text[: text.index(needle)].count("\n") + 1


def error_line(result) -> str:
    """The one stderr line of a failed invocation, after the checks every case shares."""
    assert "Traceback" not in result.err, result.err
    assert result.status == 2, (result.status, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert result.out == "", "nothing goes to stdout when the input is bad"
    return lines[0]


def where(line: str, file: Path, line_number: int | None = None) -> None:
    """The message names ``file`` (and ``line_number``, or no line at all when None)."""
    if line_number is None:
        assert f"{file}: " in line, line
    else:
        assert f"{file}:{line_number}: " in line, line


# --------------------------------------------------------------------------- edited scenarios

NORTH_RESERVATION = "    reservation: 0.2\n"
GUARANTOR_RESERVATION = "    reservation: 0.5\n"
GUARANTOR_RULE = "rule: sanctions != lifted"
GUARANTOR_VALUES = "sanctions: {kept: 1, eased: 0.6, lifted: 0}"
PEACEKEEPERS_ISSUE = "  peacekeepers:\n    label: Foreign peacekeepers\n    kind: boolean\n"

CASES = {
    # YAML itself
    "yaml-syntax-error": Case(
        ((NORTH_RESERVATION, "    reservation: 0.2: 0.3\n"),),
        None,
        "reservation: 0.2: 0.3",
        ("YAML syntax error", "mapping values are not allowed"),
    ),
    "yaml-tab-indentation": Case(
        ((NORTH_RESERVATION, "\treservation: 0.2\n"),),
        None,
        "\treservation: 0.2",
        ("YAML syntax error", "\\t"),
    ),
    "yaml-python-object-tag-is-refused": Case(
        ((NORTH_RESERVATION, "    reservation: !!python/object/apply:os.getcwd []\n"),),
        None,
        "reservation: !!python",
        ("YAML syntax error", "python/object/apply"),
    ),
    "duplicate-issue-key": Case(
        (
            (
                PEACEKEEPERS_ISSUE,
                PEACEKEEPERS_ISSUE + "  peacekeepers:  # again\n    kind: boolean\n",
            ),
        ),
        None,
        "peacekeepers:  # again",
        ("duplicate key 'peacekeepers'",),
    ),
    "duplicate-party-key": Case(
        (
            (
                "  guarantor:\n    label: Guarantor coalition\n",
                "  north:  # again\n    label: Guarantor coalition\n",
            ),
        ),
        None,
        "north:  # again",
        ("duplicate key 'north'",),
    ),
    # wrong types and values out of range
    "reservation-is-text": Case(
        ((NORTH_RESERVATION, '    reservation: "high"\n'),),
        "parties.north.reservation",
        'reservation: "high"',
        ("expected a valid number",),
    ),
    "weight-is-text": Case(
        (("weights: {sanctions: 1}", "weights: {sanctions: heavy}"),),
        "parties.guarantor.weights.sanctions",
        "weights: {sanctions: heavy}",
        ("expected a valid number",),
    ),
    "negative-weight": Case(
        (("weights: {sanctions: 1}", "weights: {sanctions: -1}"),),
        "parties.guarantor.weights.sanctions",
        "weights: {sanctions: -1}",
        ("greater than or equal to 0",),
    ),
    "reservation-above-one": Case(
        ((GUARANTOR_RESERVATION, "    reservation: 1.5\n"),),
        "parties.guarantor.reservation",
        "reservation: 1.5",
        ("less than or equal to 1",),
    ),
    "reservation-below-zero": Case(
        ((GUARANTOR_RESERVATION, "    reservation: -0.1\n"),),
        "parties.guarantor.reservation",
        "reservation: -0.1",
        ("greater than or equal to 0",),
    ),
    "reservation-not-a-number": Case(
        ((GUARANTOR_RESERVATION, "    reservation: .nan\n"),),
        "parties.guarantor.reservation",
        "reservation: .nan",
        ("finite number",),
    ),
    "unknown-role": Case(
        (("    role: guarantor\n", "    role: mediator\n"),),
        "parties.guarantor.role",
        "role: mediator",
        ("'signatory', 'guarantor' or 'observer'",),
    ),
    "unknown-issue-kind": Case(
        (("    kind: boolean\n", "    kind: boolen\n"),),
        "issues.peacekeepers.kind",
        "kind: boolen",
        ("'ordinal', 'categorical', 'boolean' or 'continuous'",),
    ),
    "as-of-is-not-a-date": Case(
        (("as_of: 2025-06-01", "as_of: soon"),),
        "as_of",
        "as_of: soon",
        ("expected a valid date",),
    ),
    "unknown-top-level-key": Case(
        (("as_of: 2025-06-01\n", "as_of: 2025-06-01\nauthor: me\n"),),
        "author",
        "author: me",
        ("unknown field",),
    ),
    "missing-title": Case(
        (("title: A ceasefire between North and South (teaching scenario)\n", ""),),
        "title",
        None,
        ("required field is missing",),
    ),
    # cross-references
    "unknown-issue-in-rule": Case(
        ((GUARANTOR_RULE, "rule: sanction != lifted"),),
        "parties.guarantor.red_lines[0].rule",
        "rule: sanction != lifted",
        ("unknown issue 'sanction'", "closest: 'sanctions'"),
    ),
    "unknown-option-in-rule": Case(
        ((GUARANTOR_RULE, "rule: sanctions != lifed"),),
        "parties.guarantor.red_lines[0].rule",
        "rule: sanctions != lifed",
        ("issue 'sanctions' has no option 'lifed'", "closest: 'lifted'"),
    ),
    "unknown-option-in-party-values": Case(
        ((GUARANTOR_VALUES, "sanctions: {kept: 1, eased: 0.6, lifted: 0, dropped: 0}"),),
        "parties.guarantor.values.sanctions.dropped",
        "dropped: 0}",
        ("issue 'sanctions' has no option 'dropped'",),
    ),
    "party-values-miss-an-option": Case(
        ((GUARANTOR_VALUES, "sanctions: {kept: 1, eased: 0.6}"),),
        "parties.guarantor.values.sanctions",
        "sanctions: {kept: 1, eased: 0.6}",
        ("no value for option(s) 'lifted'",),
    ),
    "unknown-issue-in-weights": Case(
        (("weights: {sanctions: 1}", "weights: {sanction: 1}"),),
        "parties.guarantor.weights.sanction",
        "weights: {sanction: 1}",
        ("unknown issue 'sanction'", "closest: 'sanctions'"),
    ),
    "unknown-evidence-id": Case(
        (("evidence: [ev_guarantor_sanctions]", "evidence: [ev_guarantor_sanction]"),),
        "parties.guarantor.red_lines[0].evidence[0]",
        "evidence: [ev_guarantor_sanction]",
        ("unknown evidence id 'ev_guarantor_sanction'", "closest: 'ev_guarantor_sanctions'"),
    ),
    "duplicate-red-line-id": Case(
        (("id: guarantor_no_lifting", "id: south_keeps_zone"),),
        "parties.guarantor.red_lines[0].id",
        "id: south_keeps_zone\n        rule: sanctions != lifted",
        ("duplicate red-line id 'south_keeps_zone'",),
    ),
    "duplicate-evidence-id": Case(
        (("  - id: ev_guarantor_sanctions\n", "  - id: ev_south_conditional\n"),),
        "evidence[3].id",
        "id: ev_south_conditional\n    date: 2025-05-23",
        ("duplicate evidence id 'ev_south_conditional'",),
    ),
    "duplicate-option-id": Case(
        (
            (
                "      - {id: eased, label: eased step by step}\n",
                "      - {id: eased, label: eased step by step}\n"
                "      - {id: eased, label: eased again}\n",
            ),
        ),
        "issues.sanctions",
        "  sanctions:\n    label: Sanctions on North",
        ("duplicate option id 'eased'",),
    ),
    "proposal-names-an-unknown-option": Case(
        (("sanctions: kept}", "sanctions: keep}"),),
        "proposals.south_plan.choices.sanctions",
        "sanctions: keep}",
        ("issue 'sanctions' has no option 'keep'", "closest: 'kept'"),
    ),
    "proposal-names-an-unknown-issue": Case(
        (("choices: {border: current_line}\n", "choices: {borders: current_line}\n"),),
        "proposals.framework.choices.borders",
        "choices: {borders: current_line}",
        ("unknown issue 'borders'", "closest: 'border'"),
    ),
    # rules that are not rules
    "rule-missing-its-value": Case(
        (("rule: peacekeepers == false\n", "rule: peacekeepers ==\n"),),
        "parties.north.red_lines[0].rule",
        "rule: peacekeepers ==\n",
        ("expected a value", "end of the rule"),
    ),
    "rule-with-shift-operator": Case(
        ((GUARANTOR_RULE, "rule: border >> x"),),
        "parties.guarantor.red_lines[0].rule",
        "rule: border >> x",
        ("expected a value at column", "'>'"),
    ),
    "rule-is-python-code": Case(
        ((GUARANTOR_RULE, "rule: \"__import__('os').system('true')\""),),
        "parties.guarantor.red_lines[0].rule",
        'rule: "__import__',
        ("unexpected character",),
    ),
    "rule-with-trailing-words": Case(
        ((GUARANTOR_RULE, "rule: sanctions != lifted lifted"),),
        "parties.guarantor.red_lines[0].rule",
        "rule: sanctions != lifted lifted",
        ("after a complete rule",),
    ),
    "rule-is-empty": Case(
        ((GUARANTOR_RULE, "rule: ''"),),
        "parties.guarantor.red_lines[0].rule",
        "rule: ''",
        ("non-empty",),
    ),
    "ordering-comparison-on-categorical-issue": Case(
        (
            (
                PEACEKEEPERS_ISSUE,
                PEACEKEEPERS_ISSUE
                + "  venue:\n    kind: categorical\n    options: [geneva, vienna]\n",
            ),
            (GUARANTOR_RULE, "rule: venue < vienna"),
        ),
        "parties.guarantor.red_lines[0].rule",
        "rule: venue < vienna",
        ("categorical", "'<'", "no order"),
    ),
    # continuous issues (the splitting scenario)
    "continuous-choice-out-of-range-in-proposal": Case(
        (("choices: {buyer_share: 90}", "choices: {buyer_share: 150}"),),
        "proposals.buyer_takes_most.choices.buyer_share",
        "choices: {buyer_share: 150}",
        ("expected a number in [0, 100]",),
        source=SPLIT,
    ),
    "continuous-choice-is-text-in-proposal": Case(
        (("choices: {buyer_share: 90}", "choices: {buyer_share: lots}"),),
        "proposals.buyer_takes_most.choices.buyer_share",
        "choices: {buyer_share: lots}",
        ("expected a number in [0, 100]",),
        source=SPLIT,
    ),
    "continuous-rule-bound-out-of-range": Case(
        (
            (
                "    reservation: 0.0\n",
                "    reservation: 0.0\n"
                "    red_lines:\n      - {id: cap, rule: buyer_share <= 500}\n",
            ),
        ),
        "parties.seller.red_lines[0].rule",
        "rule: buyer_share <= 500",
        ("outside the range [0, 100]",),
        source=SPLIT,
    ),
    "value-curve-x-not-increasing": Case(
        (("buyer_share: [[0, 0.0], [100, 1.0]]", "buyer_share: [[100, 0.0], [0, 1.0]]"),),
        "parties.buyer.values.buyer_share",
        "buyer_share: [[100, 0.0], [0, 1.0]]",
        ("increasing x",),
        source=SPLIT,
    ),
    "continuous-grid-too-fine": Case(
        (("    step: 1\n", "    step: 0.00001\n"),),
        "issues.buyer_share",
        "  buyer_share:\n    label",
        ("grid points", "at most"),
        source=SPLIT,
    ),
    # a space too large to enumerate (checked when the space is enumerated: run)
    "space-over-the-scenario-limit": Case(
        (
            (
                "as_of: 2025-06-01\n",
                "as_of: 2025-06-01\nlimits: {max_packages: 3, exact_search: false}\n",
            ),
        ),
        "limits.max_packages",
        None,
        ("4 packages", "limit of 3"),
        command="run",
    ),
}

XFAIL_CASES = {
    "option-value-above-one": pytest.param(
        Case(
            ((GUARANTOR_VALUES, "sanctions: {kept: 1.5, eased: 0.6, lifted: 0}"),),
            "parties.guarantor.values.sanctions.kept",
            "kept: 1.5",
            ("less than or equal to 1",),
        ),
    ),
    "reservation-is-a-yaml-boolean": pytest.param(
        Case(
            ((GUARANTOR_RESERVATION, "    reservation: yes\n"),),
            "parties.guarantor.reservation",
            "reservation: yes",
            ("number",),
        ),
    ),
    "party-id-with-a-hyphen": pytest.param(
        Case(
            (
                (
                    "  guarantor:\n    label: Guarantor coalition\n",
                    "  guar-antor:\n    label: Guarantor coalition\n",
                ),
            ),
            "parties.guar-antor",
            "guar-antor:",
            ("A-Za-z0-9_",),
        ),
    ),
}


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, id=name) for name, case in CASES.items()]
    + [
        pytest.param(*param.values, marks=param.marks, id=name)
        for name, param in XFAIL_CASES.items()
    ],
)
def test_bad_scenario_exits_2_with_one_line_naming_file_field_line_and_expectation(
    negosim, tmp_path, case
):
    scenario = edited(case.source, case.edits, tmp_path / f"bad-{case.source.name}")
    line = error_line(negosim(case.command, scenario))
    assert str(scenario) in line
    if case.line_at is not None:
        where(line, scenario, line_of(scenario.read_text(encoding="utf-8"), case.line_at))
    if case.path is not None:
        assert f" {case.path}: " in line, line
    for word in case.words:
        assert word in line, (word, line)


def test_the_same_bad_file_gives_the_same_line_from_every_subcommand(negosim, tmp_path):
    scenario = edited(
        CEASEFIRE, ((GUARANTOR_RULE, "rule: sanction != lifted"),), tmp_path / "bad.yaml"
    )
    lines = {
        error_line(negosim("run", scenario)),
        error_line(negosim("run", scenario, "--json")),
        error_line(negosim("evaluate", scenario, "--proposal", "framework")),
        error_line(negosim("explain", scenario)),
        error_line(negosim("validate", scenario)),
    }
    assert len(lines) == 1, lines


# --------------------------------------------------------------------------- whole bad files


def test_missing_file_is_named_without_a_line(negosim, tmp_path):
    missing = tmp_path / "no-such-scenario.yaml"
    line = error_line(negosim("run", missing))
    where(line, missing)
    assert "no such file" in line


@pytest.mark.parametrize("name", ["empty.yaml", "comments_only.yaml"])
def test_empty_file_says_a_scenario_mapping_was_expected(negosim, name):
    line = error_line(negosim("validate", BAD / name))
    where(line, BAD / name)
    assert "empty" in line and "expected a scenario mapping" in line


def test_top_level_list_says_a_mapping_was_expected(negosim):
    line = error_line(negosim("validate", BAD / "top_level_list.yaml"))
    assert str(BAD / "top_level_list.yaml") in line
    assert "expected a mapping at the top level" in line and "list" in line


def test_file_that_is_not_utf8_is_refused(negosim, tmp_path):
    scenario = tmp_path / "latin1.yaml"
    scenario.write_bytes("title: Caf\u00e9\n".encode("latin-1"))
    line = error_line(negosim("validate", scenario))
    where(line, scenario)
    assert "UTF-8" in line


def test_billion_laughs_alias_bomb_fails_fast(negosim):
    started = time.perf_counter()
    line = error_line(negosim("validate", BAD / "billion_laughs.yaml"))
    assert time.perf_counter() - started < 5
    assert str(BAD / "billion_laughs.yaml") in line
    assert "more than" in line and "nodes" in line


def nested(depth: int) -> str:
    return "title: Deep\nnotes: " + "[" * depth + "]" * depth + "\n"


def test_document_nested_a_hundred_levels_deep_is_refused_at_its_line(negosim, tmp_path):
    scenario = tmp_path / "deep.yaml"
    scenario.write_text(nested(100))
    line = error_line(negosim("validate", scenario))
    where(line, scenario, 2)
    assert "nests deeper than" in line


def test_document_nested_a_thousand_levels_deep_fails_fast_with_exit_2(tmp_path):
    scenario = tmp_path / "deeper.yaml"
    scenario.write_text(nested(1000))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sim.cli", "validate", str(scenario)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert time.perf_counter() - started < 10
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "nests deeper than" in result.stderr


@pytest.mark.parametrize(
    "path",
    sorted((REPO / "scenarios").glob("*.yaml")) + sorted((REPO / "seeds").rglob("*.yaml")),
    ids=lambda path: str(path.relative_to(REPO)),
)
def test_libyaml_and_pure_python_loaders_read_shipped_files_alike(path):
    from sim import documents

    text = path.read_text(encoding="utf-8")
    results = [documents._load_yaml(str(path), text, kind)[0] for kind in documents._LOADERS]
    assert all(result == results[0] for result in results)


def test_a_file_libyaml_refuses_gets_pure_python_messages(tmp_path):
    # The fast parser's message for a tab lacks the character; the retry names it.
    from sim.documents import InputError, read_document

    scenario = tmp_path / "tab.yaml"
    scenario.write_text("title: x\nissues:\n\tborder: 1\n")
    with pytest.raises(InputError, match=r"found character '\\t'"):
        read_document(scenario)


# --------------------------------------------------------------------------- JSON scenarios


def ceasefire_as_json() -> str:
    return json.dumps(yaml.safe_load(CEASEFIRE.read_text(encoding="utf-8")), default=str, indent=2)


def test_json_syntax_error_gives_its_line(negosim, tmp_path):
    text = ceasefire_as_json()
    anchor = '"as_of": "2025-06-01",'
    assert text.count(anchor) == 1
    scenario = tmp_path / "broken.json"
    scenario.write_text(text.replace(anchor, anchor + ","))
    line = error_line(negosim("validate", scenario))
    where(line, scenario, line_of(scenario.read_text(), anchor))
    assert "JSON syntax error" in line


def test_json_wrong_type_names_the_field_path(negosim, tmp_path):
    data = json.loads(ceasefire_as_json())
    data["parties"]["north"]["reservation"] = "high"
    scenario = tmp_path / "wrong-type.json"
    scenario.write_text(json.dumps(data, indent=2))
    line = error_line(negosim("validate", scenario))
    where(line, scenario)  # JSON gives no line numbers
    assert " parties.north.reservation: " in line
    assert "expected a valid number" in line


# --------------------------------------------------------------------------- space too large


def test_space_too_large_to_enumerate_names_the_limit(negosim, tmp_path):
    issues = "".join(
        f"  i{k}:\n    kind: ordinal\n    options: [{', '.join(f'o{j}' for j in range(10))}]\n"
        for k in range(10)
    )
    scenario = tmp_path / "huge.yaml"
    scenario.write_text(
        f"title: Ten issues of ten options\nlimits: {{exact_search: false}}\nissues:\n{issues}"
        "parties:\n  a:\n    weights: {i0: 1}\n    values: {i0: increasing}\n"
    )
    line = error_line(negosim("run", scenario, "--json"))
    assert str(scenario) in line
    assert "limits.max_packages" in line
    assert "10,000,000,000" in line


def test_a_space_too_large_to_enumerate_is_searched_exactly_by_default(negosim, tmp_path):
    issues = "".join(
        f"  i{k}:\n    kind: ordinal\n    options: [{', '.join(f'o{j}' for j in range(10))}]\n"
        for k in range(10)
    )
    scenario = tmp_path / "huge.yaml"
    scenario.write_text(
        f"title: Ten issues of ten options\nissues:\n{issues}"
        "parties:\n  a:\n    weights: {i0: 1}\n    values: {i0: increasing}\n"
    )
    code, out, err = negosim("run", scenario, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["method"] == "milp"
    assert data["space"]["size"] == 10**10
    assert data["agreement"]["exists"] is True
    assert data["solutions"]["nash"]["utilities"] == {"a": 1.0}
    assert data["solutions"]["nash"]["package"]["i0"] == "o9"


def test_evaluate_of_a_partial_package_over_the_limit_names_the_limit(negosim, tmp_path):
    scenario = edited(
        CEASEFIRE,
        (
            (
                "as_of: 2025-06-01\n",
                "as_of: 2025-06-01\nlimits: {max_packages: 3, exact_search: false}\n",
            ),
        ),
        tmp_path / "tight.yaml",
    )
    line = error_line(negosim("evaluate", scenario, "--proposal", "framework"))
    assert str(scenario) in line and "limits.max_packages" in line and "limit of 3" in line


# --------------------------------------------------------------------------- evaluate arguments


@pytest.mark.parametrize(
    ("package", "words"),
    [
        pytest.param(
            "border=current_line,sanction=eased",
            ("unknown issue 'sanction'", "closest: 'sanctions'"),
            id="unknown-issue",
        ),
        pytest.param(
            "border=current,sanctions=eased",
            ("issue 'border' has no option 'current'", "closest: 'current_line'"),
            id="unknown-option",
        ),
        pytest.param("border", ("expected issue=option", "'border'"), id="no-equals-sign"),
        pytest.param(
            "border=current_line,border=buffer_zone", ("'border'", "twice"), id="issue-given-twice"
        ),
        pytest.param(",", ("empty",), id="empty-package"),
    ],
)
def test_evaluate_bad_package_names_the_flag_and_the_problem(negosim, package, words):
    line = error_line(negosim("evaluate", CEASEFIRE, "--package", package))
    assert str(CEASEFIRE) in line and "--package" in line
    for word in words:
        assert word in line, (word, line)


def test_evaluate_package_with_text_for_a_continuous_issue_expects_a_number(negosim):
    line = error_line(negosim("evaluate", SPLIT, "--package", "buyer_share=most"))
    assert "--package" in line and "buyer_share" in line and "expected a number" in line


def test_evaluate_package_out_of_range_names_the_issue_and_the_range(negosim):
    line = error_line(negosim("evaluate", SPLIT, "--package", "buyer_share=150"))
    assert "--package" in line and "[0, 100]" in line
    assert "buyer_share" in line


def test_evaluate_unknown_proposal_lists_the_known_ones(negosim):
    line = error_line(negosim("evaluate", CEASEFIRE, "--proposal", "peace_plan"))
    assert str(CEASEFIRE) in line
    assert "unknown proposal 'peace_plan'" in line
    for known in ("north_plan", "south_plan", "mediator_outline", "framework"):
        assert known in line


# --------------------------------------------------------------------------- as real processes


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(
            ["validate", "{tmp}/missing.yaml"],
            ("missing.yaml", "no such file"),
            id="validate-missing",
        ),
        pytest.param(
            ["run", "{bad}/top_level_list.yaml", "--json"],
            ("top_level_list.yaml", "mapping"),
            id="run-not-a-mapping",
        ),
        pytest.param(
            ["evaluate", str(CEASEFIRE), "--package", "borders=x"],
            ("unknown issue 'borders'",),
            id="evaluate-unknown-issue",
        ),
    ],
)
def test_process_exits_2_with_one_stderr_line_and_no_traceback(tmp_path, argv, words):
    argv = [arg.format(tmp=tmp_path, bad=BAD) for arg in argv]
    result = subprocess.run(
        [sys.executable, "-m", "sim.cli", *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]
