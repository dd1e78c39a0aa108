"""The region map: where agreement lives over two issues."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.maps import RegionMap

from sim.plot.style import (
    NO_DEAL,
    _compact,
    _figure,
    _note,
    _option_label,
    _party_styles,
    _possessive,
    _wrap,
)


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
