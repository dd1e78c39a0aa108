"""Exact-search benchmark: prints wall times, asserts nothing.

(a) The full Berlin scenario (``scenarios/berlin-2025-12-full.yaml``, about 3.2 x 10^12
    packages): the exact agreement test and the exact Nash package on the unpruned space
    (``sim.engine.milp.exact_solution`` on ``sim.engine.blocking.blocking_space``), each
    with a goal of 10 s; for context, ``sim.analyze`` on the same file, and the Nash
    package of the region that opens when the smallest relaxation ``negosim explain``
    reports (Moscow's recognition line and Kyiv's zone condition) is dropped.
(b) A synthetic scenario of 30 ordinal issues with 8 options each (8^30, about 1.2 x 10^27
    packages), seeded random weights and values, four signatories and a guarantor, red
    lines that each span two or three issues, reservations low enough for an agreement to
    exist: the exact agreement test and the exact Nash package, goal 30 s each.
(c) A space small enough to enumerate (7 issues x 6 options, 279,936 packages; same kind
    of random scenario): the agreement test and the Nash package by enumeration and by
    exact search, side by side, with a check that both give the same answer.

    python benchmarks/bench_exact.py [--repeat N] [--seed S] [--skip-analyze]

Every time is wall time, the best of ``--repeat`` runs. The last table lists the goals and
whether they are met.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy

import sim
from sim.compile import compile_scenario
from sim.engine.agreement import scan, solve_on_frontier
from sim.engine.blocking import blocking_space, relaxable_constraints
from sim.engine.milp import (
    ExactSearchError,
    exact_solution,
    maximize_nash,
    minimal_relaxations,
    relaxed_program,
)
from sim.engine.space import full_space, prune
from sim.io import scenario_from_data

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "scenarios" / "berlin-2025-12-full.yaml"
RELAXATION = ("ru_recognition_of_gains", "ua_zone_only_if_mirrored")


def best_of(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The best wall time of ``repeat`` runs and the last result (an exception is returned)."""
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            result = work()
        except ExactSearchError as error:
            return time.perf_counter() - start, error
        best = min(best, time.perf_counter() - start)
    return best, result


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    line = lambda row: "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def nash_key(compiled, utilities: np.ndarray) -> tuple[int, float]:
    """(parties with a positive gain, weighted log product): what both paths maximize."""
    parties = np.flatnonzero(compiled.bargaining)
    gains = utilities[parties] - compiled.reservation[parties]
    positive = gains > 1e-9
    logs = compiled.power[parties][positive] * np.log(gains[positive])
    return int(positive.sum()), float(logs.sum())


