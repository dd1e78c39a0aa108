"""Analysis by exact search, for package spaces too large to enumerate.

:func:`sim.analysis.analyze` comes here when the pruned space exceeds
``limits.max_packages``. Existence of an agreement, every bargaining solution and every
proposal verdict are exact (mixed-integer programs, :mod:`sim.engine.milp`). Counts (the
size of the region, how many completions each party accepts) cannot be had without
enumeration: they are estimated from a uniform sample of packages and flagged as such.
"""

from __future__ import annotations

import numpy as np

from sim.compile import CompiledScenario
from sim.engine.agreement import judge
from sim.engine.milp import Program, base_program, exact_solution
from sim.engine.space import Block, Space, full_space, prune, utilities_of

__all__ = ["SAMPLE", "sample_judgement", "exact_solutions", "exact_evaluation"]

SAMPLE = 100_000
"""Packages drawn uniformly to estimate counts on the exact path."""


def sample_judgement(compiled: CompiledScenario, space: Space, seed: int = 0):  # type: ignore[no-untyped-def]
    """Judge a uniform sample of the space: returns the sample size and its judgement."""
    rng = np.random.default_rng(seed)
    options = np.stack(
        [allowed[rng.integers(0, len(allowed), SAMPLE)] for allowed in space.allowed], axis=1
    )
    utilities = utilities_of(compiled, options)
    block = Block(0, SAMPLE, 1, tuple(options[:, [k]] for k in range(options.shape[1])), utilities)
    return judge(compiled, block)


def estimate(hits: int, size: int) -> int:
    """Scale a sample count to the space."""
    return int(round(hits / SAMPLE * size))


def exact_solutions(compiled: CompiledScenario, space: Space, names: list[str]) -> dict[str, object]:
    """Each named bargaining solution by exact search (None when the region is empty)."""
    results: dict[str, object] = {}
    for name in names:
        results[name] = exact_solution(compiled, space, name)
        if results[name] is None:
            return dict.fromkeys(names)
    return results


def _feasible(program: Program) -> bool:
    return program.solve({}) is not None


def exact_evaluation(compiled: CompiledScenario, fixed: dict[int, int]) -> dict[str, object]:
    """Verdict inputs for a partial package whose completions are too many to enumerate.

    For each party: whether some completion is acceptable to it, whether all are, and its
    utility range; for each red line, whether some completion keeps it; whether some
    completion is in the agreement region, and the Nash-best such completion.
    """
    hard = tuple(rule for rule in compiled.rules if rule.owner < 0)
    space = prune(compiled, full_space(compiled, fixed), hard)

    def program() -> Program:
        built = Program(compiled, space)
        for rule in hard:
            built.require(rule.predicate)
        return built

    some, every, low, high = [], [], [], []
    for p in range(compiled.n_parties):
        own = [rule for rule in compiled.rules if rule.owner == p]
        acceptable = program()
        for rule in own:
            acceptable.require(rule.predicate)
        if compiled.reservation_applies[p]:
            acceptable.at_least(p, float(compiled.reservation[p]))
        some.append(_feasible(acceptable))
        lowest, highest = program(), program()
        utility = dict(lowest.utility[p][0])
        x_low = lowest.solve({v: -c for v, c in utility.items()})
        x_high = highest.solve(utility)
        low.append(float(lowest.package(x_low).utilities[p]) if x_low is not None else np.nan)
        high.append(float(highest.package(x_high).utilities[p]) if x_high is not None else np.nan)
        u_low = low[-1]
        can_fail = any(_fails_somewhere(program(), rule.predicate) for rule in own)
        below = bool(compiled.reservation_applies[p]) and u_low < compiled.reservation[p] - 1e-12
        every.append(some[-1] and not can_fail and not below)
    ever_holds = []
    for rule in compiled.rules:
        keeps = program()
        keeps.require(rule.predicate)
        ever_holds.append(_feasible(keeps))
    judgement = sample_judgement(compiled, space)
    return {
        "space": space,
        "some": np.array(some, dtype=bool),
        "every": np.array(every, dtype=bool),
        "low": np.array(low),
        "high": np.array(high),
        "ever_holds": np.array(ever_holds, dtype=bool),
        "region_exists": _feasible(base_program(compiled, space)),
        "nash": exact_solution(compiled, space, "nash"),
        "party_counts": np.array([
            estimate(int(np.count_nonzero(judgement.accepts[:, p] & judgement.constraints_ok)),
                     space.size)
            for p in range(compiled.n_parties)
        ]),
        "region_count": estimate(int(np.count_nonzero(judgement.region)), space.size),
    }


def _fails_somewhere(program: Program, predicate) -> bool:  # type: ignore[no-untyped-def]
    """Whether some feasible point breaks the predicate (its truth forced to 0)."""
    expression, constant = program.truth(predicate)
    program.row(expression, -np.inf, -constant)
    return _feasible(program)
