"""GENIUS XML import and export: known answers, round trips, bad input, the ANAC domains."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from sim.analysis import analyze, evaluate
from sim.compile import compile_scenario
from sim.documents import InputError
from sim.engine.pareto import pareto_mask
from sim.engine.space import full_space, utilities_of
from sim.interop.genius import (
    GeniusExportError,
    export_genius,
    genius_scenario_data,
    import_genius,
    write_scenario,
)
from sim.io import load_scenario, scenario_from_data

DATA = Path(__file__).resolve().parent / "data" / "genius"
CAR = DATA / "car"
CAR_FILES = (CAR / "car_domain.xml", [CAR / "buyer.xml", CAR / "seller.xml"])
DELIVERY = DATA / "delivery"
DELIVERY_FILES = (
    DELIVERY / "delivery_domain.xml",
    [DELIVERY / f"{party}.xml" for party in ("shop", "client")],
)
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "genius"


def utility_table(scenario):
    """Every party's utility of every package of the (grid) space, in enumeration order."""
    compiled = compile_scenario(scenario)
    space = full_space(compiled)
    return utilities_of(compiled, space.options(np.arange(space.size)))


# --------------------------------------------------------------------------- known answers

BUYER = {
    "Color": {"red": 0.5, "blue": 1.0, "green": 0.25},
    "Price": [1.0, 0.75, 0.5, 0.25, 0.0],
    "Warranty": {"none": 0.0, "1_year": 1.0},
}
SELLER = {
    "Color": {"red": 0.5, "blue": 0.5, "green": 1.0},
    "Price": [0.0, 0.5, 1.0, 1.0, 1.0],  # 0.5 (x - 10), clipped at 1 as GENIUS clips it
    "Warranty": {"none": 1.0, "1_year": 1 / 3},
}


def test_car_fixture_imports_as_written_in_its_comments():
    scenario = import_genius(*CAR_FILES)
    assert scenario.title == "Car"
    assert list(scenario.parties) == ["buyer", "seller"]
    kinds = [issue.kind for issue in scenario.issue_list]
    assert kinds == ["categorical", "continuous", "categorical"]
    assert scenario.issues["Warranty"].option_ids == ("none", "1_year")
    assert scenario.issues["Warranty"].options[1].label == "1 year"
    assert scenario.issues["Price"].range == (10, 14) and scenario.issues["Price"].step == 1
    buyer, seller = scenario.party_list
    # The weight of the nested objective "Extras" is ignored, as GENIUS ignores it.
    assert buyer.weights == {"Color": 0.5, "Price": 0.3, "Warranty": 0.2}
    assert seller.weights == {"Color": 0.2, "Price": 0.6, "Warranty": 0.2}
    assert not buyer.normalize_weights and buyer.role == seller.role == "signatory"
    assert (buyer.reservation, seller.reservation) == (0.3, 0.2)
    assert "discount factor 0.9" in buyer.description
    assert buyer.values["Color"] == BUYER["Color"]
    assert seller.values["Warranty"] == pytest.approx(SELLER["Warranty"])
    assert seller.values["Price"] == ((10, 0.0), (12, 1.0), (14, 1.0))


def test_car_utilities_of_every_package_by_hand():
    table = utility_table(import_genius(*CAR_FILES))
    expected = []
    for party, weights in ((BUYER, (0.5, 0.3, 0.2)), (SELLER, (0.2, 0.6, 0.2))):
        color = np.array(list(party["Color"].values()))[:, None, None]
        price = np.array(party["Price"])[None, :, None]
        warranty = np.array(list(party["Warranty"].values()))[None, None, :]
        total = weights[0] * color + weights[1] * price + weights[2] * warranty
        expected.append(total.reshape(-1))
    np.testing.assert_allclose(table, np.stack(expected, axis=1), rtol=0, atol=1e-12)


