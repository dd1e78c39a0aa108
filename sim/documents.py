"""Read YAML and JSON documents safely, with size limits and line numbers for field paths.

YAML goes through PyYAML's safe loader only (no Python objects, no code), with three
additions: a mapping that repeats a key is an error (PyYAML would silently keep the last
one), the document may not be larger than :data:`MAX_BYTES`, nest deeper than
:data:`MAX_DEPTH` or hold more than :data:`MAX_NODES` nodes (alias expansion counted), so
a hostile file cannot exhaust memory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "InputError",
    "Document",
    "read_bounded",
    "read_document",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
]

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 1_000_000


class InputError(Exception):
    """A document cannot be read; ``str()`` is the one-line message for the user."""

    def __init__(self, file: str, message: str, line: int | None = None, path: str = "") -> None:
        self.file = file
        self.line = line
        self.path = path
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        field = f" {path}:" if path else ""
        super().__init__(f"{where}:{field} {message}")


class _NoDuplicateKeys:
    """A safe loader's mapping constructor that refuses duplicate keys."""

    construct_object: Any

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not _hashable(key):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        result: dict[Any, Any] = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
        return result


class _StrictSafeLoader(_NoDuplicateKeys, yaml.SafeLoader):
    """The safe loader, refusing duplicate keys in a mapping."""


_FastBase: Any = getattr(yaml, "CSafeLoader", None)


if _FastBase is not None:

    class _FastStrictSafeLoader(_NoDuplicateKeys, _FastBase):  # type: ignore[misc]
        """The same loader on libyaml's parser (several times faster on large files)."""

    _LOADERS: tuple[Any, ...] = (_FastStrictSafeLoader, _StrictSafeLoader)
else:
    _LOADERS = (_StrictSafeLoader,)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@dataclass(frozen=True)
class Document:
    """A parsed document and, for YAML, its node tree for line look-ups."""

    file: str
    data: Any
    root: yaml.Node | None

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """1-based line of the field at ``path``, or of its nearest ancestor that exists."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                pair = next(
                    (
                        (key, value)
                        for key, value in node.value
                        if getattr(key, "value", None) == str(part)
                    ),
                    None,
                )
                if pair is None:
                    break
                line = pair[0].start_mark.line + 1
                node = pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line


def _check_events(file: str, text: str, loader: Any) -> None:
    """Refuse deep or huge documents from the event stream, before any recursive composing.

    PyYAML's parser is a state machine (no recursion); its composer recurses per level, so
    the depth must be checked first. Aliases count as the nodes they stand for at most once
    each here; :data:`MAX_NODES` bounds the events.
    """
    depth = 0
    count = 0
    for event in yaml.parse(text, Loader=loader):
        count += 1
        if count > MAX_NODES:
            raise InputError(file, f"document has more than {MAX_NODES} nodes")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise InputError(file, f"document nests deeper than {MAX_DEPTH} levels", line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _check_shape(file: str, root: yaml.Node) -> None:
    """Count nodes with aliases expanded (an alias bomb is small as events, huge as data)."""
    count = 0
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InputError(
                file, f"document has more than {MAX_NODES} nodes once aliases are expanded"
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _check_data(file: str, data: Any) -> None:
    """The same depth and size limits for data parsed from JSON."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InputError(file, f"document has more than {MAX_NODES} nodes")
        if depth > MAX_DEPTH:
            raise InputError(file, f"document nests deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def read_bounded(path: str | Path) -> tuple[str, bytes]:
    """The bytes of an input file, refusing a missing file or one over :data:`MAX_BYTES`."""
    file = str(path)
    source = Path(path)
    if not source.is_file():
        raise InputError(file, "no such file")
    size = source.stat().st_size
    if size > MAX_BYTES:
        raise InputError(file, f"file is {size} bytes; the limit is {MAX_BYTES}")
    return file, source.read_bytes()


def _load_yaml(file: str, text: str, kind: Any) -> tuple[Any, yaml.Node]:
    """Check, compose and construct one YAML document with loader class ``kind``."""
    loader = kind(text)
    try:
        _check_events(file, text, kind)
        root = loader.get_single_node()
        if root is None:
            raise InputError(file, "file is empty; expected a scenario mapping")
        _check_shape(file, root)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "malformed YAML"
        raise InputError(file, f"YAML syntax error: {problem}", line) from None
    except yaml.YAMLError as error:
        raise InputError(file, f"YAML error: {error}") from None
    finally:
        loader.dispose()
    return data, root


def read_document(path: str | Path) -> Document:
    """Read one YAML (``.yaml``/``.yml``) or JSON (``.json``) file safely.

    Raises
    ------
    InputError
        If the file is missing, too large, not UTF-8, malformed, too deep or empty.
    """
    file, data = read_bounded(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(file, f"not UTF-8 text (byte {error.start})") from None
    if not text.strip():
        raise InputError(file, "file is empty; expected a scenario mapping")
    if Path(path).suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(file, f"JSON syntax error: {error.msg}", error.lineno) from None
        except RecursionError:
            raise InputError(file, f"document nests deeper than {MAX_DEPTH} levels") from None
        _check_data(file, data)
        return Document(file, data, None)
    # libyaml first; on any error, PyYAML's own parser again, whose messages say more
    # (which character, which token), so the user reads the same line either way.
    for attempt, kind in enumerate(_LOADERS):
        try:
            data, root = _load_yaml(file, text, kind)
            break
        except InputError:
            if attempt + 1 == len(_LOADERS):
                raise
    return Document(file, data, root)
