"""Exact search without enumeration: the scenario as a mixed-integer linear program.

Variables: one binary ``x[k, o]`` per option of each issue, exactly one per issue. Each
party's utility is linear in them (its weighted option values), plus one product variable
per interaction pair (``y <= x_a``, ``y <= x_b``, ``y >= x_a + x_b - 1``). A red-line atom on
issue ``k`` is the sum of ``x[k, o]`` over the options it allows, exactly 0 or 1, so every
rule linearizes with continuous helpers: ``not a`` is ``1 - a``; ``z = and(a_i)`` by
``z <= a_i`` and ``z >= sum a_i - (n - 1)``; ``z = or(a_i)`` by ``z >= a_i`` and
``z <= sum a_i``; implication as ``or(not a, b)``. Rules that must hold are fixed to 1.

Objectives, all solved with ``scipy.optimize.milp`` (HiGHS):

- existence: any feasible point;
- utilitarian: maximize the sum of utilities;
- egalitarian: maximize ``t`` with ``t <= u_i - d_i``, then the sum at that ``t``;
- Kalai-Smorodinsky: each party's ideal utility first, then as egalitarian on gains
  scaled by the ideal gains;
- Nash: maximize ``sum w_i l_i`` where each ``l_i`` lies below tangent lines of
  ``log(u_i - d_i)``; each round adds the tangents at the new solution, until the upper
  bound (the program's value) and the true log product of the incumbent agree to a gap.

Soft constraints for the blocking analysis carry an indicator ``s_c``: a relaxable red line
becomes ``rule >= s_c``, a reservation ``u_i - d_i >= -(1 - s_c)``.

References
----------
Duran, M. A., Grossmann, I. E. (1986). An outer-approximation algorithm for a class of
mixed-integer nonlinear programs. Mathematical Programming 36(3), 307-339.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.engine.blocking import Constraint
from sim.engine.solutions import POSITIVE_GAIN
from sim.engine.space import Space
from sim.rules import Predicate

__all__ = [
    "ExactSearchError",
    "Program",
    "MilpResult",
    "NASH_GAP",
    "base_program",
    "exact_solution",
    "maximize_utility",
    "maximize_minimum",
    "maximize_nash",
    "relaxed_program",
    "soft_program",
    "minimal_relaxations",
    "closest_packages",
]

NASH_GAP = 1e-7
"""Largest gap between the outer approximation and the true log Nash product."""
_POSITIVE = POSITIVE_GAIN  # a gain above this is positive; the program asks for twice it
_SMALLEST_TANGENT = 1e-4


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence the solver library's own prints, which bypass Python's ``sys.stdout``."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real file descriptor 1 (e.g. some notebooks)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class ExactSearchError(ValueError):
    """The scenario uses something the exact search cannot express."""


@dataclass(frozen=True)
class MilpResult:
    """A solution: option per issue, all parties' utilities, and the solver's objective."""

    options: np.ndarray
    utilities: np.ndarray
    objective: float


class Program:
    """A growing MILP over a compiled scenario's package space (``space`` prunes options)."""

    def __init__(self, compiled: CompiledScenario, space: Space) -> None:
        self.compiled = compiled
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.option_vars: list[dict[int, int]] = []
        for allowed in space.allowed:
            variables = {int(o): self.variable(0, 1, True) for o in allowed}
            self.option_vars.append(variables)
            self.row(dict.fromkeys(variables.values(), 1.0), 1, 1)
        self.utility = [self._utility(p) for p in range(compiled.n_parties)]
        for p, (expression, constant) in enumerate(self.utility):
            low, high = self._bounds(expression, constant)
            if compiled.interactions and (low < -1e-9 or high > 1 + 1e-9):
                raise ExactSearchError(
                    f"party {compiled.party_ids[p]!r}: interaction terms may push its utility "
                    "outside [0, 1], where it is clipped; the exact search cannot express the clip"
                )

    # -- building blocks -----------------------------------------------------------------

    def variable(self, low: float, high: float, integer: bool = False) -> int:
        """Add a variable; returns its index."""
        self.lower.append(low)
        self.upper.append(high)
        self.integer.append(1 if integer else 0)
        return len(self.lower) - 1

    def row(self, coefficients: dict[int, float], low: float, high: float) -> None:
        """Add ``low <= sum coefficients[v] * v <= high``."""
        self.rows.append((coefficients, low, high))

    def _bounds(self, expression: dict[int, float], constant: float) -> tuple[float, float]:
        low = high = constant
        for variable, coefficient in expression.items():
            a, b = coefficient * self.lower[variable], coefficient * self.upper[variable]
            low += min(a, b)
            high += max(a, b)
        return low, high

    def _utility(self, party: int) -> tuple[dict[int, float], float]:
        compiled = self.compiled
        expression: dict[int, float] = {}
        for k, variables in enumerate(self.option_vars):
            for option, variable in variables.items():
                value = float(compiled.tables[k][option, party])
                if value:
                    expression[variable] = expression.get(variable, 0.0) + value
        for term in compiled.interactions:
            if term.party != party:
                continue
            for a, va in self.option_vars[term.first].items():
                for b, vb in self.option_vars[term.second].items():
                    value = float(term.matrix[a, b])
                    if value:
                        product = self.variable(0, 1)
                        self.row({product: 1, va: -1}, -np.inf, 0)
                        self.row({product: 1, vb: -1}, -np.inf, 0)
                        self.row({product: 1, va: -1, vb: -1}, -1, np.inf)
                        expression[product] = expression.get(product, 0.0) + value
        return expression, 0.0

    def truth(self, predicate: Predicate) -> tuple[dict[int, float], float]:
        """A linear expression equal to 1 where the predicate holds and 0 elsewhere."""
        if predicate.kind == "leaf":
            assert predicate.table is not None
            variables = self.option_vars[predicate.issue]
            return {v: 1.0 for o, v in variables.items() if predicate.table[o]}, 0.0
        if predicate.kind == "not":
            inner, constant = self.truth(predicate.children[0])
            return {v: -c for v, c in inner.items()}, 1.0 - constant
        parts = [self.truth(child) for child in predicate.children]
        z = self.variable(0, 1)
        n = len(parts)
        if predicate.kind == "and":
            for expression, constant in parts:  # z <= a_i
                self.row({z: 1.0, **{v: -c for v, c in expression.items()}}, -np.inf, constant)
            total: dict[int, float] = {}
            constants = 0.0
            for expression, constant in parts:
                constants += constant
                for v, c in expression.items():
                    total[v] = total.get(v, 0.0) + c
            # z >= sum a_i - (n - 1)
            self.row({z: 1.0, **{v: -c for v, c in total.items()}}, constants - (n - 1), np.inf)
        else:
            for expression, constant in parts:  # z >= a_i
                self.row({z: 1.0, **{v: -c for v, c in expression.items()}}, constant, np.inf)
            total, constants = {}, 0.0
            for expression, constant in parts:
                constants += constant
                for v, c in expression.items():
                    total[v] = total.get(v, 0.0) + c
            self.row({z: 1.0, **{v: -c for v, c in total.items()}}, -np.inf, constants)
        return {z: 1.0}, 0.0

    def require(self, predicate: Predicate, indicator: int | None = None) -> None:
        """The predicate must hold (or must hold when ``indicator`` is 1)."""
        expression, constant = self.truth(predicate)
        if indicator is None:
            self.row(expression, 1 - constant, np.inf)
        else:
            self.row({**expression, indicator: -1.0}, -constant, np.inf)

    def at_least(self, party: int, value: float, indicator: int | None = None) -> None:
        """``u_party >= value`` (or only when ``indicator`` is 1)."""
        expression, constant = self.utility[party]
        if indicator is None:
            self.row(expression, value - constant, np.inf)
        else:
            self.row({**expression, indicator: -(value + 1.0)}, -1.0 - constant, np.inf)

    def gain_variable(self, party: int, disagreement: float) -> int:
        """A variable equal to ``u_party - disagreement``."""
        expression, constant = self.utility[party]
        gain = self.variable(-1.0, 1.0)
        self.row({**expression, gain: -1.0}, disagreement - constant, disagreement - constant)
        return gain

    # -- solving -------------------------------------------------------------------------

    def solve(
        self, objective: dict[int, float], time_limit: float | None = None
    ) -> np.ndarray | None:
        """Maximize a linear objective; the variable values, or None if infeasible."""
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import csr_array

        n = len(self.lower)
        c = np.zeros(n)
        for variable, coefficient in objective.items():
            c[variable] = -coefficient
        data: list[float] = []
        indices: list[int] = []
        pointers, lows, highs = [0], [], []
        for coefficients, low, high in self.rows:
            indices.extend(coefficients)
            data.extend(coefficients.values())
            pointers.append(len(indices))
            lows.append(low)
            highs.append(high)
        matrix = csr_array((data, indices, pointers), shape=(len(self.rows), n))
        options: dict[str, object] = {"disp": False, "mip_rel_gap": 1e-7}
        if time_limit is not None:
            options["time_limit"] = time_limit
        problem = dict(
            constraints=LinearConstraint(matrix, lows, highs),
            integrality=np.array(self.integer),
            bounds=Bounds(self.lower, self.upper),
        )
        # HiGHS occasionally reports a "solve error" on small, well-posed programs; the
        # same program then solves without presolve, or with its default settings.
        attempts = [options, {**options, "presolve": False}, {"disp": False}]
        with _quiet_stdout():
            for attempt in attempts:
                result = milp(c, options=attempt, **problem)
                if result.status != 4:
                    break
        if result.status == 2:
            return None
        if result.status != 0 or result.x is None:
            raise ExactSearchError(f"the MILP solver stopped: {result.message}")
        x: np.ndarray = result.x
        return x

    def package(self, x: np.ndarray) -> MilpResult:
        """Options and utilities of a solution vector."""
        options = np.array(
            [max(variables, key=lambda o: x[variables[o]]) for variables in self.option_vars]
        )
        utilities = np.array(
            [
                sum(c * x[v] for v, c in expression.items()) + constant
                for expression, constant in self.utility
            ]
        )
        return MilpResult(options, np.round(utilities, 12), float("nan"))

    def expression_value(self, x: np.ndarray, expression: dict[int, float]) -> float:
        """Value of a linear expression at a solution."""
        return float(sum(c * x[v] for v, c in expression.items()))


