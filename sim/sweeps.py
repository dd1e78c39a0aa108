"""Parameter sweeps and Monte Carlo runs: points, fast paths, executors, checkpoints.

A sweep is a matrix of parameter values (:mod:`sim.designs`), one row per point. Each
point is the scenario with those values applied (:func:`sim.parameters.apply`) and
analyzed; its metrics are agreement existence and size, the Pareto count, the Nash package
and utilities, every proposal's verdicts and, on request, the blocking conflicts.

Fast path: when only reservation values and bargaining powers move (and no issue is
continuous), the packages that keep every red line are enumerated once, with their
utilities; each point is then a dominance query (count the packages at or above the new
reservation values) and a Nash choice among the frontier points above them, since the
frontier of the packages above a reservation vector is the part of the whole frontier
above it. The result equals a full re-analysis (tested).

Points run in batches on one of three executors, serial, local processes or Dask, with
identical results: every point's values are fixed before any batch runs. Finished
batches are appended to a JSON Lines checkpoint as they complete, so a killed sweep
loses nothing that finished and ``resume`` skips it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from sim.designs import Axis, box_design, grid, saltelli
from sim.designs import monte_carlo as draw_monte_carlo
from sim.parameters import ParameterError, Target, apply, resolve
from sim.results import SweepPoint, SweepResult
from sim.schema import Scenario

__all__ = ["sweep", "monte_carlo", "parse_axis", "EXECUTORS", "FAST_PATH_LIMIT"]

EXECUTORS = ("serial", "processes", "dask")
FAST_PATH_LIMIT = 5_000_000
"""Most packages (or proposal completions) the reservation fast path keeps in memory."""


# --------------------------------------------------------------------------- points


def _analysis_metrics(scenario: Scenario, blocking: bool) -> dict[str, Any]:
    from sim.analysis import analyze

    analysis = analyze(scenario)
    metrics = _summary(
        analysis.agreement_count,
        analysis.pareto_count,
        analysis.solutions["nash"],
        analysis.proposals,
    )
    if blocking and not analysis.agreement_exists:
        from sim.diagnosis import explain

        metrics["conflicts"] = [list(c) for c in explain(scenario).conflicts]
    return metrics


def _summary(
    count: int, pareto: int | None, nash: Any, proposals: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "agreement_exists": count > 0,
        "agreement_count": int(count),
        "pareto_count": None if pareto is None else int(pareto),
        "nash": {"package": nash.package, "utilities": nash.utilities} if nash else None,
        "verdicts": {pid: dict(e.verdicts) for pid, e in proposals.items()},
    }


class _ReservationFastPath:
    """Everything a reservation/power point needs, computed once per batch."""

    def __init__(self, scenario: Scenario) -> None:
        from sim.compile import compile_scenario, package_options
        from sim.engine.agreement import frontier_dimensions, judge, merge_frontier
        from sim.engine.space import blocks, full_space, prune

        self.compiled = compile_scenario(scenario)
        c = self.compiled
        self.dims = frontier_dimensions(c)
        lenient = replace(c, reservation=np.zeros(c.n_parties))
        self.space = prune(c, full_space(c), c.gating_rules())
        kept, frontier = [], (np.zeros(0, np.int64), np.zeros((0, c.n_parties)))
        for block in blocks(lenient, self.space):
            members = np.flatnonzero(judge(lenient, block).region)
            kept.append(np.round(block.utilities[members], 12))
            frontier = merge_frontier(*frontier, block, members, self.dims)
        self.utilities = np.concatenate(kept) if kept else np.zeros((0, c.n_parties))
        self.frontier, self.frontier_utilities = frontier
        # Per proposal and party: the distinct utilities (with counts) of the completions
        # that keep the party's red lines, so that "how many clear reservation r" is one
        # binary search per point, whatever the number of completions.
        self.proposals = {}
        for pid, proposal in scenario.proposals.items():
            space = full_space(c, package_options(c, proposal.choices))
            tallies: list[tuple[np.ndarray, np.ndarray]] = [
                (np.zeros(0), np.zeros(0, np.int64)) for _ in range(c.n_parties)
            ]
            for block in blocks(lenient, space):
                verdict = judge(lenient, block)
                for p in range(c.n_parties):
                    keeps = verdict.accepts[:, p] & verdict.constraints_ok
                    found = np.unique(np.round(block.utilities[keeps, p], 12), return_counts=True)
                    tallies[p] = _merge_tally(tallies[p], found)
            ascending = [(values, np.cumsum(counts[::-1])[::-1]) for values, counts in tallies]
            self.proposals[pid] = (
                ascending,
                space.size,
                len(proposal.choices) < len(c.issue_ids),
                proposal.fragmentary,
            )

    def metrics(self, reservation: np.ndarray, power: np.ndarray) -> dict[str, Any]:
        from sim.engine.agreement import RESERVATION_SLACK, solve_on_frontier, verdict

        c = replace(self.compiled, reservation=reservation, power=power)
        bar = np.where(c.bargaining, reservation - RESERVATION_SLACK, -np.inf)
        count = int((self.utilities >= bar).all(axis=1).sum())
        above = (self.frontier_utilities >= bar).all(axis=1)
        choice = solve_on_frontier(
            c, self.space, self.frontier[above], self.frontier_utilities[above], "nash", self.dims
        )
        nash = None
        if choice is not None:
            nash = _Nash(
                c.package(choice.options),
                {
                    p: round(float(u), 12)
                    for p, u in zip(c.party_ids, choice.utilities, strict=True)
                },
            )
        applies = np.where(c.reservation_applies, reservation - RESERVATION_SLACK, -np.inf)
        proposals = {}
        for pid, (tallies, completions, partial, fragmentary) in self.proposals.items():
            verdicts = {}
            for p, party in enumerate(c.party_ids):
                values, at_least = tallies[p]
                first = int(np.searchsorted(values, applies[p], side="left"))
                accepted = int(at_least[first]) if first < len(values) else 0
                verdicts[party] = verdict(accepted, completions, partial, fragmentary)
            proposals[pid] = _Verdicts(verdicts)
        return _summary(count, int(above.sum()), nash, proposals)


@dataclass(frozen=True)
class _Nash:
    package: dict[str, Any]
    utilities: dict[str, float]


@dataclass(frozen=True)
class _Verdicts:
    verdicts: dict[str, str]


def _merge_tally(
    tally: tuple[np.ndarray, np.ndarray], more: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Merge two (sorted distinct values, counts) tallies."""
    values, inverse = np.unique(np.concatenate([tally[0], more[0]]), return_inverse=True)
    counts = np.zeros(len(values), dtype=np.int64)
    np.add.at(counts, inverse, np.concatenate([tally[1], more[1]]))
    return values, counts


