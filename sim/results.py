"""Frozen result objects: what the engine found, built whole, with ``to_dict()`` for JSON.

Presenters (the text report, plots, the CLI) read these objects only. Each carries the
labels it needs (:class:`Glossary`), so nothing downstream reaches back to the scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Glossary",
    "Solution",
    "Evaluation",
    "Analysis",
    "Verdict",
    "Relaxation",
    "ClosePackage",
    "Blocking",
    "SweepPoint",
    "SweepResult",
]

Verdict = Literal["accept", "reject", "accept_some_completion", "undetermined"]
Choice = bool | float | str


@dataclass(frozen=True)
class RedLineInfo:
    """A red line (or scenario constraint, ``owner`` None) as the reader should see it."""

    id: str
    owner: str | None
    description: str
    rule: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Glossary:
    """Labels for the ids a result mentions, so presenters never need the scenario."""

    issues: dict[str, str]
    options: dict[str, dict[str, str]]
    units: dict[str, str]
    parties: dict[str, str]
    roles: dict[str, str]
    reservations: dict[str, float]
    red_lines: dict[str, RedLineInfo]
    evidence: dict[str, str]
    proposals: dict[str, str]
    proposal_dates: dict[str, str]

    def option(self, issue: str, choice: Choice) -> str:
        """Human label of an option (or a continuous value with its unit)."""
        if isinstance(choice, float):
            return f"{choice:g} {self.units.get(issue, '')}".strip()
        return self.options.get(issue, {}).get(str(choice), str(choice))


@dataclass(frozen=True)
class Solution:
    """A chosen package with every party's utility and margin over its reservation value.

    ``ties`` counts the packages that attain the optimum on the grid; ``refined`` says a
    continuous issue's value was optimized between grid points (then ``ties`` is 1).
    """

    name: str
    package: dict[str, Choice]
    utilities: dict[str, float]
    margins: dict[str, float]
    ties: int = 1
    refined: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``package``, ``utilities``, ``margins``, ``ties``, ``refined``."""
        return {
            "package": dict(self.package),
            "utilities": dict(self.utilities),
            "margins": dict(self.margins),
            "ties": self.ties,
            "refined": self.refined,
        }


@dataclass(frozen=True)
class Evaluation:
    """How every party sees one package, complete or partial.

    For a partial package, ``utilities`` and ``margins`` are those of the best completion
    (by Nash product among completions every necessary party accepts) and ``None`` when no
    such completion exists; ``utility_range`` spans all completions. ``broken_red_lines``
    lists the red lines broken by *every* completion (for a complete package: broken).
    """

    package: dict[str, Choice]
    open_issues: tuple[str, ...]
    utilities: dict[str, float | None]
    margins: dict[str, float | None]
    utility_range: dict[str, tuple[float, float]]
    verdicts: dict[str, Verdict]
    broken_red_lines: dict[str, list[str]]
    broken_constraints: list[str]
    completions: int
    acceptable_completions: dict[str, int]
    agreement_completions: int
    best_completion: Solution | None
    counts_exact: bool = True

    @property
    def complete(self) -> bool:
        """Whether the package fixes every issue."""
        return not self.open_issues

    @property
    def in_agreement_region(self) -> bool:
        """Whether the package (or some completion of it) is acceptable to all who must accept."""
        return self.agreement_completions > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``verdicts``, ``broken_red_lines`` and ``utilities`` are stable keys."""
        return {
            "package": dict(self.package),
            "complete": self.complete,
            "open_issues": list(self.open_issues),
            "verdicts": dict(self.verdicts),
            "broken_red_lines": {party: list(ids) for party, ids in self.broken_red_lines.items()},
            "broken_constraints": list(self.broken_constraints),
            "utilities": dict(self.utilities),
            "margins": dict(self.margins),
            "utility_range": {party: list(span) for party, span in self.utility_range.items()},
            "completions": self.completions,
            "acceptable_completions": dict(self.acceptable_completions),
            "agreement_completions": self.agreement_completions,
            "in_agreement_region": self.in_agreement_region,
            "best_completion": self.best_completion.to_dict() if self.best_completion else None,
            "counts_exact": self.counts_exact,
        }


@dataclass(frozen=True)
class Analysis:
    """The whole-scenario analysis: space, agreement region, frontier, solutions, proposals.

    ``method`` says how it was found: ``enumeration`` (every count exact) or ``milp``
    (exact search for spaces too large to enumerate: existence, solutions and verdicts
    exact; counts estimated from a uniform sample, ``counts_exact`` false; no frontier
    count).
    """

    title: str
    as_of: str | None
    space_size: int
    pruned_size: int
    pruned_options: dict[str, list[str]]
    agreement_count: int
    acceptable_counts: dict[str, int]
    pareto_count: int | None
    solutions: dict[str, Solution | None]
    proposals: dict[str, Evaluation]
    normalized_weights: tuple[str, ...]
    glossary: Glossary = field(repr=False, compare=False)
    method: str = "enumeration"
    counts_exact: bool = True

    @property
    def agreement_exists(self) -> bool:
        """Whether some package is acceptable to every party that must accept."""
        return self.agreement_count > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with the stable keys ``space.size``, ``agreement.exists``, etc."""
        return {
            "title": self.title,
            "as_of": self.as_of,
            "space": {
                "size": self.space_size,
                "pruned_size": self.pruned_size,
                "pruned_options": {k: list(v) for k, v in self.pruned_options.items()},
            },
            "method": self.method,
            "agreement": {
                "exists": self.agreement_exists,
                "count": self.agreement_count,
                "count_exact": self.counts_exact,
                "acceptable_to": dict(self.acceptable_counts),
            },
            "pareto": {"count": self.pareto_count},
            "solutions": {
                name: (solution.to_dict() if solution else None)
                for name, solution in self.solutions.items()
            },
            "proposals": {pid: evaluation.to_dict() for pid, evaluation in self.proposals.items()},
            "normalized_weights": list(self.normalized_weights),
        }