def base_program(compiled: CompiledScenario, space: Space, gating: bool = True) -> Program:
    """A program whose feasible points are the agreement region (``gating``) or the space."""
    program = Program(compiled, space)
    if gating:
        for rule in compiled.gating_rules():
            program.require(rule.predicate)
        for p in np.flatnonzero(compiled.bargaining):
            program.at_least(int(p), float(compiled.reservation[p]))
    else:
        for rule in compiled.rules:
            if rule.owner < 0:
                program.require(rule.predicate)
    return program


def _sum(
    program: Program, parties: Sequence[int] | np.ndarray, weights: Sequence[float] | None = None
) -> dict[int, float]:
    total: dict[int, float] = {}
    for i, p in enumerate(parties):
        weight = 1.0 if weights is None else float(weights[i])
        for v, c in program.utility[p][0].items():
            total[v] = total.get(v, 0.0) + weight * c
    return total


def maximize_utility(
    program: Program, parties: Sequence[int] | np.ndarray, weights: Sequence[float] | None = None
) -> MilpResult | None:
    """Maximize the (weighted) sum of some parties' utilities."""
    x = program.solve(_sum(program, parties, weights))
    if x is None:
        return None
    result = program.package(x)
    return MilpResult(
        result.options, result.utilities, float(result.utilities[list(parties)].sum())
    )


