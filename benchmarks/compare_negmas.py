"""Head to head with NegMAS: Pareto frontier and Nash point on the ANAC domains.

Run from the repository root, with NegMAS installed (a benchmark-only dependency)::

    pip install -e '.[benchmark]'
    python benchmarks/compare_negmas.py                 # every domain in ../shared/genius
    python benchmarks/compare_negmas.py --repeat 1 Laptop Energy

For every domain folder (a GENIUS domain file and its profiles; parties are the profiles
sorted by file name), the scenario is imported once with ``sim.interop.genius``. NegMAS's
utility functions are then rebuilt from that scenario, so that both tools evaluate the
same utilities with GENIUS semantics (discrete evaluations divided by the issue's largest
evaluation, weights as given). This sidesteps NegMAS 0.16's own GENIUS reader, which does
not normalize discrete evaluations and ignores an integer issue's lower bound. NegMAS's
``nash_points`` is given the ranges ``(reservation, max)``, so that its disagreement point
is the reservation value and not ``max(reservation, minimum utility)``.

Timed, best of ``--repeat`` runs each, in the same process:

- NegMAS: ``pareto_frontier(ufuns, issues=...)`` (enumeration, evaluation, rational
  filter, frontier), then ``nash_points`` on that frontier;
- ours, end to end: ``sim.analysis.analyze(scenario)`` (compilation, enumeration,
  frontier, all four bargaining solutions);
- ours, the kernel alone: ``scan`` (agreement region and frontier) and
  ``solve_on_frontier(..., "nash")`` on an already compiled scenario.

The answers are checked: frontier sizes and Nash utilities (to 1e-9). NegMAS compares
floating-point sums exactly (its ``eps`` is 1e-12 but is not applied to dominance), so
two packages whose utilities are equal in exact arithmetic but differ in the last bit
can both survive; where its frontier is larger than ours, the script also reports the
frontier of NegMAS's points with utilities rounded to 12 decimals, as our engine rounds
them, and the answers agree when that matches our frontier exactly.

Exit status: 0 when every answer agrees, 1 when one does not, 2 when NegMAS is missing.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "genius"


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs of ``work``, and its last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def domain_files(folder: Path) -> tuple[Path, list[Path]]:
    """The domain file (root ``negotiation_template``) and the profiles sorted by name."""
    files = sorted(folder.glob("*.xml"))
    domains = [path for path in files if b"<negotiation_template" in path.read_bytes()[:4096]]
    if len(domains) != 1:
        raise SystemExit(f"{folder}: expected one domain file, found {len(domains)}")
    return domains[0], [path for path in files if path != domains[0]]


def negmas_ufuns(scenario: Any) -> tuple[list[Any], list[Any]]:
    """NegMAS issues and linear additive utility functions equal to the scenario's."""
    from negmas.outcomes import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    issues, points = [], []
    for issue in scenario.issue_list:
        if issue.kind == "continuous":
            low, high = (int(bound) for bound in issue.range)
            if issue.step != 1 or low != issue.range[0] or high != issue.range[1]:
                raise SystemExit(f"issue {issue.id!r}: only discrete and integer issues compare")
            values: list[Any] = list(range(low, high + 1))
            issues.append(make_issue(values=(low, high), name=issue.id))
        else:
            values = list(issue.option_ids)
            issues.append(make_issue(values=values, name=issue.id))
        points.append(values)
    space = make_os(issues)
    ufuns = []
    for party in scenario.party_list:
        total = sum(party.weights.values()) if party.normalize_weights else 1.0
        tables, weights = [], []
        for issue, values in zip(scenario.issue_list, points, strict=True):
            spec = party.values.get(issue.id)
            if issue.kind == "continuous":
                xs, vs = zip(*spec, strict=True) if spec else ((0.0,), (0.0,))
                table = dict(zip(values, np.interp(values, xs, vs).tolist(), strict=True))
            elif isinstance(spec, dict):
                table = {value: float(spec.get(value, 0.0)) for value in values}
            else:
                raise SystemExit(f"party {party.id!r}: give per-option values on {issue.id!r}")
            tables.append(TableFun(table))
            weights.append(party.weights.get(issue.id, 0.0) / total)
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values=tables,
                weights=weights,
                outcome_space=space,
                reserved_value=party.reservation,
            )
        )
    return issues, ufuns


def negmas_frontier_and_nash(ufuns: Sequence[Any], issues: Sequence[Any]) -> tuple[Any, Any]:
    """NegMAS's Pareto frontier and Nash points, disagreement at the reservation values."""
    from negmas.preferences import nash_points, pareto_frontier

    frontier, _ = pareto_frontier(ufuns, issues=issues)
    ranges = [(u.reserved_value, max(point[i] for point in frontier)) for i, u in enumerate(ufuns)]
    return frontier, nash_points(ufuns, frontier, ranges=ranges)


