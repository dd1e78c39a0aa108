"""Figures for analysts: matplotlib drawings of result objects, computing nothing themselves.

Every function takes result objects (:class:`~sim.maps.RegionMap`,
:class:`~sim.maps.UtilitySpace`, :class:`~sim.results.SweepResult`,
:class:`~sim.results.Blocking`) and an optional matplotlib ``ax``, and returns the
:class:`matplotlib.figure.Figure` it drew on. Without ``ax`` a new figure is made (not
through pyplot, so nothing is shown twice in notebooks and no display is needed); with
``ax``, figures of several panels divide that axes' slot. matplotlib is imported inside
the functions, so ``import sim`` stays cheap.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.maps import RegionMap, UtilitySpace
    from sim.results import Blocking, Glossary, SimulationSummary, SweepResult, Trace

__all__ = [
    "region_map_figure",
    "utility_space_figure",
    "parameter_plane_figure",
    "parameter_line_figure",
    "sensitivity_figure",
    "trace_figure",
    "simulation_figure",
    "blocking_figure",
]

OUTCOMES = {
    "agreement": "Agreement",
    "deadline": "No agreement by the deadline",
    "breakdown": "Talks broke down",
    "walk_away": "A party walked away",
    "deadlock": "Deadlock",
}
# Okabe-Ito colours (readable by colour-blind readers), one per party in scenario order.
PARTY_COLORS = (
    "#D55E00",
    "#0072B2",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
PARTY_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
NO_DEAL = "#ececec"
SOLUTION_NAMES = {
    "nash": "Nash bargaining solution",
    "kalai_smorodinsky": "Kalai-Smorodinsky solution",
    "egalitarian": "Egalitarian solution",
    "utilitarian": "Utilitarian solution",
}
METRIC_NAMES = {
    "agreement_count": "size of the agreement region",
    "agreement_exists": "whether an agreement exists",
    "pareto_count": "number of Pareto-efficient packages",
}


# --------------------------------------------------------------------------- helpers


def _wrap(text: str, width: int) -> str:
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _root(ax: Axes) -> Figure:
    figure = ax.get_figure(root=True)
    assert figure is not None
    return figure  # type: ignore[return-value]


def _figure(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    if ax is not None:
        return _root(ax), ax
    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def _grid(
    ax: Axes | None, size: tuple[float, float], rows: int, cols: int, **options: Any
) -> tuple[Figure, Any]:
    """A grid of panels: on a new figure, or dividing the slot of the given axes."""
    from matplotlib.figure import Figure

    if ax is None:
        figure = Figure(figsize=size, layout="constrained")
        return figure, figure.add_gridspec(rows, cols, **options)
    figure = _root(ax)
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError("ax must be a subplot (made with add_subplot or subplots)")
    ax.remove()
    return figure, spec.subgridspec(rows, cols, **options)  # type: ignore[return-value]


def _party_styles(parties: Sequence[str]) -> dict[str, tuple[str, str]]:
    return {
        party: (PARTY_COLORS[i % len(PARTY_COLORS)], PARTY_MARKERS[i % len(PARTY_MARKERS)])
        for i, party in enumerate(parties)
    }


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _option_label(glossary: Glossary, issue: str, option: Any) -> str:
    known = glossary.options.get(issue, {})
    if str(option) in known:
        return known[str(option)]
    unit = glossary.units.get(issue, "")
    return f"{option} {unit}".strip()


def _parameter_label(name: str, glossary: Glossary | None) -> str:
    """Plain words for a sweep parameter (a dotted path or a named parameter)."""
    parts = name.split(".")
    if glossary is None or len(parts) < 3 or parts[0] != "parties":
        return name
    if parts[1] not in glossary.parties:
        return name
    party = _possessive(glossary.parties[parts[1]])
    field = parts[2]
    if field == "reservation" and len(parts) == 3:
        return f"{party} reservation value"
    if field == "power" and len(parts) == 3:
        return f"{party} bargaining power"
    if field == "weights" and len(parts) == 4:
        return f"{party} weight on {glossary.issues.get(parts[3], parts[3]).lower()}"
    if field == "values" and len(parts) == 5:
        return f"{party} value of \u201c{_option_label(glossary, parts[3], parts[4])}\u201d"
    return name


def _metric_label(metric: str, glossary: Glossary | None) -> str:
    if metric.startswith("nash.utilities."):
        party = metric.rsplit(".", 1)[1]
        name = glossary.parties.get(party, party) if glossary else party
        return f"{_possessive(name)} utility at the Nash package"
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def _compact(n: float) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.3g}M"
    if n >= 1e4:
        return f"{n / 1e3:.3g}k"
    return f"{n:,.0f}"


def _note(ax: Axes, text: str, x: float, y: float, **options: Any) -> None:
    ax.text(
        x,
        y,
        text,
        transform=ax.transAxes,
        fontsize=options.pop("fontsize", 9),
        bbox={"boxstyle": "round,pad=0.5", "facecolor": "#fff8e6", "edgecolor": "#e0b050"},
        **options,
    )


# --------------------------------------------------------------------------- region map


def region_map_figure(
    region_map: RegionMap,
    ax: Axes | None = None,
    color: Literal["agreements", "nash"] = "agreements",
) -> Figure:
    """Where agreement lives over two issues: one cell per pair of options.

    Colour: the number of completions every party that must accept accepts (log scale
    when the counts span two decades or more), or with ``color="nash"`` the best Nash
    product in the cell. Cells without agreement are grey and hatched; markers say whose
    red lines (filled) or reservation value (hollow) close them, and a cross marks cells
    closed only by several parties' demands together.

    The heatmap is ``ax.images[0]``; its data are ``region_map.agreements`` (or
    ``best_nash``), with the cells without agreement masked.
    """
    import numpy as np
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if color not in ("agreements", "nash"):
        raise ValueError(f"color must be 'agreements' or 'nash', not {color!r}")
    g = region_map.glossary
    agreements = np.array(region_map.agreements, dtype=np.int64)
    completions = np.array(region_map.completions, dtype=np.int64)
    ny, nx = agreements.shape
    fig, ax = _figure(ax, (max(8.5, 1.55 * nx + 5.5), max(5.5, 1.05 * ny + 3.2)))

    if color == "agreements":
        values = np.ma.masked_array(agreements, mask=agreements == 0)
        positive = agreements[agreements > 0]
        if len(positive) and positive.max() >= 100 * positive.min():
            norm: Normalize = LogNorm(vmin=positive.min(), vmax=positive.max())
        else:
            norm = Normalize(vmin=0, vmax=max(1, int(positive.max()) if len(positive) else 1))
        cmap_name = "YlGn"
    else:
        best = np.array([[np.nan if v is None else v for v in row] for row in region_map.best_nash])
        values = np.ma.masked_invalid(best)
        finite = best[np.isfinite(best)]
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        norm = Normalize(vmin=low - (1e-9 if high == low else 0), vmax=high)
        cmap_name = "YlGnBu"
    from matplotlib import colormaps

    cmap = colormaps[cmap_name].with_extremes(bad=NO_DEAL)
    # Keep the lightest end of the colour map for sparse cells visibly green/blue.
    image = ax.imshow(
        values, cmap=cmap, norm=norm, origin="lower", aspect="auto", interpolation="nearest"
    )
    for k in range(nx + 1):
        ax.axvline(k - 0.5, color="white", linewidth=2)
    for k in range(ny + 1):
        ax.axhline(k - 0.5, color="white", linewidth=2)

    parties = list(g.parties)
    styles = _party_styles(parties)
    closers = [p for p in parties if p in region_map.closed_by and np.any(region_map.closed_by[p])]
    short = [
        p
        for p in parties
        if p in region_map.short_of_reservation and np.any(region_map.short_of_reservation[p])
    ]
    width_in = fig.get_size_inches()[0] * 0.62 / nx
    height_in = fig.get_size_inches()[1] * 0.6 / ny
    marker_size = max(4.0, min(13.0, 72 * min(width_in / 4.5, height_in / 2.5)))
    show_text = nx <= 14 and ny <= 14
    combined = False
    slots = [p for p in parties if p in closers or p in short]
    spacing = min(0.8 / max(1, len(slots)), 0.22)
    drawn: set[tuple[str, bool]] = set()
    for row in range(ny):
        for col in range(nx):
            count = int(agreements[row, col])
            if count == 0:
                ax.add_patch(
                    Rectangle(
                        (col - 0.5, row - 0.5),
                        1,
                        1,
                        facecolor="none",
                        edgecolor="#c8c8c8",
                        hatch="///",
                        linewidth=0,
                    )
                )
            if completions[row, col] == 0:
                if show_text:
                    ax.text(
                        col,
                        row,
                        "ruled out by\nthe scenario",
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="#777777",
                    )
                continue
            if count > 0:
                if show_text and np.ma.getmaskarray(values)[row, col]:
                    # Agreement, but some party gains nothing over no deal: Nash product 0.
                    ax.text(
                        col,
                        row,
                        "0\n(a party gains\nnothing)",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="#444444",
                    )
                elif show_text:
                    shade = cmap(norm(values[row, col]))
                    light = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] > 0.55
                    text = (
                        _compact(count)
                        if color == "agreements"
                        else f"{np.exp(values[row, col]):.3g}"
                    )
                    ax.text(
                        col,
                        row,
                        text,
                        ha="center",
                        va="center",
                        fontsize=10,
                        fontweight="bold",
                        color="#1a1a1a" if light else "white",
                    )
                continue
            marks = [(p, True) for p in closers if region_map.closed_by[p][row][col]]
            marks += [
                (p, False)
                for p in short
                if region_map.short_of_reservation[p][row][col]
                and not (p in region_map.closed_by and region_map.closed_by[p][row][col])
            ]
            if not marks:
                combined = True
                ax.plot(
                    col,
                    row,
                    marker="X",
                    markersize=marker_size,
                    color="#555555",
                    markeredgecolor="white",
                    linestyle="none",
                )
                continue
            start = col - spacing * (len(slots) - 1) / 2
            for party, filled in marks:
                colour, marker = styles[party]
                drawn.add((party, filled))
                ax.plot(
                    start + slots.index(party) * spacing,
                    row,
                    marker=marker,
                    markersize=marker_size,
                    color=colour if filled else "white",
                    markeredgecolor=colour,
                    markeredgewidth=1.2 if filled else 2.0,
                    linestyle="none",
                )

    x_label = g.issues.get(region_map.x, region_map.x)
    y_label = g.issues.get(region_map.y, region_map.y)
    step_x = max(1, -(-nx // 14))
    step_y = max(1, -(-ny // 20))
    x_width = max(12, min(24, int(110 / nx)))
    ax.set_xticks(range(0, nx, step_x))
    ax.set_xticklabels(
        [_wrap(_option_label(g, region_map.x, o), x_width) for o in region_map.x_options[::step_x]],
        fontsize=8.5,
    )
    ax.set_yticks(range(0, ny, step_y))
    ax.set_yticklabels(
        [_wrap(_option_label(g, region_map.y, o), 30) for o in region_map.y_options[::step_y]],
        fontsize=8.5,
    )
    ax.tick_params(length=0)
    ax.set_xlabel(x_label, fontsize=11, fontweight="bold", labelpad=8)
    ax.set_ylabel(y_label, fontsize=11, fontweight="bold", labelpad=8)
    for side in ax.spines.values():
        side.set_visible(False)
    title_width = int(fig.get_size_inches()[0] * 9)
    ax.set_title(
        _wrap(region_map.title, title_width)
        + "\n"
        + _wrap(f"Where agreement is possible: {y_label} \u00d7 {x_label}", title_width),
        fontsize=12,
        loc="left",
        pad=12,
    )

    handles: list[Any] = [
        Patch(
            facecolor=NO_DEAL,
            edgecolor="#c8c8c8",
            hatch="///",
            label="No package acceptable to all",
        )
    ]
    handles += [
        Line2D(
            [],
            [],
            marker=styles[p][1],
            color=styles[p][0],
            linestyle="none",
            markersize=9,
            label=_wrap(f"{_possessive(g.parties[p])} red lines", 32),
        )
        for p in closers
        if (p, True) in drawn
    ]
    handles += [
        Line2D(
            [],
            [],
            marker=styles[p][1],
            color="white",
            markeredgecolor=styles[p][0],
            markeredgewidth=2,
            linestyle="none",
            markersize=9,
            label=_wrap(f"{_possessive(g.parties[p])} reservation value", 32),
        )
        for p in short
        if (p, False) in drawn
    ]
    if combined:
        handles.append(
            Line2D(
                [],
                [],
                marker="X",
                color="#555555",
                linestyle="none",
                markersize=9,
                label="Several parties' demands together",
            )
        )
    legend = ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        title="Cell closed by (any one suffices)",
        fontsize=9,
        title_fontsize=9.5,
        frameon=False,
        alignment="left",
    )
    legend.set_in_layout(True)

    if values.count() > 0:
        cax = ax.inset_axes((1.05, 0.0, 0.035, 0.42))
        bar = fig.colorbar(image, cax=cax)
        if color == "agreements":
            bar.set_label("Packages acceptable to all\n(completions of the cell)", fontsize=9)
            if not isinstance(norm, LogNorm):
                bar.locator = MaxNLocator(integer=True)
                bar.update_ticks()
        else:
            bar.set_label("Best Nash product in the cell", fontsize=9)
            bar.formatter = FuncFormatter(lambda v, _: f"{np.exp(v):.3g}")
            if high - low < 1e-6:
                bar.set_ticks([high])
            bar.update_ticks()
        bar.ax.tick_params(labelsize=8)
        bar.outline.set_visible(False)
    else:
        per_cell = int(completions.max()) if completions.size else 0
        crosses = " (a cross: only several parties' demands together)" if combined else ""
        _note(
            ax,
            _wrap(
                f"No cell has an agreement. In every cell, each of the {per_cell:,} ways to settle "
                "the other issues is refused by some party that must accept: the markers show "
                f"whose red lines close each cell{crosses}.",
                34,
            ),
            1.03,
            0.0,
            va="bottom",
            ha="left",
        )
    return fig


# --------------------------------------------------------------------------- utility space


def utility_space_figure(
    utility_space: UtilitySpace,
    parties: Sequence[str] | None = None,
    ax: Axes | None = None,
    proposals: Sequence[str] | None = None,
) -> Figure:
    """Packages in the utility space of two parties (a grid of pairs for more).

    Draws the sampled packages (a density for large samples), the sampled members of
    the agreement region, its Pareto frontier, the disagreement point (reservation
    values), every bargaining solution and the proposals, numbered in the legend.
    ``parties`` defaults to the parties whose gains define the bargaining problem;
    ``proposals`` picks the proposals to draw (default: every one the data place).
    """
    g = utility_space.glossary
    known = utility_space.parties
    chosen = list(parties) if parties is not None else list(utility_space.disagreement)
    if parties is None and len(chosen) < 2:
        chosen = list(known[:2])
    for party in chosen:
        if party not in known:
            raise ValueError(f"unknown party {party!r} (parties: {', '.join(known)})")
    if len(chosen) < 2 or len(set(chosen)) != len(chosen):
        raise ValueError("a utility-space figure needs two or more different parties")
    placed = list(utility_space.proposals)
    for pid in proposals or []:
        if pid not in placed:
            raise ValueError(
                f"proposal {pid!r} has no place in this utility space "
                f"(placed: {', '.join(placed) or 'none'})"
            )
    drawn = placed if proposals is None else [p for p in placed if p in proposals]

    if len(chosen) == 2:
        fig, spec = _grid(ax, (10.5, 7.0), 1, 1)
        axes = {(chosen[0], chosen[1]): fig.add_subplot(spec[0, 0])}
    else:
        k = len(chosen) - 1
        fig, spec = _grid(ax, (3.6 * k + 4.5, 3.4 * k + 1.0), k, k)
        axes = {}
        for j in range(1, len(chosen)):
            for i in range(j):
                axes[(chosen[i], chosen[j])] = fig.add_subplot(spec[j - 1, i])
    handles: dict[str, Any] = {}
    for (a, b), panel in axes.items():
        _utility_panel(panel, utility_space, a, b, drawn, handles, compact=len(chosen) > 2)

    first = next(iter(axes.values()))
    title = (
        _wrap(utility_space.title, int(fig.get_size_inches()[0] * 9))
        + "\n"
        + (
            f"What each package gives {g.parties[chosen[0]]} and {g.parties[chosen[1]]}"
            if len(chosen) == 2
            else "What each package gives each pair of parties"
        )
    )
    region_size = int(utility_space.sample_in_region.sum())
    notes = []
    if len(utility_space.frontier) == 0 and region_size == 0:
        notes.append(
            "No agreement region: no package is acceptable to every party that must "
            "accept, so there is no frontier and no bargaining solution."
        )
    unplaced = [pid for pid in g.proposals if pid not in utility_space.proposals]
    if unplaced:
        names = "; ".join(g.proposals[p] for p in unplaced)
        which = (
            names
            if len(unplaced) <= 3
            else f"all {len(unplaced)} proposals"
            if len(unplaced) == len(g.proposals)
            else f"{len(unplaced)} proposals"
        )
        notes.append(
            f"Not shown, because they leave issues open and no completion is "
            f"acceptable to every party that must accept: {which}."
        )
    legend_owner = first if len(chosen) == 2 else fig.add_subplot(spec[0, len(chosen) - 2])
    if len(chosen) > 2:
        legend_owner.set_axis_off()
        fig.suptitle(title, fontsize=12, x=0.02, ha="left")
    else:
        first.set_title(title, fontsize=12, loc="left", pad=12)
    legend = legend_owner.legend(
        handles=list(handles.values()),
        labels=list(handles),
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0) if len(chosen) == 2 else (0.0, 1.0),
        fontsize=8.5,
        frameon=False,
    )
    legend.set_in_layout(True)
    if notes:
        _note(
            legend_owner,
            _wrap(" ".join(notes), 40),
            1.03 if len(chosen) == 2 else 0.0,
            0.0,
            va="bottom",
            ha="left",
            fontsize=8.5,
        )
    return fig


def _utility_panel(
    ax: Axes,
    space: UtilitySpace,
    a: str,
    b: str,
    proposals: list[str],
    handles: dict[str, Any],
    compact: bool,
) -> None:
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    g = space.glossary
    ia, ib = space.parties.index(a), space.parties.index(b)
    sample = space.sample
    x, y = sample[:, ia], sample[:, ib]
    sampled = len(sample) < space.space_size
    how_many = (
        f"{len(sample):,} sampled of {space.space_size:,}"
        if sampled
        else f"all {space.space_size:,}"
    )
    if len(sample) > 3000:
        ax.hexbin(
            x,
            y,
            gridsize=45 if not compact else 30,
            extent=(0, 1, 0, 1),
            cmap="Greys",
            bins="log",
            mincnt=1,
            linewidths=0,
            alpha=0.75,
            zorder=1,
        )
        handles.setdefault(
            _wrap(f"Packages ({how_many}; darker: more of them)", 40),
            Patch(facecolor="#8c8c8c", edgecolor="none"),
        )
    else:
        ax.scatter(
            x,
            y,
            s=14 if len(sample) < 300 else 5,
            color="#9a9a9a",
            alpha=0.6,
            linewidths=0,
            zorder=1,
        )
        handles.setdefault(
            f"Packages ({how_many})",
            Line2D([], [], marker="o", color="#9a9a9a", linestyle="none", markersize=5),
        )
    ra, rb = space.disagreement.get(a), space.disagreement.get(b)
    if ra is not None and rb is not None:
        ax.fill_between([ra, 1.04], rb, 1.04, color="#009E73", alpha=0.07, linewidth=0, zorder=0)
        handles.setdefault(
            _wrap("Both better off than with no deal", 40),
            Patch(facecolor="#009E73", alpha=0.15, edgecolor="none"),
        )
        ax.axvline(ra, color="#555555", linestyle="--", linewidth=0.9, zorder=2)
        ax.axhline(rb, color="#555555", linestyle="--", linewidth=0.9, zorder=2)
        ax.plot(ra, rb, marker="s", color="black", markersize=8, linestyle="none", zorder=6)
        handles.setdefault(
            "No deal (reservation values)",
            Line2D([], [], marker="s", color="black", linestyle="--", markersize=7, linewidth=0.9),
        )
    else:
        for value, line in ((ra, ax.axvline), (rb, ax.axhline)):
            if value is not None:
                line(value, color="#555555", linestyle="--", linewidth=0.9, zorder=2)
    inside = space.sample_in_region
    if inside.any():
        ax.scatter(x[inside], y[inside], s=16, color="#009E73", alpha=0.8, linewidths=0, zorder=3)
        handles.setdefault(
            "Agreement region" + (" (sampled)" if sampled else ""),
            Line2D([], [], marker="o", color="#009E73", linestyle="none", markersize=5),
        )
    if len(space.frontier):
        order = np.argsort(space.frontier[:, ia], kind="stable")
        fx, fy = space.frontier[order, ia], space.frontier[order, ib]
        if set(space.disagreement) == {a, b}:  # a curve only in the frontier's own plane
            ax.plot(fx, fy, color="#E69F00", linewidth=1.2, alpha=0.7, zorder=4)
        ax.scatter(fx, fy, s=30, color="#E69F00", edgecolors="#8a5a00", linewidths=0.6, zorder=4)
        handles.setdefault(
            "Pareto frontier of the region",
            Line2D(
                [],
                [],
                marker="o",
                color="#E69F00",
                markeredgecolor="#8a5a00",
                linewidth=1.2,
                markersize=6,
            ),
        )
    # Nested hollow markers, largest first, so coinciding solutions all stay visible.
    shapes = {
        "nash": ("o", 25, "#D55E00"),
        "kalai_smorodinsky": ("s", 19, "#0072B2"),
        "egalitarian": ("^", 17, "#CC79A7"),
        "utilitarian": ("D", 11, "#000000"),
    }
    for name, utilities in space.solutions.items():
        marker, size, colour = shapes.get(name, ("*", 12, "#444444"))
        ax.plot(
            utilities[a],
            utilities[b],
            marker=marker,
            markersize=size,
            markerfacecolor="none",
            markeredgecolor=colour,
            markeredgewidth=1.8,
            linestyle="none",
            zorder=9,
        )
        handles.setdefault(
            SOLUTION_NAMES.get(name, name.replace("_", " ").capitalize()),
            Line2D(
                [],
                [],
                marker=marker,
                markersize=9,
                markerfacecolor="none",
                markeredgecolor=colour,
                markeredgewidth=2,
                linestyle="none",
            ),
        )
    # Proposal badges; one that would sit on a solution or another proposal is moved aside
    # with a leader line to its exact point.
    taken = [(u[a], u[b]) for u in space.solutions.values()]
    for number, pid in enumerate(proposals, 1):
        utilities = space.proposals[pid]
        here = (utilities[a], utilities[b])
        crowd = sum(abs(here[0] - u) < 0.03 and abs(here[1] - v) < 0.03 for u, v in taken)
        taken.append(here)
        angle = np.deg2rad(45 + 60 * (crowd - 1))
        offset = (26 * np.cos(angle), 26 * np.sin(angle)) if crowd else (0.0, 0.0)
        ax.plot(*here, marker="o", markersize=4, color="#333333", linestyle="none", zorder=8)
        ax.annotate(
            str(number),
            here,
            xytext=offset,
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            color="#333333",
            zorder=10,
            annotation_clip=False,
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": "#333333"},
            arrowprops={
                "arrowstyle": "-",
                "color": "#333333",
                "linewidth": 0.8,
                "shrinkA": 0,
                "shrinkB": 2,
            }
            if crowd
            else None,
        )
        handles.setdefault(
            _wrap(f"{number}. {g.proposals.get(pid, pid)}", 40),
            Line2D([], [], marker=f"${number}$", color="#333333", linestyle="none", markersize=8),
        )
    ax.set_xlim(-0.04, 1.04)
    ax.set_ylim(-0.04, 1.04)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{_possessive(g.parties[a])} utility", fontsize=10 if not compact else 9)
    ax.set_ylabel(f"{_possessive(g.parties[b])} utility", fontsize=10 if not compact else 9)
    ax.grid(color="#e6e6e6", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


# --------------------------------------------------------------------------- sweeps


def _check_parameter(result: SweepResult, name: str) -> None:
    if name not in result.parameters:
        raise ValueError(
            f"{name!r} is not a parameter of this sweep ({', '.join(result.parameters)})"
        )


def _plane_arrays(
    result: SweepResult, x: str, y: str
) -> tuple[list[float], list[float], dict[tuple[float, float], Any]]:
    for name in (x, y):
        _check_parameter(result, name)
    if len(result.parameters) != 2 or x == y:
        raise ValueError(
            "a parameter plane needs a sweep over exactly two parameters; this one varies "
            f"{', '.join(result.parameters)}"
        )
    cells = {(p.values[x], p.values[y]): p for p in result.points}
    if len(cells) != len(result.points):
        raise ValueError("the sweep visits a point of the plane twice; give each point once")
    return sorted({k[0] for k in cells}), sorted({k[1] for k in cells}), cells


def _edges(centres: Sequence[float]) -> list[float]:
    if len(centres) == 1:
        return [centres[0] - 0.5, centres[0] + 0.5]
    middle = [(a + b) / 2 for a, b in zip(centres[:-1], centres[1:], strict=True)]
    return [2 * centres[0] - middle[0], *middle, 2 * centres[-1] - middle[-1]]


def parameter_plane_figure(
    sweep_result: SweepResult,
    x: str,
    y: str,
    glossary: Glossary | None = None,
    ax: Axes | None = None,
    panels: Sequence[Literal["agreement", "nash"]] = ("agreement", "nash"),
    max_packages: int = 6,
) -> Figure:
    """Agreement over two parameters and which Nash package wins where.

    ``agreement`` panel: the size of the agreement region at each point (grey: none) and
    the 50% contour of agreement yes/no, i.e. the edge of the parameter region where a deal
    exists (on a grid, along cell edges). ``nash`` panel: one colour per distinct Nash
    package, keyed by the terms on which those packages differ (the ``max_packages - 1``
    most frequent get their own colour when there are more). Grid sweeps are drawn as
    cells, sampled designs as points. ``glossary`` (e.g. ``analysis.glossary``) supplies
    labels; without it, ids are shown.
    """
    xs, ys, cells = _plane_arrays(sweep_result, x, y)
    panels = list(panels)
    if not panels or any(p not in ("agreement", "nash") for p in panels):
        raise ValueError("panels must name 'agreement' and/or 'nash'")
    plane = _Plane(sweep_result, x, y, xs, ys, cells, glossary)
    key: tuple[list[Any], list[int], list[str]] | None = None
    ratios = [1.0] * len(panels)
    height = 6.0
    if "nash" in panels:
        key = _nash_categories(cells, max_packages)
        ratios.append(min(1.05, 0.3 + 0.2 * max(1, len(key[2]))))
        # Room for the key: up to four lines per package, and two closing rows.
        height = max(height, (1.4 + 0.72 * len(key[1]) + 0.8) / 0.85)
    width = 5.6 * len(panels) + 5.0 * (ratios[-1] if key else 0) + 0.8
    fig, spec = _grid(ax, (width, height), 1, len(ratios), width_ratios=ratios)
    for k, which in enumerate(panels):
        panel = fig.add_subplot(spec[0, k])
        if which == "agreement":
            _agreement_panel(fig, panel, plane)
        else:
            assert key is not None
            _nash_panel(fig, panel, fig.add_subplot(spec[0, len(panels)]), plane, *key)
    return fig


class _Plane:
    """The points of a two-parameter sweep arranged for drawing (no computation)."""

    def __init__(
        self,
        result: SweepResult,
        x: str,
        y: str,
        xs: list[float],
        ys: list[float],
        cells: dict[tuple[float, float], Any],
        glossary: Glossary | None,
    ) -> None:
        self.result, self.x, self.y, self.xs, self.ys, self.cells = result, x, y, xs, ys, cells
        self.glossary = glossary
        self.gridded = result.design == "grid" and len(cells) == len(xs) * len(ys)
        self.points = list(cells.values())

    def field(self, value: Any) -> Any:
        import numpy as np

        rows = [[value(self.cells[(i, j)]) for i in self.xs] for j in self.ys]
        return np.array(rows, dtype=float)

    def draw(self, panel: Axes, value: Any, **options: Any) -> Any:
        """Cells (grid) or points (sampled design) coloured by ``value`` of each point."""
        import numpy as np

        if self.gridded:
            return panel.pcolormesh(
                _edges(self.xs),
                _edges(self.ys),
                np.ma.masked_invalid(self.field(value)),
                edgecolors="white",
                linewidth=0.5,
                **options,
            )
        return panel.scatter(
            [p.values[self.x] for p in self.points],
            [p.values[self.y] for p in self.points],
            c=np.array([value(p) for p in self.points], dtype=float),
            s=40,
            edgecolors="#666666",
            linewidths=0.4,
            plotnonfinite=True,
            **options,
        )

    def frame(self, panel: Axes, title: str) -> None:
        if not self.gridded:  # sampled points: keep those on the border inside the frame
            for values, limits in ((self.xs, panel.set_xlim), (self.ys, panel.set_ylim)):
                pad = 0.04 * ((values[-1] - values[0]) or 1.0)
                limits(values[0] - pad, values[-1] + pad)
        panel.set_xlabel(_parameter_label(self.x, self.glossary), fontsize=10)
        panel.set_ylabel(_parameter_label(self.y, self.glossary), fontsize=10)
        panel.set_title(title, fontsize=11, loc="left")
        for side in ("top", "right"):
            panel.spines[side].set_visible(False)


def _agreement_panel(fig: Figure, panel: Axes, plane: _Plane) -> None:
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    counts = np.array([p.metrics["agreement_count"] for p in plane.points])
    exists = np.array([bool(p.metrics["agreement_exists"]) for p in plane.points])
    positive = counts[counts > 0]
    log = bool(len(positive)) and positive.max() >= 100 * positive.min()
    norm = (
        LogNorm(positive.min(), positive.max())
        if log
        else Normalize(0, max(1, positive.max() if len(positive) else 1))
    )
    cmap = colormaps["YlGn"].with_extremes(bad=NO_DEAL)
    mesh = plane.draw(panel, lambda p: p.metrics["agreement_count"] or np.nan, cmap=cmap, norm=norm)
    edge = False
    if 0 < exists.sum() < len(exists):
        if plane.gridded:
            # The 50% contour of agreement yes/no on a grid runs along the cell edges
            # between neighbouring points with and without agreement.
            yes = plane.field(lambda p: float(bool(p.metrics["agreement_exists"])))
            ex, ey = _edges(plane.xs), _edges(plane.ys)
            segments = [
                [(ex[i + 1], ey[j]), (ex[i + 1], ey[j + 1])]
                for j in range(yes.shape[0])
                for i in range(yes.shape[1] - 1)
                if yes[j, i] != yes[j, i + 1]
            ]
            segments += [
                [(ex[i], ey[j + 1]), (ex[i + 1], ey[j + 1])]
                for j in range(yes.shape[0] - 1)
                for i in range(yes.shape[1])
                if yes[j, i] != yes[j + 1, i]
            ]
            panel.add_collection(
                LineCollection(segments, colors="#b22222", linewidths=2.4, capstyle="projecting")
            )
            edge = True
        elif len(exists) >= 3:
            panel.tricontour(
                [p.values[plane.x] for p in plane.points],
                [p.values[plane.y] for p in plane.points],
                exists.astype(float),
                levels=[0.5],
                colors="#b22222",
                linewidths=2.2,
            )
            edge = True
    plane.frame(panel, "Size of the agreement region\n" + _share_text(plane.result))
    bar = fig.colorbar(mesh, ax=panel, shrink=0.8, pad=0.02)
    bar.set_label("Packages acceptable to all", fontsize=9)
    if not log:
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    bar.outline.set_visible(False)
    handles: list[Any] = []
    if not exists.all():
        handles.append(Patch(facecolor=NO_DEAL, edgecolor="#bbbbbb", label="No agreement"))
    if edge:
        handles.append(
            Line2D([], [], color="#b22222", linewidth=2.2, label="Edge of agreement (50% contour)")
        )
    if handles:
        panel.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=2,
            frameon=False,
            fontsize=9,
        )


def _nash_categories(
    cells: Mapping[Any, Any], max_packages: int
) -> tuple[list[Any], list[int], list[str]]:
    """Distinct Nash packages, those given a colour, and the issues where those differ.

    Packages are in order of first appearance; the coloured ones, most frequent first.
    """
    packages: list[dict[str, Any]] = []
    frequency: list[int] = []
    for point in cells.values():
        nash = point.metrics.get("nash")
        if nash:
            if nash["package"] not in packages:
                packages.append(nash["package"])
                frequency.append(0)
            frequency[packages.index(nash["package"])] += 1
    ranked = sorted(range(len(packages)), key=lambda k: -frequency[k])
    shown = ranked if len(packages) <= max_packages else ranked[: max_packages - 1]
    differing = [
        i
        for i in (packages[0] if packages else {})
        if len({str(packages[k][i]) for k in shown}) > 1
    ]
    return packages, shown, differing


def _nash_panel(
    fig: Figure,
    panel: Axes,
    key: Axes,
    plane: _Plane,
    packages: list[Any],
    shown: list[int],
    differing: list[str],
) -> None:
    import numpy as np
    from matplotlib.colors import ListedColormap, Normalize

    slot = {k: position for position, k in enumerate(shown)}
    others = len(packages) - len(shown)
    palette = _category_colors(len(shown)) + (["#8c8c8c"] if others else [])

    def category(p: Any) -> float:
        if not p.metrics.get("nash"):
            return np.nan
        return slot.get(packages.index(p.metrics["nash"]["package"]), len(shown))

    cmap = ListedColormap(palette or ["white"]).with_extremes(bad=NO_DEAL)
    plane.draw(panel, category, cmap=cmap, norm=Normalize(-0.5, max(len(palette), 1) - 0.5))
    plane.frame(
        panel,
        f"Which Nash package wins where\n{len(packages)} distinct package"
        f"{'s' if len(packages) != 1 else ''} across the plane",
    )
    rows: list[tuple[str, Any, Mapping[str, Any] | None, str]] = [
        (_letter(position), palette[position], packages[k], "") for position, k in enumerate(shown)
    ]
    if others:
        rows.append(("", palette[-1], None, f"{others} other Nash packages"))
    if any(not p.metrics.get("nash") for p in plane.points):
        rows.append(("", NO_DEAL, None, "No agreement"))
    _package_key(key, rows, differing, plane.glossary)


def _package_key(
    ax: Axes,
    rows: Sequence[tuple[str, Any, Mapping[str, Any] | None, str]],
    issues: Sequence[str],
    glossary: Glossary | None,
) -> None:
    """A key table: one row per colour, one column per term on which the packages differ."""
    from matplotlib.patches import Rectangle

    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    size = _root(ax).get_size_inches()
    width_in = size[0] * ax.get_position().width
    columns = max(1, len(issues))
    inch = 1 / max(width_in, 0.5)  # one inch as a fraction of the key's width
    left = 0.45 * inch
    span = (1 - left) / columns
    chars = max(10, int(span / inch * 15.5))
    line = 8.2 / 72 * 1.3 / max(size[1] * 0.85, 1)
    title = "Nash package" + (": the terms on which they differ" if issues else "")
    title_lines = textwrap.wrap(title, max(16, int(width_in * 12)))
    ax.text(0, 1, "\n".join(title_lines), fontsize=9, fontweight="bold", va="top")
    y = 1 - (len(title_lines) + 1) * line * 1.1

    def cell(text: str, x: float, top: float, bold: bool = False) -> int:
        lines = textwrap.wrap(text, chars, break_long_words=False)[:4]
        if len(textwrap.wrap(text, chars, break_long_words=False)) > 4:
            lines[-1] = lines[-1].rstrip(",;") + "\u2026"
        ax.text(
            x,
            top,
            "\n".join(lines),
            fontsize=7.6,
            va="top",
            fontweight="bold" if bold else "normal",
            linespacing=1.15,
        )
        return len(lines)

    height = max(
        (
            cell(glossary.issues.get(i, i) if glossary else i, left + c * span, y, bold=True)
            for c, i in enumerate(issues)
        ),
        default=0,
    )
    y -= (height + 0.6) * line
    for letter, colour, package, text in rows:
        ax.add_patch(
            Rectangle(
                (0, y - 1.6 * line),
                0.2 * inch,
                1.6 * line,
                facecolor=colour,
                edgecolor="#bbbbbb",
                linewidth=0.5,
                clip_on=False,
            )
        )
        ax.text(0.26 * inch, y, letter, fontsize=8.5, fontweight="bold", va="top")
        if package is None or not issues:
            height = cell(text or "the same package everywhere", left, y)
        else:
            height = max(
                cell(
                    _option_label(glossary, i, package[i]).split(";")[0]
                    if glossary
                    else str(package[i]),
                    left + c * span,
                    y,
                )
                for c, i in enumerate(issues)
            )
        y -= (max(height, 1.6) + 0.7) * line


def _share_text(result: SweepResult) -> str:
    """Where agreement exists: a count on a grid, P(agreement) with its interval on a sample."""
    probability, low, high = result.agreement_probability()
    total = len(result.points)
    if result.design == "grid":
        found = sum(bool(e) for e in result.metric("agreement_exists"))
        return f"agreement at {found:,} of {total:,} grid points"
    return (
        f"P(agreement) = {probability:.0%} over {total:,} points "
        f"(95% interval {low:.0%}\u2013{high:.0%})"
    )


def _letter(position: int) -> str:
    return chr(65 + position) if position < 26 else str(position + 1)


def _category_colors(n: int) -> list[str]:
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](k) for k in range(n)]  # type: ignore[misc]
    return [colormaps["tab20"](k % 20) for k in range(n)]  # type: ignore[misc]


def parameter_line_figure(
    sweep_result: SweepResult,
    x: str | None = None,
    glossary: Glossary | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Agreement along one parameter: the region's size, and where no agreement exists."""
    x = x if x is not None else sweep_result.parameters[0]
    _check_parameter(sweep_result, x)
    if len(sweep_result.parameters) != 1:
        raise ValueError("a line over one parameter needs a sweep over that parameter alone")
    fig, ax = _figure(ax, (8.5, 4.8))
    points = sorted(sweep_result.points, key=lambda p: p.values[x])
    xs = [p.values[x] for p in points]
    counts = [p.metrics["agreement_count"] for p in points]
    ax.plot(
        xs,
        counts,
        color="#009E73",
        linewidth=2,
        marker="o",
        markersize=4,
        label="Packages acceptable to all",
    )
    none = [v for v, p in zip(xs, points, strict=True) if not p.metrics["agreement_exists"]]
    if none:
        ax.scatter(
            none, [0] * len(none), marker="x", color="#b22222", zorder=5, s=40, label="No agreement"
        )
    ax.set_title(
        f"Agreement along {_parameter_label(x, glossary)}\n{_share_text(sweep_result)}",
        fontsize=11,
        loc="left",
    )
    ax.set_xlabel(_parameter_label(x, glossary), fontsize=10)
    ax.set_ylabel("Size of the agreement region (packages)", fontsize=10)
    ax.set_ylim(bottom=-0.03 * max(1, max(counts)))
    ax.grid(color="#e6e6e6", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(frameon=False, fontsize=9)
    return fig


def sensitivity_figure(
    sweep_result: SweepResult,
    metric: str = "agreement_count",
    glossary: Glossary | None = None,
    ax: Axes | None = None,
) -> Figure:
    """First-order and total Sobol indices of a metric (a ``sobol_indices`` sweep).

    First order: the share of the metric's variance a parameter explains alone; total:
    including its interactions with the others.
    """
    import numpy as np

    indices = sweep_result.sobol_indices(metric)
    names = list(sweep_result.parameters)
    order = sorted(names, key=lambda n: indices["total_order"][n])
    fig, ax = _figure(ax, (9.0, 1.0 + 0.75 * len(names) + 1.2))
    rows = np.arange(len(order))
    first = [indices["first_order"][n] for n in order]
    total = [indices["total_order"][n] for n in order]
    ax.barh(rows + 0.19, total, height=0.36, color="#0072B2", label="Total (alone and with others)")
    ax.barh(rows - 0.19, first, height=0.36, color="#56B4E9", label="First order (alone)")
    for r, (a, b) in enumerate(zip(first, total, strict=True)):
        ax.text(max(b, 0) + 0.01, r + 0.19, f"{b:.2f}", va="center", fontsize=8.5)
        ax.text(max(a, 0) + 0.01, r - 0.19, f"{a:.2f}", va="center", fontsize=8.5)
    ax.set_yticks(rows)
    ax.set_yticklabels([_wrap(_parameter_label(n, glossary), 34) for n in order], fontsize=9.5)
    ax.set_xlim(min(0.0, *first, *total) - 0.02, max(1.05, max(total) + 0.12))
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("Share of the variance explained (Sobol index)", fontsize=10)
    ax.set_title(
        f"What drives the {_metric_label(metric, glossary)}\nSobol indices from "
        f"{len(sweep_result.points):,} analyses (n = {sweep_result.n})",
        fontsize=11,
        loc="left",
    )
    ax.legend(frameon=False, fontsize=9, loc="lower right")
    if any(a > b + 0.02 for a, b in zip(first, total, strict=True)):
        ax.text(
            0,
            -0.16,
            "Estimates from a finite sample: a first-order index above the total "
            "one is sampling error; more points (a larger n) narrow it.",
            transform=ax.transAxes,
            fontsize=8,
            color="#555555",
            va="top",
        )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


# --------------------------------------------------------------------------- protocols


def _party_name(glossary: Glossary | None, party: str) -> str:
    return glossary.parties.get(party, party) if glossary is not None else party


def trace_figure(
    trace: Trace, parties: Sequence[str] | None = None, ax: Axes | None = None
) -> Figure:
    """A simulated negotiation: utilities by round, and the offers in utility space.

    Left: for each party, the utility of the package on the table in each round (filled
    markers on the rounds it proposed, crosses where the package broke its red lines), its
    demand (dashed) and its reservation value (dotted). Right: the offers of two parties in
    their utility space, in order, with the agreement (if any) starred. ``parties``
    defaults to the parties that bargain (those with a demand).
    """
    import numpy as np
    from matplotlib.lines import Line2D

    g = trace.glossary
    moves = [m for m in trace.moves if m.utilities is not None]
    every = list(moves[0].utilities) if moves and moves[0].utilities else []
    bargaining = []
    for move in trace.moves:
        for party in [move.proposer, *move.replies]:
            if (
                party in every
                and party not in bargaining
                and (party == move.proposer or move.replies[party].demand is not None)
            ):
                bargaining.append(party)
    chosen = list(parties) if parties is not None else [p for p in every if p in bargaining]
    for party in chosen:
        if party not in every:
            raise ValueError(f"unknown party {party!r} (parties: {', '.join(every)})")
    if not chosen:
        raise ValueError("the trace has no offers to draw")
    styles = _party_styles(list(g.parties) if g is not None else every)
    fig, spec = _grid(ax, (14.0, 6.0), 1, 2, width_ratios=(1.5, 1.0))
    rounds_ax = fig.add_subplot(spec[0, 0])
    space_ax = fig.add_subplot(spec[0, 1])
    any_broken = False
    for party in chosen:
        colour, marker = styles[party]
        name = _party_name(g, party)
        own = [
            (m.round, m.utilities[party])  # type: ignore[index]
            for m in moves
            if m.proposer == party
        ]
        received = [
            (m.round, m.utilities[party])  # type: ignore[index]
            for m in moves
            if m.proposer != party
        ]
        if own:
            rounds_ax.plot(
                *zip(*own, strict=True),
                marker=marker,
                color=colour,
                linewidth=1.8,
                markersize=4.5,
                label=f"{name}: its own offers",
            )
        if received:
            rounds_ax.plot(
                *zip(*received, strict=True),
                marker=marker,
                color=colour,
                linewidth=0.9,
                alpha=0.75,
                markersize=4.5,
                markerfacecolor="white",
                label=f"{name}: offers it received",
            )
        broken = [
            (m.round, m.utilities[party])  # type: ignore[index]
            for m in moves
            if party in m.replies and m.replies[party].red_lines
        ]
        if broken:
            any_broken = True
            rounds_ax.plot(
                *zip(*broken, strict=True),
                marker="x",
                color=colour,
                linestyle="none",
                markersize=7,
                markeredgewidth=1.6,
            )
        if not own:  # under mediation a party only replies: show what it asked for
            demand = [
                (m.round, m.replies[party].demand)
                for m in trace.moves
                if party in m.replies and m.replies[party].demand is not None
            ]
            if demand:
                rounds_ax.plot(
                    *zip(*demand, strict=True),
                    color=colour,
                    linestyle="--",
                    linewidth=1.2,
                    label=f"{name}: its demand",
                )
        if g is not None and party in g.reservations:
            rounds_ax.axhline(
                g.reservations[party],
                color=colour,
                linestyle=":",
                linewidth=1.2,
                label=f"{name}: reservation value",
            )
    if trace.agreed:
        rounds_ax.axvline(trace.ended, color="#333333", linewidth=1)
        rounds_ax.annotate(
            "agreement",
            (trace.ended, 1.0),
            xytext=(-4, 0),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=8.5,
            color="#333333",
        )
    rounds_ax.set_xlabel("Round", fontsize=10)
    rounds_ax.set_ylabel("Utility", fontsize=10)
    rounds_ax.set_ylim(-0.03, 1.05)
    rounds_ax.grid(color="#e6e6e6", linewidth=0.6)
    extra = [
        Line2D(
            [],
            [],
            marker="x",
            color="#555555",
            linestyle="none",
            markersize=7,
            markeredgewidth=1.6,
            label="Offer broke the party's red lines",
        )
    ][:any_broken]
    handles, labels = rounds_ax.get_legend_handles_labels()
    rounds_ax.legend(
        handles=[*handles, *extra],
        labels=[*labels, *(e.get_label() for e in extra)],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=3,
        frameon=False,
        fontsize=8.5,
    )
    outcome = OUTCOMES.get(trace.outcome, trace.outcome)
    ended = (
        f"{outcome} in round {trace.ended}" if trace.agreed else f"{outcome} (round {trace.ended})"
    )
    tactics = ", ".join(f"{_party_name(g, p)} {t}" for p, t in trace.tactics.items())
    title = f"{trace.protocol.replace('_', ' ').capitalize()} offers: {ended}"
    if tactics:
        title += f"\nTactics: {tactics}"
    rounds_ax.set_title(title, fontsize=11, loc="left")

    a, b = (chosen + [p for p in every if p not in chosen])[:2]
    for proposer in dict.fromkeys(m.proposer for m in moves):
        offers = np.array(
            [
                (m.utilities[a], m.utilities[b])  # type: ignore[index]
                for m in moves
                if m.proposer == proposer
            ]
        )
        colour = styles[proposer][0] if proposer in styles else "#555555"
        space_ax.plot(offers[:, 0], offers[:, 1], color=colour, linewidth=0.8, alpha=0.5)
        who = "the mediator" if proposer == "mediator" else _party_name(g, proposer)
        space_ax.scatter(
            offers[:, 0], offers[:, 1], s=18, color=colour, zorder=3, label=f"Offers by {who}"
        )
    refused = np.array(
        [
            (m.utilities[a], m.utilities[b])  # type: ignore[index]
            for m in moves
            if any(r.red_lines for r in m.replies.values())
        ]
    ).reshape(-1, 2)
    if len(refused):
        space_ax.scatter(
            refused[:, 0],
            refused[:, 1],
            s=30,
            marker="x",
            color="#333333",
            linewidths=0.9,
            zorder=4,
            label="Broke some party's red lines",
        )
    if g is not None and a in g.reservations and b in g.reservations:
        ra, rb = g.reservations[a], g.reservations[b]
        space_ax.fill_between([ra, 1.04], rb, 1.04, color="#009E73", alpha=0.07, linewidth=0)
        space_ax.axvline(ra, color="#555555", linestyle="--", linewidth=0.9)
        space_ax.axhline(rb, color="#555555", linestyle="--", linewidth=0.9)
    if trace.agreed and trace.utilities is not None:
        space_ax.plot(
            trace.utilities[a],
            trace.utilities[b],
            marker="*",
            markersize=18,
            color="#E69F00",
            markeredgecolor="#333333",
            linestyle="none",
            zorder=5,
            label=f"Agreement (round {trace.ended})",
        )
    space_ax.set_xlim(-0.04, 1.04)
    space_ax.set_ylim(-0.04, 1.04)
    space_ax.set_aspect("equal")
    space_ax.set_xlabel(f"{_possessive(_party_name(g, a))} utility", fontsize=10)
    space_ax.set_ylabel(f"{_possessive(_party_name(g, b))} utility", fontsize=10)
    space_ax.set_title("Offers in utility space", fontsize=11, loc="left")
    space_ax.grid(color="#e6e6e6", linewidth=0.6)
    space_ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=8.5, ncols=2
    )
    for panel in (rounds_ax, space_ax):
        for side in ("top", "right"):
            panel.spines[side].set_visible(False)
    return fig