_FAST_PATHS: dict[str, _ReservationFastPath] = {}


def _fast_path(scenario: Scenario) -> _ReservationFastPath:
    """The fast-path state of a scenario, built once per process and reused by its batches."""
    key = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
    if key not in _FAST_PATHS:
        _FAST_PATHS.clear()
        _FAST_PATHS[key] = _ReservationFastPath(scenario)
    return _FAST_PATHS[key]


def _enumerable(scenario: Scenario) -> bool:
    """Whether the region and every proposal's completions fit the enumeration limits."""
    from sim.compile import compile_scenario, package_options
    from sim.engine.space import full_space, prune

    compiled = compile_scenario(scenario)
    if prune(compiled, full_space(compiled), compiled.gating_rules()).size > compiled.max_packages:
        return False
    limit = min(compiled.max_packages, compiled.max_completions)
    return all(
        full_space(compiled, package_options(compiled, proposal.choices)).size <= limit
        for proposal in scenario.proposals.values()
    )


def _fast_path_applies(scenario: Scenario, targets: Sequence[Target]) -> bool:
    if any(issue.kind == "continuous" and not issue.integer for issue in scenario.issue_list):
        return False
    if not _enumerable(scenario):
        return False  # exact search answers each point instead
    for target in targets:
        if target.kind == "parameter":
            paths = [p for p, n in scenario.parameter_references.items() if n == target.parts[1]]
            if not paths or not all(
                p.endswith((".reservation", ".power")) and p.startswith("parties.") for p in paths
            ):
                return False
        elif target.kind not in ("reservation", "power"):
            return False
    return True


def _run_batch(
    scenario: Scenario,
    targets: tuple[Target, ...],
    batch: list[tuple[int, list[float]]],
    blocking: bool,
) -> list[tuple[int, dict[str, Any]]]:
    """Evaluate a batch of points (a top-level function, so processes and Dask can run it)."""
    fast = None
    if not blocking and _fast_path_applies(scenario, targets):
        fast = _fast_path(scenario)
        if len(fast.utilities) > FAST_PATH_LIMIT:
            fast = None
    results = []
    for index, values in batch:
        if fast is not None:
            reservation, power = _reservations(scenario, targets, values)
            results.append((index, fast.metrics(reservation, power)))
        else:
            point = apply(scenario, dict(zip(targets, values, strict=True)))
            results.append((index, _analysis_metrics(point, blocking)))
    return results