def maximize_minimum(
    program: Program,
    parties: Sequence[int] | np.ndarray,
    disagreement: np.ndarray,
    scale: np.ndarray,
) -> MilpResult | None:
    """Maximize ``min_i (u_i - d_i) / scale_i``, then the total utility at that minimum.

    A party with a non-positive ``scale`` is left out of the minimum (as the enumeration
    does for a party whose ideal gain is nil); the minimum is at most 1.
    """
    t = program.variable(-1.0, 1.0)
    for i, p in enumerate(parties):
        if scale[i] <= 0:
            continue
        expression, constant = program.utility[p]
        # t * scale_i <= u_i - d_i
        program.row(
            {t: float(scale[i]), **{v: -c for v, c in expression.items()}},
            -np.inf,
            constant - float(disagreement[i]),
        )
    x = program.solve({t: 1.0})
    if x is None:
        return None
    best = float(x[t])
    program.row({t: 1.0}, best - 1e-9 * max(1.0, abs(best)), np.inf)
    x = program.solve(_sum(program, parties))
    assert x is not None
    result = program.package(x)
    return MilpResult(result.options, result.utilities, best)


def maximize_nash(
    program: Program,
    parties: Sequence[int] | np.ndarray,
    disagreement: np.ndarray,
    powers: np.ndarray,
    max_rounds: int = 60,
) -> MilpResult | None:
    """Maximize the Nash product by outer approximation with tangent cuts of the log.

    Lexicographic as :func:`sim.engine.solutions.nash_solution`: first the number of
    parties with a positive gain, then the weighted log product over those parties.
    """
    positive = [program.variable(0, 1, True) for _ in parties]
    gains = [program.gain_variable(p, float(d)) for p, d in zip(parties, disagreement, strict=True)]
    for b, g in zip(positive, gains, strict=True):
        # b = 1 -> gain >= 2 eps (gains lie in [-1, 1], so b = 0 leaves it free below)
        program.row({g: 1.0, b: -(2 * _POSITIVE + 1.0)}, -1.0, np.inf)
        program.row({g: 1.0, b: -2.0}, -np.inf, _POSITIVE)  # b = 0 -> gain <= eps
    x = program.solve(dict.fromkeys(positive, 1.0))
    if x is None:
        return None
    count = round(sum(x[b] for b in positive))
    program.row(dict.fromkeys(positive, 1.0), count, count)
    logs = []
    for b, g in zip(positive, gains, strict=True):
        # h is the gain the log is taken of: h <= g when b = 1; when b = 0, h may be 1 so
        # that the tangent cuts allow l = 0 (log g0 + (1 - g0) / g0 >= 0 for g0 <= 1).
        h = program.variable(0.0, 1.0)
        program.row({h: 1.0, g: -1.0, b: 2.0}, -np.inf, 2.0)
        log_var = program.variable(np.log(2 * _POSITIVE) - 1, 0.0)
        logs.append((log_var, b, h))

    def add_cuts(points: Sequence[float]) -> None:
        for log_var, _, h in logs:
            for g0 in points:
                # Tangents steeper than 1e4 make the program numerically fragile; below
                # that gain the incumbents are compared on their true log products.
                g0 = max(float(g0), _SMALLEST_TANGENT)
                # l <= log g0 + (h - g0) / g0
                program.row({log_var: 1.0, h: -1.0 / g0}, -np.inf, float(np.log(g0)) - 1.0)

    add_cuts([1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0])
    objective = {log_var: float(w) for (log_var, _, _), w in zip(logs, powers, strict=True)}
    best: MilpResult | None = None
    best_value = -np.inf
    last_cuts: list[float] = []
    for _ in range(max_rounds):
        x = program.solve(objective)
        if x is None:
            break
        bound = sum(float(w) * x[lv] for (lv, _, _), w in zip(logs, powers, strict=True))
        result = program.package(x)
        gain_values = result.utilities[list(parties)] - disagreement
        value = float(
            sum(
                float(w) * np.log(gv)
                for gv, w in zip(gain_values, powers, strict=True)
                if gv > _POSITIVE * 1.5
            )
        )
        if value > best_value:
            best, best_value = MilpResult(result.options, result.utilities, value), value
        if bound - best_value <= NASH_GAP * max(1.0, abs(best_value)):
            break
        fresh = sorted({round(float(gv), 9) for gv in gain_values if gv >= _SMALLEST_TANGENT})
        if not fresh or fresh == last_cuts:
            break
        last_cuts = fresh
        add_cuts(fresh)
    return best