def simulation_figure(summary: SimulationSummary, ax: Axes | None = None) -> Figure:
    """Many simulated negotiations: how soon they agree, and which tactics get a deal.

    Left: the share of runs that had agreed by each round. Right: for each party, the
    share of runs that ended in agreement when it drew each tactic.
    """
    import numpy as np

    g = summary.glossary
    fig, spec = _grid(ax, (13.0, 5.4), 1, 2)
    left = fig.add_subplot(spec[0, 0])
    right = fig.add_subplot(spec[0, 1])
    rounds = np.arange(len(summary.agreement_by_round))
    left.step(rounds, summary.agreement_by_round, where="post", color="#009E73", linewidth=2)
    left.set_ylim(0, 1.02)
    left.set_xlabel("Round", fontsize=10)
    left.set_ylabel("Share of runs agreed by then", fontsize=10)
    outcomes = ", ".join(
        f"{OUTCOMES.get(k, k).lower()} {v / summary.runs:.0%}"
        for k, v in summary.outcomes.items()
        if v
    )
    left.set_title(
        f"{summary.runs:,} simulated {summary.protocol.replace('_', ' ')} negotiations"
        f"\n{_wrap(outcomes[0].upper() + outcomes[1:], 70) if outcomes else ''}",
        fontsize=11,
        loc="left",
    )
    left.grid(color="#e6e6e6", linewidth=0.6)
    parties = list(summary.tactic_agreement)
    tactics = list(dict.fromkeys(t for p in parties for t in summary.tactic_agreement[p]))
    styles = _party_styles(list(g.parties) if g is not None else parties)
    width = 0.8 / max(1, len(parties))
    for k, party in enumerate(parties):
        shares = [summary.tactic_agreement[party].get(t, np.nan) for t in tactics]
        where = np.arange(len(tactics)) + (k - (len(parties) - 1) / 2) * width
        right.bar(
            where,
            shares,
            width=width,
            color=styles[party][0] if party in styles else None,
            label=_party_name(g, party),
        )
        for x, share in zip(where, shares, strict=True):
            if share == share:  # drawn tactics only (NaN: never drawn)
                right.text(x, share + 0.01, f"{share:.0%}", ha="center", va="bottom", fontsize=7.5)
    right.set_xticks(range(len(tactics)))
    right.set_xticklabels([t.replace("_", " ") for t in tactics], fontsize=9)
    right.set_ylim(0, 1.02)
    right.set_ylabel("Share of runs ending in agreement", fontsize=10)
    right.set_xlabel("Tactic the party drew", fontsize=10)
    right.set_title("Which tactics reach a deal", fontsize=11, loc="left")
    if parties:
        right.legend(frameon=False, fontsize=9)
    else:
        right.text(
            0.5,
            0.5,
            "Every party kept a fixed tactic",
            ha="center",
            va="center",
            transform=right.transAxes,
            color="#555555",
        )
    for panel in (left, right):
        for side in ("top", "right"):
            panel.spines[side].set_visible(False)
    return fig


