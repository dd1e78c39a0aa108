"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pytest


class CliResult(NamedTuple):
    """What one ``negosim`` invocation produced."""

    status: int
    out: str
    err: str


@pytest.fixture
def negosim(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``negosim ARGS...`` in-process; return its exit status, stdout and stderr."""
    from sim.cli import main

    def invoke(*argv: str) -> CliResult:
        capsys.readouterr()
        try:
            status = main([str(arg) for arg in argv])
        except SystemExit as stop:  # argparse: --help and usage errors
            status = 0 if stop.code is None else stop.code if isinstance(stop.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(status, captured.out, captured.err)

    return invoke
