"""Evidence records: load the files a scenario names, and find records nobody cites.

A record file is YAML or JSON holding ``records: [...]`` (or a bare list); each record
is validated as :class:`sim.schema.EvidenceRecord`. A scenario names record files or
folders in ``evidence_files`` (paths relative to the scenario file); a folder contributes
every ``*.yaml``, ``*.yml`` and ``*.json`` file in it, in name order, except ``README*``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.documents import Document, InputError, read_document

__all__ = ["record_files", "read_records", "uncited_records", "MAX_RECORD_FILES"]

MAX_RECORD_FILES = 2000
_SUFFIXES = (".yaml", ".yml", ".json")


def record_files(entries: Iterable[str], base: Path, scenario_file: str) -> list[Path]:
    """Expand the ``evidence_files`` entries of a scenario into record files."""
    files: list[Path] = []
    for index, entry in enumerate(entries):
        path = (base / entry).resolve()
        if path.is_dir():
            files.extend(
                sorted(
                    child
                    for child in path.iterdir()
                    if child.suffix.lower() in _SUFFIXES and not child.name.startswith("README")
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(
                scenario_file, f"no such file or folder {entry!r}", path=f"evidence_files[{index}]"
            )
        if len(files) > MAX_RECORD_FILES:
            raise InputError(scenario_file, f"more than {MAX_RECORD_FILES} evidence files")
    return files


def read_records(files: Iterable[Path]) -> list[tuple[Document, int, Any]]:
    """Raw records with the document and index each came from (validated by the scenario)."""
    records: list[tuple[Document, int, Any]] = []
    for file in files:
        document = read_document(file)
        data = document.data
        items = data.get("records") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise InputError(document.file, "expected 'records:' with a list of evidence records")
        records.extend((document, index, item) for index, item in enumerate(items))
    return records


def uncited_records(scenario: Any) -> list[str]:
    """Ids of evidence records the scenario carries but never cites."""
    from sim.schema import walk_citations

    cited = {evidence_id for _, evidence_id in walk_citations(scenario)}
    return [record.id for record in scenario.evidence if record.id not in cited]