def test_car_package_and_nash_known_answer():
    scenario = import_genius(*CAR_FILES)
    verdict = evaluate(scenario, {"Color": "blue", "Price": 12, "Warranty": "1_year"})
    assert verdict.utilities["buyer"] == pytest.approx(0.5 + 0.3 * 0.5 + 0.2)
    assert verdict.utilities["seller"] == pytest.approx(0.2 * 0.5 + 0.6 + 0.2 / 3)
    nash = analyze(scenario).solutions["nash"]
    assert nash.package == {"Color": "blue", "Price": 12.0, "Warranty": "1_year"}


def test_parties_follow_the_order_of_the_profiles():
    domain, profiles = CAR_FILES
    assert list(import_genius(domain, profiles[::-1]).parties) == ["seller", "buyer"]


def test_real_issues_become_exact_piecewise_linear_curves():
    scenario = import_genius(*DELIVERY_FILES)
    days = scenario.issues["Days"]
    assert days.kind == "continuous" and days.range == (0, 10) and days.step == pytest.approx(0.1)
    shop, client = scenario.party_list
    # 1.2 - 0.2 x clipped to [0, 1]: flat to x = 1, zero from x = 6.
    assert shop.values["Days"] == ((0, 1.0), (1, pytest.approx(1.0)), (6, 0.0), (10, 0.0))
    assert client.values["Days"] == ((0, 0.0), (2, 0.0), (4, 1.0), (8, 0.0), (10, 0.0))
    assert client.reservation == 0.1
    # A label that starts with '$' is kept readable and is not taken for a parameter.
    assert scenario.issues["Courier"].option_ids == ("express", "post")
    assert scenario.issues["Courier"].options[0].label.strip() == "$express"
    assert shop.values["Courier"] == pytest.approx({"express": 1 / 3, "post": 1.0})
    assert scenario.title == "delivery_domain"


def test_old_integer_evaluators_and_range_children(tmp_path):
    bounds = 'lowerbound="10" upperbound="14"'
    domain = edited(tmp_path, CAR / "car_domain.xml", f"{bounds}/>", f"><range {bounds}/></issue>")
    linear = 'parameter0="3.5" parameter1="-0.25"'
    buyer = edited(tmp_path, CAR / "buyer.xml", 'offset="1" slope="-0.25"', linear)
    scenario = import_genius(domain, [buyer])
    # parameter0 + parameter1 * x, with no lower bound subtracted: 1 at 10, 0 at 14.
    assert scenario.parties["buyer"].values["Price"] == ((10, 1.0), (14, 0.0))


# --------------------------------------------------------------------------- round trips


def round_trip(scenario, directory):
    paths = export_genius(scenario, directory)
    return import_genius(paths[0], paths[1:]), paths


def test_round_trip_preserves_every_utility(tmp_path):
    first = import_genius(*CAR_FILES)
    second, paths = round_trip(first, tmp_path)
    assert [path.name for path in paths] == ["domain.xml", "buyer.xml", "seller.xml"]
    assert list(second.parties) == list(first.parties)
    assert second.issues == first.issues and second.title == first.title
    assert [p.reservation for p in second.party_list] == [p.reservation for p in first.party_list]
    np.testing.assert_allclose(utility_table(second), utility_table(first), rtol=0, atol=1e-12)
    exported = ElementTree.parse(tmp_path / "seller.xml").getroot()
    price = next(issue for issue in exported.iter("issue") if issue.get("name") == "Price")
    assert price.find("evaluator").attrib == {"ftype": "linear", "offset": "0.0", "slope": "0.5"}


def test_round_trip_of_a_native_scenario(tmp_path):
    """Ordinal, boolean and integer issues, normalized weights, values whose best is below 1."""
    data = {
        "title": "Native",
        "issues": {
            "troops": {"kind": "continuous", "range": [0, 6], "step": 1},
            "stage": {"kind": "ordinal", "options": ["none", "partial", "full"]},
            "monitors": {"kind": "boolean"},
        },
        "parties": {
            "a": {
                "weights": {"troops": 2, "stage": 1, "monitors": 1},
                "values": {
                    "troops": [[0, 0.9], [4, 0.1], [5, 0.0], [6, 0.0]],  # 0.9 - 0.2 x, clipped
                    "stage": "increasing",
                    "monitors": {"false": 0.2, "true": 0.6},
                },
                "reservation": 0.25,
            },
            "b": {
                "weights": {"troops": 0.5, "stage": 0.4},
                "normalize_weights": False,
                "values": {"troops": [[0, 0.0], [2, 1.0], [6, 1.0]], "stage": "decreasing"},
            },
        },
    }
    first = scenario_from_data(data)
    second, _ = round_trip(first, tmp_path)
    np.testing.assert_allclose(utility_table(second), utility_table(first), rtol=0, atol=1e-12)
    assert second.parties["a"].reservation == 0.25


