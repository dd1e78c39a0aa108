"""Load a scenario file into a validated :class:`sim.schema.Scenario`.

Every failure becomes one :class:`sim.documents.InputError` whose message names the file,
the line where YAML gives it, the dotted field path and what was expected; evidence
records pulled in through ``evidence_files`` are reported against their own file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.documents import Document, InputError, read_document
from sim.evidence import read_records, record_files
from sim.schema import Scenario, ScenarioReferenceError, dotted

__all__ = ["load_scenario", "scenario_from_data", "InputError"]


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and cross-reference a scenario file (YAML or JSON).

    Raises
    ------
    InputError
        With a one-line message naming the file, line, field path and expectation.
    """
    document = read_document(path)
    data = document.data
    if not isinstance(data, dict):
        raise InputError(
            document.file,
            f"expected a mapping at the top level, found {_kind(data)}",
            document.line_of(()),
        )
    entries = data.get("evidence_files", [])
    if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
        raise InputError(
            document.file,
            "expected a list of paths",
            document.line_of(("evidence_files",)),
            "evidence_files",
        )
    files = record_files(entries, Path(path).resolve().parent, document.file)
    external = read_records(files)
    inline = data.get("evidence", [])
    if not isinstance(inline, list):
        raise InputError(
            document.file,
            "expected a list of evidence records",
            document.line_of(("evidence",)),
            "evidence",
        )
    merged = {**data, "evidence": [*inline, *(record for _, _, record in external)]}
    try:
        return Scenario.model_validate(merged)
    except ValidationError as error:
        raise _input_error(error, document, merged, len(inline), external) from None


def scenario_from_data(data: dict[str, Any], name: str = "<scenario>") -> Scenario:
    """Validate an in-memory scenario mapping (as a notebook or a sweep builds one)."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise _input_error(
            error, Document(name, data, None), data, len(data.get("evidence", [])), []
        ) from None


def _input_error(
    error: ValidationError,
    document: Document,
    data: Any,
    inline_count: int,
    external: list[tuple[Document, int, Any]],
) -> InputError:
    details = error.errors(include_url=False)
    best = max(
        details,
        key=lambda detail: (
            len(_data_path(data, detail["loc"], detail["type"])),
            -len(detail["loc"]),
        ),
    )
    cause = (best.get("ctx") or {}).get("error")
    if isinstance(cause, ScenarioReferenceError):
        path = tuple(cause.path)
        message = cause.message
    else:
        path = _data_path(data, best["loc"], best["type"])
        message = _describe(best)
    if (
        len(path) >= 2
        and path[0] == "evidence"
        and isinstance(path[1], int)
        and path[1] >= inline_count
    ):
        source, index, _ = external[path[1] - inline_count]
        inner = (
            ("records", index, *path[2:]) if isinstance(source.data, dict) else (index, *path[2:])
        )
        return InputError(source.file, message, source.line_of(inner), dotted(inner))
    return InputError(document.file, message, document.line_of(path), dotted(path))


def _data_path(data: Any, loc: tuple[Any, ...], kind: str = "") -> tuple[str | int, ...]:
    """The part of a pydantic location that indexes into the data.

    Pydantic inserts union-member tags (``literal[...]``, ``[key]``) into locations; those
    index nothing and are dropped. A missing field's key is kept, so the path names it.
    """
    path: list[str | int] = []
    node = data
    for position, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(str(part))
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif kind == "missing" and position == len(loc) - 1 and isinstance(node, dict):
            path.append(str(part))
    return tuple(path)


def _describe(detail: Any) -> str:
    kind = detail["type"]
    message = str(detail["msg"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not part of the scenario format; see 'negosim schema')"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif message.startswith("Assertion failed, "):
        message = message[len("Assertion failed, ") :]
    message = message[0].lower() + message[1:] if message else message
    return message.replace("input should be", "expected")


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )
