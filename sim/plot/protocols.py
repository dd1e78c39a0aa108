"""Protocol figures: a negotiation round by round, and Monte Carlo summaries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.results import Glossary, SimulationSummary, Trace

from sim.plot.style import (
    OUTCOMES,
    _grid,
    _party_styles,
    _possessive,
    _wrap,
)


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