@dataclass(frozen=True)
class Relaxation:
    """A set of constraints to relax, the agreement region it opens and that region's Nash package.

    ``opens`` is the size of that region: exact on enumerable spaces; on the exact-search
    path an estimate from a sample, or None when the region is too small for the sample.
    """

    constraints: tuple[str, ...]
    opens: int | None
    nash: Solution | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "constraints": list(self.constraints),
            "opens": self.opens,
            "nash": self.nash.to_dict() if self.nash else None,
        }


@dataclass(frozen=True)
class ClosePackage:
    """A package near acceptance: each party's shortfall and the red lines it breaks."""

    package: dict[str, Choice]
    utilities: dict[str, float]
    shortfalls: dict[str, float]
    broken_red_lines: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "package": dict(self.package),
            "utilities": dict(self.utilities),
            "shortfalls": dict(self.shortfalls),
            "broken_red_lines": {p: list(ids) for p, ids in self.broken_red_lines.items()},
        }


@dataclass(frozen=True)
class Blocking:
    """Why no deal exists (or what constrains the one that does), and what would have to give.

    Constraint ids are red-line ids and ``reservation:<party>`` for reservation values.
    ``conflicts`` are minimal sets of constraints no package satisfies together;
    ``relaxations`` minimal sets whose removal opens an agreement region (smallest first,
    then by the size of the region opened); ``closest`` the packages nearest to acceptance;
    ``prices`` how many packages each constraint alone keeps out of the region;
    ``binding`` the single constraints whose relaxation would move the Nash package.
    """

    title: str
    space_size: int
    agreement_count: int
    constraints: dict[str, tuple[str, str]]
    conflicts: tuple[tuple[str, ...], ...]
    conflicts_complete: bool
    relaxations: tuple[Relaxation, ...]
    relaxations_total: int
    closest: tuple[ClosePackage, ...]
    prices: dict[str, int]
    binding: tuple[Relaxation, ...]
    nash: Solution | None
    glossary: Glossary = field(repr=False, compare=False)
    method: str = "enumeration"
    counts_exact: bool = True

    @property
    def agreement_exists(self) -> bool:
        """Whether the unrelaxed agreement region is non-empty."""
        return self.agreement_count > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "title": self.title,
            "method": self.method,
            "counts_exact": self.counts_exact,
            "space": {"size": self.space_size},
            "agreement": {"exists": self.agreement_exists, "count": self.agreement_count},
            "constraints": {
                cid: {"kind": kind, "party": party}
                for cid, (kind, party) in self.constraints.items()
            },
            "conflicts": [list(c) for c in self.conflicts],
            "conflicts_complete": self.conflicts_complete,
            "relaxations": [r.to_dict() for r in self.relaxations],
            "relaxations_total": self.relaxations_total,
            "closest": [c.to_dict() for c in self.closest],
            "prices": dict(self.prices),
            "binding": [r.to_dict() for r in self.binding],
            "nash": self.nash.to_dict() if self.nash else None,
        }


@dataclass(frozen=True)
class SweepPoint:
    """One point of a sweep: its parameter values and the metrics found there."""

    index: int
    values: dict[str, float]
    metrics: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"index": self.index, "values": dict(self.values), "metrics": self.metrics}


