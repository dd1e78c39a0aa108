"""The scenario model: pydantic classes that validate a scenario once, at the boundary.

A scenario file is a mapping with ``title``, ``as_of``, ``issues``, ``parties``,
``proposals`` and (optionally) ``constraints``, ``evidence``, ``evidence_files`` and
``limits``. Issues, parties and proposals are mappings keyed by their ids, so that every
number has a stable dotted path (``parties.russia.reservation``,
``parties.ukraine.weights.territory_donetsk``).

Every model is frozen and forbids unknown keys. Cross-references (an option a party
values, an issue a red line names, an evidence id a proposal cites) are checked in
:class:`Scenario`'s validator; a failure carries the dotted path of the offending field in
:class:`ScenarioReferenceError` so that the loader can name it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from sim import rules

__all__ = [
    "ScenarioReferenceError",
    "Option",
    "Issue",
    "RedLine",
    "Interaction",
    "Rationale",
    "Party",
    "Proposal",
    "EvidenceSource",
    "EvidenceRecord",
    "Limits",
    "Scenario",
    "json_schema",
    "issue_domains",
    "option_id",
    "dotted",
    "Distribution",
    "Parameter",
]

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_]+$", min_length=1, max_length=120),
]
"""Ids of issues, options, parties, red lines, proposals: letters, digits and underscores."""
Text = Annotated[str, StringConstraints(max_length=20_000)]


def _plain_number(value: Any) -> Any:
    """Refuse booleans (YAML reads ``yes``/``no`` as such; not 1 and 0) and NaN/infinity."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not yes/no/true/false")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


