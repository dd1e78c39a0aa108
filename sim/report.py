"""Plain-text reports for a policy reader, written from result objects and their labels."""

from __future__ import annotations

import textwrap

from sim.results import Analysis, Evaluation, Glossary, Solution

__all__ = ["analysis_report", "evaluation_report"]

_WIDTH = 92
_ROLE = {"signatory": "signatory", "guarantor": "guarantor", "observer": "observer"}
_VERDICT = {
    "accept": "accepts",
    "reject": "rejects",
    "accept_some_completion": "could accept, depending on the open issues",
}


def _wrap(text: str, indent: str = "", subsequent: str | None = None) -> str:
    return textwrap.fill(
        text,
        width=_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_on_hyphens=False,
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _package_lines(glossary: Glossary, package: dict[str, object], indent: str) -> list[str]:
    lines = []
    for issue_id, choice in package.items():
        label = glossary.issues.get(issue_id, issue_id)
        lines.append(_wrap(f"{label}: {glossary.option(issue_id, choice)}", indent, indent + "    "))
    return lines


def _utility_lines(glossary: Glossary, solution: Solution, indent: str) -> list[str]:
    lines = []
    for party, utility in solution.utilities.items():
        margin = solution.margins[party]
        lines.append(
            f"{indent}{glossary.parties[party]}: utility {utility:.3f} "
            f"({margin:+.3f} over its reservation value {glossary.reservations[party]:.3f})"
        )
    return lines


def _evidence(glossary: Glossary, ids: tuple[str, ...]) -> str:
    if not ids:
        return "no evidence cited"
    return "; ".join(f"{i} ({glossary.evidence[i]})" if i in glossary.evidence else i for i in ids)


def _verdict_lines(glossary: Glossary, evaluation: Evaluation, indent: str) -> list[str]:
    lines = []
    for party, verdict in evaluation.verdicts.items():
        name = glossary.parties[party]
        utility = evaluation.utilities.get(party)
        margin = evaluation.margins.get(party)
        detail = ""
        if evaluation.open_issues:
            low, high = evaluation.utility_range[party]
            detail = f" (utility {low:.3f} to {high:.3f} across completions"
            if utility is not None:
                detail += f"; {utility:.3f} at the best completion"
            detail += ")"
        elif utility is not None and margin is not None:
            detail = f" (utility {utility:.3f}, {margin:+.3f} over reservation)"
        role = glossary.roles[party]
        lines.append(_wrap(f"{name} [{_ROLE[role]}]: {_VERDICT[verdict]}{detail}", indent, indent + "    "))
        for rule_id in evaluation.broken_red_lines.get(party, []):
            info = glossary.red_lines[rule_id]
            lines.append(_wrap(f"breaks red line: {info.description}", indent + "    ", indent + "      "))
            lines.append(_wrap(f"evidence: {_evidence(glossary, info.evidence)}", indent + "      ",
                               indent + "        "))
        if verdict == "reject" and not evaluation.broken_red_lines.get(party) and evaluation.complete and margin is not None:
            lines.append(f"{indent}    falls short of its reservation value by {-margin:.3f}")
        elif verdict == "reject" and not evaluation.broken_red_lines.get(party):
            lines.append(f"{indent}    no completion clears both its red lines and its reservation value")
    for rule_id in evaluation.broken_constraints:
        info = glossary.red_lines[rule_id]
        lines.append(_wrap(f"Breaks scenario constraint: {info.description}", indent, indent + "    "))
    return lines


def _proposal_summary(evaluation: Evaluation) -> str:
    if evaluation.complete:
        return "in the agreement region" if evaluation.in_agreement_region else "not in the agreement region"
    if evaluation.in_agreement_region:
        return (
            f"{_count(evaluation.agreement_completions, 'completion')} of "
            f"{evaluation.completions:,} would be acceptable to every party that must accept"
        )
    return f"none of its {_count(evaluation.completions, 'completion')} is acceptable to every party that must accept"


def analysis_report(analysis: Analysis) -> str:
    """The report ``negosim run`` prints."""
    g = analysis.glossary
    lines = [analysis.title, "=" * min(len(analysis.title), _WIDTH)]
    if analysis.as_of:
        lines.append(f"As of {analysis.as_of}.")
    lines.append("")
    lines.append("Package space")
    lines.append(
        f"  {_count(analysis.space_size, 'possible package')} over {_count(len(g.issues), 'issue')}."
    )
    if analysis.pruned_options:
        lines.append(
            f"  {analysis.pruned_size:,} remain after removing options that a red line of a party "
            "that must accept rules out on its own:"
        )
        for issue_id, options in analysis.pruned_options.items():
            labels = ", ".join(g.option(issue_id, o) for o in options)
            lines.append(_wrap(f"{g.issues[issue_id]}: {labels}", "    ", "      "))
    if analysis.normalized_weights:
        names = ", ".join(g.parties[p] for p in analysis.normalized_weights)
        lines.append(_wrap(f"Issue weights of {names} did not sum to one and were normalized.", "  "))
    lines.append("")
    lines.append("Agreement region")
    if analysis.agreement_exists:
        lines.append(_wrap(
            f"{_count(analysis.agreement_count, 'package')} are acceptable to every party that must "
            f"accept (signatories and guarantors); {analysis.pareto_count:,} of them are Pareto-efficient.",
            "  ",
        ))
    else:
        lines.append(_wrap(
            "No package is acceptable to every party that must accept (signatories and guarantors).",
            "  ",
        ))
    lines.append(f"  Of the {analysis.pruned_size:,} packages left after pruning, each party accepts:")
    for party, count in analysis.acceptable_counts.items():
        lines.append(f"    {g.parties[party]} [{g.roles[party]}]: {count:,}")
    nash = analysis.solutions.get("nash")
    lines.append("")
    lines.append("Nash bargaining solution")
    if nash is None:
        lines.append("  None: the agreement region is empty.")
    else:
        if nash.ties > 1:
            lines.append(f"  ({nash.ties} packages tie; the first in a canonical order is shown.)")
        lines.extend(_package_lines(g, nash.package, "  "))
        lines.append("  Utilities:")
        lines.extend(_utility_lines(g, nash, "    "))
    if analysis.proposals:
        lines.append("")
        lines.append("Proposals on the table")
        for pid, evaluation in analysis.proposals.items():
            date = g.proposal_dates.get(pid, "")
            header = f"{g.proposals[pid]}" + (f" ({date})" if date else "")
            lines.append("")
            lines.append(_wrap(header, "  ", "    "))
            if evaluation.open_issues:
                open_labels = ", ".join(g.issues[i] for i in evaluation.open_issues)
                lines.append(_wrap(f"Leaves open: {open_labels}.", "    ", "      "))
            lines.append(_wrap(f"Overall: {_proposal_summary(evaluation)}.", "    ", "      "))
            lines.extend(_verdict_lines(g, evaluation, "    "))
    return "\n".join(lines) + "\n"


def evaluation_report(evaluation: Evaluation, glossary: Glossary, title: str = "Package") -> str:
    """The report ``negosim evaluate`` prints."""
    lines = [title, "=" * min(len(title), _WIDTH)]
    lines.extend(_package_lines(glossary, evaluation.package, "  "))
    if evaluation.open_issues:
        open_labels = ", ".join(glossary.issues[i] for i in evaluation.open_issues)
        lines.append(_wrap(f"Leaves open: {open_labels} ({evaluation.completions:,} completions).", "  "))
    lines.append("")
    lines.append(_wrap(f"Overall: {_proposal_summary(evaluation)}.", ""))
    lines.extend(_verdict_lines(glossary, evaluation, "  "))
    if evaluation.best_completion is not None:
        lines.append("")
        lines.append("Best completion acceptable to all (by Nash product):")
        open_part = {i: evaluation.best_completion.package[i] for i in evaluation.open_issues}
        lines.extend(_package_lines(glossary, open_part, "  "))
        lines.extend(_utility_lines(glossary, evaluation.best_completion, "  "))
    return "\n".join(lines) + "\n"
