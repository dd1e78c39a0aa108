"""GENIUS/ANAC XML domains and profiles, in and out.

A GENIUS negotiation is a *domain* file (the issues and their values) and one *profile*
file per party (weights, evaluations, reservation value, discount factor).
:func:`genius_scenario_data` turns them into a scenario mapping for
:func:`sim.io.scenario_from_data`; :func:`import_genius` also validates it. Utilities
follow GENIUS's additive utility space, ``u(p) = sum_k w_k * e_k(p_k)``:

- a ``discrete`` issue becomes a ``categorical`` issue; an item's value is its
  ``evaluation`` divided by the largest evaluation the profile gives on that issue (all
  values are zero when that largest evaluation is zero);
- an ``integer`` issue becomes a ``continuous`` issue with ``range: [low, high]`` and
  ``step: 1``. Its linear evaluator gives ``offset + slope * (x - lowerbound)``, clipped to
  [0, 1] as GENIUS clips it (old files' ``parameter0 + parameter1 * x`` is read too); the
  value curve has breakpoints at integers only, so it is exact at every integer and adds
  no other grid point;
- a ``real`` issue becomes a ``continuous`` issue whose grid has ``real_steps`` steps; its
  evaluator (``linear``, ``constant`` or ``triangular``) becomes an exact piecewise-linear
  curve, and the engine refines solutions between grid points;
- weights are used as given (``normalize_weights: false``): GENIUS does not normalize
  them, and some published profiles sum to slightly more than one;
- ``<reservation value=...>`` is the party's reservation value (its disagreement point);
  ``<discount_factor>`` is recorded in the party's description and not used.

Issues may sit in nested ``<objective>`` elements; as in GENIUS, an issue's own weight
counts and objective weights are ignored. Profile issues and weights are matched to the
domain's issues by ``index`` (a profile issue without an index, by name), items by
``value``. Parties keep the order in which the profiles are given, with ids from the file
names; issue and option ids are the names reduced to letters, digits and underscores,
and the original names are kept as labels. Every party is a signatory.

Safety: a file may not exceed :data:`sim.documents.MAX_BYTES`, nor hold more than
:data:`sim.documents.MAX_NODES` elements. Document type and entity declarations are
refused, both in the raw text and by the parser's handlers, so entities are never
expanded (no "billion laughs", no external entities). The standard library's expat
parser is used directly, which also gives line numbers for error messages, instead of
adding ``defusedxml`` as a runtime dependency.

:func:`export_genius` writes a scenario back: a domain file and one profile per party,
for discrete issues (categorical, ordinal, boolean) and integer-valued continuous issues
(integer range, ``step: 1``, a curve that is a clipped linear function on the integers).
Importing the written files gives every party the same utility for every package.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import numpy as np
import yaml

from sim.documents import MAX_BYTES, MAX_NODES, InputError
from sim.io import scenario_from_data
from sim.schema import MAX_OPTIONS, Issue, Party, Scenario

__all__ = [
    "DEFAULT_REAL_STEPS",
    "GeniusExportError",
    "genius_scenario_data",
    "import_genius",
    "write_scenario",
    "export_genius",
]

DEFAULT_REAL_STEPS = 100
"""Grid steps of a continuous issue imported from a GENIUS ``real`` issue."""
MAX_DEPTH = 64
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_TOLERANCE = 1e-12

# --------------------------------------------------------------------------- reading XML


@dataclass
class _Element:
    """An XML element with lower-cased tag and attribute names and its line number."""

    tag: str
    attrib: dict[str, str]
    line: int
    children: list[_Element] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.attrib.get(name)

    def first(self, tag: str) -> _Element | None:
        return next(self.iter(tag), None)

    def iter(self, tag: str) -> Iterator[_Element]:
        """This element and its descendants with ``tag``, in document order."""
        stack = [self]
        while stack:
            element = stack.pop()
            if element.tag == tag:
                yield element
            stack.extend(reversed(element.children))


class _Refused(Exception):
    pass


def _read_xml(path: str | Path) -> tuple[str, _Element]:
    """Parse a GENIUS file safely: bounded size, no DTD, no entities."""
    file = str(path)
    source = Path(path)
    if not source.is_file():
        raise InputError(file, "no such file")
    size = source.stat().st_size
    if size > MAX_BYTES:
        raise InputError(file, f"file is {size} bytes; the limit is {MAX_BYTES}")
    data = source.read_bytes()
    if not data.strip():
        raise InputError(file, "file is empty; expected GENIUS XML")
    found = _DECLARATION.search(data)
    if found:
        line = data.count(b"\n", 0, found.start()) + 1
        raise InputError(file, "document type and entity declarations are not allowed", line)

    parser = expat.ParserCreate()
    stack: list[_Element] = []
    roots: list[_Element] = []
    count = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise _Refused(f"document has more than {MAX_NODES} elements")
        if len(stack) >= MAX_DEPTH:
            raise _Refused(f"elements nest deeper than {MAX_DEPTH} levels")
        element = _Element(
            tag.lower(), {k.lower(): v for k, v in attributes.items()}, parser.CurrentLineNumber
        )
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def refuse(*_: Any) -> None:
        raise _Refused("document type and entity declarations are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(data, True)
    except _Refused as error:
        raise InputError(file, str(error), parser.CurrentLineNumber) from None
    except expat.ExpatError as error:
        raise InputError(file, f"malformed XML: {expat.ErrorString(error.code)}", error.lineno) from None
    return file, roots[0]


def _number(file: str, element: _Element, name: str, default: float | None = None) -> float:
    text = element.get(name)
    if text is None:
        if default is not None:
            return default
        raise InputError(file, f"<{element.tag}> needs a '{name}' attribute", element.line)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(file, f"<{element.tag}> {name}={text!r} is not a number", element.line)
    return value


def _index(file: str, element: _Element) -> int | None:
    text = element.get("index")
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise InputError(file, f"<{element.tag}> index={text!r} is not an integer", element.line) from None


def _objective_root(root: _Element) -> _Element:
    """The top objective (issues hang below it); files without one list issues directly."""
    return root.first("objective") or root.first("utility_space") or root


def _issues_in(container: _Element) -> Iterator[_Element]:
    """Issues below an objective, descending into nested objectives, in document order."""
    for child in container.children:
        if child.tag == "issue":
            yield child
        elif child.tag == "objective":
            yield from _issues_in(child)


def _identifier(text: str, fallback: str, taken: set[str]) -> str:
    """``text`` reduced to ``[A-Za-z0-9_]`` (at most 120 characters), unique among ``taken``."""
    base = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:110] or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    taken.add(candidate)
    return candidate


# --------------------------------------------------------------------------- the domain


@dataclass(frozen=True)
class _DomainIssue:
    id: str
    name: str
    index: int
    type: str
    values: tuple[str, ...] = ()
    option_ids: tuple[str, ...] = ()
    bounds: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class _Domain:
    file: str
    title: str
    issues: tuple[_DomainIssue, ...]
    objectives: frozenset[int]


def _issue_type(file: str, element: _Element, name: str) -> str:
    kind = (element.get("type") or element.get("etype") or "discrete").strip().lower()
    if kind not in ("discrete", "integer", "real"):
        raise InputError(
            file, f"issue {name!r} has type {kind!r}; expected discrete, integer or real", element.line
        )
    return kind


def _bounds(file: str, element: _Element, name: str, fallback: tuple[float, float] | None) -> tuple[float, float]:
    holder = element
    if element.get("lowerbound") is None and element.get("upperbound") is None:
        holder = next((c for c in element.children if c.tag == "range"), element)
    if holder.get("lowerbound") is None or holder.get("upperbound") is None:
        if fallback is not None:
            return fallback
        raise InputError(file, f"issue {name!r} needs 'lowerbound' and 'upperbound'", element.line)
    return _number(file, holder, "lowerbound"), _number(file, holder, "upperbound")


def _read_domain(path: str | Path) -> _Domain:
    file, root = _read_xml(path)
    if root.tag not in ("negotiation_template", "utility_space"):
        raise InputError(
            file, f"root element is <{root.tag}>; expected <negotiation_template> (a GENIUS domain)", root.line
        )
    top = _objective_root(root)
    objectives = frozenset(
        index for element in top.iter("objective") if (index := _index(file, element)) is not None
    )
    issues: list[_DomainIssue] = []
    ids: set[str] = set()
    indices: set[int] = set()
    for position, element in enumerate(_issues_in(top), start=1):
        name = element.get("name") or ""
        if not name.strip():
            raise InputError(file, "an issue has no name", element.line)
        index = _index(file, element)
        if index is None:
            raise InputError(file, f"issue {name!r} has no index", element.line)
        if index in indices or index in objectives:
            raise InputError(file, f"issue {name!r}: index {index} is used twice", element.line)
        indices.add(index)
        issue_id = _identifier(name, f"issue_{position}", ids)
        kind = _issue_type(file, element, name)
        if kind == "discrete":
            values = []
            for item in (child for child in element.children if child.tag == "item"):
                value = item.get("value")
                if value is None:
                    raise InputError(file, f"issue {name!r}: an <item> has no 'value'", item.line)
                if value in values:
                    raise InputError(file, f"issue {name!r}: value {value!r} is listed twice", item.line)
                values.append(value)
            count = len(values)
            taken: set[str] = set()
            option_ids = tuple(_identifier(v, f"value_{n}", taken) for n, v in enumerate(values, 1))
            issue = _DomainIssue(issue_id, name, index, kind, tuple(values), option_ids)
        else:
            low, high = _bounds(file, element, name, None)
            if kind == "integer" and not (low.is_integer() and high.is_integer()):
                raise InputError(file, f"integer issue {name!r} has non-integer bounds", element.line)
            count = int(high - low) + 1 if kind == "integer" else (2 if high > low else 1)
            if count > MAX_OPTIONS + 1:
                raise InputError(
                    file, f"integer issue {name!r} has {count} values; at most {MAX_OPTIONS + 1} are supported",
                    element.line,
                )
            issue = _DomainIssue(issue_id, name, index, kind, bounds=(low, high))
        if count < 2:
            raise InputError(file, f"issue {name!r} has fewer than two values: nothing to negotiate", element.line)
        issues.append(issue)
    if not issues:
        raise InputError(file, "the domain defines no issues", top.line)
    title = (top.get("name") or "").strip()
    if title.lower() in ("", "root"):
        title = Path(file).stem
    return _Domain(file, title, tuple(issues), objectives)


# --------------------------------------------------------------------------- evaluators

_Function = Callable[[np.ndarray], np.ndarray]


def _evaluator(file: str, element: _Element, name: str, low: float) -> tuple[_Function, list[float]]:
    """A profile issue's evaluator as a vectorized function and its breakpoints."""
    evaluator = next((child for child in element.children if child.tag == "evaluator"), None)
    if evaluator is None:
        raise InputError(file, f"issue {name!r} has no <evaluator>", element.line)
    ftype = (evaluator.get("ftype") or "linear").strip().lower()
    if ftype == "linear":
        if evaluator.get("slope") is not None or evaluator.get("offset") is not None:
            offset = _number(file, evaluator, "offset", 0.0)
            slope = _number(file, evaluator, "slope", 0.0)
            start = low
        else:
            offset = _number(file, evaluator, "parameter0")
            slope = _number(file, evaluator, "parameter1")
            start = 0.0
        kinks = [start + (level - offset) / slope for level in (0.0, 1.0)] if slope else []
        return (lambda x: np.clip(offset + slope * (x - start), 0.0, 1.0)), kinks
    if ftype == "constant":
        constant = _number(file, evaluator, "parameter0") if evaluator.get("offset") is None \
            else _number(file, evaluator, "offset")
        if not 0.0 <= constant <= 1.0:
            raise InputError(file, f"issue {name!r}: constant evaluation {constant} is not in [0, 1]", evaluator.line)
        return (lambda x: np.full(np.shape(x), constant)), []
    if ftype == "triangular":
        lower, upper, top = (_number(file, evaluator, f"parameter{n}") for n in range(3))
        if not lower < top < upper:
            raise InputError(
                file, f"issue {name!r}: a triangular evaluator needs parameter0 < parameter2 < parameter1",
                evaluator.line,
            )

        def triangle(x: np.ndarray) -> np.ndarray:
            rising = (x - lower) / (top - lower)
            falling = 1.0 - (x - top) / (upper - top)
            return np.where((x < lower) | (x >= upper), 0.0, np.where(x < top, rising, falling))

        return triangle, [lower, top, upper]
    raise InputError(
        file, f"issue {name!r}: evaluator ftype {ftype!r} is not supported (linear, constant, triangular)",
        evaluator.line,
    )