Number = Annotated[float, BeforeValidator(_plain_number), Field(allow_inf_nan=False)]
Unit = Annotated[float, BeforeValidator(_plain_number), Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Choice = Union[bool, float, str]

MAX_ISSUES = 200
MAX_OPTIONS = 1000
MAX_PARTIES = 64


class ScenarioReferenceError(ValueError):
    """A cross-reference in a scenario does not resolve; ``path`` locates the field."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Option(_Model):
    """One option of a discrete issue."""

    id: Identifier
    label: str = ""
    description: Text = ""

    @property
    def title(self) -> str:
        """The label, or the id when no label is given."""
        return self.label or self.id


class Issue(_Model):
    """One negotiable term.

    ``ordinal`` options are listed in order (rules compare them by position);
    ``categorical`` options have no order; a ``boolean`` issue has the options ``false`` and
    ``true``; a ``continuous`` issue has a ``range``, a ``unit`` and a grid ``step`` used for
    enumeration.
    """

    id: Identifier
    label: str = ""
    description: Text = ""
    kind: Literal["ordinal", "categorical", "boolean", "continuous"]
    options: tuple[Option, ...] = ()
    unit: str = ""
    range: tuple[Number, Number] | None = None
    step: Annotated[Number, Field(gt=0)] | None = None
    integer: bool = False
    evidence: tuple[Identifier, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _boolean_options(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") == "boolean" and not data.get("options"):
            return {
                **data,
                "options": [{"id": "false", "label": "no"}, {"id": "true", "label": "yes"}],
            }
        return data

    @field_validator("options", mode="before")
    @classmethod
    def _options_from_strings(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [
                {"id": _option_key(item)} if isinstance(item, (str, bool, int)) else item
                for item in value
            ]
        return value

    @model_validator(mode="after")
    def _kind_fits(self) -> Issue:
        if self.kind == "continuous":
            if self.options:
                raise ValueError("a continuous issue has a range and step, not options")
            if self.range is None or self.step is None:
                raise ValueError("a continuous issue needs 'range: [low, high]' and 'step'")
            low, high = self.range
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ValueError("'range' must be two finite numbers with low < high")
            points = (high - low) / self.step
            if self.integer and not (
                float(low).is_integer()
                and float(high).is_integer()
                and float(self.step).is_integer()
            ):
                raise ValueError("an integer issue needs whole-number range and step")
            if points > MAX_OPTIONS:
                raise ValueError(
                    f"range/step gives {int(points) + 1} grid points; at most {MAX_OPTIONS} allowed"
                )
            return self
        if self.range is not None or self.step is not None:
            raise ValueError(f"'range' and 'step' belong to continuous issues, not {self.kind}")
        if self.kind == "boolean":
            if self.option_ids != ("false", "true"):
                raise ValueError("a boolean issue's options are exactly [false, true]")
            return self
        if not self.options:
            article = "an" if self.kind == "ordinal" else "a"
            raise ValueError(f"{article} {self.kind} issue needs at least one option")
        if len(self.options) > MAX_OPTIONS:
            raise ValueError(f"at most {MAX_OPTIONS} options per issue")
        _require_unique([option.id for option in self.options], "option")
        return self

    @property
    def title(self) -> str:
        """The label, or the id when no label is given."""
        return self.label or self.id

    @property
    def option_ids(self) -> tuple[str, ...]:
        """Ids of the options in declared order (empty for continuous issues)."""
        return tuple(option.id for option in self.options)

    def option_title(self, choice: Choice) -> str:
        """Human label of an option id or a continuous value."""
        if self.kind == "continuous":
            number = float(choice)
            text = f"{number:g}"
            return f"{text} {self.unit}".strip()
        for option in self.options:
            if option.id == choice:
                return option.title
        return str(choice)


class RedLine(_Model):
    """A hard constraint: a package that breaks it is never acceptable to its owner."""

    id: Identifier
    rule: str = Field(max_length=rules.MAX_RULE_LENGTH)
    description: Text = ""
    evidence: tuple[Identifier, ...] = ()

    @field_validator("rule")
    @classmethod
    def _parses(cls, value: str) -> str:
        rules.parse(value)
        return value

    @property
    def title(self) -> str:
        """The plain-language description, or the rule when none is given."""
        return self.description or self.rule


class Interaction(_Model):
    """A pairwise term: extra utility when two issues take particular options together.

    ``values[a][b]`` (in [-1, 1]) is added to the party's normalized additive utility when
    ``issues[0]`` is ``a`` and ``issues[1]`` is ``b``; pairs not listed add nothing. The total
    is clipped to [0, 1].
    """

    id: Identifier
    issues: tuple[Identifier, Identifier]
    values: dict[str, dict[str, Annotated[Number, Field(ge=-1.0, le=1.0)]]]
    description: Text = ""
    evidence: tuple[Identifier, ...] = ()

    @field_validator("values", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                _option_key(a): (
                    {_option_key(b): v for b, v in inner.items()}
                    if isinstance(inner, dict)
                    else inner
                )
                for a, inner in value.items()
            }
        return value


class Rationale(_Model):
    """Why a judgement number has the value it has, and the evidence behind it."""

    text: Text
    evidence: tuple[Identifier, ...] = ()


ValueCurve = tuple[tuple[Number, Unit], ...]
IssueValues = Union[Literal["increasing", "decreasing"], dict[str, Unit], ValueCurve]


class Party(_Model):
    """An actor, its utilities over package terms, reservation value and red lines.

    ``role``: a ``signatory`` must accept a package for it to be an agreement; a
    ``guarantor`` must accept the terms that bind it (its red lines always apply, its
    reservation value only with ``reservation_binding: true``); an ``observer`` is reported
    only. ``weights`` need not sum to one: they are normalized (unless
    ``normalize_weights: false``, for imported models whose weights are exact). ``values`` give each
    option's value in [0, 1] (or ``increasing``/``decreasing`` along an ordinal or
    boolean issue's order), or a piecewise-linear curve ``[[x, v], ...]`` on a continuous
    issue.
    """

    id: Identifier
    label: str = ""
    description: Text = ""
    role: Literal["signatory", "guarantor", "observer"] = "signatory"
    weights: dict[Identifier, Annotated[Number, Field(ge=0.0)]]
    normalize_weights: bool = True
    values: dict[Identifier, IssueValues] = {}
    reservation: Unit = 0.0
    reservation_binding: bool | None = None
    power: Annotated[Number, Field(gt=0.0)] = 1.0
    tactic: (
        Annotated[
            str,
            StringConstraints(
                pattern=r"^(boulware|linear|conceder|hardliner|tit_for_tat|time)"
                r"(:[a-z]+=[0-9.eE+-]+(,[a-z]+=[0-9.eE+-]+)*)?$"
            ),
        ]
        | None
    ) = None
    discount: Annotated[Number, Field(gt=0.0, le=1.0)] | None = None
    red_lines: tuple[RedLine, ...] = ()
    interactions: tuple[Interaction, ...] = ()
    evidence: tuple[Identifier, ...] = ()
    rationale: dict[str, Rationale] = {}

    @field_validator("values", mode="before")
    @classmethod
    def _option_keys_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                issue: (
                    {_option_key(k): v for k, v in table.items()}
                    if isinstance(table, dict)
                    else table
                )
                for issue, table in value.items()
            }
        return value

    @model_validator(mode="after")
    def _weights_positive(self) -> Party:
        if sum(self.weights.values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return self

    @property
    def title(self) -> str:
        """The label, or the id when no label is given."""
        return self.label or self.id

    @property
    def must_accept(self) -> bool:
        """Whether the party's red lines gate the agreement region."""
        return self.role in ("signatory", "guarantor")

    @property
    def reservation_applies(self) -> bool:
        """Whether the party must get at least its reservation value to accept."""
        if self.reservation_binding is not None:
            return self.reservation_binding
        return self.role != "guarantor"


class Proposal(_Model):
    """A named real-world package, complete or partial (issues it leaves open are omitted).

    ``fragmentary: true`` says the record gives only some of the text's terms: the omitted
    issues are unknown rather than left open, so a party that could accept some completion
    gets the verdict ``undetermined`` instead of ``accept_some_completion``.
    """

    id: Identifier
    label: str = ""
    date: dt.date | str = ""
    description: Text = ""
    evidence: tuple[Identifier, ...] = ()
    fragmentary: bool = False
    choices: dict[Identifier, Choice]

    @field_validator("choices", mode="before")
    @classmethod
    def _options_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _option_key(v) if isinstance(v, bool) else v for k, v in value.items()}
        return value

    @property
    def title(self) -> str:
        """The label, or the id when no label is given."""
        return self.label or self.id


