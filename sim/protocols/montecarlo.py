"""Monte Carlo over protocol randomness and tactics: many runs, one summary.

Each run gets its own random stream, ``numpy.random.SeedSequence(seed).spawn(runs)``, so a
run's result depends only on the seed and its index, not on how runs are split between
worker processes. In each run, every bargaining party without a fixed tactic draws one
from the pool, the first proposer of alternating offers is drawn among the bargaining
parties, and breakdowns are drawn round by round. The candidate set is prepared once and
shared: worker processes are forked after it is built, so it is never copied or pickled.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.protocols import alternating, mediator
from sim.protocols.candidates import Candidates
from sim.protocols.parties import Setting
from sim.protocols.tactics import Tactic
from sim.results import Glossary, PackageCount, SimulationSummary

__all__ = ["Runs", "play", "summarize"]

OUTCOMES = ("agreement", "deadline", "breakdown", "walk_away", "deadlock")


@dataclass(frozen=True)
class Runs:
    """Raw results: per run the outcome code, round ended, agreed candidate, tactic drawn."""

    outcome: np.ndarray
    ended: np.ndarray
    agreement: np.ndarray
    tactic: np.ndarray


@dataclass(frozen=True)
class _Job:
    compiled: CompiledScenario
    candidates: Candidates
    protocol: str
    fixed: Mapping[int, Tactic]
    pool: tuple[Tactic, ...]
    rounds: int
    discount: float | Mapping[int, float]
    breakdown: float


_SHARED: list[_Job] = []


def _play_one(job: _Job, stream: np.random.SeedSequence) -> tuple[int, int, int, list[int]]:
    compiled = job.compiled
    rng = np.random.default_rng(stream)
    bargaining = np.flatnonzero(compiled.bargaining)
    drawn = [-1] * compiled.n_parties
    tactics = dict(job.fixed)
    for p in bargaining:
        if p not in tactics:
            drawn[p] = int(rng.integers(len(job.pool)))
            tactics[int(p)] = job.pool[drawn[p]]
    setting = Setting.build(compiled, tactics, job.pool[0], job.rounds, job.discount, job.breakdown)
    if job.protocol == "mediator":
        record = mediator.negotiate(compiled, job.candidates, setting, rng)
    else:
        first = int(bargaining[rng.integers(len(bargaining))]) if len(bargaining) else None
        record = alternating.negotiate(compiled, job.candidates, setting, rng, first)
    return OUTCOMES.index(record.outcome), record.ended, record.agreement, drawn


def _play_chunk(streams: Sequence[np.random.SeedSequence]) -> list[tuple[int, int, int, list[int]]]:
    job = _SHARED[-1]
    return [_play_one(job, stream) for stream in streams]


def play(
    compiled: CompiledScenario,
    candidates: Candidates,
    protocol: str,
    runs: int,
    fixed: Mapping[int, Tactic],
    pool: Sequence[Tactic],
    rounds: int,
    discount: float | Mapping[int, float] = 1.0,
    breakdown: float = 0.0,
    seed: int | None = None,
    workers: int = 1,
) -> Runs:
    """Play ``runs`` negotiations; ``workers`` > 1 forks that many processes (where possible)."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if not pool:
        raise ValueError("the tactic pool is empty")
    job = _Job(
        compiled, candidates, protocol, dict(fixed), tuple(pool), rounds, discount, breakdown
    )
    streams = np.random.SeedSequence(seed).spawn(runs)
    _SHARED.append(job)
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            chunks = [streams[i::workers] for i in range(workers)]
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as executor:
                parts = list(executor.map(_play_chunk, chunks))
            results: list[tuple[int, int, int, list[int]]] = [None] * runs  # type: ignore[list-item]
            for i, part in enumerate(parts):
                results[i::workers] = part
        else:
            results = _play_chunk(streams)
    finally:
        _SHARED.pop()
    return Runs(
        outcome=np.array([r[0] for r in results], dtype=np.int8),
        ended=np.array([r[1] for r in results], dtype=np.int64),
        agreement=np.array([r[2] for r in results], dtype=np.int64),
        tactic=np.array([r[3] for r in results], dtype=np.int64).reshape(runs, -1),
    )


def summarize(
    compiled: CompiledScenario,
    candidates: Candidates,
    runs: Runs,
    *,
    protocol: str,
    rounds: int,
    fixed: Mapping[int, Tactic],
    pool: Sequence[Tactic],
    seed: int | None,
    top: int = 5,
    glossary: Glossary | None = None,
) -> SimulationSummary:
    """Distribution of outcomes, P(agreement) by round and the most frequent agreements."""
    n = len(runs.outcome)
    agreed = runs.outcome == 0
    by_round = np.zeros(rounds)
    if agreed.any():
        counts = np.bincount(runs.ended[agreed], minlength=rounds)[:rounds]
        by_round = np.cumsum(counts) / n
    frequent = Counter(runs.agreement[agreed].tolist()).most_common()
    frequent.sort(key=lambda item: (-item[1], item[0]))
    ids = compiled.party_ids
    packages = tuple(
        PackageCount(
            compiled.package(candidates.options[c]),
            count,
            count / n,
            {p: round(float(u), 12) for p, u in zip(ids, candidates.utilities[c], strict=True)},
        )
        for c, count in frequent[:top]
    )
    means = candidates.utilities[runs.agreement[agreed]].mean(axis=0) if agreed.any() else None
    tactic_agreement: dict[str, dict[str, float]] = {}
    for p in np.flatnonzero(compiled.bargaining):
        if int(p) in fixed:
            continue
        tactic_agreement[ids[p]] = {
            tactic.name: float(agreed[runs.tactic[:, p] == k].mean())
            for k, tactic in enumerate(pool)
            if (runs.tactic[:, p] == k).any()
        }
    return SimulationSummary(
        protocol=protocol,
        runs=n,
        seed=seed,
        rounds=rounds,
        tactics={ids[p]: tactic.name for p, tactic in fixed.items()},
        pool=tuple(tactic.name for tactic in pool),
        outcomes={name: int((runs.outcome == k).sum()) for k, name in enumerate(OUTCOMES)},
        agreement_by_round=tuple(round(float(v), 12) for v in by_round),
        mean_rounds=float(runs.ended.mean() + 1),
        packages=packages,
        mean_utilities={
            p: (round(float(means[i]), 12) if means is not None else None)
            for i, p in enumerate(ids)
        },
        tactic_agreement=tactic_agreement,
        glossary=glossary,
    )