def _curve(xs: np.ndarray, ys: np.ndarray) -> list[list[float]]:
    """The fewest points of ``(xs, ys)`` whose linear interpolation passes through all."""
    keep = np.ones(len(xs), dtype=bool)
    if len(xs) > 2:
        left = (ys[1:-1] - ys[:-2]) * (xs[2:] - xs[1:-1])
        right = (ys[2:] - ys[1:-1]) * (xs[1:-1] - xs[:-2])
        keep[1:-1] = ~np.isclose(left, right, rtol=0.0, atol=1e-15)
    return [[float(x), float(y)] for x, y in zip(xs[keep], ys[keep], strict=True)]


def _continuous_values(
    file: str, element: _Element, issue: _DomainIssue, real_steps: int
) -> list[list[float]]:
    low, high = issue.bounds
    own_low, _ = _bounds(file, element, issue.name, issue.bounds)
    function, kinks = _evaluator(file, element, issue.name, own_low)
    if issue.type == "integer":
        xs = np.arange(int(low), int(high) + 1, dtype=float)
    else:
        inside = [x for x in kinks if low < x < high]
        xs = np.unique(np.array([low, high, *inside], dtype=float))
    return _curve(xs, function(xs))


def _discrete_values(file: str, element: _Element, issue: _DomainIssue, weight: float) -> dict[str, float]:
    evaluations: dict[str, float] = {}
    for item in (child for child in element.children if child.tag == "item"):
        value = item.get("value")
        if value is None:
            raise InputError(file, f"issue {issue.name!r}: an <item> has no 'value'", item.line)
        if value not in issue.values:
            raise InputError(file, f"issue {issue.name!r} has no value {value!r} in the domain", item.line)
        if value in evaluations:
            raise InputError(file, f"issue {issue.name!r}: value {value!r} is evaluated twice", item.line)
        if item.get("evaluation") is None:
            raise InputError(file, f"issue {issue.name!r}: value {value!r} has no 'evaluation'", item.line)
        evaluation = _number(file, item, "evaluation")
        if evaluation < 0:
            raise InputError(file, f"issue {issue.name!r}: value {value!r} has a negative evaluation", item.line)
        evaluations[value] = evaluation
    missing = [value for value in issue.values if value not in evaluations]
    if missing and weight > 0:
        raise InputError(
            file, f"issue {issue.name!r}: no evaluation for {', '.join(map(repr, missing))}", element.line
        )
    top = max(evaluations.values(), default=0.0)
    return {
        option: evaluations.get(value, 0.0) / top if top > 0 else 0.0
        for option, value in zip(issue.option_ids, issue.values, strict=True)
    }