def test_written_scenario_loads_back_with_the_same_utilities(tmp_path):
    data = genius_scenario_data(*DELIVERY_FILES)
    first = scenario_from_data(data)
    for name in ("delivery.yaml", "delivery.json"):
        second = load_scenario(write_scenario(data, tmp_path / name))
        assert second.issues == first.issues
        np.testing.assert_array_equal(utility_table(second), utility_table(first))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"constraints": [{"id": "c", "rule": "stage != none"}]}, "constraints"),
        ({"red_lines": [{"id": "r", "rule": "stage != none"}]}, "red lines"),
        ({"issues": {"troops": {"kind": "continuous", "range": [0, 1], "step": 0.5}}}, "step 1"),
        ({"curve": [[0, 0.0], [0.5, 1.0], [1, 0.0]]}, "breakpoints must be integers"),
        ({"curve": [[0, 0.0], [1, 1.0], [2, 0.0]]}, "clipped linear"),
    ],
)
def test_export_refuses_what_genius_cannot_express(tmp_path, change, message):
    data = {
        "title": "T",
        "issues": {
            "stage": {"kind": "ordinal", "options": ["none", "full"]},
            "troops": {"kind": "continuous", "range": [0, 2], "step": 1},
        },
        "parties": {"a": {"weights": {"stage": 1}, "values": {"stage": "increasing"}}},
    }
    if "constraints" in change:
        data["constraints"] = change["constraints"]
    if "red_lines" in change:
        data["parties"]["a"]["red_lines"] = change["red_lines"]
    if "issues" in change:
        data["issues"].update(change["issues"])
    if "curve" in change:
        data["parties"]["a"]["weights"]["troops"] = 1
        data["parties"]["a"]["values"]["troops"] = change["curve"]
    with pytest.raises(GeniusExportError, match=message):
        export_genius(scenario_from_data(data), tmp_path)


def test_real_issues_are_not_exported(tmp_path):
    with pytest.raises(GeniusExportError, match="integer bounds and step 1"):
        export_genius(import_genius(*DELIVERY_FILES), tmp_path)