class EvidenceSource(_Model):
    """Where a fact was reported."""

    outlet: str = ""
    url: str = ""


class EvidenceRecord(_Model):
    """One fact a scenario relies on, with its source and our paraphrase."""

    id: Identifier
    date: dt.date | str
    actor: str
    source: EvidenceSource
    confidence: Literal["high", "medium", "low"]
    paraphrase: Text
    quote: Annotated[str, StringConstraints(max_length=300)] = ""
    tags: tuple[str, ...] = ()


class Distribution(_Model):
    """Uncertainty about a parameter, for Monte Carlo runs (``scipy.stats`` families).

    ``uniform`` (low, high); ``normal`` (mean, sd); ``truncnorm`` (mean, sd, low, high);
    ``beta`` (a, b, scaled to [low, high], default [0, 1]); ``triangular`` (low, mode, high).
    """

    kind: Literal["uniform", "normal", "truncnorm", "beta", "triangular"]
    low: Number | None = None
    high: Number | None = None
    mean: Number | None = None
    sd: Annotated[Number, Field(gt=0)] | None = None
    a: Annotated[Number, Field(gt=0)] | None = None
    b: Annotated[Number, Field(gt=0)] | None = None
    mode: Number | None = None

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        needs = {
            "uniform": ("low", "high"),
            "normal": ("mean", "sd"),
            "truncnorm": ("mean", "sd", "low", "high"),
            "beta": ("a", "b"),
            "triangular": ("low", "mode", "high"),
        }[self.kind]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} distribution needs {', '.join(missing)}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError("low must be below high")
        if self.kind == "triangular" and not (self.low <= self.mode <= self.high):  # type: ignore[operator]
            raise ValueError("mode must lie between low and high")
        return self


