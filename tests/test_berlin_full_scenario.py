"""The full Berlin scenario (every issue of the fact sheet) agrees with the public record.

``scenarios/berlin-2025-12-full.yaml`` extends the flagship scenario to all 24 issues of
the fact sheet that have two or more options (about 3.2 x 10^12 packages). These tests
check that it loads, that the engine answers it by exact search where enumeration cannot
go, that every documented reaction holds (the flagship's table plus the reactions the new
issues bring in), that no agreement is claimed, that every rejection of the flagship is
kept, and that every red line, proposal, judgement number and evidence record is cited.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

import sim
from sim.compile import compile_scenario, package_options
from sim.engine.blocking import blocking_space
from sim.engine.milp import exact_solution
from sim.engine.space import full_space
from sim.evidence import record_files, uncited_records
from tests.test_berlin_scenario import DOCUMENTED_REACTIONS as FLAGSHIP_REACTIONS

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "berlin-2025-12-full.yaml"
FLAGSHIP = ROOT / "scenarios" / "berlin-2025-12.yaml"
FULL_SEEDS = ROOT / "seeds" / "full"
FACT_SHEET = ROOT.parent / "shared" / "facts" / "positions.yaml"
AS_OF = "2025-12-17"
LAST_PROPOSAL_DATE = "2025-12-15"
ACCEPTING = {"accept", "accept_some_completion"}

# (proposal, party, verdict on record, evidence id, red line the record points to or None):
# the flagship's table, unchanged, then the reactions on issues only this scenario has.
# fmt: off
DOCUMENTED_REACTIONS = FLAGSHIP_REACTIONS + [
    # --- reactions on the issues only the full scenario has ------------------------------
    # McGrath: wiping out Russia's crimes would be a historic mistake (the 28-point amnesty).
    ("us_28_point_plan", "european_coalition", "reject",
     "ev_eu_mcgrath_amnesty_historic_error_2025_12_01", "eu_no_blanket_amnesty"),
    # Tusk: parts of the US plan cannot be accepted; no peace that strengthens the aggressor.
    ("us_28_point_plan", "poland", "reject",
     "ev_pl_tusk_no_gains_for_the_aggressor_2025_11_24", None),
    # Orban welcomed the 28 points; his foreign minister urged Europe to back them.
    ("us_28_point_plan", "hungary", "accept",
     "ev_hu_orban_welcomes_28_points_2025_11_21", None),
]
# fmt: on

# Texts known only in fragments: the known terms decide no verdict of Moscow or Kyiv that
# would be an acceptance. The Anchorage understandings join the flagship's two.
FRAGMENTARY = {"geneva_19_points", "us_27_point_framework", "anchorage_understandings"}

# Choices the fact sheet does not spell out for a text, taken from the evidence record named
# (which the proposal cites): the text's wording covers the issue without naming the option.
INFERRED_CHOICES = {
    ("europe_ukraine_london_counter", "territory_south"): "ev_eu_london_counter_2025_04_25",
    (
        "europe_ukraine_london_counter",
        "territory_other_occupied",
    ): "ev_eu_london_plant_dam_and_kinburn_2025_04_25",
    ("european_24_point_text", "territory_south"): "ev_eu_24_point_text_2025_11_23",
    (
        "us_28_point_plan",
        "reconstruction_economy",
    ): "ev_us_28_points_domestic_and_economic_terms_2025_11_20",
    ("us_donbas_fez_idea", "znpp"): "ev_ua_znpp_us_joint_running_idea_2025_12_11",
}


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def analysis(scenario):
    return sim.analyze(scenario)


@pytest.fixture(scope="module")
def flagship_analysis():
    return sim.analyze(sim.load_scenario(FLAGSHIP))


@pytest.fixture(scope="module")
def fact_sheet():
    if not FACT_SHEET.exists():
        pytest.skip(f"fact sheet not found at {FACT_SHEET}")
    with FACT_SHEET.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# --------------------------------------------------------------------------- loading


def test_loads_with_every_fact_sheet_issue_and_the_flagship_parties(scenario, fact_sheet):
    sheet_issues = {issue["id"] for issue in fact_sheet["issues"]}
    assert set(scenario.issues) == sheet_issues
    flagship = sim.load_scenario(FLAGSHIP)
    assert set(flagship.parties) < set(scenario.parties)
    assert set(flagship.issues) < set(scenario.issues)
    for party in flagship.party_list:
        assert scenario.parties[party.id].role == party.role
    assert scenario.parties["hungary"].role == "observer"


def test_keeps_the_flagships_red_lines_and_numbers(scenario):
    """Built on the flagship: its red lines, values and reservations are all still there."""
    flagship = sim.load_scenario(FLAGSHIP)
    for party in flagship.party_list:
        full = scenario.parties[party.id]
        assert {(r.id, r.rule) for r in party.red_lines} <= {(r.id, r.rule) for r in full.red_lines}
        assert full.reservation == party.reservation
        assert full.power == party.power
        for issue, weight in party.weights.items():
            assert full.weights[issue] == weight, (party.id, issue)
            assert full.values[issue] == party.values[issue], (party.id, issue)


def test_as_of_date(scenario):
    assert scenario.as_of == dt.date(2025, 12, 17)


# --------------------------------------------------------------------------- exact path


def test_space_is_beyond_enumeration(analysis, scenario):
    assert analysis.space_size > 10**12
    assert analysis.space_size > scenario.limits.max_packages
    assert scenario.limits.exact_search


def test_analyze_takes_the_exact_path(analysis, scenario):
    """Everything the enumeration cannot reach is answered by exact search.

    The region question itself is settled before any search: options that single-issue
    red lines rule out empty the space (as in the flagship), and the engine only switches
    to exact search when the space left after that pruning exceeds the limit. Every
    proposal whose completions exceed the limit (``limits.max_completions``) is judged by
    exact search.
    """
    assert analysis.method == "milp" or analysis.pruned_size == 0
    compiled = compile_scenario(scenario)
    by_search = set()
    for proposal in scenario.proposals.values():
        completions = full_space(compiled, package_options(compiled, proposal.choices)).size
        evaluation = analysis.proposals[proposal.id]
        assert evaluation.completions == completions
        limit = min(scenario.limits.max_packages, scenario.limits.max_completions)
        if completions > limit:
            assert not evaluation.counts_exact, proposal.id
            by_search.add(proposal.id)
        else:
            assert evaluation.counts_exact, proposal.id
    assert {"berlin_statement_and_us_offer", "us_27_point_framework"} <= by_search


def test_exact_search_over_the_whole_space_finds_no_agreement(scenario, analysis):
    """The MILP with every red line as a constraint, on the unpruned space, is infeasible."""
    compiled = compile_scenario(scenario)
    space = blocking_space(compiled)
    assert space.size == analysis.space_size
    assert exact_solution(compiled, space, "feasible") is None
    assert exact_solution(compiled, space, "nash") is None


def test_explain_takes_the_exact_path_and_names_the_flagship_conflicts(scenario):
    blocking = sim.explain(scenario)
    assert blocking.method == "milp"
    assert blocking.agreement_count == 0
    conflicts = {frozenset(group) for group in blocking.conflicts}
    for pair in (
        {"ru_donbas_full_withdrawal", "ua_zone_only_if_mirrored"},
        {"ru_recognition_of_gains", "ua_no_recognition_of_donbas"},
        {"ru_recognition_of_gains", "eu_no_recognition_of_conquest"},
    ):
        assert frozenset(pair) in conflicts
    smallest = min(len(r.constraints) for r in blocking.relaxations)
    assert smallest == 2


# --------------------------------------------------------------------------- the record


def _reaction_id(row):
    proposal, party, verdict, evidence, red_line = row
    return f"{proposal}-{party}-{red_line or verdict}-{evidence[-10:]}"


@pytest.mark.parametrize(
    ("proposal", "party", "verdict", "evidence_id", "red_line"),
    DOCUMENTED_REACTIONS,
    ids=[_reaction_id(row) for row in DOCUMENTED_REACTIONS],
)
def test_documented_reaction(scenario, analysis, proposal, party, verdict, evidence_id, red_line):
    assert evidence_id in scenario.evidence_by_id(), f"unknown evidence {evidence_id}"
    evaluation = analysis.proposals[proposal]
    assert evaluation.verdicts[party] == verdict, (
        f"{party} on {proposal}: record says {verdict} ({evidence_id}), "
        f"model says {evaluation.verdicts[party]}"
    )
    if red_line is not None:
        assert red_line in evaluation.broken_red_lines[party]
        rules = {rule.id: rule for rule in scenario.parties[party].red_lines}
        assert rules[red_line].evidence, f"red line {red_line} cites no evidence"


def test_documented_rejections_cover_the_berlin_objectors(analysis):
    """Moscow, Warsaw and Rome all turned the Berlin force down; Kyiv did not."""
    verdicts = analysis.proposals["berlin_statement_and_us_offer"].verdicts
    assert [p for p, v in verdicts.items() if v == "reject"] == ["russia", "poland", "italy"]


def test_every_flagship_rejection_is_kept(analysis, flagship_analysis):
    """More issues and red lines can add reasons to reject, never remove one."""
    for proposal, flagship in flagship_analysis.proposals.items():
        full = analysis.proposals[proposal]
        for party, verdict in flagship.verdicts.items():
            if verdict == "reject":
                assert full.verdicts[party] == "reject", (proposal, party)
                assert set(flagship.broken_red_lines[party]) <= set(full.broken_red_lines[party]), (
                    proposal,
                    party,
                )


def test_no_proposal_is_accepted_by_both_moscow_and_kyiv(analysis):
    for proposal, evaluation in analysis.proposals.items():
        verdicts = evaluation.verdicts
        both = verdicts["russia"] in ACCEPTING and verdicts["ukraine"] in ACCEPTING
        assert not both, (proposal, verdicts)
        assert evaluation.agreement_completions == 0, proposal


@pytest.mark.parametrize("proposal", sorted(FRAGMENTARY))
def test_texts_known_only_in_fragments_are_not_judged_as_acceptable(analysis, scenario, proposal):
    assert scenario.proposals[proposal].fragmentary
    verdicts = analysis.proposals[proposal].verdicts
    assert verdicts["russia"] in ("undetermined", "reject")
    assert verdicts["ukraine"] in ("undetermined", "reject")
    assert "accept_some_completion" not in verdicts.values()


def test_no_agreement_region_as_of_the_record(analysis):
    """No settlement existed on 17 December 2025; the model must not find one."""
    assert analysis.agreement_count == 0
    assert not analysis.agreement_exists
    assert analysis.solutions["nash"] is None


# --------------------------------------------------------------------------- evidence


def test_every_red_line_and_proposal_cites_evidence(scenario):
    for party in scenario.party_list:
        for red_line in party.red_lines:
            assert red_line.evidence, f"{party.id}.{red_line.id}"
            assert f"red_lines.{red_line.id}" in party.rationale, f"{party.id}.{red_line.id}"
    for proposal in scenario.proposals.values():
        assert proposal.evidence, proposal.id
    for issue in scenario.issue_list:
        assert issue.evidence, issue.id


def test_every_judgement_number_has_a_cited_rationale(scenario):
    for party in scenario.party_list:
        expected = {"reservation", "power"}
        expected |= {f"weights.{issue}" for issue in party.weights}
        expected |= {f"values.{issue}" for issue in party.values}
        missing = expected - set(party.rationale)
        assert not missing, f"{party.id}: no rationale for {sorted(missing)}"
        for key, rationale in party.rationale.items():
            assert rationale.text.strip(), f"{party.id}.rationale.{key}"
            assert rationale.evidence, f"{party.id}.rationale.{key}"


def test_every_evidence_record_is_cited(scenario):
    assert uncited_records(scenario) == []


def test_every_record_in_seeds_full_is_cited_here_and_unseen_by_the_flagship(scenario):
    files = record_files(["."], FULL_SEEDS, str(SCENARIO))
    assert files
    ids = set()
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        ids |= {record["id"] for record in data["records"]}
    cited = {record.id for record in scenario.evidence} - set(uncited_records(scenario))
    assert ids <= cited
    flagship = sim.load_scenario(FLAGSHIP)
    assert not ids & set(flagship.evidence_by_id())


def test_evidence_predates_the_as_of_date(scenario):
    for record in scenario.evidence:
        assert str(record.date)[:10] <= AS_OF, record.id
        assert len(record.quote) <= 300, record.id


def test_new_records_carry_sources_from_the_fact_sheet(scenario):
    sheet = FACT_SHEET.read_text(encoding="utf-8") if FACT_SHEET.exists() else None
    if sheet is None:
        pytest.skip("fact sheet not found")
    flagship = set(sim.load_scenario(FLAGSHIP).evidence_by_id())
    for record in scenario.evidence:
        if record.id not in flagship:
            assert record.source.url and record.source.url in sheet, record.id


# --------------------------------------------------------------------------- fact sheet


def test_issue_and_option_ids_come_from_the_fact_sheet(scenario, fact_sheet):
    sheet = {issue["id"]: {o["id"] for o in issue["options"]} for issue in fact_sheet["issues"]}
    for issue in scenario.issue_list:
        assert issue.id in sheet, issue.id
        assert set(issue.option_ids) <= sheet[issue.id], issue.id


def test_every_tabled_proposal_up_to_berlin_is_modelled(scenario, fact_sheet):
    tabled = {
        proposal["id"]
        for proposal in fact_sheet["proposals"]
        if str(proposal["date"])[:10] <= LAST_PROPOSAL_DATE
    }
    assert set(scenario.proposals) == tabled


def _words(text):
    return set(re.findall(r"[A-Za-z0-9_]+", str(text)))


def test_proposal_choices_follow_the_fact_sheet(scenario, fact_sheet):
    """Each fixed term is the option the fact sheet names for that text, or an inference
    from a cited record; each option the fact sheet names first for a modelled issue is
    fixed, unless the text names several options at once."""
    sheet = {proposal["id"]: proposal["choices"] for proposal in fact_sheet["proposals"]}
    for proposal in scenario.proposals.values():
        named = sheet[proposal.id]
        for issue_id, choice in proposal.choices.items():
            key = (proposal.id, issue_id)
            if key in INFERRED_CHOICES:
                assert INFERRED_CHOICES[key] in proposal.evidence, key
                continue
            assert issue_id in named, key
            assert str(choice) in _words(named[issue_id]), (key, choice, named[issue_id])
        for issue_id, text in named.items():
            issue = scenario.issues.get(issue_id)
            if issue is None:
                continue
            first = re.match(r"'?([A-Za-z0-9_]+)", str(text))
            if first and first.group(1) in issue.option_ids and issue_id not in proposal.choices:
                # Left open only where the fact sheet itself names more than one option.
                options = _words(text) & set(issue.option_ids)
                assert len(options) > 1, (proposal.id, issue_id, text)
