"""Negotiation protocols: how talks could play out, round by round.

The agreement region says what is possible; protocols say what is likely when parties
with different patience, deadlines and tactics bargain over it.

- :func:`rubinstein_split`, :func:`rubinstein_finite_split`: Rubinstein's alternating
  offers equilibrium in closed form (infinite horizon) and by backward induction
  (deadline); :mod:`.rubinstein` plays the game on a divisible issue.
- :mod:`.alternating`: stacked alternating offers among several parties, with a
  deadline, discounting and a chance of breakdown each round.
- :mod:`.mediator`: single-negotiating-text mediation (the Camp David method).
- :mod:`.tactics`: time-dependent concession (Boulware, linear, Conceder, hardliner) and
  relative tit-for-tat.
- :func:`simulate` (one run, a :class:`~sim.results.Trace`) and :func:`simulate_many`
  (Monte Carlo over randomness and tactics, a :class:`~sim.results.SimulationSummary`).

Every protocol has the signature ``run(compiled, ..., rng=...) -> Trace``; they are
listed by name in :data:`PROTOCOLS`.
"""

from __future__ import annotations

from sim.protocols.rubinstein import rubinstein_finite_split, rubinstein_split
from sim.protocols.simulate import DEFAULT_POOL, PROTOCOLS, simulate, simulate_many
from sim.protocols.tactics import TACTICS, parse_tactic

__all__ = [
    "rubinstein_split",
    "rubinstein_finite_split",
    "simulate",
    "simulate_many",
    "PROTOCOLS",
    "DEFAULT_POOL",
    "TACTICS",
    "parse_tactic",
]
