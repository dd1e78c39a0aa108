"""Sampling designs: which parameter values a sweep visits.

Every design returns a matrix ``(points, parameters)``. Grids are full factorial;
``random``, ``lhs`` and ``sobol`` fill the box of parameter ranges (``scipy.stats.qmc``);
Monte Carlo draws from the distributions a scenario declares (``scipy.stats``), by
inverse transform of uniform draws so that one seed gives the same draws everywhere; the
Saltelli design lays out the matrices that ``scipy.stats.sobol_indices`` needs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.schema import Distribution

__all__ = ["Axis", "grid", "box_design", "distribution", "monte_carlo", "saltelli", "DESIGNS"]

DESIGNS = ("grid", "random", "lhs", "sobol")


@dataclass(frozen=True)
class Axis:
    """One swept parameter's range: ``low`` to ``high`` in ``count`` grid points."""

    low: float
    high: float
    count: int = 2

    def points(self) -> np.ndarray:
        """The grid points of the axis."""
        return np.round(np.linspace(self.low, self.high, self.count), 12)


def grid(axes: Sequence[Axis]) -> np.ndarray:
    """Full factorial grid, first parameter varying slowest."""
    return np.array(list(itertools.product(*(axis.points() for axis in axes))), dtype=float)


def box_design(kind: str, axes: Sequence[Axis], n: int, seed: int) -> np.ndarray:
    """``n`` points in the box of the axes' ranges: ``random``, ``lhs`` or ``sobol``."""
    from scipy.stats import qmc

    d = len(axes)
    if kind == "random":
        unit = np.random.default_rng(seed).random((n, d))
    elif kind == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=seed).random(n)
    elif kind == "sobol":
        unit = qmc.Sobol(d=d, scramble=True, seed=seed).random(n)
    else:
        raise ValueError(f"unknown design {kind!r}; expected one of {', '.join(DESIGNS)}")
    low = np.array([axis.low for axis in axes])
    high = np.array([axis.high for axis in axes])
    result: np.ndarray = qmc.scale(unit, low, high) if d else unit
    return result


def distribution(spec: Distribution):  # type: ignore[no-untyped-def]
    """The frozen ``scipy.stats`` distribution a scenario's declaration describes."""
    from scipy import stats

    if spec.kind == "uniform":
        assert spec.low is not None and spec.high is not None
        return stats.uniform(loc=spec.low, scale=spec.high - spec.low)
    if spec.kind == "normal":
        return stats.norm(loc=spec.mean, scale=spec.sd)
    if spec.kind == "truncnorm":
        assert spec.low is not None and spec.high is not None and spec.mean is not None
        assert spec.sd is not None
        a, b = (spec.low - spec.mean) / spec.sd, (spec.high - spec.mean) / spec.sd
        return stats.truncnorm(a, b, loc=spec.mean, scale=spec.sd)
    if spec.kind == "beta":
        low = 0.0 if spec.low is None else spec.low
        high = 1.0 if spec.high is None else spec.high
        return stats.beta(spec.a, spec.b, loc=low, scale=high - low)
    assert spec.low is not None and spec.high is not None and spec.mode is not None
    c = (spec.mode - spec.low) / (spec.high - spec.low)
    return stats.triang(c, loc=spec.low, scale=spec.high - spec.low)


def monte_carlo(specs: Sequence[Distribution], n: int, seed: int) -> np.ndarray:
    """``n`` draws of every declared distribution, each point from its own random stream.

    Point ``i`` draws uniforms from the ``i``-th child of ``SeedSequence(seed)`` and maps
    them through each distribution's inverse CDF, so a point's values depend on the seed
    and its index only: a longer run extends a shorter one.
    """
    children = np.random.SeedSequence(seed).spawn(n)
    unit = np.array([np.random.default_rng(child).random(len(specs)) for child in children])
    unit = unit.reshape(n, len(specs))
    columns = [distribution(spec).ppf(unit[:, j]) for j, spec in enumerate(specs)]
    return np.stack(columns, axis=1) if columns else np.zeros((n, 0))


def saltelli(axes: Sequence[Axis], n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matrices A, B ``(n, d)`` and AB ``(d, n, d)`` (A with column i from B) for Sobol indices."""
    from scipy.stats import qmc

    d = len(axes)
    unit = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    low = np.array([axis.low for axis in axes])
    high = np.array([axis.high for axis in axes])
    a = qmc.scale(unit[:, :d], low, high)
    b = qmc.scale(unit[:, d:], low, high)
    ab = np.repeat(a[None, :, :], d, axis=0)
    for i in range(d):
        ab[i, :, i] = b[:, i]
    return a, b, ab