# --------------------------------------------------------------------------- profiles


def _single(file: str, space: _Element, tag: str) -> float | None:
    element = space.first(tag)
    return None if element is None else _number(file, element, "value")


def _read_profile(
    path: str | Path, domain: _Domain, taken: set[str], real_steps: int
) -> tuple[str, dict[str, Any]]:
    file, root = _read_xml(path)
    space = root if root.tag == "utility_space" else root.first("utility_space")
    if space is None:
        raise InputError(file, f"root element is <{root.tag}>; expected <utility_space> (a GENIUS profile)", root.line)
    reservation = _single(file, space, "reservation")
    reservation = 0.0 if reservation is None else reservation
    if not 0.0 <= reservation <= 1.0:
        raise InputError(file, f"reservation value {reservation} is not in [0, 1]", space.first("reservation").line)  # type: ignore[union-attr]
    discount = _single(file, space, "discount_factor")

    by_index = {issue.index: issue for issue in domain.issues}
    names = [issue.name for issue in domain.issues]
    weights: dict[str, float] = {}
    for element in space.iter("weight"):
        index = _index(file, element)
        if index is None:
            raise InputError(file, "a <weight> has no index", element.line)
        if index in domain.objectives:
            continue
        if index not in by_index:
            raise InputError(file, f"<weight index=\"{index}\"> names no issue of the domain", element.line)
        issue = by_index[index]
        if issue.id in weights:
            raise InputError(file, f"issue {issue.name!r} has two weights", element.line)
        weight = _number(file, element, "value")
        if weight < 0:
            raise InputError(file, f"issue {issue.name!r} has a negative weight", element.line)
        weights[issue.id] = weight

    elements: dict[str, _Element] = {}
    for element in _issues_in(_objective_root(space)):
        index = _index(file, element)
        name = element.get("name")
        if index is not None and index in by_index:
            issue = by_index[index]
        elif index is None and name is not None and names.count(name) == 1:
            issue = domain.issues[names.index(name)]
        else:
            which = f"index {index}" if index is not None else f"name {name!r}"
            raise InputError(file, f"profile issue with {which} is not an issue of the domain", element.line)
        if issue.id in elements:
            raise InputError(file, f"issue {issue.name!r} is evaluated twice", element.line)
        kind = (element.get("type") or element.get("etype") or issue.type).strip().lower()
        if kind != issue.type:
            raise InputError(file, f"issue {issue.name!r} is {issue.type} in the domain, {kind} here", element.line)
        elements[issue.id] = element

    values: dict[str, Any] = {}
    for issue in domain.issues:
        if issue.id not in weights:
            raise InputError(file, f"no weight for issue {issue.name!r} (index {issue.index})")
        element = elements.get(issue.id)
        if element is None:
            if weights[issue.id] > 0:
                raise InputError(file, f"issue {issue.name!r} has a weight but no evaluation")
            continue
        if issue.type == "discrete":
            values[issue.id] = _discrete_values(file, element, issue, weights[issue.id])
        else:
            values[issue.id] = _continuous_values(file, element, issue, real_steps)
    if not any(weight > 0 for weight in weights.values()):
        raise InputError(file, "every issue weight is zero")

    stem = Path(file).stem
    party_id = _identifier(stem, f"party_{len(taken) + 1}", taken)
    description = f"GENIUS profile {Path(file).name}"
    if discount is not None:
        description += f"; discount factor {discount:g} (recorded, not used by the analysis)"
    return party_id, {
        "label": stem,
        "description": description,
        "role": "signatory",
        "weights": weights,
        "normalize_weights": False,
        "values": values,
        "reservation": reservation,
    }