def synthetic(
    n_issues: int, n_options: int, seed: int, reservation: float, signatories: int = 4
) -> dict[str, Any]:
    """A random scenario as a plain mapping: ordinal issues ``i00..``, options ``o0..``.

    Each signatory weighs every issue (Dirichlet weights); the first two have opposed
    monotone values on the first half of the issues, random values elsewhere. The guarantor
    weighs a third of the issues. Every party has three red lines over two or three issues.
    """
    rng = np.random.default_rng(seed)
    issues = {
        f"i{k:02d}": {"kind": "ordinal", "options": [f"o{j}" for j in range(n_options)]}
        for k in range(n_issues)
    }
    ids = list(issues)
    top = n_options - 1

    def random_values(options: list[str]) -> dict[str, float]:
        return dict(zip(options, np.round(rng.random(len(options)), 3).tolist(), strict=True))

    def option(j: int) -> str:
        return f"o{int(np.clip(j, 0, top))}"

    def red_lines(prefix: str) -> list[dict[str, str]]:
        a, b, c = rng.choice(n_issues, 3, replace=False)
        high, low = rng.integers(top // 2, top + 1), rng.integers(0, top // 2 + 1)
        rules = [
            f"{ids[a]} >= {option(high)} -> {ids[b]} <= {option(high - 1)}",
            f"not ({ids[b]} == {option(0)} and {ids[c]} == {option(top)})",
            f"{ids[c]} in [{', '.join(option(j) for j in range(low, low + 4))}]"
            f" or {ids[a]} <= {option(low + 1)}",
        ]
        return [{"id": f"{prefix}_r{r}", "rule": rule} for r, rule in enumerate(rules)]

    parties: dict[str, Any] = {}
    for p in range(signatories):
        weights = rng.dirichlet(np.ones(n_issues))
        values: dict[str, Any] = {}
        for k, issue in enumerate(ids):
            if p < 2 and k < n_issues // 2:
                values[issue] = "increasing" if p == 0 else "decreasing"
            else:
                values[issue] = random_values(issues[issue]["options"])
        parties[f"s{p}"] = {
            "role": "signatory",
            "weights": dict(zip(ids, np.round(weights, 4).tolist(), strict=True)),
            "values": values,
            "reservation": reservation,
            "power": float(rng.choice([1.0, 1.0, 2.0])),
            "red_lines": red_lines(f"s{p}"),
        }
    chosen = rng.choice(n_issues, max(1, n_issues // 3), replace=False)
    parties["g0"] = {
        "role": "guarantor",
        "weights": {ids[k]: 1.0 for k in chosen},
        "values": {ids[k]: random_values(issues[ids[k]]["options"]) for k in chosen},
        "reservation": 0.5,
        "red_lines": red_lines("g0"),
    }
    return {"title": f"synthetic {n_issues}x{n_options}", "issues": issues, "parties": parties}


def synthetic_with_agreement(n_issues: int, n_options: int, seed: int):
    """Lower the signatories' reservation from 0.75 in steps of 0.05 until an agreement exists."""
    for reservation in np.arange(0.75, 0.0, -0.05):
        data = synthetic(n_issues, n_options, seed, round(float(reservation), 2))
        compiled = compile_scenario(scenario_from_data(data))
        space = full_space(compiled)
        if exact_solution(compiled, space, "feasible") is not None:
            return data, compiled, space, round(float(reservation), 2)
    raise SystemExit("no reservation level gives an agreement; try another --seed")


def header() -> None:
    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            return "?"

    dirty = git("status", "--porcelain", "--", "sim")
    print("negosim exact-search benchmark")
    print(
        f"  commit {git('rev-parse', '--short', 'HEAD')}"
        + (f" (sim/ has {len(dirty.splitlines())} uncommitted changes)" if dirty else "")
    )
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
        f" (HiGHS through scipy.optimize.milp); {os.cpu_count()} CPUs, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic scenarios")
    parser.add_argument("--skip-analyze", action="store_true", help="skip the sim.analyze rows")
    args = parser.parse_args()
    header()
    goals: list[list[str]] = []

    def goal(name: str, seconds: float, limit: float, note: str = "") -> None:
        met = "yes" if seconds < limit else "NO"
        goals.append([name, fmt(seconds), f"< {limit:g} s", met + (f" ({note})" if note else "")])

    # (a) ------------------------------------------------------------------------------
    print(f"\n(a) full Berlin scenario: {FULL.relative_to(ROOT)}")
    start = time.perf_counter()
    scenario = sim.load_scenario(FULL)
    compiled = compile_scenario(scenario)
    space = blocking_space(compiled)
    prepared = time.perf_counter() - start
    print(
        f"  {len(compiled.issue_ids)} issues, {compiled.n_parties} parties, {len(compiled.rules)} "
        f"rules, {space.size:,} packages; load and compile {fmt(prepared)}"
    )
    exists_s, found = best_of(lambda: exact_solution(compiled, space, "feasible"), args.repeat)
    nash_s, nash = best_of(lambda: exact_solution(compiled, space, "nash"), args.repeat)
    rows = [
        ["agreement test (existence)", fmt(exists_s), "exists" if found is not None else "none"],
        ["Nash package", fmt(nash_s), "none (empty region)" if nash is None else "found"],
    ]
    goal("(a) full scenario: agreement test", exists_s, 10)
    goal("(a) full scenario: Nash", nash_s, 10)

    constraints = relaxable_constraints(compiled)
    ids = [c.id for c in constraints]
    relaxed = sum(1 << ids.index(name) for name in RELAXATION)
    bargaining = np.flatnonzero(compiled.bargaining)

    def relaxed_nash() -> Any:
        program = relaxed_program(compiled, space, constraints, relaxed)
        return maximize_nash(
            program, bargaining, compiled.reservation[bargaining], compiled.power[bargaining]
        )

    found_s, (relaxations, complete) = best_of(
        lambda: minimal_relaxations(compiled, space, constraints, 50), args.repeat
    )
    rows.append(
        [
            "minimal relaxations (as negosim explain finds them)",
            fmt(found_s),
            f"{len(relaxations)}{'' if complete else '+'} sets",
        ]
    )

    def every_relaxed_nash() -> tuple[int, int]:
        solved = failed = 0
        for bits in relaxations:
            dropped = {
                c.party
                for b, c in enumerate(constraints)
                if c.kind == "reservation" and bits >> b & 1
            }
            parties = np.array([p for p in bargaining if p not in dropped])
            parties = parties if len(parties) else bargaining
            program = relaxed_program(compiled, space, constraints, bits)
            try:
                maximize_nash(
                    program, parties, compiled.reservation[parties], compiled.power[parties]
                )
                solved += 1
            except ExactSearchError:
                failed += 1
        return solved, failed

    every_s, (solved, failed) = best_of(every_relaxed_nash, 1)
    rows.append(
        [
            "Nash in every region a minimal relaxation opens",
            fmt(every_s),
            f"{solved} solved, {failed} stopped by a solver error",
        ]
    )
    goals.append(
        [
            "(a) Nash in every relaxed region",
            fmt(every_s),
            "all solved",
            "yes" if not failed else f"NO ({failed} of {len(relaxations)} stopped by the solver)",
        ]
    )
    relaxed_s, relaxed_found = best_of(relaxed_nash, args.repeat)
    if isinstance(relaxed_found, ExactSearchError):
        outcome = f"FAILED: {relaxed_found}"
    elif relaxed_found is None:
        outcome = "empty region"
    else:
        outcome = "found: " + ", ".join(
            f"{p} {u:.3f}"
            for p, u in zip(compiled.party_ids, relaxed_found.utilities, strict=True)
            if compiled.bargaining[compiled.party_ids.index(p)]
        )
    rows.append([f"Nash with {' + '.join(RELAXATION)} dropped", fmt(relaxed_s), outcome])
    if not args.skip_analyze:
        analyze_s, analysis = best_of(lambda: sim.analyze(scenario), 1)
        rows.append(
            [
                "sim.analyze (whole analysis, 11 proposals)",
                fmt(analyze_s),
                f"method {analysis.method}, {analysis.pruned_size:,} packages after pruning",
            ]
        )
    print(table(["figure", "time", "answer"], rows))

    # (b) ------------------------------------------------------------------------------
    print("\n(b) synthetic 30 issues x 8 options")
    start = time.perf_counter()
    data, compiled, space, reservation = synthetic_with_agreement(30, 8, args.seed)
    built = time.perf_counter() - start
    print(
        f"  {space.size:.3e} packages, {compiled.n_parties} parties (4 signatories, 1 guarantor), "
        f"{len(compiled.rules)} red lines over 2-3 issues each, signatories' reservation "
        f"{reservation} (the highest of 0.75, 0.70, ... with an agreement); built in {fmt(built)}"
    )
    exists_s, found = best_of(lambda: exact_solution(compiled, space, "feasible"), args.repeat)
    nash_s, nash = best_of(lambda: exact_solution(compiled, space, "nash"), args.repeat)
    rows = [
        ["agreement test (existence)", fmt(exists_s), "exists" if found is not None else "none"],
        [
            "Nash package",
            fmt(nash_s),
            "none"
            if nash is None or isinstance(nash, Exception)
            else "utilities " + " ".join(f"{u:.3f}" for u in nash.utilities),
        ],
    ]
    goal("(b) 30 x 8 synthetic: agreement test", exists_s, 30)
    goal("(b) 30 x 8 synthetic: Nash", nash_s, 30)
    if not args.skip_analyze:
        analyze_s, analysis = best_of(lambda: sim.analyze(scenario_from_data(data)), 1)
        rows.append(
            [
                "sim.analyze (four solutions, sampled counts)",
                fmt(analyze_s),
                f"method {analysis.method}",
            ]
        )
    print(table(["figure", "time", "answer"], rows))

    # (c) ------------------------------------------------------------------------------
    print("\n(c) enumerable: 7 issues x 6 options, both paths")
    data, compiled, _, reservation = synthetic_with_agreement(7, 6, args.seed)
    hard = tuple(rule for rule in compiled.rules if rule.owner < 0)
    pruned = prune(compiled, full_space(compiled), compiled.gating_rules())
    whole = prune(compiled, full_space(compiled), hard)
    print(
        f"  {whole.size:,} packages ({pruned.size:,} after pruning by single-issue red lines), "
        f"signatories' reservation {reservation}"
    )

    def enumerate_nash():
        result = scan(compiled, pruned)
        choice = solve_on_frontier(
            compiled, result.space, result.frontier, result.frontier_utilities, "nash"
        )
        return result.count, choice

    scan_s, region = best_of(lambda: scan(compiled, pruned), args.repeat)
    count = region.count
    enum_s, (_, enum_choice) = best_of(enumerate_nash, args.repeat)
    exists_s, exact_found = best_of(
        lambda: exact_solution(compiled, whole, "feasible"), args.repeat
    )
    milp_s, exact_nash = best_of(lambda: exact_solution(compiled, whole, "nash"), args.repeat)
    same_existence = (count > 0) == (exact_found is not None)
    if enum_choice is None or exact_nash is None:
        same_nash = enum_choice is None and exact_nash is None
        detail = "both empty" if same_nash else "one path found none"
    else:
        a, b = nash_key(compiled, enum_choice.utilities), nash_key(compiled, exact_nash.utilities)
        same_nash = a[0] == b[0] and abs(a[1] - b[1]) <= 1e-9 * max(1.0, abs(a[1]))
        same_package = np.array_equal(enum_choice.options, exact_nash.options)
        detail = f"log Nash product {a[1]:.9f} vs {b[1]:.9f}; " + (
            "same package" if same_package else "different package, equal product (a tie)"
        )
    rows = [
        [
            "agreement test (enumeration: scan of the region)",
            fmt(scan_s),
            fmt(exists_s),
            f"{'same' if same_existence else 'DIFFERENT'}: region of {count:,} packages",
        ],
        [
            "Nash package (enumeration: scan and frontier)",
            fmt(enum_s),
            fmt(milp_s),
            ("same" if same_nash else "DIFFERENT") + f": {detail}",
        ],
    ]
    if not args.skip_analyze:
        enum_analyze_s, enumerated = best_of(lambda: sim.analyze(scenario_from_data(data)), 1)
        forced = {**data, "limits": {"max_packages": 0}}
        exact_analyze_s, exact = best_of(lambda: sim.analyze(scenario_from_data(forced)), 1)
        same = enumerated.agreement_exists == exact.agreement_exists and (
            enumerated.solutions["nash"] is None
        ) == (exact.solutions["nash"] is None)
        rows.append(
            [
                "sim.analyze (limits.max_packages 0 forces exact)",
                fmt(enum_analyze_s),
                fmt(exact_analyze_s),
                f"{'same' if same else 'DIFFERENT'} existence and Nash; methods "
                f"{enumerated.method} / {exact.method}",
            ]
        )
    print(table(["figure", "enumeration", "exact search", "answers"], rows))
    goals.append(
        [
            "(c) both paths agree",
            "-",
            "same answers",
            "yes" if same_existence and same_nash else "NO",
        ]
    )

    print("\nGoals")
    print(table(["figure", "time", "goal", "met"], goals))


if __name__ == "__main__":
    main()