class Parameter(_Model):
    """A named judgement number that fields refer to as ``$name``, with its defensible range."""

    id: Identifier
    value: Number
    range: tuple[Number, Number] | None = None
    distribution: Distribution | None = None
    description: Text = ""
    evidence: tuple[Identifier, ...] = ()

    @model_validator(mode="after")
    def _value_in_range(self) -> Parameter:
        if self.range is not None:
            low, high = self.range
            if not low <= self.value <= high:
                raise ValueError(f"value {self.value:g} lies outside its range [{low:g}, {high:g}]")
        return self


class Limits(_Model):
    """Bounds on the work one analysis may do.

    ``max_packages`` bounds enumeration. Above it, the analysis switches to exact search
    (mixed-integer programming) unless ``exact_search`` is false, in which case a space
    that large is an error. ``max_completions`` does the same for the completions of one
    partial proposal (verdicts stay exact; counts are then estimated).
    """

    max_packages: int = Field(default=200_000_000, ge=0)
    max_completions: int = Field(default=20_000_000, ge=0)
    chunk_size: int = Field(default=1 << 16, ge=1024, le=1 << 26)
    exact_search: bool = True


class Scenario(_Model):
    """A whole negotiation scenario, validated and cross-referenced."""

    title: str
    description: Text = ""
    as_of: dt.date | None = None
    issues: dict[Identifier, Issue]
    parties: dict[Identifier, Party]
    proposals: dict[Identifier, Proposal] = {}
    constraints: tuple[RedLine, ...] = ()
    evidence: tuple[EvidenceRecord, ...] = ()
    evidence_files: tuple[str, ...] = ()
    limits: Limits = Limits()
    notes: Text = ""
    parameters: dict[Identifier, Parameter] = {}
    parameter_references: dict[str, str] = Field(
        default={},
        description="Derived: the dotted path of every field written as '$name', and the name.",
    )

    @model_validator(mode="before")
    @classmethod
    def _ids_from_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for section in ("issues", "parties", "proposals", "parameters"):
            entries = data.get(section)
            if isinstance(entries, dict):
                data[section] = {
                    key: ({"id": key, **entry} if isinstance(entry, dict) else entry)
                    for key, entry in entries.items()
                }
        return data

    @model_validator(mode="before")
    @classmethod
    def _substitute_parameters(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "parameter_references" in data:
            raise ScenarioReferenceError(
                ("parameter_references",),
                "this field is derived from '$name' references; do not write it",
            )
        parameters = data.get("parameters") or {}
        references: dict[str, str] = {}
        substituted = {
            key: (
                _substitute(value, (key,), parameters, references)
                if key in ("issues", "parties", "proposals", "constraints", "limits")
                else value
            )
            for key, value in data.items()
        }
        substituted["parameter_references"] = references
        return substituted

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        _check_scenario(self)
        return self

    @property
    def issue_list(self) -> tuple[Issue, ...]:
        """Issues in file order."""
        return tuple(self.issues.values())

    @property
    def party_list(self) -> tuple[Party, ...]:
        """Parties in file order."""
        return tuple(self.parties.values())

    def evidence_by_id(self) -> dict[str, EvidenceRecord]:
        """Evidence records keyed by id."""
        return {record.id: record for record in self.evidence}


# --------------------------------------------------------------------------- checks


_REFERENCE = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_]*$")
_TEXT_FIELDS = frozenset(
    {"label", "description", "title", "text", "rule", "notes", "unit", "date", "id", "paraphrase"}
)


