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

from sim.documents import MAX_NODES, InputError, read_bounded
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
        """Yield this element and its descendants with ``tag``, in document order."""
        stack = [self]
        while stack:
            element = stack.pop()
            if element.tag == tag:
                yield element
            stack.extend(reversed(element.children))

    def named(self, tag: str) -> list[_Element]:
        """Children with ``tag``."""
        return [child for child in self.children if child.tag == tag]


class _Refused(Exception):
    pass


def _error(file: str, message: str, element: _Element | None = None) -> InputError:
    return InputError(file, message, element.line if element is not None else None)


def _read_xml(path: str | Path) -> tuple[str, _Element]:
    """Parse a GENIUS file safely: bounded size, no DTD, no entities."""
    file, data = read_bounded(path)
    if not data.strip():
        raise InputError(file, "file is empty; expected GENIUS XML")
    found = _DECLARATION.search(data)
    if found:
        line = data.count(b"\n", 0, found.start()) + 1
        raise InputError(file, "document type and entity declarations are not allowed", line)

    parser = expat.ParserCreate()
    stack: list[_Element] = []
    roots: list[_Element] = []
    count = [0]

    def start(tag: str, attributes: dict[str, str]) -> None:
        count[0] += 1
        if count[0] > MAX_NODES:
            raise _Refused(f"document has more than {MAX_NODES} elements")
        if len(stack) >= MAX_DEPTH:
            raise _Refused(f"elements nest deeper than {MAX_DEPTH} levels")
        attrib = {key.lower(): value for key, value in attributes.items()}
        element = _Element(tag.lower(), attrib, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def refuse(*_: Any) -> Any:
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
        message = f"malformed XML: {expat.ErrorString(error.code)}"
        raise InputError(file, message, error.lineno) from None
    return file, roots[0]


def _number(file: str, element: _Element, name: str, default: float | None = None) -> float:
    text = element.get(name)
    if text is None:
        if default is not None:
            return default
        raise _error(file, f"<{element.tag}> needs a '{name}' attribute", element)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _error(file, f"<{element.tag}> {name}={text!r} is not a number", element)
    return value


def _index(file: str, element: _Element) -> int | None:
    text = element.get("index")
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise _error(file, f"<{element.tag}> index={text!r} is not an integer", element) from None


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


def _label(name: str) -> str:
    """A GENIUS name as a scenario label."""
    return name


def _name(label: str) -> str:
    """The GENIUS name a label came from (undoes :func:`_label`)."""
    return label


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
        message = f"issue {name!r} has type {kind!r}; expected discrete, integer or real"
        raise _error(file, message, element)
    return kind


def _bounds(
    file: str, element: _Element, name: str, fallback: tuple[float, float] | None
) -> tuple[float, float]:
    """``lowerbound`` and ``upperbound``: attributes of the issue or of its ``<range>``."""
    holder = element
    if element.get("lowerbound") is None and element.get("upperbound") is None:
        holder = next(iter(element.named("range")), element)
    if holder.get("lowerbound") is None or holder.get("upperbound") is None:
        if fallback is not None:
            return fallback
        raise _error(file, f"issue {name!r} needs 'lowerbound' and 'upperbound'", element)
    return _number(file, holder, "lowerbound"), _number(file, holder, "upperbound")


def _domain_issue(file: str, element: _Element, issue_id: str) -> _DomainIssue:
    name = element.get("name") or ""
    index = _index(file, element)
    if index is None:
        raise _error(file, f"issue {name!r} has no index", element)
    kind = _issue_type(file, element, name)
    if kind == "discrete":
        values: list[str] = []
        for item in element.named("item"):
            value = item.get("value")
            if value is None:
                raise _error(file, f"issue {name!r}: an <item> has no 'value'", item)
            if value in values:
                raise _error(file, f"issue {name!r}: value {value!r} is listed twice", item)
            values.append(value)
        if len(values) < 2:
            raise _error(file, f"issue {name!r} has fewer than two values", element)
        taken: set[str] = set()
        options = tuple(_identifier(v, f"value_{n}", taken) for n, v in enumerate(values, 1))
        return _DomainIssue(issue_id, name, index, kind, tuple(values), options)
    low, high = _bounds(file, element, name, None)
    if not low < high:
        raise _error(file, f"issue {name!r} needs lowerbound < upperbound", element)
    if kind == "integer":
        if not (low.is_integer() and high.is_integer()):
            raise _error(file, f"integer issue {name!r} has non-integer bounds", element)
        if high - low > MAX_OPTIONS:
            message = f"integer issue {name!r} has more than {MAX_OPTIONS + 1} values"
            raise _error(file, message, element)
    return _DomainIssue(issue_id, name, index, kind, bounds=(low, high))


def _read_domain(path: str | Path) -> _Domain:
    file, root = _read_xml(path)
    if root.tag not in ("negotiation_template", "utility_space"):
        message = f"root element is <{root.tag}>; expected <negotiation_template> (a domain)"
        raise _error(file, message, root)
    top = _objective_root(root)
    objectives = frozenset(
        index for element in top.iter("objective") if (index := _index(file, element)) is not None
    )
    issues: list[_DomainIssue] = []
    ids: set[str] = set()
    for position, element in enumerate(_issues_in(top), start=1):
        name = element.get("name") or ""
        if not name.strip():
            raise _error(file, "an issue has no name", element)
        issue = _domain_issue(file, element, _identifier(name, f"issue_{position}", ids))
        if issue.index in objectives or any(issue.index == other.index for other in issues):
            raise _error(file, f"issue {name!r}: index {issue.index} is used twice", element)
        issues.append(issue)
    if not issues:
        raise _error(file, "the domain defines no issues", top)
    title = (top.get("name") or "").strip()
    if title.lower() in ("", "root"):
        title = Path(file).stem
    return _Domain(file, title, tuple(issues), objectives)


# --------------------------------------------------------------------------- evaluators

_Function = Callable[[np.ndarray], np.ndarray]


def _linear(file: str, evaluator: _Element, low: float) -> tuple[_Function, list[float]]:
    """GENIUS's clipped linear evaluator and the points where the clipping starts."""
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


def _triangle(file: str, evaluator: _Element, name: str) -> tuple[_Function, list[float]]:
    """GENIUS's triangular evaluator: 0 up to parameter0, 1 at parameter2, 0 from parameter1."""
    lower, upper, top = (_number(file, evaluator, f"parameter{n}") for n in range(3))
    if not lower < top < upper:
        message = (
            f"issue {name!r}: a triangular evaluator needs parameter0 < parameter2 < parameter1"
        )
        raise _error(file, message, evaluator)

    def triangle(x: np.ndarray) -> np.ndarray:
        rising = (x - lower) / (top - lower)
        falling = 1.0 - (x - top) / (upper - top)
        return np.where((x < lower) | (x >= upper), 0.0, np.where(x < top, rising, falling))

    return triangle, [lower, top, upper]


def _evaluator(
    file: str, element: _Element, name: str, low: float
) -> tuple[_Function, list[float]]:
    """A profile issue's evaluator as a vectorized function and its breakpoints."""
    evaluator = next(iter(element.named("evaluator")), None)
    if evaluator is None:
        raise _error(file, f"issue {name!r} has no <evaluator>", element)
    ftype = (evaluator.get("ftype") or "linear").strip().lower()
    if ftype == "linear":
        return _linear(file, evaluator, low)
    if ftype == "triangular":
        return _triangle(file, evaluator, name)
    if ftype == "constant":
        key = "offset" if evaluator.get("offset") is not None else "parameter0"
        constant = _number(file, evaluator, key)
        if not 0.0 <= constant <= 1.0:
            raise _error(file, f"issue {name!r}: constant {constant} is not in [0, 1]", evaluator)
        return (lambda x: np.full(np.shape(x), constant)), []
    message = f"issue {name!r}: evaluator ftype {ftype!r} is not supported"
    raise _error(file, message + " (linear, constant, triangular)", evaluator)


def _curve(xs: np.ndarray, ys: np.ndarray) -> list[list[float]]:
    """The fewest points of ``(xs, ys)`` whose linear interpolation passes through all."""
    keep = np.ones(len(xs), dtype=bool)
    if len(xs) > 2:
        left = (ys[1:-1] - ys[:-2]) * (xs[2:] - xs[1:-1])
        right = (ys[2:] - ys[1:-1]) * (xs[1:-1] - xs[:-2])
        keep[1:-1] = ~np.isclose(left, right, rtol=0.0, atol=1e-15)
    return [[float(x), float(y)] for x, y in zip(xs[keep], ys[keep], strict=True)]


def _continuous_values(file: str, element: _Element, issue: _DomainIssue) -> list[list[float]]:
    low, high = issue.bounds
    own_low, _ = _bounds(file, element, issue.name, issue.bounds)
    function, kinks = _evaluator(file, element, issue.name, own_low)
    if issue.type == "integer":
        xs = np.arange(int(low), int(high) + 1, dtype=float)
    else:
        inside = [round(x, 12) for x in kinks if low < round(x, 12) < high]
        xs = np.unique(np.array([low, high, *inside], dtype=float))
    return _curve(xs, function(xs))


def _discrete_values(
    file: str, element: _Element, issue: _DomainIssue, weight: float
) -> dict[str, float]:
    """Each item's evaluation divided by the largest one, keyed by option id."""
    name = issue.name
    evaluations: dict[str, float] = {}
    for item in element.named("item"):
        value = item.get("value")
        if value is None:
            raise _error(file, f"issue {name!r}: an <item> has no 'value'", item)
        if value not in issue.values:
            raise _error(file, f"issue {name!r} has no value {value!r} in the domain", item)
        if value in evaluations:
            raise _error(file, f"issue {name!r}: value {value!r} is evaluated twice", item)
        if item.get("evaluation") is None:
            raise _error(file, f"issue {name!r}: value {value!r} has no 'evaluation'", item)
        evaluations[value] = _number(file, item, "evaluation")
        if evaluations[value] < 0:
            raise _error(file, f"issue {name!r}: value {value!r} has a negative evaluation", item)
    missing = ", ".join(repr(value) for value in issue.values if value not in evaluations)
    if missing and weight > 0:
        raise _error(file, f"issue {name!r}: no evaluation for {missing}", element)
    top = max(evaluations.values(), default=0.0)
    return {
        option: evaluations.get(value, 0.0) / top if top > 0 else 0.0
        for option, value in zip(issue.option_ids, issue.values, strict=True)
    }


# --------------------------------------------------------------------------- profiles


def _single(file: str, space: _Element, tag: str) -> float | None:
    element = space.first(tag)
    return None if element is None else _number(file, element, "value")


def _weights(file: str, space: _Element, domain: _Domain) -> dict[str, float]:
    """Issue weights by issue id (weights of objectives are ignored, as GENIUS ignores them)."""
    by_index = {issue.index: issue for issue in domain.issues}
    weights: dict[str, float] = {}
    for element in space.iter("weight"):
        index = _index(file, element)
        if index is None:
            raise _error(file, "a <weight> has no index", element)
        if index in domain.objectives:
            continue
        if index not in by_index:
            raise _error(file, f'<weight index="{index}"> names no issue of the domain', element)
        issue = by_index[index]
        if issue.id in weights:
            raise _error(file, f"issue {issue.name!r} has two weights", element)
        weights[issue.id] = _number(file, element, "value")
        if weights[issue.id] < 0:
            raise _error(file, f"issue {issue.name!r} has a negative weight", element)
    for issue in domain.issues:
        if issue.id not in weights:
            raise InputError(file, f"no weight for issue {issue.name!r} (index {issue.index})")
    if not any(weight > 0 for weight in weights.values()):
        raise InputError(file, "every issue weight is zero")
    return {issue.id: weights[issue.id] for issue in domain.issues}


def _profile_issues(file: str, space: _Element, domain: _Domain) -> dict[str, _Element]:
    """The profile's issue elements by domain issue id: by index, else by (unique) name."""
    by_index = {issue.index: issue for issue in domain.issues}
    names = [issue.name for issue in domain.issues]
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
            raise _error(file, f"the profile's issue with {which} is not in the domain", element)
        if issue.id in elements:
            raise _error(file, f"issue {issue.name!r} is evaluated twice", element)
        kind = (element.get("type") or element.get("etype") or issue.type).strip().lower()
        if kind != issue.type:
            message = f"issue {issue.name!r} is {issue.type} in the domain, {kind} here"
            raise _error(file, message, element)
        elements[issue.id] = element
    return elements


def _read_profile(path: str | Path, domain: _Domain, taken: set[str]) -> tuple[str, dict[str, Any]]:
    file, root = _read_xml(path)
    space = root if root.tag == "utility_space" else root.first("utility_space")
    if space is None:
        message = f"root element is <{root.tag}>; expected <utility_space> (a profile)"
        raise _error(file, message, root)
    reservation = _single(file, space, "reservation")
    reservation = 0.0 if reservation is None else reservation
    if not 0.0 <= reservation <= 1.0:
        message = f"reservation value {reservation:g} is not in [0, 1]"
        raise _error(file, message, space.first("reservation"))
    discount = _single(file, space, "discount_factor")
    weights = _weights(file, space, domain)
    elements = _profile_issues(file, space, domain)
    values: dict[str, Any] = {}
    for issue in domain.issues:
        element = elements.get(issue.id)
        if element is None:
            if weights[issue.id] > 0:
                raise InputError(file, f"issue {issue.name!r} has a weight but no evaluation")
        elif issue.type == "discrete":
            values[issue.id] = _discrete_values(file, element, issue, weights[issue.id])
        else:
            values[issue.id] = _continuous_values(file, element, issue)
    stem = Path(file).stem
    description = f"GENIUS profile {Path(file).name}"
    if discount is not None:
        description += f"; discount factor {discount:g} (recorded, not used by the analysis)"
    return _identifier(stem, f"party_{len(taken) + 1}", taken), {
        "label": _label(stem),
        "description": description,
        "role": "signatory",
        "weights": weights,
        "normalize_weights": False,
        "values": values,
        "reservation": reservation,
    }


# --------------------------------------------------------------------------- import


def _issue_data(issue: _DomainIssue, real_steps: int) -> dict[str, Any]:
    if issue.type == "discrete":
        options = zip(issue.option_ids, issue.values, strict=True)
        return {
            "label": _label(issue.name),
            "kind": "categorical",
            "options": [{"id": option, "label": _label(value)} for option, value in options],
        }
    low, high = issue.bounds
    whole = issue.type == "integer"
    return {
        "label": _label(issue.name),
        "description": f"GENIUS {issue.type} issue",
        "kind": "continuous",
        "range": [int(low), int(high)] if whole else [low, high],
        "step": 1 if whole else (high - low) / real_steps,
        "integer": whole,
    }


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
    taken: set[str] = set()
    parties = dict(_read_profile(path, domain, taken) for path in profile_paths)
    names = ", ".join(Path(path).name for path in profile_paths)
    return {
        "title": domain.title,
        "description": f"Imported from the GENIUS domain {Path(domain.file).name} "
        f"with the profiles {names}.",
        "issues": {issue.id: _issue_data(issue, real_steps) for issue in domain.issues},
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


def _curve_points(spec: Any) -> tuple[list[float], list[float]]:
    """The x and value lists of a value curve ``[[x, value], ...]``."""
    return [float(point[0]) for point in spec], [float(point[1]) for point in spec]


def _fit_clipped_line(ys: np.ndarray) -> tuple[float, float] | None:
    """``(offset, slope)`` with ``clip(offset + slope * i, 0, 1) == ys[i]`` for every i.

    Candidates: a constant; the line through each pair of neighbours (those strictly
    inside (0, 1) first, as they pin the line down); and, when a single value lies inside
    (0, 1), the shallowest lines through it that reach 0 and 1 at its neighbours.
    """
    steps = np.arange(len(ys), dtype=float)
    slopes = np.diff(ys)
    inside = (ys > 0) & (ys < 1)
    both = inside[:-1] & inside[1:]
    order = np.concatenate([np.flatnonzero(both), np.flatnonzero(~both)])
    candidates = [(float(ys[0]), 0.0)]
    candidates += [(float(ys[i] - slopes[i] * i), float(slopes[i])) for i in order]
    if inside.sum() == 1:
        (i,) = np.flatnonzero(inside)
        steepness = max(ys[i], 1 - ys[i])
        candidates += [(float(ys[i] - s * i), float(s)) for s in (steepness, -steepness)]
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
    for issue in scenario.issue_list:
        if issue.kind == "continuous":
            _integer_range(issue)
    for party in scenario.party_list:
        if party.red_lines:
            raise GeniusExportError(f"party {party.id!r}: GENIUS profiles cannot express red lines")
        if party.interactions:
            raise GeniusExportError(
                f"party {party.id!r}: GENIUS profiles have no interaction terms"
            )
        for issue_id, spec in party.values.items():
            xs = _curve_points(spec)[0] if scenario.issues[issue_id].kind == "continuous" else []
            if not all(x.is_integer() for x in xs):
                message = (
                    f"party {party.id!r}, issue {issue_id!r}: curve breakpoints must be integers"
                )
                raise GeniusExportError(message)


def _unique_or_ids(labels: list[str], ids: Sequence[str]) -> list[str]:
    return labels if len(set(labels)) == len(labels) and all(labels) else list(ids)


def _number_text(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _objective(parent: ElementTree.Element, title: str) -> ElementTree.Element:
    attributes = {"index": "0", "etype": "objective", "type": "objective", "name": title}
    return ElementTree.SubElement(parent, "objective", {**attributes, "description": ""})


def _issue_element(
    parent: ElementTree.Element, index: int, issue: Issue, name: str
) -> ElementTree.Element:
    kind = "integer" if issue.kind == "continuous" else "discrete"
    attributes = {"index": str(index), "etype": kind, "type": kind, "vtype": kind, "name": name}
    if issue.kind == "continuous":
        low, high = _integer_range(issue)
        attributes.update(lowerbound=str(low), upperbound=str(high))
    return ElementTree.SubElement(parent, "issue", attributes)


def _integer_evaluator(element: ElementTree.Element, party: Party, issue: Issue, spec: Any) -> None:
    low, high = _integer_range(issue)
    xs = np.arange(low, high + 1, dtype=float)
    fit = _fit_clipped_line(np.interp(xs, *_curve_points(spec)) if spec else np.zeros(len(xs)))
    if fit is None:
        raise GeniusExportError(
            f"party {party.id!r}, issue {issue.id!r}: the values are not a clipped linear "
            "function of the integer, as a GENIUS integer evaluator requires"
        )
    attributes = {"ftype": "linear", "offset": repr(fit[0]), "slope": repr(fit[1])}
    ElementTree.SubElement(element, "evaluator", attributes)


def _profile(
    scenario: Scenario, party: Party, names: list[str], items: list[list[str]]
) -> ElementTree.Element:
    root = ElementTree.Element("utility_space")
    objective = _objective(root, scenario.title)
    total = sum(party.weights.values()) if party.normalize_weights else 1.0
    weights = []
    for k, issue in enumerate(scenario.issue_list):
        weight = party.weights.get(issue.id, 0.0) / total
        spec = party.values.get(issue.id) if weight > 0 else None
        element = _issue_element(objective, k + 1, issue, names[k])
        if issue.kind == "continuous":
            _integer_evaluator(element, party, issue, spec)
        else:
            values = _option_values(issue, spec)
            weight *= float(values.max())  # GENIUS divides by the largest evaluation
            for n, (item, value) in enumerate(zip(items[k], values, strict=True), start=1):
                attributes = {"index": str(n), "value": item, "evaluation": _number_text(value)}
                ElementTree.SubElement(element, "item", attributes)
        weights.append(weight)
    for k, weight in enumerate(weights, start=1):
        attributes = {"index": str(k), "value": _number_text(weight)}
        ElementTree.SubElement(objective, "weight", attributes)
    ElementTree.SubElement(root, "reservation", {"value": _number_text(party.reservation)})
    return root


def _write_xml(root: ElementTree.Element, path: Path) -> Path:
    tree = ElementTree.ElementTree(root)
    ElementTree.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


def export_genius(scenario: Scenario, directory: str | Path) -> list[Path]:
    """Write a GENIUS domain file and one profile per party into ``directory``.

    The domain is ``domain.xml`` (with underscores added if a party is called ``domain``);
    each profile is ``<party id>.xml``. Weights are written so that GENIUS's utilities
    equal the scenario's: normalized first when the party normalizes them, and multiplied
    by the issue's best value, which GENIUS's normalization of evaluations divides out.
    Roles, bargaining powers, proposals and evidence have no GENIUS counterpart and are
    left out.

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
    names = _unique_or_ids([_name(issue.label) for issue in issues], [i.id for i in issues])
    items = [
        _unique_or_ids([_name(option.label) for option in issue.options], issue.option_ids)
        for issue in issues
    ]
    stem = "domain"
    while stem in scenario.parties:
        stem += "_"
    template = ElementTree.Element("negotiation_template")
    space = ElementTree.SubElement(
        template, "utility_space", {"number_of_issues": str(len(issues))}
    )
    objective = _objective(space, scenario.title)
    for k, issue in enumerate(issues):
        element = _issue_element(objective, k + 1, issue, names[k])
        for n, item in enumerate(items[k], start=1):
            ElementTree.SubElement(element, "item", {"index": str(n), "value": item})
    written = [_write_xml(template, target / f"{stem}.xml")]
    for party in scenario.party_list:
        profile = _profile(scenario, party, names, items)
        written.append(_write_xml(profile, target / f"{party.id}.xml"))
    return written
