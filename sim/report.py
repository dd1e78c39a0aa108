"""Plain-text reports for a policy reader, written from result objects and their labels."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from sim.results import Analysis, Blocking, Evaluation, Glossary, Solution, SweepResult

__all__ = ["analysis_report", "evaluation_report", "blocking_report", "sweep_report"]

_WIDTH = 92
_ROLE = {"signatory": "signatory", "guarantor": "guarantor", "observer": "observer"}
_SOLUTION_NAMES = {
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "egalitarian": "Egalitarian (max-min gain)",
    "utilitarian": "Utilitarian (max total utility)",
}
_VERDICT = {
    "accept": "accepts",
    "reject": "rejects",
    "accept_some_completion": "could accept, depending on the open issues",
    "undetermined": "cannot be judged from the known terms",
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


def _package_lines(
    glossary: Glossary, package: Mapping[str, bool | float | str], indent: str
) -> list[str]:
    lines = []
    for issue_id, choice in package.items():
        label = glossary.issues.get(issue_id, issue_id)
        lines.append(
            _wrap(f"{label}: {glossary.option(issue_id, choice)}", indent, indent + "    ")
        )
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
        lines.append(
            _wrap(f"{name} [{_ROLE[role]}]: {_VERDICT[verdict]}{detail}", indent, indent + "    ")
        )
        for rule_id in evaluation.broken_red_lines.get(party, []):
            info = glossary.red_lines[rule_id]
            lines.append(
                _wrap(f"breaks red line: {info.description}", indent + "    ", indent + "      ")
            )
            lines.append(
                _wrap(
                    f"evidence: {_evidence(glossary, info.evidence)}",
                    indent + "      ",
                    indent + "        ",
                )
            )
        if (
            verdict == "reject"
            and not evaluation.broken_red_lines.get(party)
            and evaluation.complete
            and margin is not None
        ):
            lines.append(f"{indent}    falls short of its reservation value by {-margin:.3f}")
        elif verdict == "reject" and not evaluation.broken_red_lines.get(party):
            lines.append(
                f"{indent}    no completion clears both its red lines and its reservation value"
            )
    for rule_id in evaluation.broken_constraints:
        info = glossary.red_lines[rule_id]
        lines.append(
            _wrap(f"Breaks scenario constraint: {info.description}", indent, indent + "    ")
        )
    return lines


def _proposal_summary(evaluation: Evaluation) -> str:
    if evaluation.complete:
        return (
            "in the agreement region"
            if evaluation.in_agreement_region
            else "not in the agreement region"
        )
    if evaluation.in_agreement_region:
        return (
            f"{_count(evaluation.agreement_completions, 'completion')} of "
            f"{evaluation.completions:,} would be acceptable to every party that must accept"
        )
    completions = _count(evaluation.completions, "completion")
    return f"none of its {completions} is acceptable to every party that must accept"


def analysis_report(analysis: Analysis) -> str:
    """The report ``negosim run`` prints."""
    g = analysis.glossary
    lines = [analysis.title, "=" * min(len(analysis.title), _WIDTH)]
    if analysis.as_of:
        lines.append(f"As of {analysis.as_of}.")
    lines.append("")
    lines.append("Package space")
    lines.append(
        f"  {_count(analysis.space_size, 'possible package')} over "
        f"{_count(len(g.issues), 'issue')}."
    )
    if analysis.pruned_options:
        lines.append(
            _wrap(
                f"{analysis.pruned_size:,} remain after removing options that a red line of a "
                "party "
                "that must accept rules out on its own:",
                "  ",
            )
        )
        for issue_id, options in analysis.pruned_options.items():
            total = len(g.options[issue_id]) or len(options)
            labels = "; ".join(g.option(issue_id, o) for o in options)
            ruled = "all" if len(options) == total else f"{len(options)} of"
            lines.append(
                _wrap(
                    f"{g.issues[issue_id]} ({ruled} {total} options ruled out): {labels}",
                    "    ",
                    "      ",
                )
            )
    if analysis.normalized_weights:
        names = ", ".join(g.parties[p] for p in analysis.normalized_weights)
        lines.append(
            _wrap(f"Issue weights of {names} did not sum to one and were normalized.", "  ")
        )
    lines.append("")
    lines.append("Agreement region")
    must = "every party that must accept (signatories and guarantors)"
    about = "" if analysis.counts_exact else "about "
    if analysis.agreement_exists:
        efficient = (
            f"; {analysis.pareto_count:,} of them are Pareto-efficient"
            if analysis.pareto_count is not None
            else ""
        )
        count = _count(analysis.agreement_count, "package")
        lines.append(_wrap(f"{about}{count} are acceptable to {must}{efficient}.", "  "))
    else:
        lines.append(_wrap(f"No package is acceptable to {must}.", "  "))
    if analysis.method == "milp":
        lines.append(
            _wrap(
                "The space is too large to enumerate: existence, solutions and verdicts come from "
                "exact search (mixed-integer programming); counts are estimated from a uniform "
                "sample of packages.",
                "  ",
            )
        )
    lines.append(
        f"  Of the {analysis.pruned_size:,} packages left after pruning, each party accepts "
        f"{about}:".replace(" :", ":")
    )
    for party, accepted in analysis.acceptable_counts.items():
        lines.append(f"    {g.parties[party]} [{g.roles[party]}]: {accepted:,}")
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
    others = [(name, sol) for name, sol in analysis.solutions.items() if name != "nash" and sol]
    if nash is not None and others:
        lines.append("")
        lines.append("Other bargaining solutions (terms that differ from the Nash package)")
        for name, solution in others:
            changed = {i: c for i, c in solution.package.items() if nash.package.get(i) != c}
            tie = f", {solution.ties} tied" if solution.ties > 1 else ""
            lines.append(f"  {_SOLUTION_NAMES[name]}{tie}:")
            if changed:
                lines.extend(_package_lines(g, changed, "    "))
            else:
                lines.append("    same package as Nash")
            utilities = ", ".join(f"{g.parties[p]} {u:.3f}" for p, u in solution.utilities.items())
            lines.append(_wrap(f"utilities: {utilities}", "    ", "      "))
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
        lines.append(
            _wrap(f"Leaves open: {open_labels} ({evaluation.completions:,} completions).", "  ")
        )
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


def _constraint_label(glossary: Glossary, blocking: Blocking, constraint_id: str) -> str:
    kind, party = blocking.constraints[constraint_id]
    name = glossary.parties[party]
    if kind == "reservation":
        return f"{name}'s reservation value ({glossary.reservations[party]:.2f})"
    description = glossary.red_lines[constraint_id].description.rstrip(". ")
    return f"{name}'s red line \u201c{description}\u201d"


def _join(labels: list[str]) -> str:
    if len(labels) <= 2:
        return " and ".join(labels)
    return ", ".join(labels[:-1]) + ", and " + labels[-1]


def _opens(blocking: Blocking, size: int | None) -> str:
    if size is None:
        return "an agreement region too small for a sample to size"
    if blocking.counts_exact:
        return _count(size, "package")
    return f"about {_count(size, 'package')} (estimated from a sample)"


def blocking_report(blocking: Blocking) -> str:
    """Plain-language account of why no deal exists, or what constrains the one that does."""
    g = blocking.glossary
    label = lambda cid: _constraint_label(g, blocking, cid)  # noqa: E731
    lines: list[str] = []
    if not blocking.agreement_exists:
        lines.append("Why there is no agreement")
        lines.append(
            _wrap(
                "No package is acceptable to every party that must accept "
                f"(of {_count(blocking.space_size, 'package')} considered).",
                "  ",
            )
        )
        if blocking.conflicts:
            lines.append(
                _wrap(
                    "Incompatible commitments (each group cannot hold together; giving up any one "
                    "member resolves that group):",
                    "  ",
                )
            )
            for conflict in blocking.conflicts[:8]:
                lines.append(_wrap(_join([label(c) for c in conflict]) + ".", "    - ", "      "))
            if len(blocking.conflicts) > 8:
                lines.append(f"    ... and {len(blocking.conflicts) - 8} more groups.")
            if not blocking.conflicts_complete:
                lines.append("    (The list of groups was cut short; it is not exhaustive.)")
        if blocking.relaxations:
            lines.append(
                _wrap(
                    "What would have to give (smallest sets of commitments whose removal opens an "
                    f"agreement; {blocking.relaxations_total} in all):",
                    "  ",
                )
            )
            for number, relaxation in enumerate(blocking.relaxations, 1):
                what = _join([label(c) for c in relaxation.constraints])
                lines.append(
                    _wrap(
                        f"{number}. Drop {what}: opens {_opens(blocking, relaxation.opens)}.",
                        "    ",
                        "       ",
                    )
                )
                if relaxation.nash is not None:
                    lines.append("       Nash package there:")
                    lines.extend(_package_lines(g, relaxation.nash.package, "         "))
        if blocking.closest:
            lines.append("  Closest packages (fewest red lines broken, then smallest shortfall):")
            for number, close in enumerate(blocking.closest, 1):
                lines.append(f"    {number}.")
                lines.extend(_package_lines(g, close.package, "       "))
                for party, ids in close.broken_red_lines.items():
                    for rule_id in ids:
                        lines.append(
                            _wrap(
                                f"{g.parties[party]}: breaks "
                                f"\u201c{g.red_lines[rule_id].description}\u201d",
                                "       ",
                                "         ",
                            )
                        )
                for party, shortfall in close.shortfalls.items():
                    if shortfall > 0:
                        lines.append(
                            f"       {g.parties[party]}: {shortfall:.3f} below its "
                            "reservation value"
                        )
    else:
        lines.append("What constrains the deal")
        if blocking.binding:
            lines.append("  Commitments binding at the Nash package (dropping one moves it):")
            for relaxation in blocking.binding:
                lines.append(
                    _wrap(
                        f"- {label(relaxation.constraints[0])}: without it, "
                        f"{_opens(blocking, relaxation.opens)} would be acceptable "
                        "and the Nash package becomes:",
                        "    ",
                        "      ",
                    )
                )
                assert relaxation.nash is not None
                lines.extend(_package_lines(g, relaxation.nash.package, "        "))
        else:
            lines.append("  No single commitment binds at the Nash package.")
    priced = [(cid, n) for cid, n in blocking.prices.items() if n > 0]
    lines.append("  Packages each commitment alone keeps out of the agreement region:")
    if not priced:
        lines.append("    none: no package is excluded by one commitment alone.")
    for cid, n in sorted(priced, key=lambda item: -item[1]):
        lines.append(_wrap(f"{label(cid)}: {n:,}", "    ", "      "))
    return "\n".join(lines) + "\n"


def sweep_report(result: SweepResult) -> str:
    """A short account of a sweep: P(agreement), and how the Nash package varies."""
    from collections import Counter

    p, low, high = result.agreement_probability()
    lines = [
        f"Sweep over {', '.join(result.parameters)} "
        f"({result.design}, {len(result.points):,} points)"
    ]
    lines.append(f"  P(agreement) = {p:.3f} (95% Wilson interval {low:.3f} to {high:.3f})")
    counts = [c for c in result.metric("agreement_count") if c]
    if counts:
        lines.append(
            f"  agreement region size where one exists: {min(counts):,} to {max(counts):,} packages"
        )
    packages = Counter(
        tuple(sorted((point.metrics["nash"] or {}).get("package", {}).items()))
        for point in result.points
        if point.metrics["nash"]
    )
    if packages:
        lines.append("  most frequent Nash packages:")
        for package, count in packages.most_common(3):
            terms = ", ".join(f"{issue}={option}" for issue, option in package)
            lines.append(_wrap(f"{count:,} points: {terms}", "    ", "      "))
    if len(result.parameters) <= 2 and len(result.points) <= 60:
        lines.append("  points:")
        for point in result.points:
            where = ", ".join(f"{k}={v:g}" for k, v in point.values.items())
            verdict = "agreement" if point.metrics["agreement_exists"] else "no agreement"
            lines.append(f"    {where}: {verdict} ({point.metrics['agreement_count']:,} packages)")
    return "\n".join(lines) + "\n"