def _substitute(
    value: Any, path: tuple[str | int, ...], parameters: Any, references: dict[str, str]
) -> Any:
    """Replace ``$name`` strings by the named parameter's value, recording where.

    Only a whole string of the form ``$identifier`` outside text fields (labels,
    descriptions, rules...) is a reference: a label such as "$4.37" stays text.
    """
    if path and path[-1] in _TEXT_FIELDS:
        return value
    if isinstance(value, str) and _REFERENCE.match(value):
        name = value[1:]
        entry = parameters.get(name) if isinstance(parameters, dict) else None
        if not isinstance(entry, dict) or "value" not in entry:
            known = sorted(parameters) if isinstance(parameters, dict) else []
            raise ScenarioReferenceError(
                path, f"unknown parameter {value!r}{rules._closest(name, known)}"
            )
        references[dotted(path)] = name
        return entry["value"]
    if isinstance(value, dict):
        return {k: _substitute(v, (*path, k), parameters, references) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, (*path, i), parameters, references) for i, v in enumerate(value)]
    return value


def dotted(path: tuple[str | int, ...]) -> str:
    """A field path as text: ``parties.russia.red_lines[0].rule``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def option_id(choice: Choice) -> str:
    """The option id a discrete choice names: ``true``/``false`` for booleans, ``2`` for 2.0."""
    if isinstance(choice, bool):
        return "true" if choice else "false"
    if isinstance(choice, float) and choice.is_integer():
        return str(int(choice))
    return str(choice)


def _option_key(value: Any) -> Any:
    """YAML reads ``yes``/``no``/``true``/``false`` as booleans: map them to option ids."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return value


def _require_unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what} id {item!r}")
        seen.add(item)


def issue_domains(scenario: Scenario) -> dict[str, rules.IssueDomain]:
    """What the rule language needs to know about each issue."""
    domains = {}
    for issue in scenario.issue_list:
        if issue.kind == "continuous":
            assert issue.range is not None
            domains[issue.id] = rules.IssueDomain(
                issue.id, "continuous", (), values=(), bounds=issue.range
            )
        else:
            domains[issue.id] = rules.IssueDomain(issue.id, issue.kind, issue.option_ids)
    return domains


