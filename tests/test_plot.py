"""Figures: each renders headless, says what it should, and draws exactly the computed data.

Most checks use the ceasefire teaching scenario (18 packages: the region map over border
and sanctions has one agreement in each of two cells, South's red lines close the 'full
withdrawal' column, the Guarantor's close the 'lifted' row, and the two remaining cells of
the buffer-zone column are closed only by North's and South's demands together) and a
variant of it without agreement. One flagship region map checks the no-agreement case on
real data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from matplotlib.collections import LineCollection, QuadMesh
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import sim
from sim import plot
from sim.diagnosis import explain
from sim.io import scenario_from_data
from sim.maps import region_map, utility_space
from sim.plot.style import PARTY_COLORS
from sim.protocols import simulate, simulate_many
from sim.sweeps import sweep

ROOT = Path(__file__).resolve().parent.parent
CEASEFIRE = ROOT / "scenarios" / "teaching-ceasefire.yaml"
BERLIN = ROOT / "scenarios" / "berlin-2025-12.yaml"
NORTH, SOUTH, GUARANTOR = PARTY_COLORS[:3]


@pytest.fixture(scope="module")
def ceasefire():
    return sim.load_scenario(CEASEFIRE)


@pytest.fixture(scope="module")
def deadlock():
    """The ceasefire with North also demanding the whole zone: South refuses, no agreement."""
    data = yaml.safe_load(CEASEFIRE.read_text())
    data["parties"]["north"]["red_lines"].append(
        {
            "id": "north_whole_zone",
            "rule": "border == full_withdrawal",
            "description": "North wants the whole disputed zone",
        }
    )
    return scenario_from_data(data, "deadlock")


@pytest.fixture(scope="module")
def cells(ceasefire):
    return region_map(ceasefire, "border", "sanctions")


@pytest.fixture(scope="module")
def space(ceasefire):
    return utility_space(ceasefire)


@pytest.fixture(scope="module")
def plane(ceasefire):
    return sweep(
        ceasefire,
        {"parties.north.reservation": (0.0, 0.5, 6), "parties.south.reservation": (0.2, 0.8, 7)},
        quiet=True,
    )


@pytest.fixture(scope="module")
def line(ceasefire):
    return sweep(ceasefire, {"parties.north.reservation": (0.0, 0.5, 11)}, quiet=True)


@pytest.fixture(scope="module")
def indices(ceasefire):
    return sweep(
        ceasefire,
        {"parties.north.reservation": (0.0, 0.5), "parties.south.reservation": (0.2, 0.8)},
        design="sobol_indices",
        n=32,
        quiet=True,
    )


def legend_texts(legend):
    return [text.get_text() for text in legend.get_texts()]


def flat(text):
    return " ".join(text.split())


def all_texts(figure):
    return [flat(t.get_text()) for ax in figure.axes for t in ax.texts]


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize(
    "name",
    [
        "region",
        "region_nash",
        "utility",
        "utility_three",
        "plane",
        "plane_sampled",
        "line",
        "sensitivity",
        "trace",
        "trace_mediator",
        "simulations",
        "blocking",
        "blocking_deadlock",
    ],
)
def test_every_figure_renders_to_png(
    name, tmp_path, ceasefire, deadlock, cells, space, plane, line, indices
):
    glossary = sim.analyze(ceasefire).glossary
    make = {
        "region": lambda: plot.region_map_figure(cells),
        "region_nash": lambda: plot.region_map_figure(cells, color="nash"),
        "utility": lambda: plot.utility_space_figure(space),
        "utility_three": lambda: plot.utility_space_figure(space, ("north", "south", "guarantor")),
        "plane": lambda: plot.parameter_plane_figure(
            plane, "parties.north.reservation", "parties.south.reservation", glossary
        ),
        "plane_sampled": lambda: plot.parameter_plane_figure(
            sweep(
                ceasefire,
                {"parties.north.reservation": (0.0, 0.5), "parties.south.reservation": (0.2, 0.8)},
                design="lhs",
                n=30,
                quiet=True,
            ),
            "parties.north.reservation",
            "parties.south.reservation",
            glossary,
        ),
        "line": lambda: plot.parameter_line_figure(line, glossary=glossary),
        "sensitivity": lambda: plot.sensitivity_figure(indices, glossary=glossary),
        "trace": lambda: plot.trace_figure(simulate(ceasefire, seed=1)),
        "trace_mediator": lambda: plot.trace_figure(simulate(ceasefire, "mediator", seed=1)),
        "simulations": lambda: plot.simulation_figure(simulate_many(ceasefire, runs=40, seed=1)),
        "blocking": lambda: plot.blocking_figure(explain(ceasefire)),
        "blocking_deadlock": lambda: plot.blocking_figure(explain(deadlock)),
    }[name]
    figure = make()
    assert isinstance(figure, Figure)
    path = tmp_path / f"{name}.png"
    figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000


def test_a_given_axes_is_drawn_on_and_a_multi_panel_figure_divides_its_slot(cells, ceasefire):
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert plot.region_map_figure(cells, ax=left) is figure
    assert left.images and not right.images
    assert plot.blocking_figure(explain(ceasefire), ax=right) is figure
    assert right not in figure.axes  # replaced by the blocking chart's panels
    assert len(figure.axes) > 2


def test_importing_the_plot_module_loads_no_matplotlib():
    import subprocess
    import sys

    code = "import sys, sim.plot; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# --------------------------------------------------------------------------- region map


def test_region_map_image_is_the_computed_agreement_counts(cells):
    figure = plot.region_map_figure(cells)
    image = figure.axes[0].images[0]
    agreements = np.array(cells.agreements)
    np.testing.assert_array_equal(np.ma.getdata(image.get_array()), agreements)
    np.testing.assert_array_equal(np.ma.getmaskarray(image.get_array()), agreements == 0)
    assert agreements.tolist() == [[1, 0, 0], [1, 0, 0], [0, 0, 0]]


def test_region_map_nash_image_is_the_computed_best_nash(cells):
    image = plot.region_map_figure(cells, color="nash").axes[0].images[0]
    best = image.get_array()
    for row, values in enumerate(cells.best_nash):
        for col, value in enumerate(values):
            assert bool(np.ma.getmaskarray(best)[row, col]) is (value is None)
            if value is not None:
                assert best[row, col] == pytest.approx(value)
    # Only 'current line, sanctions eased' has a positive Nash product (0.15 * 0.325).
    assert np.exp(best[1, 0]) == pytest.approx(0.15 * 0.325)


def test_region_map_labels_options_in_order_and_names_issues_and_scenario(cells):
    ax = plot.region_map_figure(cells).axes[0]
    g = cells.glossary
    assert [flat(t.get_text()) for t in ax.get_xticklabels()] == [
        g.options["border"][o] for o in cells.x_options
    ]
    assert [flat(t.get_text()) for t in ax.get_yticklabels()] == [
        g.options["sanctions"][o] for o in cells.y_options
    ]
    assert ax.get_xlabel() == "Border"
    assert ax.get_ylabel() == "Sanctions on North"
    title = flat(ax.get_title(loc="left"))
    assert cells.title in title
    assert "Sanctions on North \u00d7 Border" in title


def test_region_map_legend_names_whose_red_lines_close_cells(cells):
    legend = plot.region_map_figure(cells).axes[0].get_legend()
    assert legend.get_title().get_text() == "Cell closed by (any one suffices)"
    assert [flat(t) for t in legend_texts(legend)] == [
        "No package acceptable to all",
        "South's red lines",
        "Guarantor coalition's red lines",
        "Several parties' demands together",
    ]


def test_region_map_markers_sit_exactly_on_the_cells_each_party_closes(cells):
    ax = plot.region_map_figure(cells).axes[0]

    def marked(colour):
        found = set()
        for artist in ax.lines:
            drawn = artist.get_marker() not in (None, "None", "")
            if drawn and to_hex(artist.get_color()) == colour.lower():
                x, y = artist.get_xdata()[0], artist.get_ydata()[0]
                found.add((int(round(y)), int(round(x))))
        return found

    def closed(party):
        rows = cells.closed_by[party]
        return {(r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if v}

    assert marked(SOUTH) == closed("south") == {(0, 2), (1, 2), (2, 2)}
    assert marked(GUARANTOR) == closed("guarantor") == {(2, 0), (2, 1), (2, 2)}
    assert marked(NORTH) == closed("north") == set()
    crosses = {
        (int(round(a.get_ydata()[0])), int(round(a.get_xdata()[0])))
        for a in ax.lines
        if a.get_marker() == "X"
    }
    assert crosses == {(0, 1), (1, 1)}


def test_region_map_colour_bar_counts_packages(cells):
    ax = plot.region_map_figure(cells).axes[0]
    (bar,) = ax.child_axes  # the colour bar sits beside the map, under the legend
    assert "Packages acceptable to all" in bar.get_ylabel()


def test_flagship_region_map_shows_no_agreement_and_whose_red_lines_close_each_cell():
    berlin = region_map(sim.load_scenario(BERLIN), "territory_donetsk", "recognition")
    figure = plot.region_map_figure(berlin)
    ax = figure.axes[0]
    assert np.ma.getmaskarray(ax.images[0].get_array()).all()
    assert len(figure.axes) == 1 and not ax.child_axes  # nothing to colour: no colour bar
    assert any(t.startswith("No cell has an agreement") for t in all_texts(figure))
    entries = [flat(t) for t in legend_texts(ax.get_legend())]
    assert entries == [
        "No package acceptable to all",
        "Russia's red lines",
        "Ukraine's red lines",
        "European coalition (E3 and Berlin signatories)'s red lines",
    ]
    assert "Russia-Ukraine settlement talks" in ax.get_title(loc="left")


# --------------------------------------------------------------------------- utility space


def test_utility_space_axes_legend_and_points(space):
    figure = plot.utility_space_figure(space)
    ax = figure.axes[0]
    assert ax.get_xlabel() == "North's utility"
    assert ax.get_ylabel() == "South's utility"
    assert "What each package gives North and South" in ax.get_title(loc="left")
    assert [flat(t) for t in legend_texts(ax.get_legend())] == [
        "Packages (all 18)",
        "Both better off than with no deal",
        "No deal (reservation values)",
        "Agreement region",
        "Pareto frontier of the region",
        "Nash bargaining solution",
        "Kalai-Smorodinsky solution",
        "Egalitarian solution",
        "Utilitarian solution",
        "1. North's plan",
        "2. South's plan",
        "3. Framework on the current line (rest left open)",
    ]
    sampled = ax.collections[0].get_offsets()
    np.testing.assert_allclose(sampled, space.sample[:, :2])
    nash = [a for a in ax.lines if a.get_marker() == "o" and a.get_markersize() == 25]
    assert (nash[0].get_xdata()[0], nash[0].get_ydata()[0]) == (0.35, 0.625)
    assert any("Mediator's outline" in t for t in all_texts(figure))


def test_utility_space_for_three_parties_draws_every_pair(space):
    figure = plot.utility_space_figure(space, ("north", "south", "guarantor"))
    labels = {(a.get_xlabel(), a.get_ylabel()) for a in figure.axes if a.get_xlabel()}
    assert labels == {
        ("North's utility", "South's utility"),
        ("North's utility", "Guarantor coalition's utility"),
        ("South's utility", "Guarantor coalition's utility"),
    }


def test_utility_space_refuses_unknown_or_single_parties(space):
    with pytest.raises(ValueError, match="unknown party 'east'"):
        plot.utility_space_figure(space, ("north", "east"))
    with pytest.raises(ValueError, match="two or more"):
        plot.utility_space_figure(space, ("north",))


# --------------------------------------------------------------------------- sweeps


def test_parameter_plane_draws_region_sizes_and_the_agreement_edge(plane, ceasefire):
    glossary = sim.analyze(ceasefire).glossary
    figure = plot.parameter_plane_figure(
        plane, "parties.north.reservation", "parties.south.reservation", glossary
    )
    sizes = figure.axes[0]
    nash = next(a for a in figure.axes if a.get_title(loc="left").startswith("Which Nash"))
    mesh = next(c for c in sizes.collections if isinstance(c, QuadMesh))
    counts = np.array(plane.metric("agreement_count")).reshape(6, 7).T  # rows: South
    np.testing.assert_array_equal(
        np.ma.getdata(mesh.get_array()).reshape(7, 6)[counts > 0], counts[counts > 0]
    )
    np.testing.assert_array_equal(np.ma.getmaskarray(mesh.get_array()).reshape(7, 6), counts == 0)
    assert any(isinstance(c, LineCollection) for c in sizes.collections)
    assert sizes.get_xlabel() == "North's reservation value"
    assert sizes.get_ylabel() == "South's reservation value"
    assert sizes.get_title(loc="left").startswith("Size of the agreement region")
    assert legend_texts(sizes.get_legend()) == ["No agreement", "Edge of agreement (50% contour)"]
    assert nash.get_title(loc="left") == (
        "Which Nash package wins where\n2 distinct packages across the plane"
    )
    key = all_texts(figure)
    assert {"eased step by step", "kept in place", "No agreement", "Sanctions on North"} <= set(key)


def test_parameter_plane_needs_exactly_its_two_parameters(plane, line):
    with pytest.raises(ValueError, match="not a parameter"):
        plot.parameter_plane_figure(plane, "parties.north.reservation", "parties.north.power")
    with pytest.raises(ValueError, match="exactly two"):
        plot.parameter_plane_figure(line, "parties.north.reservation", "parties.north.reservation")


def test_parameter_line_plots_region_size_along_the_parameter(line, ceasefire):
    glossary = sim.analyze(ceasefire).glossary
    ax = plot.parameter_line_figure(line, glossary=glossary).axes[0]
    xs, ys = ax.lines[0].get_data()
    assert list(ys) == line.metric("agreement_count")
    assert list(xs) == [p.values["parties.north.reservation"] for p in line.points]
    assert ax.get_xlabel() == "North's reservation value"
    assert legend_texts(ax.get_legend()) == ["Packages acceptable to all", "No agreement"]
    assert "agreement at 8 of 11 grid points" in ax.get_title(loc="left")


def test_sensitivity_bars_are_the_sobol_indices(indices, ceasefire):
    glossary = sim.analyze(ceasefire).glossary
    ax = plot.sensitivity_figure(indices, glossary=glossary).axes[0]
    values = indices.sobol_indices("agreement_count")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    order = {
        "North's reservation value": "parties.north.reservation",
        "South's reservation value": "parties.south.reservation",
    }
    bars = ax.patches
    total, first = bars[: len(labels)], bars[len(labels) :]
    for label, t_bar, f_bar in zip(labels, total, first, strict=True):
        assert t_bar.get_width() == pytest.approx(values["total_order"][order[label]])
        assert f_bar.get_width() == pytest.approx(values["first_order"][order[label]])
    assert legend_texts(ax.get_legend()) == ["Total (alone and with others)", "First order (alone)"]
    assert ax.get_xlabel() == "Share of the variance explained (Sobol index)"


# --------------------------------------------------------------------------- protocols


def test_trace_figure_draws_each_sides_offers_by_round_and_in_utility_space(ceasefire):
    trace = simulate(ceasefire, tactics={"north": "boulware", "south": "conceder"}, seed=1)
    figure = plot.trace_figure(trace)
    rounds, space = figure.axes[:2]
    own = {line.get_label(): line for line in rounds.lines}
    north = own["North: its own offers"]
    assert list(north.get_xdata()) == [m.round for m in trace.moves if m.proposer == "north"]
    assert list(north.get_ydata()) == [
        m.utilities["north"] for m in trace.moves if m.proposer == "north"
    ]
    received = own["South: offers it received"]
    assert list(received.get_ydata()) == [
        m.utilities["south"] for m in trace.moves if m.proposer != "south"
    ]
    assert rounds.get_title(loc="left") == (
        "Alternating offers: Agreement in round 95\nTactics: North boulware, South conceder"
    )
    assert [flat(t) for t in legend_texts(rounds.get_legend())] == [
        "North: its own offers",
        "North: offers it received",
        "North: reservation value",
        "South: its own offers",
        "South: offers it received",
        "South: reservation value",
        "Offer broke the party's red lines",
    ]
    assert (space.get_xlabel(), space.get_ylabel()) == ("North's utility", "South's utility")
    assert legend_texts(space.get_legend()) == [
        "Offers by North",
        "Offers by South",
        "Broke some party's red lines",
        "Agreement (round 95)",
    ]
    star = next(line for line in space.lines if line.get_marker() == "*")
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (0.35, 0.625)


def test_simulation_figure_shows_agreement_by_round_and_by_tactic(ceasefire):
    summary = simulate_many(ceasefire, runs=40, seed=1)
    left, right = plot.simulation_figure(summary).axes
    np.testing.assert_allclose(left.lines[0].get_ydata(), summary.agreement_by_round)
    assert left.get_title(loc="left").startswith("40 simulated alternating negotiations")
    assert legend_texts(right.get_legend()) == ["North", "South"]
    assert right.get_ylabel() == "Share of runs ending in agreement"


# --------------------------------------------------------------------------- blocking


def test_blocking_chart_without_agreement_shows_relaxations_and_prices(deadlock):
    blocking = explain(deadlock)
    figure = plot.blocking_figure(blocking)
    top, matrix, right = figure.axes[:3]
    assert [round(b.get_height()) for b in top.patches] == [r.opens for r in blocking.relaxations]
    assert [round(b.get_width()) for b in right.patches] == [
        blocking.prices[c] for c in blocking.constraints
    ]
    labels = [flat(t.get_text()) for t in matrix.get_yticklabels()]
    assert labels[0] == "North: North accepts no foreign peacekeepers"
    assert "North: no deal worse than its reservation value (0.20)" in labels
    assert "Why there is no agreement, and what would have to give" in top.get_title(loc="left")
    assert matrix.get_xlabel().startswith("Smallest sets of commitments whose removal opens")
    assert legend_texts(figure.axes[3].get_legend()) == ["North", "South", "Guarantor coalition"]


def test_blocking_chart_with_agreement_shows_the_binding_commitments(ceasefire):
    blocking = explain(ceasefire)
    figure = plot.blocking_figure(blocking)
    top, matrix = figure.axes[:2]
    assert [round(b.get_height()) for b in top.patches] == [r.opens for r in blocking.binding]
    assert "What constrains the deal" in top.get_title(loc="left")
    assert matrix.get_xlabel() == "Commitments binding at the Nash package (dropping one moves it)"


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize(
    "kind, suffix, magic",
    [
        ("region", "png", b"\x89PNG"),
        ("utility", "svg", b"<?xml"),
        ("blocking", "pdf", b"%PDF"),
    ],
)
def test_negosim_plot_writes_the_format_its_extension_names(negosim, tmp_path, kind, suffix, magic):
    out = tmp_path / f"figure.{suffix}"
    result = negosim("plot", CEASEFIRE, "--kind", kind, "-o", out)
    assert result.status == 0, result.err
    assert out.read_bytes()[: len(magic)] == magic


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--kind", "nope"], "invalid choice: 'nope'"),
        (["--x", "nope"], "--x: unknown issue 'nope' (issues: border, peacekeepers, sanctions)"),
        (["--x", "border", "--y", "border"], "two different issues"),
        (["--kind", "utility", "--parties", "north,east"], "--parties: unknown party 'east'"),
        (["--kind", "blocking", "--x", "border"], "--x and --y apply to --kind region only"),
    ],
)
def test_negosim_plot_bad_input_exits_2_with_one_line(negosim, tmp_path, argv, message):
    result = negosim("plot", CEASEFIRE, *argv, "-o", tmp_path / "x.png")
    assert result.status == 2
    assert message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert not (tmp_path / "x.png").exists()


def test_figure_files_must_be_png_svg_or_pdf(negosim, tmp_path):
    for argv in (
        ["plot", CEASEFIRE, "-o", tmp_path / "x.gif"],
        ["run", CEASEFIRE, "--plot", tmp_path / "x.gif"],
        ["simulate", CEASEFIRE, "--plot", tmp_path / "x.gif"],
        [
            "sweep",
            CEASEFIRE,
            "--param",
            "parties.north.reservation=0:0.5:3",
            "--plot",
            tmp_path / "x.gif",
        ],
    ):
        result = negosim(*argv)
        assert result.status == 2
        assert result.err == (
            f"negosim: error: {tmp_path / 'x.gif'}: a figure file must end in .png, .svg or .pdf\n"
        )
        assert result.out == ""


def test_run_and_sweep_write_their_figure_and_still_print(negosim, tmp_path):
    result = negosim("run", CEASEFIRE, "--plot", tmp_path / "run.png")
    assert result.status == 0 and "Nash" in result.out
    assert (tmp_path / "run.png").read_bytes()[:4] == b"\x89PNG"
    for params, name in (
        (["parties.north.reservation=0:0.5:4"], "line"),
        (["parties.north.reservation=0:0.5:3", "parties.south.reservation=0.2:0.8:3"], "plane"),
    ):
        argv = [a for p in params for a in ("--param", p)]
        result = negosim("sweep", CEASEFIRE, *argv, "--plot", tmp_path / f"{name}.svg", "--json")
        assert result.status == 0, result.err
        assert result.out.lstrip().startswith("{")
        assert (tmp_path / f"{name}.svg").read_bytes()[:5] == b"<?xml"


def test_simulate_writes_the_trace_or_the_summary(negosim, tmp_path):
    for extra, name in (([], "trace.png"), (["--runs", "20"], "runs.png")):
        result = negosim("simulate", CEASEFIRE, "--seed", "1", *extra, "--plot", tmp_path / name)
        assert result.status == 0, result.err
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_sweep_plot_refuses_three_parameters_before_running(negosim, tmp_path):
    argv = [
        "--param",
        "parties.north.reservation=0:0.5:2",
        "--param",
        "parties.south.reservation=0:0.5:2",
        "--param",
        "parties.north.power=1:2:2",
    ]
    result = negosim("sweep", CEASEFIRE, *argv, "--plot", tmp_path / "x.png")
    assert result.status == 2
    assert "--plot draws sweeps over one or two parameters" in result.err
    assert result.out == ""
