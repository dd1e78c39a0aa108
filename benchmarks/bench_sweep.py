"""Sweep fast path next to a naive re-analysis, and executors side by side.

Prints figures; asserts nothing. Run from the repository root:

    python benchmarks/bench_sweep.py            # flagship scenario, 8 reservation points
    python benchmarks/bench_sweep.py --points 4 --scenario scenarios/teaching-ceasefire.yaml
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import sim
from sim.parameters import apply, resolve
from sim.sweeps import _FAST_PATHS, _analysis_metrics, sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/berlin-2025-12.yaml")
    parser.add_argument("--param", default="parties.russia.reservation")
    parser.add_argument("--low", type=float, default=0.3)
    parser.add_argument("--high", type=float, default=0.9)
    parser.add_argument("--points", type=int, default=8)
    args = parser.parse_args()

    scenario = sim.load_scenario(args.scenario)
    axis = (args.low, args.high, args.points)
    print(
        f"scenario {args.scenario}; sweep {args.param} over {axis}; "
        f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}"
    )

    from sim.sweeps import _ReservationFastPath, _reservations

    target = resolve(scenario, args.param)
    values = np.round(np.linspace(args.low, args.high, args.points), 12)
    started = time.perf_counter()
    state = _ReservationFastPath(scenario)
    build = time.perf_counter() - started
    started = time.perf_counter()
    fast_metrics = [state.metrics(*_reservations(scenario, (target,), (v,))) for v in values]
    query = time.perf_counter() - started

    started = time.perf_counter()
    naive = [_analysis_metrics(apply(scenario, {target: v}), False) for v in values]
    naive_time = time.perf_counter() - started
    same = fast_metrics == naive

    print(f"{'path':<44}{'total':>10}{'per point':>12}")
    print(f"{'fast path: enumerate red-line-feasible set':<44}{build:>9.2f}s{'(once)':>12}")
    print(
        f"{'fast path: dominance query + Nash per point':<44}{query:>9.3f}s"
        f"{query / args.points * 1000:>10.2f}ms"
    )
    print(
        f"{'naive: apply + analyze per point':<44}{naive_time:>9.2f}s"
        f"{naive_time / args.points:>11.3f}s"
    )
    speedup = naive_time / (build + query)
    print(
        f"speed-up over {args.points} points {speedup:.1f}x "
        f"(per point after the first: {naive_time / max(query, 1e-9):.0f}x); "
        f"identical metrics: {same}"
    )
    fast = sweep(scenario, {args.param: axis}, quiet=True)

    print()
    print(f"{'executor (same sweep, fast path rebuilt)':<44}{'total':>10}")
    for executor, workers in (("serial", None), ("processes", 2), ("dask", 2)):
        _FAST_PATHS.clear()  # every executor builds its fast-path state from scratch
        started = time.perf_counter()
        result = sweep(scenario, {args.param: axis}, executor=executor, workers=workers, quiet=True)
        elapsed = time.perf_counter() - started
        print(
            f"{executor + (f' ({workers} workers)' if workers else ''):<44}{elapsed:>9.2f}s"
            f"   identical: {result == fast}"
        )


if __name__ == "__main__":
    main()