# --------------------------------------------------------------------------- blocking


def blocking_figure(blocking: Blocking, ax: Axes | None = None) -> Figure:
    """Which commitments keep the deal out, and what would have to give.

    Rows are the commitments (red lines and reservation values). Columns are the smallest
    sets of commitments whose relaxation opens an agreement region (when none exists) or
    the commitments binding at the Nash package (when one does): dots mark the members,
    bars above give the size of the region each opens. Bars on the right: how many
    packages each commitment alone keeps out of the region (``blocking.prices``).
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    g = blocking.glossary
    ids = list(blocking.constraints)
    columns = blocking.relaxations if not blocking.agreement_exists else blocking.binding
    parties = list(g.parties)
    styles = _party_styles(parties)
    n_rows, n_cols = len(ids), max(1, len(columns))
    prices = [blocking.prices.get(cid, 0) for cid in ids]
    fig, spec = _grid(
        ax,
        (max(11.0, 0.55 * n_cols + 9.5), 0.42 * n_rows + 4.6),
        2,
        2,
        height_ratios=(1.3, max(1.0, 0.42 * n_rows / 1.8)),
        width_ratios=(max(1.0, 0.55 * n_cols / 2.2), 1.25 if any(prices) else 0.8),
    )
    top = fig.add_subplot(spec[0, 0])
    matrix = fig.add_subplot(spec[1, 0], sharex=top)
    right = fig.add_subplot(spec[1, 1], sharey=matrix)
    corner = fig.add_subplot(spec[0, 1])
    corner.set_axis_off()

    row_of = {cid: n_rows - 1 - k for k, cid in enumerate(ids)}
    colour = {cid: styles[blocking.constraints[cid][1]][0] for cid in ids}

    def label(cid: str) -> str:
        kind, party = blocking.constraints[cid]
        name = g.parties.get(party, party)
        if kind == "reservation":
            return f"{name}: no deal worse than its reservation value ({g.reservations[party]:.2f})"
        return f"{name}: {g.red_lines[cid].description.rstrip('. ') if cid in g.red_lines else cid}"

    for cid in ids:
        matrix.axhspan(
            row_of[cid] - 0.5,
            row_of[cid] + 0.5,
            color="#f5f5f5" if row_of[cid] % 2 else "white",
            zorder=0,
            linewidth=0,
        )
    if columns:
        for c, relaxation in enumerate(columns):
            members = sorted(row_of[cid] for cid in relaxation.constraints)
            matrix.scatter([c] * n_rows, range(n_rows), s=36, color="#dddddd", zorder=1)
            matrix.plot([c, c], [members[0], members[-1]], color="#444444", linewidth=2, zorder=2)
            matrix.scatter(
                [c] * len(members),
                members,
                s=90,
                zorder=3,
                color=[colour[ids[n_rows - 1 - m]] for m in members],
                edgecolors="white",
                linewidths=1,
            )
        # On the exact-search path sizes are sample estimates, None when too small to size.
        opens = [r.opens or 0 for r in columns]
        if not any(opens):
            top.set_axis_off()
            top.text(
                0.5,
                0.5,
                "The regions these relaxations open are too small for a uniform sample of\n"
                f"{blocking.space_size:,} packages to size (exact search found each of them).",
                ha="center",
                va="center",
                fontsize=9.5,
                color="#555555",
                transform=top.transAxes,
            )
            opens = []
        if opens:
            top.bar(range(len(columns)), opens, color="#4d4d4d", width=0.6)
            if max(opens) >= 100 * max(1, min(opens)):
                top.set_yscale("log")
            else:
                top.yaxis.set_major_locator(MaxNLocator(integer=True))
            for c, relaxation in enumerate(columns):
                size = "?" if relaxation.opens is None else f"{relaxation.opens:,}"
                top.text(c, opens[c], size, ha="center", va="bottom", fontsize=8)
            estimated = "" if blocking.counts_exact else "\n(estimated)"
            top.set_ylabel(f"Packages the\nrelaxation opens{estimated}", fontsize=9.5)
        matrix.set_xticks(range(len(columns)))
        matrix.set_xticklabels([str(c + 1) for c in range(len(columns))], fontsize=9)
    else:
        top.set_axis_off()
        matrix.text(
            0,
            (n_rows - 1) / 2,
            _wrap("No single commitment binds at the Nash package.", 30),
            ha="center",
            va="center",
            fontsize=10,
            color="#555555",
        )
        matrix.set_xticks([])
    matrix.scatter(
        [-0.9] * n_rows,
        [row_of[cid] for cid in ids],
        marker="s",
        s=40,
        color=[colour[cid] for cid in ids],
        clip_on=False,
        zorder=3,
    )
    matrix.set_xlim(-1.2, n_cols - 0.4)
    matrix.set_ylim(-0.5, n_rows - 0.5)
    matrix.set_yticks([row_of[cid] for cid in ids])
    matrix.set_yticklabels([_wrap(label(cid), 62) for cid in ids], fontsize=8.5)
    matrix.tick_params(axis="y", length=0, labelcolor="#222222")
    if not blocking.agreement_exists:
        shown = f"{len(columns)} of {blocking.relaxations_total}" if columns else "none"
        matrix.set_xlabel(
            f"Smallest sets of commitments whose removal opens an agreement ({shown})", fontsize=9.5
        )
    else:
        matrix.set_xlabel(
            "Commitments binding at the Nash package (dropping one moves it)", fontsize=9.5
        )
    top.tick_params(axis="x", labelbottom=False)

    right.barh([row_of[cid] for cid in ids], prices, color=[colour[cid] for cid in ids], height=0.6)
    right.set_xlabel("Packages this commitment\nalone keeps out of the region", fontsize=9.5)
    right.tick_params(axis="y", labelleft=False, length=0)
    if max(prices, default=0) == 0:
        right.set_xlim(0, 1)
        right.set_xticks([])
        right.text(
            0.5,
            (n_rows - 1) / 2,
            _wrap(
                "None. No commitment alone keeps any package out: every package breaks at least "
                "two, so dropping any single one opens nothing."
                if blocking.counts_exact
                else "None in a uniform sample of packages: no sampled package breaks just one "
                "commitment (an estimate; the exact search does not count).",
                26,
            ),
            ha="center",
            va="center",
            fontsize=9,
            color="#444444",
        )
    else:
        for cid, value in zip(ids, prices, strict=True):
            if value:
                right.text(value, row_of[cid], f" {value:,}", va="center", fontsize=8)
        right.set_xlim(0, max(prices) * 1.25)
        right.xaxis.set_major_locator(MaxNLocator(integer=True))
    for panel in (top, matrix, right):
        for side in ("top", "right"):
            panel.spines[side].set_visible(False)

    used = [p for p in parties if any(blocking.constraints[c][1] == p for c in ids)]
    corner.legend(
        handles=[
            Line2D(
                [],
                [],
                marker="o",
                color=styles[p][0],
                linestyle="none",
                markersize=9,
                label=g.parties[p],
            )
            for p in used
        ],
        loc="center left",
        frameon=False,
        fontsize=9,
        title="Whose commitment",
        title_fontsize=9.5,
        alignment="left",
    )
    headline = (
        "Why there is no agreement, and what would have to give"
        if not blocking.agreement_exists
        else "What constrains the deal"
    )
    top.set_title(_wrap(blocking.title, 90) + "\n" + headline, fontsize=12, loc="left", pad=10)
    return fig