def _wilson(successes: int, trials: int, confidence: float) -> tuple[float, float, float]:
    from scipy.stats import norm

    if trials == 0:
        return float("nan"), 0.0, 1.0
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * ((p * (1 - p) / trials + z * z / (4 * trials * trials)) ** 0.5) / denominator
    return p, max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class SweepResult:
    """Every point of a sweep or Monte Carlo run, in design order.

    Metrics per point: ``agreement_exists``, ``agreement_count``, ``pareto_count``,
    ``nash`` (``package`` and ``utilities``, or None), ``verdicts`` per proposal and, when
    asked for, ``conflicts``.
    """

    parameters: tuple[str, ...]
    design: str
    seed: int
    points: tuple[SweepPoint, ...]
    n: int | None = None

    def metric(self, name: str) -> list[Any]:
        """One metric across points: a key of the metrics, or ``nash.utilities.<party>``."""
        values = []
        for point in self.points:
            node: Any = point.metrics
            for part in name.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            values.append(node)
        return values

    def agreement_probability(self, confidence: float = 0.95) -> tuple[float, float, float]:
        """Share of points with an agreement, and its Wilson score interval."""
        successes = sum(bool(p.metrics["agreement_exists"]) for p in self.points)
        return _wilson(successes, len(self.points), confidence)

    def sobol_indices(self, metric: str = "agreement_count") -> dict[str, dict[str, float]]:
        """First-order and total Sobol indices of a numeric metric (``sobol_indices`` design).

        Uses ``scipy.stats.sobol_indices`` on the Saltelli matrices the design evaluated.
        """
        import numpy as np
        from scipy.stats import sobol_indices

        if self.design != "sobol_indices" or not self.n:
            raise ValueError("Sobol indices need a sweep run with design='sobol_indices'")
        d, n = len(self.parameters), self.n
        values = np.array([float(v if v is not None else np.nan) for v in self.metric(metric)])
        f_a, f_b, f_ab = values[:n], values[n : 2 * n], values[2 * n :].reshape(d, n)
        if np.ptp(values) == 0:
            zeros = {name: 0.0 for name in self.parameters}
            return {"first_order": zeros, "total_order": dict(zeros)}
        result = sobol_indices(
            func={"f_A": f_a[None, :], "f_B": f_b[None, :], "f_AB": f_ab[:, None, :]}, n=n
        )
        return {
            "first_order": dict(
                zip(self.parameters, np.atleast_2d(result.first_order)[0].tolist(), strict=True)
            ),
            "total_order": dict(
                zip(self.parameters, np.atleast_2d(result.total_order)[0].tolist(), strict=True)
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with P(agreement) and its 95% Wilson interval."""
        p, low, high = self.agreement_probability()
        return {
            "parameters": list(self.parameters),
            "design": self.design,
            "seed": self.seed,
            "points": [point.to_dict() for point in self.points],
            "agreement_probability": {"estimate": p, "low": low, "high": high, "confidence": 0.95},
        }

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per point (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_frame() needs pandas: pip install 'negosim[frames]'") from None
        rows = []
        for point in self.points:
            nash = point.metrics.get("nash") or {}
            row = {
                "index": point.index,
                **point.values,
                "agreement_exists": point.metrics["agreement_exists"],
                "agreement_count": point.metrics["agreement_count"],
                "pareto_count": point.metrics["pareto_count"],
            }
            for party, utility in (nash.get("utilities") or {}).items():
                row[f"nash_utility.{party}"] = utility
            for issue, option in (nash.get("package") or {}).items():
                row[f"nash.{issue}"] = option
            rows.append(row)
        return pd.DataFrame(rows).set_index("index")


# Protocol results: traces of simulated negotiations and Monte Carlo summaries of them.

__all__ += ["Reply", "Move", "Trace", "PackageCount", "SimulationSummary"]

ReplyVerdict = Literal["accept", "reject", "walk_away"]
Outcome = Literal["agreement", "deadline", "breakdown", "walk_away", "deadlock"]


@dataclass(frozen=True)
class Reply:
    """One party's answer to a tabled package.

    ``red_lines`` are the party's red lines the package breaks; ``demand`` is the utility
    the party asked for in that round (its aspiration, never below its reservation value),
    or ``None`` for a party that judges only the terms that bind it (a guarantor).
    """

    verdict: ReplyVerdict
    red_lines: tuple[str, ...] = ()
    demand: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``verdict``, ``red_lines``, ``demand``."""
        return {"verdict": self.verdict, "red_lines": list(self.red_lines), "demand": self.demand}


@dataclass(frozen=True)
class Move:
    """One round: who tabled what, what it is worth to each party, and every reply.

    ``proposer`` is a party id, or ``"mediator"``; ``package`` is ``None`` when the
    proposer walked away instead of proposing; ``aspiration`` is the proposer's target.
    """

    round: int
    proposer: str
    package: dict[str, Choice] | None
    utilities: dict[str, float] | None
    aspiration: float | None
    replies: dict[str, Reply]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "round": self.round,
            "proposer": self.proposer,
            "package": dict(self.package) if self.package is not None else None,
            "utilities": dict(self.utilities) if self.utilities is not None else None,
            "aspiration": self.aspiration,
            "replies": {party: reply.to_dict() for party, reply in self.replies.items()},
        }


@dataclass(frozen=True)
class Trace:
    """A simulated negotiation, round by round, and how it ended.

    ``outcome`` is ``agreement``, ``deadline`` (rounds ran out), ``breakdown`` (the talks
    collapsed by chance), ``walk_away`` (``walked_away`` left: nothing it could still get
    beat its reservation value) or ``deadlock`` (a mediator's text came round again with
    nobody able to concede further); ``ended`` is the round it happened in. ``utilities``
    are the parties' utilities of the agreement, ``discounted`` the same after per-round
    discounting.
    """

    protocol: str
    rounds: int | None
    seed: int | None
    tactics: dict[str, str]
    discount: dict[str, float]
    breakdown: float
    moves: tuple[Move, ...]
    outcome: Outcome
    ended: int
    agreement: dict[str, Choice] | None
    utilities: dict[str, float] | None
    discounted: dict[str, float] | None
    walked_away: str | None = None
    glossary: Glossary | None = field(default=None, repr=False, compare=False)

    @property
    def agreed(self) -> bool:
        """Whether the talks ended in an agreement."""
        return self.outcome == "agreement"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with the stable keys ``outcome``, ``ended``, ``agreement``, ``moves``."""
        return {
            "protocol": self.protocol,
            "rounds": self.rounds,
            "seed": self.seed,
            "tactics": dict(self.tactics),
            "discount": dict(self.discount),
            "breakdown": self.breakdown,
            "outcome": self.outcome,
            "ended": self.ended,
            "agreement": dict(self.agreement) if self.agreement is not None else None,
            "utilities": dict(self.utilities) if self.utilities is not None else None,
            "discounted": dict(self.discounted) if self.discounted is not None else None,
            "walked_away": self.walked_away,
            "moves": [move.to_dict() for move in self.moves],
        }

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per round (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_frame() needs pandas: pip install 'negosim[frames]'") from None
        rows = []
        for move in self.moves:
            row: dict[str, Any] = {
                "round": move.round,
                "proposer": move.proposer,
                "aspiration": move.aspiration,
            }
            row.update({f"package.{k}": v for k, v in (move.package or {}).items()})
            row.update({f"utility.{k}": v for k, v in (move.utilities or {}).items()})
            row.update({f"reply.{k}": r.verdict for k, r in move.replies.items()})
            rows.append(row)
        return pd.DataFrame(rows).set_index("round")


@dataclass(frozen=True)
class PackageCount:
    """A final package of simulated talks and how often it was agreed."""

    package: dict[str, Choice]
    count: int
    share: float
    utilities: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "package": dict(self.package),
            "count": self.count,
            "share": self.share,
            "utilities": dict(self.utilities),
        }


@dataclass(frozen=True)
class SimulationSummary:
    """Many simulated negotiations with their own random streams and drawn tactics.

    ``outcomes`` counts each outcome; ``agreement_by_round[r]`` is the share of runs that
    had agreed by the end of round ``r``; ``packages`` are the most frequent agreements;
    ``mean_utilities`` each party's mean utility over the agreements (``None`` without
    any); ``tactic_agreement[party][tactic]`` the share of runs in which the party, having
    drawn that tactic, reached agreement.
    """

    protocol: str
    runs: int
    seed: int | None
    rounds: int
    tactics: dict[str, str]
    pool: tuple[str, ...]
    outcomes: dict[str, int]
    agreement_by_round: tuple[float, ...]
    mean_rounds: float
    packages: tuple[PackageCount, ...]
    mean_utilities: dict[str, float | None]
    tactic_agreement: dict[str, dict[str, float]]
    glossary: Glossary | None = field(default=None, repr=False, compare=False)

    @property
    def agreement_probability(self) -> float:
        """Share of runs that ended in agreement."""
        return self.outcomes.get("agreement", 0) / self.runs if self.runs else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "protocol": self.protocol,
            "runs": self.runs,
            "seed": self.seed,
            "rounds": self.rounds,
            "tactics": dict(self.tactics),
            "pool": list(self.pool),
            "outcomes": dict(self.outcomes),
            "agreement_probability": self.agreement_probability,
            "agreement_by_round": list(self.agreement_by_round),
            "mean_rounds": self.mean_rounds,
            "packages": [package.to_dict() for package in self.packages],
            "mean_utilities": dict(self.mean_utilities),
            "tactic_agreement": {p: dict(t) for p, t in self.tactic_agreement.items()},
        }