def kernel(compiled: Any) -> tuple[Any, Any]:
    """Our frontier and Nash point: the scan (region and frontier) and the Nash choice."""
    from sim.engine.agreement import scan, solve_on_frontier
    from sim.engine.space import full_space

    result = scan(compiled, full_space(compiled))
    choice = solve_on_frontier(
        compiled, result.space, result.frontier, result.frontier_utilities, "nash"
    )
    return result, choice


def rounded_frontier_size(points: np.ndarray) -> int:
    from sim.engine.pareto import pareto_mask

    return int(pareto_mask(np.round(points, 12)).sum())


def compare(folder: Path, repeat: int) -> dict[str, Any]:
    from sim.analysis import analyze
    from sim.compile import compile_scenario
    from sim.interop.genius import import_genius

    domain, profiles = domain_files(folder)
    scenario = import_genius(domain, profiles)
    issues, ufuns = negmas_ufuns(scenario)
    negmas_time, (frontier, nash) = best_of(repeat, lambda: negmas_frontier_and_nash(ufuns, issues))
    analyze_time, analysis = best_of(repeat, lambda: analyze(scenario))
    compiled = compile_scenario(scenario)
    kernel_time, (result, choice) = best_of(repeat, lambda: kernel(compiled))
    packages = len(result.frontier)
    distinct = len(np.unique(result.frontier_utilities, axis=0))
    kernel_nash = choice.utilities if choice is not None else np.full(len(scenario.parties), np.nan)

    ours = np.array(list(analysis.solutions["nash"].utilities.values()))
    theirs = np.array(nash[0][0]) if nash else np.full(len(ours), np.nan)
    points = np.array(frontier)
    tied = rounded_frontier_size(points)
    sizes_agree = analysis.pareto_count == packages and distinct == tied
    nash_agree = bool(
        np.allclose(ours, theirs, rtol=0, atol=1e-9)
        and np.allclose(kernel_nash, ours, rtol=0, atol=1e-9)
    )
    return {
        "domain": folder.name,
        "packages": analysis.space_size,
        "parties": len(scenario.parties),
        "ours": f"{packages} / {distinct}",
        "theirs": f"{len(points)}" + (f" ({tied})" if tied != len(points) else ""),
        "nash": ", ".join(f"{u:.6f}" for u in ours),
        "agree": "yes" if sizes_agree and nash_agree else "NO",
        "negmas": negmas_time,
        "analyze": analyze_time,
        "kernel": kernel_time,
        "ok": sizes_agree and nash_agree,
    }


def seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def ratio(slow: float, fast: float) -> str:
    value = slow / fast
    return f"{value:.2g}x" if value < 10 else f"{value:.0f}x"


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    headers = [
        "domain",
        "packages",
        "parties",
        "frontier (ours)",
        "frontier (NegMAS)",
        "Nash (ours)",
        "agree",
        "NegMAS",
        "analyze",
        "kernel",
        "NegMAS / analyze",
        "NegMAS / kernel",
    ]
    cells = [
        [
            row["domain"],
            f"{row['packages']:,}",
            str(row["parties"]),
            row["ours"],
            row["theirs"],
            row["nash"],
            row["agree"],
            seconds(row["negmas"]),
            seconds(row["analyze"]),
            seconds(row["kernel"]),
            ratio(row["negmas"], row["analyze"]),
            ratio(row["negmas"], row["kernel"]),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [headers, *cells]) for i in range(len(headers))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("domains", nargs="*", help="domain folder names (default: all)")
    parser.add_argument("--shared", type=Path, default=SHARED, help=f"default: {SHARED}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    args = parser.parse_args(argv)
    try:
        import negmas
    except Exception as error:  # ImportError, or a broken install failing at import
        print(
            f"NegMAS cannot be imported ({error}); install it with pip install -e '.[benchmark]'",
            file=sys.stderr,
        )
        return 2
    if not args.shared.is_dir():
        print(f"{args.shared}: no such folder of GENIUS domains", file=sys.stderr)
        return 2
    folders = [args.shared / name for name in args.domains] or sorted(
        path for path in args.shared.iterdir() if path.is_dir()
    )
    print(
        f"NegMAS {negmas.__version__}, numpy {np.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}, best of {args.repeat} runs"
    )
    compare(folders[0], 1)  # warm up imports and caches on both sides
    rows = []
    for folder in folders:
        rows.append(compare(folder, args.repeat))
        print(f"  {folder.name}: done", file=sys.stderr)
    print_table(rows)
    print(
        "frontier (ours): packages / distinct points; frontier (NegMAS): its points, and in "
        "parentheses, where it differs, the frontier of its points rounded to 12 decimals"
    )
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
