"""Benchmark of the negosim engine: CLI wall time, utility throughput, scan time, peak memory.

Run from the repository root::

    python benchmarks/bench_engine.py            # full run (10^7 packages x 6 parties)
    python benchmarks/bench_engine.py --quick    # smoke run (10^6 packages)

Sections printed:

1. Wall time of ``negosim run`` on every ``scenarios/*.yaml`` (best of ``--repeat``), next
   to the time of ``python -c "import sim"``.
2. Utility evaluations per second: a full pass of ``sim.engine.space.blocks`` over a
   synthetic space of 10^7 packages x 6 parties, next to ``np.copyto`` of an array of the
   same size (10^7 x 6 float64), the memory-bandwidth limit. Goal: engine within 3x of it.
3. ``sim.engine.agreement.scan`` (agreement region + Pareto frontier) on the same space,
   with two multi-issue red lines, in a child process with a time limit; next to a pass
   that only judges packages (no frontier), and the time of ``pareto_mask`` on growing
   numbers of the region's packages, to show where the scan's time goes.
4. Peak memory of the blocks pass, measured in fresh child processes (tracemalloc, which
   sees numpy's buffers, and peak RSS from /proc), at two chunk sizes and for a space 10x smaller.

This is a script, not a test: it asserts nothing and only prints figures.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import glob
import io
import json
import math
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARTIES = 6
OPTIONS = 10  # options per issue: the space has OPTIONS ** issues packages
MIB = 1 << 20


# --------------------------------------------------------------------------- helpers


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain fixed-width table; the first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells[1:])
    return "\n".join(out)


def section(title: str) -> None:
    print()
    print(title)
    print("=" * len(title))


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """Smallest wall time of ``repeat`` calls (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def fmt_s(seconds: float) -> str:
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_rate(per_second: float) -> str:
    return f"{per_second / 1e6:,.1f} M/s"


def pow2(n: int) -> str:
    exponent = int(round(math.log2(n)))
    return f"2^{exponent}" if 1 << exponent == n else f"{n:,}"


def pow10(n: int) -> str:
    exponent = int(round(math.log10(n))) if n > 0 else 0
    return f"10^{exponent}" if 10**exponent == n else f"{n:,}"


# --------------------------------------------------------------------------- synthetic space


def synthetic_data(issues: int, reservation: float, seed: int) -> dict[str, Any]:
    """An in-memory scenario: ``issues`` ordinal issues of 10 options, 6 signatories.

    Weights and option values come from a seeded numpy Generator. Two red lines span
    several issues (an implication and a disjunction), so pruning cannot remove them and
    ``scan`` has to evaluate them on every block.
    """
    if issues < 4:
        raise ValueError("the synthetic scenario needs at least 4 issues")
    rng = np.random.default_rng(seed)
    issue_ids = [f"i{k}" for k in range(issues)]
    option_ids = [f"o{j}" for j in range(OPTIONS)]
    parties: dict[str, Any] = {}
    for p in range(PARTIES):
        parties[f"p{p}"] = {
            "role": "signatory",
            "weights": dict(zip(issue_ids, rng.uniform(0.1, 1.0, issues).tolist(), strict=True)),
            "values": {
                i: dict(zip(option_ids, rng.random(OPTIONS).tolist(), strict=True))
                for i in issue_ids
            },
            "reservation": reservation,
        }
    parties["p0"]["red_lines"] = [
        {"id": "p0_conditional", "rule": f"i0 != o0 -> {issue_ids[-1]} <= o5"}
    ]
    parties["p1"]["red_lines"] = [{"id": "p1_either", "rule": "i1 in [o1, o2, o3] or i2 > o4"}]
    return {
        "title": f"Synthetic benchmark space ({OPTIONS}^{issues} packages x {PARTIES} parties)",
        "issues": {i: {"kind": "ordinal", "options": option_ids} for i in issue_ids},
        "parties": parties,
    }


def synthetic(issues: int, reservation: float, seed: int) -> Any:
    """Validated (``scenario_from_data``) and compiled (``compile_scenario``) scenario."""
    from sim.compile import compile_scenario
    from sim.io import scenario_from_data

    scenario = scenario_from_data(synthetic_data(issues, reservation, seed), "<synthetic>")
    return compile_scenario(scenario)


def subspace(compiled: Any, fixed: int) -> Any:
    """The space with the first ``fixed`` issues held at option ``o1`` (10^-fixed of it)."""
    from sim.engine.space import Space, full_space

    allowed = list(full_space(compiled).allowed)
    for k in range(fixed):
        allowed[k] = np.array([1], dtype=np.intp)
    return Space(tuple(allowed))


def blocks_pass(compiled: Any, space: Any, chunk: int, consume: str) -> tuple[int, int, float]:
    """One pass of ``blocks``; returns (blocks, largest block, checksum)."""
    from sim.engine.space import blocks

    count = largest = 0
    total = 0.0
    for block in blocks(compiled, space, chunk):
        utilities = block.utilities
        if consume == "sum":
            total += float(utilities.sum())
        else:  # "touch": numpy is eager, the block is already computed
            total += float(utilities[0, 0])
        count += 1
        largest = max(largest, block.size)
    return count, largest, total


# --------------------------------------------------------------------------- child processes


def region_utilities(compiled: Any, space: Any) -> np.ndarray:
    """Utilities of the agreement region's packages in enumeration order, rounded as by scan."""
    from sim.engine.agreement import judge
    from sim.engine.space import blocks

    parts = [
        np.round(block.utilities[judge(compiled, block).region], 12)
        for block in blocks(compiled, space)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, compiled.n_parties))


