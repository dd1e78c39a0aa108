"""Readable transcripts of simulated negotiations, written from result objects only.

Labels come from the glossary a result carries (ids when it carries none). Rounds are
numbered from 0, as in the JSON form.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from sim.results import Choice, Glossary, Move, SimulationSummary, Trace

__all__ = ["transcript", "summary_report"]

_WIDTH = 92
_TITLES = {
    "alternating": "Stacked alternating offers",
    "mediator": "Single-negotiating-text mediation",
    "rubinstein": "Rubinstein's alternating offers (subgame-perfect equilibrium)",
}
_VERBS = {"accept": "accepts", "reject": "rejects", "walk_away": "walks away"}
_ENDINGS = {
    "deadline": "no agreement by the deadline",
    "breakdown": "the talks broke down",
    "walk_away": "no agreement: a party walked away",
    "deadlock": "deadlock: the mediator's text came round again and nobody could concede further",
}


def _glossary(result: Trace | SimulationSummary) -> Glossary:
    if result.glossary is not None:
        return result.glossary
    return Glossary({}, {}, {}, {}, {}, {}, {}, {}, {}, {})


def _party(glossary: Glossary, party: str) -> str:
    return glossary.parties.get(party, party)


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(
        text,
        _WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "    ",
        break_on_hyphens=False,
    )


def _package(glossary: Glossary, package: Mapping[str, Choice], indent: str) -> list[str]:
    return [
        _wrap(f"{glossary.issues.get(issue, issue)}: {glossary.option(issue, choice)}", indent)
        for issue, choice in package.items()
    ]


def _move(glossary: Glossary, move: Move) -> list[str]:
    who = "The mediator" if move.proposer == "mediator" else _party(glossary, move.proposer)
    if move.package is None:
        return [
            f"Round {move.round}: {who} walks away."
            if move.replies.get(move.proposer)
            else f"Round {move.round}: {who} makes no acceptable offer."
        ]
    asks = f" (asking for {move.aspiration:.3f})" if move.aspiration is not None else ""
    verb = "tables a text" if move.proposer == "mediator" else "proposes"
    lines = [f"Round {move.round}: {who} {verb}{asks}:"]
    lines += _package(glossary, move.package, "    ")
    if move.utilities:
        worth = ", ".join(f"{_party(glossary, p)} {u:.3f}" for p, u in move.utilities.items())
        lines.append(_wrap(f"Utilities: {worth}", "  "))
    for party, reply in move.replies.items():
        text = f"{_party(glossary, party)} {_VERBS[reply.verdict]}"
        reasons = []
        if reply.red_lines:
            broken = "; ".join(
                glossary.red_lines[r].description if r in glossary.red_lines else r
                for r in reply.red_lines
            )
            reasons.append(f"breaks: {broken}")
        if reply.demand is not None and reply.verdict != "walk_away":
            reasons.append(f"asks for {reply.demand:.3f}")
        lines.append(_wrap(text + (f" ({'; '.join(reasons)})" if reasons else "") + ".", "  "))
    return lines


def transcript(trace: Trace) -> str:
    """The talks round by round, then how they ended."""
    glossary = _glossary(trace)
    deadline = f"deadline {trace.rounds} rounds" if trace.rounds is not None else "no deadline"
    lines = [f"{_TITLES.get(trace.protocol, trace.protocol)}: {deadline}"]
    if trace.tactics:
        lines.append(
            _wrap(
                "Tactics: "
                + ", ".join(f"{_party(glossary, p)} {name}" for p, name in trace.tactics.items()),
                "",
            )
        )
    factors = {p: d for p, d in trace.discount.items() if d != 1.0}
    if factors:
        lines.append(
            "Discount per round: "
            + ", ".join(f"{_party(glossary, p)} {d:g}" for p, d in factors.items())
        )
    if trace.breakdown:
        lines.append(f"Chance of breakdown per round: {trace.breakdown:g}")
    if trace.seed is not None:
        lines.append(f"Seed: {trace.seed}")
    for move in trace.moves:
        lines.append("")
        lines += _move(glossary, move)
    lines.append("")
    if trace.agreement is not None and trace.utilities is not None:
        lines.append(f"Outcome: agreement in round {trace.ended}:")
        lines += _package(glossary, trace.agreement, "    ")
        worth = ", ".join(f"{_party(glossary, p)} {u:.3f}" for p, u in trace.utilities.items())
        lines.append(_wrap(f"Utilities: {worth}", "  "))
    else:
        ending = _ENDINGS.get(trace.outcome, trace.outcome)
        if trace.walked_away:
            ending = f"no agreement: {_party(glossary, trace.walked_away)} walked away"
        lines.append(f"Outcome: {ending} (round {trace.ended}).")
    return "\n".join(lines) + "\n"


def summary_report(summary: SimulationSummary) -> str:
    """Outcome shares, P(agreement) by round and the most frequent agreements."""
    glossary = _glossary(summary)
    lines = [
        f"{_TITLES.get(summary.protocol, summary.protocol)}: {summary.runs:,} runs, "
        f"deadline {summary.rounds} rounds"
        + (f", seed {summary.seed}" if summary.seed is not None else ""),
    ]
    if summary.tactics:
        lines.append(
            "Fixed tactics: "
            + ", ".join(f"{_party(glossary, p)} {name}" for p, name in summary.tactics.items())
        )
    lines.append("Others draw from: " + ", ".join(summary.pool))
    lines.append("")
    lines.append("Outcomes:")
    for name, count in summary.outcomes.items():
        if count:
            lines.append(f"  {name.replace('_', ' ')}: {count:,} ({count / summary.runs:.1%})")
    by_round = summary.agreement_by_round
    if by_round:
        marks = sorted(
            {max(0, round(q * (len(by_round) - 1))) for q in (0.1, 0.25, 0.5, 0.75, 1.0)}
        )
        lines.append(
            "P(agreement) by round: " + ", ".join(f"{r}: {by_round[r]:.3f}" for r in marks)
        )
    if summary.packages:
        lines.append("")
        lines.append("Most frequent agreements:")
        for package in summary.packages:
            lines.append(f"  {package.count:,} runs ({package.share:.1%}):")
            lines += _package(glossary, package.package, "      ")
    if summary.tactic_agreement:
        lines.append("")
        lines.append("P(agreement) by the tactic a party drew:")
        for party, shares in summary.tactic_agreement.items():
            lines.append(
                _wrap(
                    f"{_party(glossary, party)}: "
                    + ", ".join(f"{name} {share:.2f}" for name, share in shares.items()),
                    "  ",
                )
            )
    return "\n".join(lines) + "\n"