def exact_solution(compiled: CompiledScenario, space: Space, name: str) -> MilpResult | None:
    """Bargaining solution ``name`` over the agreement region, or None if the region is empty.

    The parties are the bargaining parties (all parties when there are none), as in the
    enumeration path; ``feasible`` returns any point of the region.
    """
    bargaining = np.flatnonzero(compiled.bargaining)
    parties = bargaining if len(bargaining) else np.arange(compiled.n_parties)
    disagreement = compiled.reservation[parties]
    if name == "feasible":
        program = base_program(compiled, space)
        x = program.solve({})
        return None if x is None else program.package(x)
    if name == "utilitarian":
        return maximize_utility(base_program(compiled, space), parties)
    if name == "egalitarian":
        return maximize_minimum(
            base_program(compiled, space), parties, disagreement, np.ones(len(parties))
        )
    if name == "kalai_smorodinsky":
        ideal = []
        for p in parties:
            best = maximize_utility(base_program(compiled, space), [int(p)])
            if best is None:
                return None
            ideal.append(best.objective)
        gains = np.array(ideal) - disagreement
        scale = np.where(gains > 1e-9, gains, 0.0)
        return maximize_minimum(base_program(compiled, space), parties, disagreement, scale)
    if name == "nash":
        return maximize_nash(
            base_program(compiled, space), parties, disagreement, compiled.power[parties]
        )
    raise ValueError(f"unknown solution {name!r}")


def relaxed_program(
    compiled: CompiledScenario, space: Space, constraints: Sequence[Constraint], relaxed: int
) -> Program:
    """The agreement region with the constraints whose bits are set in ``relaxed`` dropped."""
    program = Program(compiled, space)
    for rule in compiled.rules:
        if rule.owner < 0:
            program.require(rule.predicate)
    for bit, constraint in enumerate(constraints):
        if relaxed >> bit & 1:
            continue
        if constraint.kind == "red_line":  # type: ignore[attr-defined]
            program.require(compiled.rules[constraint.rule].predicate)  # type: ignore[attr-defined]
        else:
            party = constraint.party  # type: ignore[attr-defined]
            program.at_least(party, float(compiled.reservation[party]))
    return program