def rss_kib() -> dict[str, int]:
    """Current (``VmRSS``) and peak (``VmHWM``) resident set size, KiB, from /proc (Linux).

    Elsewhere both fall back to ``ru_maxrss`` (KiB on Linux; bytes on macOS).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return {key: int(fields[key].split()[0]) for key in ("VmRSS", "VmHWM")}
    except (OSError, KeyError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak //= 1024 if sys.platform == "darwin" else 1
        return {"VmRSS": peak, "VmHWM": peak}


def reset_peak_rss() -> bool:
    """Reset the peak RSS to the current RSS (Linux >= 4.0); False if not possible.

    Needed because a child's peak can carry over its parent's across fork and exec.
    """
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Work done in a fresh interpreter; returns a JSON-able result."""
    compiled = synthetic(spec["issues"], spec["reservation"], spec["seed"])
    space = subspace(compiled, spec.get("fixed", 0))
    if spec["task"] == "memory":
        import tracemalloc

        hwm_reset = reset_peak_rss()
        rss_before = rss_kib()
        tracemalloc.start()
        current_before = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        count, largest, _ = blocks_pass(compiled, space, spec["chunk"], "sum")
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] - current_before
        tracemalloc.stop()
        return {
            "size": space.size,
            "blocks": count,
            "largest": largest,
            "traced_peak": peak,
            "rss_before_kib": rss_before["VmRSS"],
            "rss_peak_kib": rss_kib()["VmHWM"],
            "hwm_reset": hwm_reset,
            "seconds": seconds,
        }
    if spec["task"] == "scan":
        from sim.engine.agreement import scan

        start = time.perf_counter()
        result = scan(compiled, space)
        seconds = time.perf_counter() - start
        return {
            "size": space.size,
            "seconds": seconds,
            "count": int(result.count),
            "frontier": int(len(result.frontier)),
        }
    if spec["task"] == "pareto":
        from sim.engine.agreement import frontier_dimensions
        from sim.engine.pareto import pareto_mask

        points = region_utilities(compiled, space)[:, frontier_dimensions(compiled)]
        points = points[: spec["points"]]
        start = time.perf_counter()
        mask = pareto_mask(points)
        seconds = time.perf_counter() - start
        return {"points": len(points), "seconds": seconds, "frontier": int(mask.sum())}
    raise ValueError(f"unknown child task {spec['task']!r}")


