"""The utility space: packages, the agreement region, its frontier, solutions, proposals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.maps import UtilitySpace

from sim.plot.style import (
    SOLUTION_NAMES,
    _grid,
    _note,
    _possessive,
    _wrap,
)


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