# --------------------------------------------------------------------------- import


def genius_scenario_data(
    domain_path: str | Path,
    profile_paths: Sequence[str | Path],
    *,
    real_steps: int = DEFAULT_REAL_STEPS,
) -> dict[str, Any]:
    """A scenario mapping (for :func:`sim.io.scenario_from_data`) from GENIUS XML files.

    Parameters
    ----------
    domain_path
        The GENIUS domain file.
    profile_paths
        One profile per party, in the order the parties should have.
    real_steps
        Grid steps for continuous issues made from GENIUS ``real`` issues.

    Raises
    ------
    InputError
        Naming the file and line of a malformed file, an unknown issue or value, a
        missing weight or evaluation, or a refused XML construct.
    """
    if not profile_paths:
        raise InputError(str(domain_path), "give at least one profile file")
    if not 1 <= real_steps <= MAX_OPTIONS:
        raise ValueError(f"real_steps must be between 1 and {MAX_OPTIONS}")
    domain = _read_domain(domain_path)
    issues: dict[str, Any] = {}
    for issue in domain.issues:
        if issue.type == "discrete":
            issues[issue.id] = {
                "label": issue.name,
                "kind": "categorical",
                "options": [
                    {"id": option, "label": value}
                    for option, value in zip(issue.option_ids, issue.values, strict=True)
                ],
            }
        else:
            low, high = issue.bounds
            step = 1 if issue.type == "integer" else (high - low) / real_steps
            if issue.type == "integer":
                low, high = int(low), int(high)
            issues[issue.id] = {
                "label": issue.name,
                "description": f"GENIUS {issue.type} issue",
                "kind": "continuous",
                "range": [low, high],
                "step": step,
            }
    taken: set[str] = set()
    parties = dict(_read_profile(path, domain, taken, real_steps) for path in profile_paths)
    names = ", ".join(Path(path).name for path in profile_paths)
    return {
        "title": domain.title,
        "description": f"Imported from the GENIUS domain {Path(domain.file).name} "
        f"with the profiles {names}.",
        "issues": issues,
        "parties": parties,
    }


