"""Run the engine on a scenario and build result objects: ``analyze`` and ``evaluate``.

This is the thin facade between the validated model and the array kernels: it compiles
the scenario, chooses the space to enumerate, calls the engine, and turns indices back
into packages with ids and labels.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.compile import CompiledScenario, compile_scenario, package_options
from sim.engine.agreement import Scan, frontier_dimensions, scan, solve_on_frontier, verdict
from sim.engine.refine import CANDIDATES, refine
from sim.engine.solutions import SOLUTIONS, ranking
from sim.engine.space import Space, full_space, prune
from sim.results import Analysis, Evaluation, Glossary, RedLineInfo, Solution, Verdict
from sim.schema import Choice, Scenario

__all__ = ["analyze", "evaluate", "parse_package", "glossary"]


def analyze(scenario: Scenario) -> Analysis:
    """Find the agreement region, its Pareto frontier, the Nash package, and judge proposals.

    Spaces larger than ``limits.max_packages`` after pruning are analyzed by exact search
    (:mod:`sim.exact`); ``Analysis.method`` says which path was taken.

    Raises
    ------
    sim.engine.space.SpaceTooLarge
        If the pruned space exceeds ``limits.max_packages`` and ``limits.exact_search`` is
        false.
    """
    compiled = compile_scenario(scenario)
    whole = full_space(compiled)
    pruned = prune(compiled, whole, compiled.gating_rules())
    if pruned.size > compiled.max_packages and compiled.exact_search:
        return _analyze_exact(scenario, compiled, whole, pruned)
    result = scan(compiled, pruned)
    proposals = {
        proposal.id: _evaluate_any(compiled, proposal.choices, proposal.fragmentary)
        for proposal in scenario.proposals.values()
    }
    return Analysis(
        title=scenario.title,
        as_of=scenario.as_of.isoformat() if scenario.as_of else None,
        space_size=whole.size,
        pruned_size=pruned.size,
        pruned_options=_pruned_options(compiled, pruned),
        agreement_count=result.count,
        acceptable_counts=dict(zip(compiled.party_ids, result.party_counts.tolist(), strict=True)),
        pareto_count=len(result.frontier),
        solutions={name: _solve(compiled, result, name) for name in SOLUTIONS},
        proposals=proposals,
        normalized_weights=_normalized(compiled),
        glossary=glossary(scenario),
    )


def evaluate(scenario: Scenario, package: Mapping[str, Choice] | str) -> Evaluation:
    """How every party sees a package: a proposal id, or ``{issue: option}`` (maybe partial).

    Raises
    ------
    KeyError
        If the proposal, an issue or an option is unknown.
    """
    fragmentary = False
    if isinstance(package, str):
        if package not in scenario.proposals:
            raise KeyError(f"unknown proposal {package!r}")
        fragmentary = scenario.proposals[package].fragmentary
        package = scenario.proposals[package].choices
    continuous = {
        issue_id: [float(choice)]
        for issue_id, choice in package.items()
        if issue_id in scenario.issues and scenario.issues[issue_id].kind == "continuous"
    }
    compiled = compile_scenario(scenario, continuous)
    return _evaluate_any(compiled, package, fragmentary)


def parse_package(scenario: Scenario, text: str) -> dict[str, Choice]:
    """Parse ``issue=option,issue=option`` (continuous issues take numbers).

    Raises
    ------
    ValueError
        Naming the unknown issue or option, or the malformed part.
    """
    from sim.schema import ScenarioReferenceError, _check_choice

    package: dict[str, Choice] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        issue_id, sep, option = (piece.strip() for piece in part.partition("="))
        if not sep or not issue_id or not option:
            raise ValueError(f"expected issue=option, found {part!r}")
        if issue_id in package:
            raise ValueError(f"issue {issue_id!r} is given twice")
        issue = scenario.issues.get(issue_id)
        choice: Choice = option
        if issue is not None and issue.kind == "continuous":
            try:
                choice = float(option)
            except ValueError:
                raise ValueError(
                    f"issue {issue_id!r} is continuous: expected a number, found {option!r}"
                ) from None
        try:
            _check_choice(scenario, issue_id, choice, ("package", issue_id))
        except ScenarioReferenceError as error:
            message = error.message
            if not message.startswith(("unknown issue", "issue ")):
                message = f"{issue_id}: {message}"
            raise ValueError(message) from None
        package[issue_id] = choice
    if not package:
        raise ValueError("the package is empty; expected issue=option,issue=option")
    return package


def _solve(compiled: CompiledScenario, result: Scan, name: str = "nash") -> Solution | None:
    """A bargaining solution over the region's frontier, ties broken canonically.

    With continuous issues, the best discrete candidates are refined between grid points
    (:mod:`sim.engine.refine`); the refined point is kept when it is strictly better.
    """
    choice = solve_on_frontier(
        compiled, result.space, result.frontier, result.frontier_utilities, name
    )
    if choice is None:
        return None
    solution = _solution(compiled, name, choice.options, choice.utilities, choice.ties)
    if all(
        grid is None or whole for grid, whole in zip(compiled.grids, compiled.integer, strict=True)
    ):
        return solution
    dims = frontier_dimensions(compiled)
    frontier_options = result.space.options(result.frontier)
    utilities = result.frontier_utilities[:, dims]

    def best_first(order: np.ndarray) -> np.ndarray:
        front = frontier_options[order[:CANDIDATES]]
        return np.concatenate([choice.options[None, :], front])

    ideal = None
    if name == "kalai_smorodinsky":
        ideal = utilities.max(axis=0)
        for i in range(len(dims)):
            weights = np.eye(len(dims))[i]
            better = refine(
                compiled,
                best_first(np.argsort(-utilities[:, i], kind="stable")),
                "utilitarian",
                dims,
                weights=weights,
            )
            if better is not None:
                ideal[i] = max(ideal[i], better.utilities[dims[i]])
    order = ranking(name, utilities, compiled.reservation[dims], compiled.power[dims], ideal)
    refined = refine(compiled, best_first(order), name, dims, ideal, baseline=choice.utilities)
    if refined is None:
        return solution
    package = compiled.package(refined.options)
    for k, value in refined.values.items():
        package[compiled.issue_ids[k]] = round(value, 12)
    return Solution(
        name=name,
        package=package,
        utilities=_per_party(compiled, refined.utilities),
        margins=_per_party(compiled, refined.utilities - compiled.reservation),
        ties=1,
        refined=True,
    )


def _solution(
    compiled: CompiledScenario, name: str, options: np.ndarray, utilities: np.ndarray, ties: int
) -> Solution:
    return Solution(
        name=name,
        package=compiled.package(options),
        utilities=_per_party(compiled, utilities),
        margins=_per_party(compiled, utilities - compiled.reservation),
        ties=ties,
    )


def _per_party(compiled: CompiledScenario, values: np.ndarray) -> dict[str, float]:
    return {party: round(float(v), 12) for party, v in zip(compiled.party_ids, values, strict=True)}


def _evaluate(
    compiled: CompiledScenario, fixed: dict[int, int], fragmentary: bool = False
) -> Evaluation:
    space = full_space(compiled, fixed)
    result = scan(compiled, space)
    completions = space.size
    open_issues = tuple(issue for k, issue in enumerate(compiled.issue_ids) if k not in fixed)
    best = _solve(compiled, result)
    if not open_issues:
        exact = _per_party(compiled, result.utility_low)
        utilities: dict[str, float | None] = dict(exact)
        margins: dict[str, float | None] = {
            p: round(exact[p] - float(r), 12)
            for p, r in zip(compiled.party_ids, compiled.reservation, strict=True)
        }
    elif best is not None:
        utilities, margins = dict(best.utilities), dict(best.margins)
    else:
        utilities = {party: None for party in compiled.party_ids}
        margins = {party: None for party in compiled.party_ids}
    verdicts: dict[str, Verdict] = {
        party: verdict(int(result.party_counts[p]), completions, bool(open_issues), fragmentary)  # type: ignore[misc]
        for p, party in enumerate(compiled.party_ids)
    }
    never = ~result.rule_ever_holds
    broken = {
        party: [rule.id for r, rule in enumerate(compiled.rules) if rule.owner == p and never[r]]
        for p, party in enumerate(compiled.party_ids)
    }
    return Evaluation(
        package={compiled.issue_ids[k]: compiled.choice(k, o) for k, o in sorted(fixed.items())},
        open_issues=open_issues,
        utilities=utilities,
        margins=margins,
        utility_range={
            party: (float(lo), float(hi))
            for party, lo, hi in zip(
                compiled.party_ids, result.utility_low, result.utility_high, strict=True
            )
        },
        verdicts=verdicts,
        broken_red_lines=broken,
        broken_constraints=[
            rule.id for r, rule in enumerate(compiled.rules) if rule.owner < 0 and never[r]
        ],
        completions=completions,
        acceptable_completions=dict(
            zip(compiled.party_ids, result.party_counts.tolist(), strict=True)
        ),
        agreement_completions=result.count,
        best_completion=best if open_issues else None,
    )


def _normalized(compiled: CompiledScenario) -> tuple[str, ...]:
    """Parties whose weights did not sum to one and were normalized."""
    flags = zip(compiled.party_ids, compiled.weights_normalized, strict=True)
    return tuple(party for party, flag in flags if flag)


def _pruned_options(compiled: CompiledScenario, pruned: Space) -> dict[str, list[str]]:
    result = {}
    for k, issue_id in enumerate(compiled.issue_ids):
        kept = set(pruned.allowed[k].tolist())
        removed = [compiled.option_ids[k][o] for o in range(compiled.n_options[k]) if o not in kept]
        if removed:
            result[issue_id] = removed
    return result


def _evaluate_any(
    compiled: CompiledScenario, package: Mapping[str, Choice], fragmentary: bool
) -> Evaluation:
    """Evaluate by enumeration when the completions fit the limit, else by exact search."""
    fixed = package_options(compiled, package)
    completions = full_space(compiled, fixed).size
    limit = min(compiled.max_packages, compiled.max_completions)
    if completions <= limit or not compiled.exact_search:
        return _evaluate(compiled, fixed, fragmentary)
    from sim.exact import exact_evaluation

    found = exact_evaluation(compiled, fixed)
    open_issues = tuple(issue for k, issue in enumerate(compiled.issue_ids) if k not in fixed)
    nash = found.nash
    best = None if nash is None else _solution(compiled, "nash", nash.options, nash.utilities, 1)
    verdicts: dict[str, Verdict] = {}
    for p, party in enumerate(compiled.party_ids):
        accepted = completions if found.every[p] else int(found.some[p])
        verdicts[party] = verdict(accepted, completions, True, fragmentary)  # type: ignore[assignment]
    never = ~found.ever_holds
    return Evaluation(
        package={compiled.issue_ids[k]: compiled.choice(k, o) for k, o in sorted(fixed.items())},
        open_issues=open_issues,
        utilities=dict(best.utilities) if best else dict.fromkeys(compiled.party_ids),
        margins=dict(best.margins) if best else dict.fromkeys(compiled.party_ids),
        utility_range={
            party: (float(lo), float(hi))
            for party, lo, hi in zip(compiled.party_ids, found.low, found.high, strict=True)
        },
        verdicts=verdicts,
        broken_red_lines={
            party: [
                rule.id for r, rule in enumerate(compiled.rules) if rule.owner == p and never[r]
            ]
            for p, party in enumerate(compiled.party_ids)
        },
        broken_constraints=[
            rule.id for r, rule in enumerate(compiled.rules) if rule.owner < 0 and never[r]
        ],
        completions=completions,
        acceptable_completions={
            party: max(int(found.party_counts[p]), 1 if found.some[p] else 0)
            for p, party in enumerate(compiled.party_ids)
        },
        agreement_completions=max(found.region_count, 1) if found.region_exists else 0,
        best_completion=best,
        counts_exact=False,
    )


def _analyze_exact(
    scenario: Scenario, compiled: CompiledScenario, whole: Space, pruned: Space
) -> Analysis:
    """The analysis by exact search (see :mod:`sim.exact`)."""
    from sim.exact import estimate, exact_solutions, sample_judgement

    found = exact_solutions(compiled, pruned, list(SOLUTIONS))
    solutions = {
        name: None
        if result is None
        else _solution(
            compiled,
            name,
            result.options,
            result.utilities,
            1,  # type: ignore[attr-defined]
        )
        for name, result in found.items()
    }
    exists = solutions["nash"] is not None
    judgement = sample_judgement(compiled, pruned)
    count = estimate(int(np.count_nonzero(judgement.region)), pruned.size)
    accepted = np.count_nonzero(judgement.accepts & judgement.constraints_ok[:, None], axis=0)
    return Analysis(
        title=scenario.title,
        as_of=scenario.as_of.isoformat() if scenario.as_of else None,
        space_size=whole.size,
        pruned_size=pruned.size,
        pruned_options=_pruned_options(compiled, pruned),
        agreement_count=max(count, 1) if exists else 0,
        acceptable_counts={
            party: estimate(int(n), pruned.size)
            for party, n in zip(compiled.party_ids, accepted, strict=True)
        },
        pareto_count=None,
        solutions=solutions,
        proposals={
            proposal.id: _evaluate_any(compiled, proposal.choices, proposal.fragmentary)
            for proposal in scenario.proposals.values()
        },
        normalized_weights=_normalized(compiled),
        glossary=glossary(scenario),
        method="milp",
        counts_exact=False,
    )


def glossary(scenario: Scenario) -> Glossary:
    """Labels, roles, red-line texts and evidence summaries for presenters."""
    red_lines = {
        rule.id: RedLineInfo(rule.id, None, rule.title, rule.rule, rule.evidence)
        for rule in scenario.constraints
    }
    for party in scenario.party_list:
        for rule in party.red_lines:
            red_lines[rule.id] = RedLineInfo(
                rule.id, party.id, rule.title, rule.rule, rule.evidence
            )
    evidence = {
        record.id: ", ".join(
            part for part in (record.actor, record.source.outlet, str(record.date)) if part
        )
        for record in scenario.evidence
    }
    return Glossary(
        issues={issue.id: issue.title for issue in scenario.issue_list},
        options={issue.id: {o.id: o.title for o in issue.options} for issue in scenario.issue_list},
        units={issue.id: issue.unit for issue in scenario.issue_list},
        parties={party.id: party.title for party in scenario.party_list},
        roles={party.id: party.role for party in scenario.party_list},
        reservations={party.id: party.reservation for party in scenario.party_list},
        red_lines=red_lines,
        evidence=evidence,
        proposals={proposal.id: proposal.title for proposal in scenario.proposals.values()},
        proposal_dates={
            proposal.id: str(proposal.date) for proposal in scenario.proposals.values()
        },
    )