def _check_scenario(scenario: Scenario) -> None:
    if len(scenario.issues) > MAX_ISSUES:
        raise ScenarioReferenceError(("issues",), f"at most {MAX_ISSUES} issues allowed")
    if len(scenario.parties) > MAX_PARTIES:
        raise ScenarioReferenceError(("parties",), f"at most {MAX_PARTIES} parties allowed")
    if not scenario.issues:
        raise ScenarioReferenceError(("issues",), "a scenario needs at least one issue")
    if not scenario.parties:
        raise ScenarioReferenceError(("parties",), "a scenario needs at least one party")
    for section in ("issues", "parties", "proposals"):
        for key, entry in getattr(scenario, section).items():
            if key != entry.id:
                raise ScenarioReferenceError(
                    (section, key, "id"), f"id {entry.id!r} differs from its key {key!r}"
                )
    domains = issue_domains(scenario)
    known_evidence = {record.id for record in scenario.evidence}
    seen_evidence: set[str] = set()
    for index, record in enumerate(scenario.evidence):
        if record.id in seen_evidence:
            raise ScenarioReferenceError(
                ("evidence", index, "id"), f"duplicate evidence id {record.id!r}"
            )
        seen_evidence.add(record.id)

    def cite(path: tuple[str | int, ...], ids: tuple[str, ...]) -> None:
        for index, evidence_id in enumerate(ids):
            if evidence_id not in known_evidence:
                raise ScenarioReferenceError(
                    (*path, index),
                    f"unknown evidence id {evidence_id!r}"
                    f"{rules._closest(evidence_id, sorted(known_evidence))}",
                )

    def rule_resolves(path: tuple[str | int, ...], text: str) -> None:
        try:
            rules.check(rules.parse(text), domains)
        except (rules.RuleReferenceError, rules.RuleSyntaxError) as error:
            raise ScenarioReferenceError(path, str(error)) from None

    for issue in scenario.issue_list:
        cite(("issues", issue.id, "evidence"), issue.evidence)
    for parameter in scenario.parameters.values():
        cite(("parameters", parameter.id, "evidence"), parameter.evidence)

    red_line_ids: dict[str, str] = {}
    for index, constraint in enumerate(scenario.constraints):
        path: tuple[str | int, ...] = ("constraints", index)
        rule_resolves((*path, "rule"), constraint.rule)
        cite((*path, "evidence"), constraint.evidence)
        if constraint.id in red_line_ids:
            raise ScenarioReferenceError((*path, "id"), f"duplicate rule id {constraint.id!r}")
        red_line_ids[constraint.id] = "scenario"

    for party in scenario.party_list:
        base: tuple[str | int, ...] = ("parties", party.id)
        cite((*base, "evidence"), party.evidence)
        for issue_id in party.weights:
            if issue_id not in scenario.issues:
                raise ScenarioReferenceError(
                    (*base, "weights", issue_id),
                    _unknown_issue(scenario, issue_id),
                )
        for issue_id, table in party.values.items():
            _check_values(scenario, party, issue_id, table, (*base, "values", issue_id))
        for issue_id, weight in party.weights.items():
            if weight > 0 and issue_id not in party.values:
                raise ScenarioReferenceError(
                    (*base, "values"),
                    f"issue {issue_id!r} has a positive weight but no values",
                )
        for index, red_line in enumerate(party.red_lines):
            path = (*base, "red_lines", index)
            rule_resolves((*path, "rule"), red_line.rule)
            cite((*path, "evidence"), red_line.evidence)
            if red_line.id in red_line_ids:
                raise ScenarioReferenceError(
                    (*path, "id"), f"duplicate red-line id {red_line.id!r}"
                )
            red_line_ids[red_line.id] = party.id
        for index, interaction in enumerate(party.interactions):
            _check_interaction(scenario, interaction, (*base, "interactions", index))
            cite((*base, "interactions", index, "evidence"), interaction.evidence)
        for key, rationale in party.rationale.items():
            if not _addresses_party_field(scenario, party, key):
                raise ScenarioReferenceError(
                    (*base, "rationale", key),
                    "a rationale key must name a field of the party: reservation, power, "
                    "weights.<issue>, values.<issue>, values.<issue>.<option>, red_lines.<id>",
                )
            cite((*base, "rationale", key, "evidence"), rationale.evidence)

    for proposal in scenario.proposals.values():
        base = ("proposals", proposal.id)
        cite((*base, "evidence"), proposal.evidence)
        for issue_id, choice in proposal.choices.items():
            _check_choice(scenario, issue_id, choice, (*base, "choices", issue_id))


def _unknown_issue(scenario: Scenario, issue_id: str) -> str:
    """The message for an issue id the scenario does not have, with the closest one."""
    return f"unknown issue {issue_id!r}{rules._closest(issue_id, tuple(scenario.issues))}"


def _check_values(
    scenario: Scenario,
    party: Party,
    issue_id: str,
    table: Any,
    path: tuple[str | int, ...],
) -> None:
    issue = scenario.issues.get(issue_id)
    if issue is None:
        raise ScenarioReferenceError(path, _unknown_issue(scenario, issue_id))
    if issue.kind == "continuous":
        if not isinstance(table, tuple):
            raise ScenarioReferenceError(
                path, "values on a continuous issue are a curve [[x, value], ...]"
            )
        xs = [point[0] for point in table]
        if len(xs) < 2 or any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
            raise ScenarioReferenceError(
                path, "a value curve needs at least two points with increasing x"
            )
        return
    if isinstance(table, tuple):
        raise ScenarioReferenceError(
            path, f"issue {issue_id!r} is {issue.kind}: give a value per option, not a curve"
        )
    if isinstance(table, str):
        if issue.kind == "categorical":
            raise ScenarioReferenceError(
                path, f"issue {issue_id!r} is categorical: its options have no order to follow"
            )
        return
    for option_id in table:
        if option_id not in issue.option_ids:
            raise ScenarioReferenceError(
                (*path, option_id),
                f"issue {issue_id!r} has no option {option_id!r}"
                f"{rules._closest(option_id, issue.option_ids)}",
            )
    if party.weights.get(issue_id, 0.0) > 0:
        missing = [option for option in issue.option_ids if option not in table]
        if missing:
            raise ScenarioReferenceError(
                path, f"no value for option(s) {', '.join(map(repr, missing))}"
            )


