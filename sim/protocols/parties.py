"""The parties' side of every protocol: aspirations, replies and walking away.

Only the *bargaining* parties (those that must accept and whose reservation value
applies: the signatories, and guarantors whose reservation is binding) bargain: each
has a tactic, an aspiration that moves with it, and may walk away. A party that must
accept only the terms that bind it (a guarantor) judges every package by its red lines
alone. Observers take no part.

With a per-round discount factor ``delta``, a deal in round ``t`` is worth ``delta ** t``
times its utility, while the reservation value (no deal) is not discounted; so the least
utility a party can accept in round ``t`` is its *floor* ``r / delta ** t``, and a party
whose best package no longer reaches its floor walks away. Nobody ever accepts a package
that breaks one of its own red lines or falls short of its floor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.engine.agreement import RESERVATION_SLACK
from sim.protocols.candidates import Candidates
from sim.protocols.tactics import Tactic

__all__ = ["ACCEPT", "REJECT", "WALK_AWAY", "SILENT", "Setting", "Parties"]

SILENT, ACCEPT, REJECT, WALK_AWAY = 0, 1, 2, 3
"""Reply codes: not asked, accepts, rejects, walks away."""


@dataclass(frozen=True)
class Setting:
    """What one run is played under: tactics per party, discounts, deadline, breakdown risk.

    ``tactics[p]`` is ``None`` for a party that does not bargain; ``discount`` holds one
    factor in (0, 1] per party; ``breakdown`` is the chance per round that talks collapse.
    """

    tactics: tuple[Tactic | None, ...]
    discount: np.ndarray
    rounds: int
    breakdown: float = 0.0

    @classmethod
    def build(
        cls,
        compiled: CompiledScenario,
        tactics: Mapping[int, Tactic],
        default: Tactic,
        rounds: int,
        discount: float | Mapping[int, float] = 1.0,
        breakdown: float = 0.0,
    ) -> Setting:
        """A setting with ``default`` for every bargaining party not in ``tactics``.

        Raises
        ------
        ValueError
            For fewer than one round, a discount outside (0, 1] or a breakdown chance
            outside [0, 1].
        """
        if rounds < 1:
            raise ValueError(f"rounds must be at least 1, got {rounds}")
        if not 0.0 <= breakdown <= 1.0:
            raise ValueError(f"breakdown must be a probability in [0, 1], got {breakdown}")
        factors = np.ones(compiled.n_parties)
        if isinstance(discount, Mapping):
            for party, value in discount.items():
                factors[party] = value
        else:
            factors[:] = discount
        if not ((factors > 0) & (factors <= 1)).all():
            raise ValueError(f"discount factors must be in (0, 1], got {factors.tolist()}")
        chosen = tuple(
            tactics.get(p, default) if compiled.bargaining[p] else None
            for p in range(compiled.n_parties)
        )
        return cls(chosen, factors, rounds, breakdown)


class Parties:
    """The bargaining state of one run: every party's aspiration, round by round."""

    def __init__(
        self, compiled: CompiledScenario, candidates: Candidates, setting: Setting
    ) -> None:
        self.compiled = compiled
        self.candidates = candidates
        self.setting = setting
        self.is_bargaining = compiled.bargaining
        self.bargaining = np.flatnonzero(self.is_bargaining)
        self.ceiling = np.where(self.is_bargaining, candidates.best, np.nan)
        self.aspiration = self.ceiling.copy()
        self.floor = np.where(compiled.reservation_applies, compiled.reservation, -np.inf)
        self._reservation = [float(r) for r in compiled.reservation]
        self._discount = [float(d) for d in setting.discount]
        self._tactics = [(int(p), setting.tactics[p]) for p in self.bargaining]

    def advance(self, round_: int, news: Mapping[int, float]) -> np.ndarray:
        """Move to round ``round_``: new floors and aspirations; return who is hopeless.

        ``news[b]`` is the ratio by which party ``b``'s latest move lowered its own
        utility; each party's concession signal is the geometric mean over the others.
        """
        rounds = self.setting.rounds
        time = round_ / (rounds - 1) if rounds > 1 else 1.0
        hopeless = np.zeros(self.compiled.n_parties, dtype=bool)
        for p, tactic in self._tactics:
            ceiling = float(self.ceiling[p])
            floor = self._reservation[p] / self._discount[p] ** round_
            self.floor[p] = floor
            if not ceiling >= floor - RESERVATION_SLACK:
                hopeless[p] = True
                continue
            others = [math.log(max(ratio, 1e-9)) for b, ratio in news.items() if b != p]
            concession = math.exp(sum(others) / len(others)) if others else 1.0
            assert tactic is not None
            wanted = tactic.aspiration(time, floor, ceiling, float(self.aspiration[p]), concession)
            self.aspiration[p] = min(max(wanted, floor), ceiling)
        return hopeless

    def demand(self, party: int) -> float:
        """The least utility ``party`` accepts now (``nan`` for a guarantor)."""
        return float(self.aspiration[party]) if self.is_bargaining[party] else float("nan")

    def verdict(self, party: int, candidate: int) -> int:
        """ACCEPT or REJECT: own red lines kept and (bargaining parties) demand met."""
        if not self.candidates.keeps[candidate, party]:
            return REJECT
        if not self.is_bargaining[party]:
            return ACCEPT
        utility = self.candidates.utilities[candidate, party]
        return ACCEPT if utility >= self.aspiration[party] - RESERVATION_SLACK else REJECT

    def meets(self, party: int, rows: np.ndarray) -> np.ndarray:
        """Vectorized :meth:`verdict` over candidate indices ``rows``: whether each is accepted."""
        ok: np.ndarray = self.candidates.keeps[rows, party].copy()
        if self.is_bargaining[party]:
            ok &= (
                self.candidates.utilities[rows, party] >= self.aspiration[party] - RESERVATION_SLACK
            )
        return ok