# --------------------------------------------------------------------------- bad input

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<utility_space><objective name="&lol2;"/></utility_space>
"""


def edited(tmp_path, source, old, new, name=None):
    text = source.read_text()
    assert old in text
    target = tmp_path / (name or source.name)
    target.write_text(text.replace(old, new))
    return target


@pytest.mark.parametrize(
    ("which", "old", "new", "message", "line"),
    [
        ("buyer", "</issue>\n    <objective", "<objective", "malformed XML: mismatched tag", 24),
        ("buyer", '<weight index="2" value="0.3"/>', "", "no weight for issue 'Price'", None),
        ("buyer", '<weight index="1"', '<weight index="9"', "names no issue of the domain", 22),
        ("buyer", 'value="0.5"/>', 'value="half"/>', "value='half' is not a number", 22),
        ("buyer", 'value="green" evaluation', 'value="pink" evaluation', "no value 'pink'", 9),
        ("buyer", 'value="green" evaluation="1"', 'value="green"', "has no 'evaluation'", 9),
        ("buyer", 'evaluation="1"/>', 'evaluation="-1"/>', "negative evaluation", 9),
        ("buyer", 'index="4" etype="d', 'index="7" etype="d', "index 7 is not in", 16),
        ("buyer", '<reservation value="0.3"/>', '<reservation value="3"/>', "not in [0, 1]", 26),
        ("buyer", "<utility_space>", "<profile>", "expected <utility_space>", 4),
        ("buyer", 'ftype="linear"', 'ftype="faratin"', "'faratin' is not supported", 13),
        ("domain", 'type="integer"', 'type="timestamp"', "expected discrete, integer or real", 12),
        ("domain", '<item index="2" value="1 year"/>', "", "fewer than two values", 15),
        ("domain", 'value="blue"', 'value="red"', "'red' is listed twice", 9),
        ("domain", "<negotiation_template>", "<domain>", "expected <negotiation_template>", 4),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path, which, old, new, message, line):
    domain, (buyer, _) = CAR_FILES
    if which == "domain":
        domain = edited(tmp_path, domain, old, new)
        closing = {"<negotiation_template>": ("</negotiation_template>", "</domain>")}.get(old)
        if closing:
            edited(tmp_path, domain, *closing)
    else:
        buyer = edited(tmp_path, buyer, old, new)
        if old == "<utility_space>":
            edited(tmp_path, buyer, "</utility_space>", "</profile>")
    with pytest.raises(InputError) as caught:
        genius_scenario_data(domain, [buyer])
    error = caught.value
    assert message in error.message
    assert error.file == str(domain if which == "domain" else buyer)
    assert error.line == line
    assert "\n" not in str(error)


def test_entity_declarations_are_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(BILLION_LAUGHS)
    with pytest.raises(InputError, match="declarations are not allowed") as caught:
        genius_scenario_data(CAR_FILES[0], [bomb])
    assert caught.value.line == 2
    # The parser refuses them too, in encodings the text check cannot read.
    wide = BILLION_LAUGHS.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>')
    bomb.write_bytes(wide.encode("utf-16"))
    with pytest.raises(InputError, match="declarations are not allowed"):
        genius_scenario_data(CAR_FILES[0], [bomb])


def test_size_limit_missing_and_empty_files(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="no such file"):
        genius_scenario_data(tmp_path / "absent.xml", CAR_FILES[1])
    (tmp_path / "empty.xml").write_text("  \n")
    with pytest.raises(InputError, match="file is empty"):
        genius_scenario_data(tmp_path / "empty.xml", CAR_FILES[1])
    with pytest.raises(InputError, match="at least one profile"):
        genius_scenario_data(CAR_FILES[0], [])
    import sim.documents

    monkeypatch.setattr(sim.documents, "MAX_BYTES", 100)
    with pytest.raises(InputError, match="the limit is 100"):
        genius_scenario_data(*CAR_FILES)


# --------------------------------------------------------------------------- command line


def test_cli_writes_a_scenario_that_runs(tmp_path, negosim):
    output = tmp_path / "car.yaml"
    result = negosim("import-genius", CAR_FILES[0], *CAR_FILES[1], "-o", output)
    assert result.status == 0, result.err
    assert result.out == f"{output}: 3 issues, 2 parties (buyer, seller)\n"
    assert list(load_scenario(output).parties) == ["buyer", "seller"]
    run = negosim("run", output, "--json")
    assert run.status == 0 and '"Warranty": "1_year"' in run.out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nothing.xml", "buyer.xml"], "nothing.xml: no such file"),
        ([CAR_FILES[0], CAR_FILES[0]], "no weight for issue 'Color'"),
        ([CAR_FILES[0], *CAR_FILES[1]], "must end in .yaml"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(tmp_path, negosim, arguments, message):
    output = tmp_path / ("out.txt" if message.startswith("must") else "out.yaml")
    result = negosim("import-genius", *arguments, "-o", output)
    assert result.status == 2
    assert message in result.err and result.err.count("\n") == 1
    assert not output.exists()


def test_cli_needs_an_output(negosim):
    result = negosim("import-genius", CAR_FILES[0], *CAR_FILES[1])
    assert result.status == 2 and "-o" in result.err


# --------------------------------------------------------------------------- ANAC domains

# Folder, domain file, packages, frontier packages, Nash utilities (profiles sorted by name),
# from ../shared/genius/README.md. Energy: the README's 211 frontier packages (210 points)
# come from summing utilities in floating point, where ties such as 0.03 * 3/4 + ... against
# another sum of the same value differ in the last bit and both packages survive; in exact
# arithmetic the frontier has 205 packages (204 points), see the test below. The engine
# compares utilities rounded to 12 decimals, so it finds the exact frontier.
ANAC = [
    ("Laptop", "laptop_domain.xml", 27, 4, (1.000052, 0.815105)),
    ("ItexvsCypress", "ItexvsCypress_domain.xml", 180, 18, (0.670478, 0.721478)),
    ("EnglandZimbabwe", "EnglandZimbabwe_domain.xml", 576, 25, (0.910916, 0.733218)),
    ("Camera", "camera_domain.xml", 3600, 16, (0.815413, 0.880800)),
    ("Travel", "travel_domain.xml", 188_160, 12, (0.882412, 0.802015)),
    ("Energy", "energy_domain.xml", 390_625, 205, (0.625000, 0.754286)),
    ("group2-politics", "Politics.xml", 23_040, 124, (0.669541, 0.755254, 0.786167)),
    ("parsCat", "domain.xml", 390_625, 757, (0.470039, 0.796397, 0.774330)),
]


def anac_files(folder, domain_name):
    if not SHARED.is_dir():
        pytest.skip("the shared GENIUS domains (../shared/genius) are not present")
    domain = SHARED / folder / domain_name
    return domain, sorted(path for path in (SHARED / folder).glob("*.xml") if path != domain)


@pytest.mark.parametrize(("folder", "domain_name", "packages", "frontier", "nash"), ANAC)
def test_anac_domain_frontier_and_nash(folder, domain_name, packages, frontier, nash):
    scenario = import_genius(*anac_files(folder, domain_name))
    analysis = analyze(scenario)
    assert analysis.space_size == analysis.agreement_count == packages
    assert analysis.pareto_count == frontier
    utilities = analysis.solutions["nash"].utilities
    assert list(utilities.values()) == pytest.approx(nash, abs=1e-6)


@pytest.mark.parametrize(("folder", "domain_name"), [(row[0], row[1]) for row in ANAC])
def test_anac_round_trip_preserves_every_utility(tmp_path, folder, domain_name):
    first = import_genius(*anac_files(folder, domain_name))
    second, _ = round_trip(first, tmp_path)
    assert second.issues == first.issues  # ids, labels ('$4.37' too) and option order survive
    assert list(second.parties) == list(first.parties)
    np.testing.assert_allclose(utility_table(second), utility_table(first), rtol=0, atol=1e-12)


def test_energy_frontier_in_exact_arithmetic():
    """205 packages (204 points) exactly; 211 (210) with float sums, as in the README."""
    domain, profiles = anac_files("Energy", "energy_domain.xml")
    exact = []
    for profile in profiles:
        root = ElementTree.parse(profile).getroot()
        weights = {w.get("index"): Fraction(w.get("value")) for w in root.iter("weight")}
        tables = []
        for issue in root.iter("issue"):
            evaluations = [Fraction(item.get("evaluation")) for item in issue.iter("item")]
            tables.append([weights[issue.get("index")] * e / max(evaluations) for e in evaluations])
        exact.append(tables)
    scale = math.lcm(*(v.denominator for tables in exact for row in tables for v in row))
    grid = np.indices([len(row) for row in exact[0]]).reshape(len(exact[0]), -1)
    integers = np.stack(
        [
            sum(np.array([int(v * scale) for v in row])[grid[k]] for k, row in enumerate(tables))
            for tables in exact
        ],
        axis=1,
    )
    on_frontier = pareto_mask(integers.astype(float))  # exact: integers below 2**53
    assert on_frontier.sum() == 205 and len(np.unique(integers[on_frontier], axis=0)) == 204
    floats = utility_table(import_genius(domain, profiles))
    assert np.array_equal(np.round(floats * scale), integers)
    raw = pareto_mask(floats)
    assert raw.sum() == 211 and len(np.unique(floats[raw], axis=0)) == 210