def _check_interaction(
    scenario: Scenario, interaction: Interaction, path: tuple[str | int, ...]
) -> None:
    first, second = interaction.issues
    for position, issue_id in enumerate((first, second)):
        issue = scenario.issues.get(issue_id)
        if issue is None:
            raise ScenarioReferenceError(
                (*path, "issues", position),
                _unknown_issue(scenario, issue_id),
            )
        if issue.kind == "continuous":
            raise ScenarioReferenceError(
                (*path, "issues", position), "interaction terms need discrete issues"
            )
    if first == second:
        raise ScenarioReferenceError((*path, "issues"), "an interaction pairs two different issues")
    for a, inner in interaction.values.items():
        if a not in scenario.issues[first].option_ids:
            raise ScenarioReferenceError(
                (*path, "values", a), f"issue {first!r} has no option {a!r}"
            )
        for b in inner:
            if b not in scenario.issues[second].option_ids:
                raise ScenarioReferenceError(
                    (*path, "values", a, b), f"issue {second!r} has no option {b!r}"
                )


def _check_choice(
    scenario: Scenario, issue_id: str, choice: Choice, path: tuple[str | int, ...]
) -> None:
    issue = scenario.issues.get(issue_id)
    if issue is None:
        raise ScenarioReferenceError(path, _unknown_issue(scenario, issue_id))
    if issue.kind == "continuous":
        assert issue.range is not None
        if isinstance(choice, str) or not issue.range[0] <= float(choice) <= issue.range[1]:
            raise ScenarioReferenceError(
                path, f"expected a number in [{issue.range[0]:g}, {issue.range[1]:g}]"
            )
        return
    if option_id(choice) not in issue.option_ids:
        raise ScenarioReferenceError(
            path,
            f"issue {issue_id!r} has no option {option_id(choice)!r}"
            f"{rules._closest(option_id(choice), issue.option_ids)}",
        )


def _addresses_party_field(scenario: Scenario, party: Party, key: str) -> bool:
    head, _, rest = key.partition(".")
    if head in ("reservation", "power", "role") and not rest:
        return True
    if head == "weights":
        return rest in party.weights
    if head == "values":
        issue_id, _, option_id = rest.partition(".")
        if issue_id not in party.values:
            return False
        return not option_id or option_id in scenario.issues[issue_id].option_ids
    if head == "red_lines":
        return rest in {red_line.id for red_line in party.red_lines}
    if head == "interactions":
        return rest in {interaction.id for interaction in party.interactions}
    return False


def walk_citations(scenario: Scenario) -> Iterator[tuple[str, str]]:
    """Every (dotted path, evidence id) citation in a scenario."""

    def cites(path: str, ids: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        for evidence_id in ids:
            yield path, evidence_id

    for issue in scenario.issue_list:
        yield from cites(f"issues.{issue.id}", issue.evidence)
    for parameter in scenario.parameters.values():
        yield from cites(f"parameters.{parameter.id}", parameter.evidence)
    for constraint in scenario.constraints:
        yield from cites(f"constraints.{constraint.id}", constraint.evidence)
    for party in scenario.party_list:
        yield from cites(f"parties.{party.id}", party.evidence)
        for red_line in party.red_lines:
            yield from cites(f"parties.{party.id}.red_lines.{red_line.id}", red_line.evidence)
        for interaction in party.interactions:
            yield from cites(
                f"parties.{party.id}.interactions.{interaction.id}", interaction.evidence
            )
        for key, rationale in party.rationale.items():
            yield from cites(f"parties.{party.id}.rationale.{key}", rationale.evidence)
    for proposal in scenario.proposals.values():
        yield from cites(f"proposals.{proposal.id}", proposal.evidence)


def json_schema() -> Mapping[str, Any]:
    """The JSON Schema of scenario files, for editors that complete YAML and JSON."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "negosim scenario"
    return schema