def soft_program(
    compiled: CompiledScenario, space: Space, constraints: Sequence[Constraint]
) -> tuple[Program, list[int]]:
    """Every relaxable constraint guarded by a binary indicator (1: the constraint holds)."""
    program = Program(compiled, space)
    for rule in compiled.rules:
        if rule.owner < 0:
            program.require(rule.predicate)
    indicators = []
    for constraint in constraints:
        s = program.variable(0, 1, True)
        indicators.append(s)
        if constraint.kind == "red_line":  # type: ignore[attr-defined]
            program.require(compiled.rules[constraint.rule].predicate, indicator=s)  # type: ignore[attr-defined]
        else:
            party = constraint.party  # type: ignore[attr-defined]
            program.at_least(party, float(compiled.reservation[party]), indicator=s)
    return program, indicators


def minimal_relaxations(
    compiled: CompiledScenario, space: Space, constraints: Sequence[Constraint], limit: int
) -> tuple[list[int], bool]:
    """Minimal correction sets, smallest first, as bit sets; and whether all were found.

    Each round maximizes the number of constraints kept; the dropped ones form a minimal
    correction set, and a cut (keep at least one of them) excludes it and its supersets.
    """
    program, indicators = soft_program(compiled, space, constraints)
    found: list[int] = []
    while len(found) < limit:
        x = program.solve(dict.fromkeys(indicators, 1.0))
        if x is None:
            return found, True
        relaxed = sum(1 << bit for bit, s in enumerate(indicators) if x[s] < 0.5)
        if relaxed == 0:
            return found, True
        found.append(relaxed)
        program.row(
            {indicators[bit]: 1.0 for bit in range(len(indicators)) if relaxed >> bit & 1},
            1.0,
            np.inf,
        )
    x = program.solve(dict.fromkeys(indicators, 1.0))
    return found, x is None


def closest_packages(
    compiled: CompiledScenario, space: Space, constraints: Sequence[Constraint], count: int
) -> list[tuple[np.ndarray, np.ndarray, int, np.ndarray]]:
    """Packages with the fewest broken red lines, then the smallest worst and total shortfall.

    Returns (options, utilities, broken bits, shortfalls) for up to ``count`` packages.
    """
    program, indicators = soft_program(
        compiled, space, [c for c in constraints if c.kind == "red_line"]
    )  # type: ignore[attr-defined]
    bargaining = np.flatnonzero(compiled.bargaining)
    shortfall = {}
    worst = program.variable(0.0, 1.0)
    for p in bargaining:
        expression, constant = program.utility[p]
        sigma = program.variable(0.0, 1.0)
        shortfall[int(p)] = sigma
        # sigma >= r - u
        program.row({sigma: 1.0, **expression}, float(compiled.reservation[p]) - constant, np.inf)
        program.row({worst: 1.0, sigma: -1.0}, 0.0, np.inf)
    results = []
    for _ in range(count):
        stages = [
            dict.fromkeys(indicators, 1.0),
            {worst: -1.0},
            {sigma: -1.0 for sigma in shortfall.values()},
        ]
        fixed_rows = []
        x = None
        for objective in stages:
            x = program.solve(objective)
            if x is None:
                break
            value = program.expression_value(x, objective)
            row = (objective, value - 1e-9 * max(1.0, abs(value)), np.inf)
            program.rows.append(row)
            fixed_rows.append(row)
        for row in fixed_rows:
            program.rows.remove(row)
        if x is None:
            break
        package = program.package(x)
        columns = [np.array([o]) for o in package.options]
        broken = sum(
            1 << bit
            for bit, c in enumerate(constraints)
            if c.kind == "red_line" and not compiled.rules[c.rule].predicate(columns)[0]  # type: ignore[attr-defined]
        )
        sigmas = np.zeros(compiled.n_parties)
        for party in shortfall:
            shortfall_value = float(compiled.reservation[party] - package.utilities[party])
            sigmas[party] = max(0.0, round(shortfall_value, 12))
        results.append((package.options, package.utilities, broken, sigmas))
        # no-good cut: not this package again
        chosen = [program.option_vars[k][int(o)] for k, o in enumerate(package.options)]
        program.row(dict.fromkeys(chosen, 1.0), -np.inf, len(chosen) - 1)
    return results
