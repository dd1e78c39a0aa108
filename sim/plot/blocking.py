"""The blocking chart: which commitments keep the deal out, and what would have to give."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.results import Blocking

from sim.plot.style import (
    _grid,
    _party_styles,
    _wrap,
)


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
