"""Protocol benchmark: prints wall times, asserts nothing.

1. A 1,000-round stacked-alternating-offers run on the flagship scenario (target < 1 s),
   with the one-off preparation of the candidate set (enumeration) timed apart.
2. 1,000 Monte Carlo runs (tactics drawn per run, 100 rounds each) on 2 worker processes
   (target < 30 s), preparation included.
3. For reference: the mediator's preparation and a 1,000-round mediation.

    python benchmarks/bench_protocols.py [--scenario FILE] [--runs N] [--workers W]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

import sim
from sim.compile import compile_scenario
from sim.protocols import alternating, mediator, simulate_many
from sim.protocols.tactics import TACTICS

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "berlin-2025-12.yaml"
FALLBACK = ROOT / "scenarios" / "teaching-ceasefire.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(FLAGSHIP))
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1000, help="rounds of the single runs")
    parser.add_argument("--skip-mediator", action="store_true")
    args = parser.parse_args()
    path = Path(args.scenario)
    try:
        scenario = sim.load_scenario(path)
    except Exception as error:  # the flagship may be mid-edit: fall back, say so
        print(f"{path.name} does not load ({error}); using {FALLBACK.name}")
        path, scenario = FALLBACK, sim.load_scenario(FALLBACK)
    compiled = compile_scenario(scenario)
    print(
        f"scenario: {path.name}: {len(compiled.issue_ids)} issues, {compiled.n_parties} parties, "
        f"{int(np.prod(compiled.n_options, dtype=float)):,} packages; cpus {os.cpu_count()}, "
        f"load {os.getloadavg()[0]:.2f}"
    )

    start = time.perf_counter()
    candidates = alternating.prepare(compiled)
    prepared = time.perf_counter() - start
    tactics = {int(p): TACTICS["boulware"] for p in np.flatnonzero(compiled.bargaining)}
    start = time.perf_counter()
    trace = alternating.run(
        compiled, tactics, rounds=args.rounds, candidates=candidates, rng=np.random.default_rng(0)
    )
    played = time.perf_counter() - start
    print(
        f"1. alternating offers, {args.rounds:,} rounds: {played:.3f} s to play "
        f"({len(trace.moves):,} moves, outcome {trace.outcome} in round {trace.ended}) "
        f"+ {prepared:.3f} s to prepare {len(candidates):,} candidates "
        f"= {played + prepared:.3f} s  [target < 1 s]"
    )

    start = time.perf_counter()
    summary = simulate_many(scenario, runs=args.runs, seed=1, workers=args.workers)
    elapsed = time.perf_counter() - start
    print(
        f"2. Monte Carlo, {args.runs:,} runs x 100 rounds on {args.workers} workers: "
        f"{elapsed:.2f} s (P(agreement) {summary.agreement_probability:.3f}, "
        f"outcomes {summary.outcomes})  [target < 30 s]"
    )

    if not args.skip_mediator:
        start = time.perf_counter()
        texts = mediator.prepare(compiled)
        prepared = time.perf_counter() - start
        start = time.perf_counter()
        trace = mediator.run(
            compiled, rounds=args.rounds, candidates=texts, rng=np.random.default_rng(0)
        )
        played = time.perf_counter() - start
        print(
            f"3. mediation, {args.rounds:,} rounds: {played:.3f} s to play "
            f"(outcome {trace.outcome} in round {trace.ended}) + {prepared:.3f} s to prepare "
            f"{len(texts):,} texts"
        )


if __name__ == "__main__":
    main()