def _reservations(
    scenario: Scenario, targets: Sequence[Target], values: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Reservation and power arrays at a point, checked as the model would check them."""
    order = {party: p for p, party in enumerate(scenario.parties)}
    reservation = np.array([party.reservation for party in scenario.party_list])
    power = np.array([party.power for party in scenario.party_list])
    for target, value in zip(targets, values, strict=True):
        if target.kind == "parameter":
            name = str(target.parts[1])
            paths = [path for path, n in scenario.parameter_references.items() if n == name]
        else:
            paths = [target.name]
        for path in paths:
            _, party, field = path.split(".")
            if field == "reservation":
                if not 0.0 <= value <= 1.0:
                    raise ParameterError(
                        f"{target.name}={value:g}: {path}: expected a value in [0, 1]"
                    )
                reservation[order[party]] = value
            else:
                if not value > 0.0:
                    raise ParameterError(
                        f"{target.name}={value:g}: {path}: expected a value above 0"
                    )
                power[order[party]] = value
    return reservation, power


# --------------------------------------------------------------------------- executors


def _execute(
    executor: str,
    workers: int | None,
    dask_address: str | None,
    scenario: Scenario,
    targets: tuple[Target, ...],
    batches: list[list[tuple[int, list[float]]]],
    blocking: bool,
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    if executor == "serial" or not batches:
        for batch in batches:
            yield _run_batch(scenario, targets, batch, blocking)
    elif executor == "processes":
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_run_batch, scenario, targets, b, blocking) for b in batches]
            for future in as_completed(futures):
                yield future.result()
    elif executor == "dask":
        try:
            from dask.distributed import Client, LocalCluster
            from dask.distributed import as_completed as dask_completed
        except ImportError:
            raise ParameterError(
                "the Dask executor needs the [distributed] extra: "
                "pip install 'negosim[distributed]'"
            ) from None
        cluster = None
        if dask_address:
            client = Client(dask_address)
        else:
            cluster = LocalCluster(
                n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        try:
            shared = client.scatter(scenario, broadcast=True)
            submitted = [
                client.submit(_run_batch, shared, targets, b, blocking, pure=False) for b in batches
            ]
            for finished in dask_completed(submitted):
                yield finished.result()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        raise ParameterError(
            f"unknown executor {executor!r}; expected one of {', '.join(EXECUTORS)}"
        )


# --------------------------------------------------------------------------- checkpoints


def _fingerprint(
    scenario: Scenario, targets: Sequence[Target], values: np.ndarray, design: str
) -> str:
    digest = hashlib.sha256()
    digest.update(scenario.model_dump_json().encode())
    digest.update(json.dumps([t.name for t in targets]).encode())
    digest.update(design.encode())
    digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


def _read_checkpoint(path: Path, fingerprint: str) -> dict[int, dict[str, Any]]:
    """Finished points of a checkpoint; a torn last line (a killed writer) is cut off."""
    if not path.exists():
        return {}
    raw = path.read_bytes()
    good = raw.rfind(b"\n") + 1
    if good < len(raw):
        with path.open("r+b") as handle:
            handle.truncate(good)
    finished: dict[int, dict[str, Any]] = {}
    lines = raw[:good].decode("utf-8").splitlines()
    if not lines:
        return {}
    header = json.loads(lines[0])
    if header.get("fingerprint") != fingerprint:
        raise ParameterError(
            f"{path}: this checkpoint was written by a different sweep "
            "(scenario, parameters or design differ); use another --out file"
        )
    for line in lines[1:]:
        record = json.loads(line)
        finished[int(record["index"])] = record["metrics"]
    return finished


class _Writer:
    def __init__(self, path: Path | None, header: dict[str, Any], fresh: bool) -> None:
        self.handle = None
        if path is not None:
            if fresh or not path.exists() or path.stat().st_size == 0:
                path.write_text(json.dumps(header) + "\n")
            self.handle = path.open("a", encoding="utf-8")

    def write(self, records: list[tuple[int, list[float], dict[str, Any]]]) -> None:
        if self.handle is None:
            return
        for index, values, metrics in records:
            self.handle.write(
                json.dumps({"index": index, "values": values, "metrics": metrics}) + "\n"
            )
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


# --------------------------------------------------------------------------- public API


def parse_axis(text: str) -> Axis | None:
    """``low:high:count`` or ``low:high`` (count 2) as an :class:`Axis`.

    Empty text means "the parameter's declared range" (``None``).
    """
    if not text:
        return None
    parts = text.split(":")
    try:
        if len(parts) == 2:
            return Axis(float(parts[0]), float(parts[1]), 2)
        if len(parts) == 3:
            count = int(parts[2])
            if count < 1:
                raise ValueError
            return Axis(float(parts[0]), float(parts[1]), count)
    except ValueError:
        pass
    raise ParameterError(
        f"{text!r}: expected low:high or low:high:count (count a positive integer)"
    )


def _axes(
    scenario: Scenario, params: Mapping[str, Axis | tuple[float, ...] | None]
) -> tuple[tuple[Target, ...], list[Axis]]:
    targets, axes = [], []
    for text, spec in params.items():
        target = resolve(scenario, text)
        if spec is None:
            declared = (
                scenario.parameters.get(str(target.parts[1]))
                if target.kind == "parameter"
                else None
            )
            if declared is None or declared.range is None:
                raise ParameterError(f"{text}: give a range (low:high[:count]); it declares none")
            spec = Axis(declared.range[0], declared.range[1], 5)
        elif not isinstance(spec, Axis):
            low, high, *count = spec
            spec = Axis(float(low), float(high), int(count[0]) if count else 2)
        targets.append(target)
        axes.append(spec)
    if len({t.name for t in targets}) != len(targets):
        raise ParameterError("a parameter is given twice")
    return tuple(targets), axes


def sweep(
    scenario: Scenario,
    params: Mapping[str, Axis | tuple[float, ...] | None],
    design: str = "grid",
    n: int | None = None,
    seed: int = 0,
    executor: str = "serial",
    workers: int | None = None,
    dask_address: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    quiet: bool = False,
    blocking: bool = False,
) -> SweepResult:
    """Analyze the scenario at every point of a design over the given parameters.

    ``params`` maps a dotted path or parameter name to an :class:`Axis` (or ``(low, high,
    count)``; ``None`` uses a named parameter's declared range). ``design`` is ``grid``,
    ``random``, ``lhs``, ``sobol`` (``n`` points) or ``sobol_indices`` (Saltelli matrices
    for :meth:`SweepResult.sobol_indices`, ``n`` a power of two).
    """
    targets, axes = _axes(scenario, params)
    if design == "grid":
        values = grid(axes)
    elif design == "sobol_indices":
        if not n or n & (n - 1):
            raise ParameterError("the sobol_indices design needs --n, a power of two")
        a, b, ab = saltelli(axes, n, seed)
        values = np.concatenate([a, b, ab.reshape(-1, len(axes))])
    else:
        if not n:
            raise ParameterError(f"the {design} design needs a number of points (--n)")
        values = box_design(design, axes, n, seed)
    return _run(
        scenario,
        targets,
        values,
        design,
        seed,
        executor,
        workers,
        dask_address,
        out,
        resume,
        quiet,
        blocking,
        n,
    )


def monte_carlo(scenario: Scenario, n: int, seed: int = 0, **options: Any) -> SweepResult:
    """``n`` draws of every named parameter that declares a distribution, one stream per point."""
    declared = [p for p in scenario.parameters.values() if p.distribution is not None]
    if not declared:
        raise ParameterError("no parameter declares a distribution; add 'distribution:' to one")
    targets = tuple(resolve(scenario, p.id) for p in declared)
    specs = [p.distribution for p in declared if p.distribution is not None]
    values = draw_monte_carlo(specs, n, seed)
    return _run(scenario, targets, values, "monte_carlo", seed, n=n, **options)


def _run(
    scenario: Scenario,
    targets: tuple[Target, ...],
    values: np.ndarray,
    design: str,
    seed: int,
    executor: str = "serial",
    workers: int | None = None,
    dask_address: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    quiet: bool = False,
    blocking: bool = False,
    n: int | None = None,
) -> SweepResult:
    values = np.asarray(values, dtype=float)
    path = Path(out) if out is not None else None
    fingerprint = _fingerprint(scenario, targets, values, design)
    finished = _read_checkpoint(path, fingerprint) if (path is not None and resume) else {}
    header = {
        "kind": "negosim-sweep",
        "fingerprint": fingerprint,
        "design": design,
        "seed": seed,
        "parameters": [t.name for t in targets],
        "points": len(values),
    }
    writer = _Writer(path, header, fresh=not resume)
    pending = [(i, values[i].tolist()) for i in range(len(values)) if i not in finished]
    size = max(1, math.ceil(len(pending) / (4 * (workers or os.cpu_count() or 1))))
    batches = [pending[i : i + size] for i in range(0, len(pending), size)]
    bar = _progress(len(values), len(finished), quiet)
    try:
        for done in _execute(executor, workers, dask_address, scenario, targets, batches, blocking):
            writer.write([(i, values[i].tolist(), m) for i, m in done])
            finished.update(dict(done))
            if bar is not None:
                bar.update(len(done))
    finally:
        writer.close()
        if bar is not None:
            bar.close()
    points = tuple(
        SweepPoint(
            i, dict(zip([t.name for t in targets], values[i].tolist(), strict=True)), finished[i]
        )
        for i in range(len(values))
    )
    return SweepResult(tuple(t.name for t in targets), design, seed, points, n)


def _progress(total: int, done: int, quiet: bool) -> Any:
    in_notebook = "ipykernel" in sys.modules
    if quiet or total < 20 or not (sys.stderr.isatty() or in_notebook):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, unit="point", desc="sweep")