def run_child(spec: dict[str, Any], timeout: float | None) -> dict[str, Any] | None:
    """Run ``child(spec)`` in a fresh interpreter; None if it ran out of time."""
    command = [sys.executable, os.path.abspath(__file__), "--child", json.dumps(spec)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired:  # subprocess.run kills the child it started
        return None
    if done.returncode != 0:
        raise RuntimeError(f"child {spec} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- sections


def header(args: argparse.Namespace) -> None:
    def git(*command: str) -> str:
        try:
            return subprocess.run(
                ["git", *command], capture_output=True, text=True, cwd=ROOT, check=False
            ).stdout.strip()
        except OSError:
            return "?"

    dirty = git("status", "--porcelain", "--", "sim")
    print("negosim engine benchmark")
    print(f"  date        {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"  command     python {' '.join(sys.argv)}")
    print(
        f"  commit      {git('rev-parse', '--short', 'HEAD')}"
        + (f" (sim/ has {len(dirty.splitlines())} uncommitted changes)" if dirty else "")
    )
    print(f"  python      {platform.python_version()}   numpy {np.__version__}")
    print(
        f"  machine     {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    blas_names = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    blas_env = {k: os.environ[k] for k in blas_names if k in os.environ}
    print(
        f"  BLAS env    {blas_env or 'OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE not set'} "
        "(no figure here goes through BLAS)"
    )
    print(
        f"  settings    {OPTIONS}^{args.issues} packages x {PARTIES} parties, "
        f"repeat {args.repeat}, reservation {args.reservation}, seed {args.seed}"
    )


def bench_cli(args: argparse.Namespace) -> None:
    section("1. negosim run: wall time (fresh process each run)")
    negosim = shutil.which("negosim")
    base = [negosim] if negosim else [sys.executable, "-m", "sim.cli"]
    print(
        f"command: {' '.join(base)} run SCENARIO > /dev/null; best of up to {args.repeat} runs"
        f" (a scenario stops repeating once one run takes over {args.cli_slow:g} s)"
    )
    jobs = [("python -c 'import sim'", [sys.executable, "-c", "import sim"])]
    for path in sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml"))):
        jobs.append((os.path.relpath(path, ROOT), [*base, "run", path]))
    rows = []
    for name, command in jobs:
        times: list[float] = []
        status = "ok"
        for _ in range(args.repeat):
            start = time.perf_counter()
            try:
                done = subprocess.run(
                    command,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                    timeout=args.cli_timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                status = f"stopped after {args.cli_timeout:g} s"
                break
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or [""])[-1]
                status = f"exit {done.returncode}: {last[:60]}"
                break
            if times[-1] > args.cli_slow:
                break
        rows.append(
            [
                name,
                fmt_s(min(times)) if times else "-",
                fmt_s(max(times)) if times else "-",
                len(times),
                status,
            ]
        )
    print(table(["scenario", "best", "worst", "runs", "status"], rows))


def copy_baseline(n: int, repeat: int, repeat_fresh: int, seed: int) -> tuple[float, float, float]:
    """The memory-bandwidth limit: best times to copy (into a preallocated array, and into
    a fresh one) and to sum an ``(n, 6)`` float64 array, in seconds."""
    source = np.random.default_rng(seed).random((n, PARTIES))
    target = np.empty_like(source)
    np.copyto(target, source)  # fault the target's pages in before timing
    copyto = best_of(lambda: np.copyto(target, source), repeat)
    fresh = best_of(lambda: source.copy(), repeat_fresh)
    summed = best_of(lambda: source.sum(), repeat)
    return copyto, fresh, summed


def bench_throughput(args: argparse.Namespace, compiled: Any) -> float:
    from sim.engine.space import full_space

    space = full_space(compiled)
    n = space.size
    assert n == OPTIONS**args.issues, n
    section(f"2. Utility evaluation throughput: {pow10(n)} packages x {PARTIES} parties")
    print(
        f"full pass of sim.engine.space.blocks, best of {args.repeat}; "
        "'summed' adds up every block's utilities, 'touched' reads one element per block"
    )
    print("(numpy is eager, so a touched block has still been fully computed)")
    default_chunk = compiled.chunk_size
    chunks = sorted({1 << 16, default_chunk, 1 << 20})
    results = []
    for chunk in chunks:
        for consume in ("sum", "touch"):
            info: list[tuple[int, int, float]] = []

            def one_pass(
                chunk: int = chunk,
                consume: str = consume,
                info: list[tuple[int, int, float]] = info,
            ) -> None:
                info.append(blocks_pass(compiled, space, chunk, consume))

            seconds = best_of(one_pass, args.repeat)
            results.append((chunk, consume, info[0][0], seconds))
    copyto, fresh, summed = copy_baseline(n, max(5, args.repeat), args.repeat, args.seed)
    nbytes = n * PARTIES * 8

    rows = []
    for chunk, consume, count, seconds in results:
        label = f"blocks, chunk {pow2(chunk)}{' (default)' if chunk == default_chunk else ''}"
        rows.append(
            [
                f"{label}, {'summed' if consume == 'sum' else 'touched'}",
                count,
                fmt_s(seconds),
                fmt_rate(n / seconds),
                fmt_rate(n * PARTIES / seconds),
                f"{seconds / copyto:.1f}x",
            ]
        )
    rows.append(
        [
            f"np.copyto into preallocated ({nbytes / MIB:,.0f} MiB)",
            "-",
            fmt_s(copyto),
            fmt_rate(n / copyto),
            fmt_rate(n * PARTIES / copyto),
            "1.0x",
        ]
    )
    rows.append(
        [
            "ndarray.copy() (allocates, faults pages in)",
            "-",
            fmt_s(fresh),
            fmt_rate(n / fresh),
            fmt_rate(n * PARTIES / fresh),
            f"{fresh / copyto:.1f}x",
        ]
    )
    rows.append(
        [
            "ndarray.sum() of the same array",
            "-",
            fmt_s(summed),
            fmt_rate(n / summed),
            fmt_rate(n * PARTIES / summed),
            f"{summed / copyto:.1f}x",
        ]
    )
    print(table(["what", "blocks", "time", "packages/s", "evaluations/s", "vs copy"], rows))
    print(
        f"copy bandwidth: {2 * nbytes / copyto / 1e9:.1f} GB/s (read + write); "
        "evaluations = packages x parties"
    )
    engine = min(s for c, k, _, s in results if c == default_chunk and k == "sum")
    ratio = engine / copyto
    print(
        f"goal (engine within 3x of the copy, default chunk, summed): {ratio:.1f}x -> "
        f"{'met' if ratio <= 3.0 else 'NOT met'}"
    )
    return ratio


def bench_scan(args: argparse.Namespace, compiled: Any) -> None:
    from sim.engine.agreement import judge
    from sim.engine.space import blocks, full_space

    space = full_space(compiled)
    n = space.size
    section(f"3. scan (agreement region + Pareto frontier) on {pow10(n)} packages")
    print(
        f"6 signatories, reservation {args.reservation} each; red lines "
        f"'i0 != o0 -> i{args.issues - 1} <= o5' (p0) and 'i1 in [o1, o2, o3] or i2 > o4' (p1)"
    )

    def region_pass() -> int:
        total = 0
        for block in blocks(compiled, space):
            total += int(np.count_nonzero(judge(compiled, block).region))
        return total

    region: list[int] = []
    judged = best_of(lambda: region.append(region_pass()), args.repeat)
    rows = [
        [
            "judge only (region count, no frontier), in-process",
            pow10(n),
            fmt_s(judged),
            fmt_rate(n / judged),
            f"{region[0]:,}",
            "-",
        ]
    ]

    base = {"issues": args.issues, "reservation": args.reservation, "seed": args.seed}
    full = run_child({**base, "task": "scan"}, args.scan_timeout)
    if full is None:
        rows.append(
            [
                "scan, whole space (child process)",
                pow10(n),
                f"> {args.scan_timeout:g} s (stopped)",
                "-",
                "-",
                "-",
            ]
        )
    else:
        rows.append(
            [
                "scan, whole space (child process)",
                pow10(n),
                fmt_s(full["seconds"]),
                fmt_rate(n / full["seconds"]),
                f"{full['count']:,}",
                f"{full['frontier']:,}",
            ]
        )
    print(table(["what", "packages", "time", "packages/s", "region", "frontier"], rows))
    print("child-process times exclude interpreter start-up and scenario compilation")
    if region[0] == 0 or (full is not None and not args.ladder_always):
        return

    region_size = region[0]
    print(
        f"\nwhere scan's time goes: sim.engine.pareto.pareto_mask on the first n of the "
        f"{region_size:,} region packages"
    )
    print(
        f"(enumeration order, utilities rounded as scan does; child processes sharing a "
        f"{args.ladder_budget:g} s budget, each limit also covering start-up and a judge pass)"
    )
    rows = []
    deadline = time.perf_counter() + args.ladder_budget
    sizes = [k for k in (500, 1000, 2000, 4000, 8000, 16000) if k < region_size] + [region_size]
    for points in sizes:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            rows.append([f"{points:,}", "not run (budget spent)", "-", "-"])
            break
        result = run_child({**base, "task": "pareto", "points": points}, remaining)
        if result is None:
            rows.append([f"{points:,}", f"> {remaining:.1f} s (stopped)", "-", "-"])
            break
        rows.append(
            [
                f"{points:,}",
                fmt_s(result["seconds"]),
                f"{result['frontier']:,}",
                f"{result['seconds'] / points * 1e6:,.1f} us",
            ]
        )
    print(table(["points n", "pareto_mask time", "frontier", "time per point"], rows))


def bench_memory(args: argparse.Namespace) -> None:
    section("4. Peak memory of a blocks pass (fresh child process per row)")
    print(
        "traced peak: tracemalloc peak during the pass (numpy buffers included); "
        "RSS growth: peak RSS during the pass minus RSS before it"
    )
    base = {"reservation": args.reservation, "seed": args.seed, "task": "memory"}
    from sim.schema import Limits

    rows = []
    reset_ok = True
    for fixed in (0, 1):
        for chunk in sorted({1 << 16, Limits().chunk_size, 1 << 20}):
            spec = {**base, "issues": args.issues, "fixed": fixed, "chunk": chunk}
            result = run_child(spec, None)
            assert result is not None
            block_mib = result["largest"] * PARTIES * 8 / MIB
            growth = (result["rss_peak_kib"] - result["rss_before_kib"]) / 1024
            reset_ok = reset_ok and result["hwm_reset"]
            rows.append(
                [
                    pow10(result["size"]),
                    pow2(chunk),
                    result["blocks"],
                    f"{result['largest']:,}",
                    f"{block_mib:,.1f} MiB",
                    f"{result['traced_peak'] / MIB:,.1f} MiB",
                    f"{growth:,.1f} MiB",
                    f"{result['rss_peak_kib'] / 1024:,.0f} MiB",
                ]
            )
    print(
        table(
            [
                "space",
                "chunk",
                "blocks",
                "largest block",
                "its utilities",
                "traced peak",
                "RSS growth",
                "RSS peak",
            ],
            rows,
        )
    )
    if not reset_ok:
        print(
            "warning: could not reset the peak RSS (/proc/self/clear_refs); RSS growth may "
            "include memory used before the pass"
        )
    whole = OPTIONS**args.issues * PARTIES * 8 / MIB
    print(
        f"for scale: all utilities of the {pow10(OPTIONS**args.issues)} space at once "
        f"would take {whole:,.0f} MiB"
    )


def profile(args: argparse.Namespace, compiled: Any) -> None:
    from sim.engine.agreement import frontier_dimensions
    from sim.engine.pareto import pareto_mask
    from sim.engine.space import full_space

    section("Profiles (cProfile, top functions by own time)")
    space = full_space(compiled)
    points = region_utilities(compiled, space)[:, frontier_dimensions(compiled)][:2000]
    targets = [
        (
            "blocks pass, default chunk, summed",
            lambda: blocks_pass(compiled, space, compiled.chunk_size, "sum"),
        ),
        (f"pareto_mask on the first {len(points):,} region packages", lambda: pareto_mask(points)),
    ]
    for name, fn in targets:
        profiler = cProfile.Profile()
        profiler.runcall(fn)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(10)
        text = out.getvalue()
        start = text.find("   ncalls")
        print(f"\n-- {name}")
        print(text[start:].rstrip())


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 10^6 packages, one CLI run per scenario, short scan limit",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        metavar="N",
        help="timed repetitions, best kept (default 3; 1 with --quick)",
    )
    parser.add_argument(
        "--issues",
        type=int,
        default=None,
        help="issues of 10 options in the synthetic space (default 7; 6 with --quick)",
    )
    parser.add_argument(
        "--reservation",
        type=float,
        default=0.5,
        help="every synthetic party's reservation value (default 0.5)",
    )
    parser.add_argument("--seed", type=int, default=20250601, help="numpy Generator seed")
    parser.add_argument(
        "--scan-timeout",
        type=float,
        default=None,
        metavar="S",
        help="time limit of the whole-space scan (default 25 s; 10 s with --quick)",
    )
    parser.add_argument(
        "--ladder-budget",
        type=float,
        default=None,
        metavar="S",
        help="time for the pareto_mask ladder run when the whole scan is stopped "
        "(default 20 s; 8 s with --quick)",
    )
    parser.add_argument(
        "--ladder-always",
        action="store_true",
        help="run the pareto_mask ladder even when the whole scan finishes",
    )
    parser.add_argument(
        "--cli-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="time limit of one negosim run (default 120 s)",
    )
    parser.add_argument(
        "--cli-slow",
        type=float,
        default=10.0,
        metavar="S",
        help="stop repeating a scenario once one run takes longer (default 10 s)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["cli", "throughput", "scan", "memory"],
        help="skip a section (may be given more than once)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print cProfile output for the blocks pass and for pareto_mask "
        "on 2,000 region packages",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0

    args.repeat = args.repeat or (1 if args.quick else 3)
    args.issues = args.issues or (6 if args.quick else 7)
    args.scan_timeout = args.scan_timeout or (10.0 if args.quick else 25.0)
    args.ladder_budget = args.ladder_budget or (8.0 if args.quick else 20.0)
    if args.repeat < 1 or args.issues < 4:
        parser.error("--repeat must be >= 1 and --issues >= 4")

    started = time.perf_counter()
    header(args)
    if "cli" not in args.skip:
        bench_cli(args)
    compiled = None
    if {"throughput", "scan"} - set(args.skip) or args.profile:
        compiled = synthetic(args.issues, args.reservation, args.seed)
    if "throughput" not in args.skip:
        bench_throughput(args, compiled)
    if "scan" not in args.skip:
        bench_scan(args, compiled)
    if "memory" not in args.skip:
        bench_memory(args)
    if args.profile:
        profile(args, compiled)
    print(f"\ntotal benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