def import_genius(
    domain_path: str | Path,
    profile_paths: Sequence[str | Path],
    *,
    real_steps: int = DEFAULT_REAL_STEPS,
) -> Scenario:
    """A validated scenario from a GENIUS domain and its profiles (see the module notes).

    Raises
    ------
    InputError
        As :func:`genius_scenario_data`.
    """
    data = genius_scenario_data(domain_path, profile_paths, real_steps=real_steps)
    return scenario_from_data(data, str(domain_path))


def write_scenario(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write a scenario mapping as YAML (or JSON, for a ``.json`` path); return the path."""
    target = Path(path)
    if target.suffix.lower() == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)
    target.write_text(text, encoding="utf-8")
    return target


# --------------------------------------------------------------------------- export


class GeniusExportError(ValueError):
    """A scenario uses something a GENIUS additive profile cannot express."""


def _option_values(issue: Issue, spec: Any) -> np.ndarray:
    count = len(issue.options)
    if spec is None:
        return np.zeros(count)
    if spec == "increasing":
        return np.arange(count) / (count - 1)
    if spec == "decreasing":
        return 1.0 - np.arange(count) / (count - 1)
    return np.array([float(spec.get(option, 0.0)) for option in issue.option_ids])


def _fit_clipped_line(ys: np.ndarray) -> tuple[float, float] | None:
    """``(offset, slope)`` with ``clip(offset + slope * i, 0, 1) == ys[i]`` for every i."""
    n = len(ys)
    steps = np.arange(n, dtype=float)
    slopes = np.diff(ys)
    inside = (ys > 0) & (ys < 1)
    pairs = np.flatnonzero(inside[:-1] & inside[1:])
    others = np.flatnonzero(~(inside[:-1] & inside[1:]))
    candidates = [(float(ys[0]), 0.0)]
    candidates += [(float(ys[i] - slopes[i] * i), float(slopes[i])) for i in (*pairs, *others)]
    if inside.sum() == 1:
        (i,) = np.flatnonzero(inside)
        bound = max(ys[i], 1 - ys[i])
        candidates += [(float(ys[i] - s * i), float(s)) for s in (bound, -bound)]
    table = np.array(candidates)
    fitted = np.clip(table[:, :1] + table[:, 1:] * steps, 0.0, 1.0)
    good = np.flatnonzero(np.all(np.abs(fitted - ys) <= _TOLERANCE, axis=1))
    return (float(table[good[0], 0]), float(table[good[0], 1])) if len(good) else None


def _integer_range(issue: Issue) -> tuple[int, int]:
    assert issue.range is not None
    low, high = issue.range
    if not (low.is_integer() and high.is_integer() and issue.step == 1):
        raise GeniusExportError(
            f"issue {issue.id!r}: only continuous issues with integer bounds and step 1 can be "
            "written (as GENIUS integer issues)"
        )
    return int(low), int(high)


def _check_exportable(scenario: Scenario) -> None:
    if scenario.constraints:
        raise GeniusExportError("GENIUS profiles cannot express scenario constraints")
    for party in scenario.party_list:
        if party.red_lines:
            raise GeniusExportError(f"party {party.id!r}: GENIUS profiles cannot express red lines")
        if party.interactions:
            raise GeniusExportError(f"party {party.id!r}: GENIUS profiles are additive; no interaction terms")
        for issue_id, spec in party.values.items():
            issue = scenario.issues[issue_id]
            if issue.kind == "continuous":
                _integer_range(issue)
                if any(not float(x).is_integer() for x, _ in spec):  # type: ignore[misc]
                    raise GeniusExportError(
                        f"party {party.id!r}, issue {issue_id!r}: curve breakpoints must be integers"
                    )
    for issue in scenario.issue_list:
        if issue.kind == "continuous":
            _integer_range(issue)


def _unique_or_ids(labels: list[str], ids: Sequence[str]) -> list[str]:
    return labels if len(set(labels)) == len(labels) and all(labels) else list(ids)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _issue_element(parent: ElementTree.Element, index: int, issue: Issue, name: str) -> ElementTree.Element:
    kind = "integer" if issue.kind == "continuous" else "discrete"
    attributes = {"index": str(index), "etype": kind, "type": kind, "vtype": kind, "name": name}
    if issue.kind == "continuous":
        low, high = _integer_range(issue)
        attributes.update(lowerbound=str(low), upperbound=str(high))
    return ElementTree.SubElement(parent, "issue", attributes)


def _objective(parent: ElementTree.Element, title: str) -> ElementTree.Element:
    return ElementTree.SubElement(
        parent, "objective",
        {"index": "0", "etype": "objective", "type": "objective", "description": "", "name": title},
    )


def _profile(scenario: Scenario, party: Party, names: list[str], items: list[list[str]]) -> ElementTree.Element:
    root = ElementTree.Element("utility_space")
    objective = _objective(root, scenario.title)
    total = sum(party.weights.values()) if party.normalize_weights else 1.0
    weights = []
    for k, issue in enumerate(scenario.issue_list):
        weight = party.weights.get(issue.id, 0.0) / total
        spec = party.values.get(issue.id) if weight > 0 else None
        element = _issue_element(objective, k + 1, issue, names[k])
        if issue.kind == "continuous":
            low, high = _integer_range(issue)
            xs = np.arange(low, high + 1, dtype=float)
            ys = np.interp(xs, [p[0] for p in spec], [p[1] for p in spec]) if spec else np.zeros(len(xs))  # type: ignore[union-attr,index]
            fit = _fit_clipped_line(ys)
            if fit is None:
                raise GeniusExportError(
                    f"party {party.id!r}, issue {issue.id!r}: the values are not a (clipped) linear "
                    "function of the integer, as a GENIUS integer evaluator requires"
                )
            offset, slope = fit
            ElementTree.SubElement(
                element, "evaluator", {"ftype": "linear", "offset": repr(offset), "slope": repr(slope)}
            )
        else:
            values = _option_values(issue, spec)
            # GENIUS divides by the largest evaluation: move that scale into the weight.
            top = float(values.max())
            weight *= top
            for n, (item, value) in enumerate(zip(items[k], values, strict=True), start=1):
                ElementTree.SubElement(
                    element, "item", {"index": str(n), "value": item, "evaluation": _number_text(value)}
                )
        weights.append(weight)
    for k, weight in enumerate(weights, start=1):
        ElementTree.SubElement(objective, "weight", {"index": str(k), "value": _number_text(weight)})
    ElementTree.SubElement(root, "reservation", {"value": _number_text(party.reservation)})
    return root


def _write_xml(root: ElementTree.Element, path: Path) -> Path:
    tree = ElementTree.ElementTree(root)
    ElementTree.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


def export_genius(scenario: Scenario, directory: str | Path) -> list[Path]:
    """Write a GENIUS domain file and one profile per party into ``directory``.

    The domain is ``domain.xml`` (another stem if a party is called ``domain``); each
    profile is ``<party id>.xml``. Party weights are written so that GENIUS's utilities
    equal the scenario's (normalized first when the party normalizes them, and scaled by
    the issue's best value, which GENIUS's normalization divides out). Roles, powers,
    proposals and evidence have no GENIUS counterpart and are left out.

    Returns
    -------
    list of Path
        The domain file, then the profiles in party order.

    Raises
    ------
    GeniusExportError
        If the scenario has red lines, constraints, interaction terms, or a continuous
        issue that is not integer-valued with a clipped linear value curve.
    """
    _check_exportable(scenario)
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    issues = scenario.issue_list
    names = _unique_or_ids([issue.label for issue in issues], [issue.id for issue in issues])
    items = [
        _unique_or_ids([option.label for option in issue.options], issue.option_ids) for issue in issues
    ]
    stem = "domain"
    while stem in scenario.parties:
        stem += "_"
    template = ElementTree.Element("negotiation_template")
    space = ElementTree.SubElement(template, "utility_space", {"number_of_issues": str(len(issues))})
    objective = _objective(space, scenario.title)
    for k, issue in enumerate(issues):
        element = _issue_element(objective, k + 1, issue, names[k])
        for n, item in enumerate(items[k], start=1):
            ElementTree.SubElement(element, "item", {"index": str(n), "value": item})
    written = [_write_xml(template, target / f"{stem}.xml")]
    for party in scenario.party_list:
        written.append(_write_xml(_profile(scenario, party, names, items), target / f"{party.id}.xml"))
    return written
