"""Address the numbers of a scenario and change them: the inputs of sweeps and Monte Carlo.

A *target* is either a named scenario parameter (``russia_batna``, or
``parameters.russia_batna``) or any numeric field by dotted path
(``parties.russia.reservation``, ``parties.ukraine.weights.territory_donetsk``,
``parties.russia.values.foreign_forces.mnfu_inside_ukraine``,
``parties.buyer.values.buyer_share[1][1]``). Setting a named parameter changes every
field that refers to it as ``$name``.

:func:`apply` returns a new, fully validated :class:`~sim.schema.Scenario`: a value the
model would refuse (a reservation above 1, a negative weight) is an error naming the path.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from sim.schema import Scenario, ScenarioReferenceError, dotted

__all__ = ["ParameterError", "Target", "resolve", "current_value", "apply"]

_PART = re.compile(r"([A-Za-z0-9_]+)|\[(\d+)\]")


class ParameterError(ValueError):
    """A bad parameter path or value; the message names the path."""


Kind = Literal["parameter", "reservation", "power", "weight", "value", "field"]


@dataclass(frozen=True)
class Target:
    """A resolved target: its path as parts, what it is, and (for parties) whose."""

    text: str
    parts: tuple[str | int, ...]
    kind: Kind
    party: str | None = None

    @property
    def name(self) -> str:
        """The canonical text of the target (``parameters.x`` is written ``x``)."""
        return str(self.parts[1]) if self.kind == "parameter" else dotted(self.parts)


def _split(text: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    position = 0
    text = text.strip()
    while position < len(text):
        if text[position] == "." and parts:
            position += 1
        match = _PART.match(text, position)
        if match is None:
            raise ParameterError(
                f"{text!r}: not a dotted path (expected e.g. parties.russia.reservation)"
            )
        parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    if not parts:
        raise ParameterError("empty parameter path")
    return tuple(parts)


def _closest(word: str, choices: list[str]) -> str:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.0)
    return f" (closest: {match[0]!r})" if match else ""


def resolve(scenario: Scenario, text: str) -> Target:
    """Resolve a parameter name or dotted path to a numeric field of the scenario.

    Raises
    ------
    ParameterError
        If the path names nothing, or something that is not a number.
    """
    parts = _split(text)
    if len(parts) == 1 and isinstance(parts[0], str) and parts[0] in scenario.parameters:
        parts = ("parameters", parts[0])
    if parts[0] == "parameters":
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "value"):
            raise ParameterError(f"{text}: a named parameter is addressed as parameters.NAME")
        name = str(parts[1])
        if name not in scenario.parameters:
            raise ParameterError(
                f"{text}: unknown parameter {name!r}{_closest(name, sorted(scenario.parameters))}"
            )
        return Target(text, ("parameters", name), "parameter")
    node: Any = scenario.model_dump(exclude={"parameter_references"})
    walked: list[str | int] = []
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, (list, tuple)) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            keys = [str(k) for k in node] if isinstance(node, dict) else []
            where = dotted(tuple(walked)) or "the scenario"
            hint = _closest(str(part), keys) if keys else ""
            raise ParameterError(f"{text}: {where} has no {part!r}{hint}")
        walked.append(part)
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise ParameterError(f"{text}: not a number (found {type(node).__name__})")
    kind: Kind = "field"
    party = None
    if parts[0] == "parties" and len(parts) >= 3:
        party = str(parts[1])
        kind = {
            "reservation": "reservation",
            "power": "power",
            "weights": "weight",
            "values": "value",
        }.get(str(parts[2]), "field")  # type: ignore[assignment]
    return Target(text, parts, kind, party)


def current_value(scenario: Scenario, target: Target) -> float:
    """The target's value in a scenario."""
    if target.kind == "parameter":
        return float(scenario.parameters[str(target.parts[1])].value)
    node: Any = scenario.model_dump(exclude={"parameter_references"})
    for part in target.parts:
        node = node[part]
    return float(node)


def _set(data: Any, parts: tuple[str | int, ...], value: Any) -> None:
    node = data
    for part in parts[:-1]:
        node = node[part]
    if isinstance(node, tuple):
        raise TypeError("tuples are rebuilt as lists before assignment")
    node[parts[-1]] = value


def _as_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_lists(v) for v in value]
    return value


def apply(scenario: Scenario, assignments: Mapping[Target, float]) -> Scenario:
    """A new scenario with each target set to its value (named parameters propagate).

    Raises
    ------
    ParameterError
        Naming the path when the model refuses a value.
    """
    data = _as_lists(scenario.model_dump(exclude={"parameter_references"}))
    references = dict(scenario.parameter_references)
    for path, name in references.items():
        _set(data, _split(path), f"${name}")
    for target, value in assignments.items():
        if target.kind == "parameter":
            data["parameters"][target.parts[1]]["value"] = float(value)
        else:
            _set(data, target.parts, float(value))
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        detail = error.errors(include_url=False)[0]
        cause = (detail.get("ctx") or {}).get("error")
        if isinstance(cause, ScenarioReferenceError):
            where, message = dotted(cause.path), cause.message
        else:
            where = dotted(tuple(p for p in detail["loc"] if isinstance(p, (str, int))))
            message = str(detail["msg"]).removeprefix("Value error, ")
        changed = ", ".join(f"{t.name}={v:g}" for t, v in assignments.items())
        raise ParameterError(f"{changed}: {where}: {message}") from None
