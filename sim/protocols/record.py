"""What a protocol writes while it runs (integers and floats only), and the Trace made of it.

Protocols append one entry per round to a :class:`Record`: the proposer's position (-1
for a mediator), the candidate tabled (-1 if none), the proposer's aspiration, a reply
code and a demand per party. Monte Carlo runs read the record directly; :func:`to_trace`
turns it into the immutable, JSON-ready :class:`~sim.results.Trace` with ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.compile import CompiledScenario
from sim.protocols.candidates import Candidates
from sim.protocols.parties import ACCEPT, REJECT, WALK_AWAY, Setting
from sim.results import Glossary, Move, Outcome, Reply, ReplyVerdict, Trace

__all__ = ["Record", "to_trace"]

_VERDICTS: dict[int, ReplyVerdict] = {ACCEPT: "accept", REJECT: "reject", WALK_AWAY: "walk_away"}


@dataclass
class Record:
    """A protocol's raw log; ``outcome``, ``ended`` and ``walked_away`` are set at the end."""

    proposers: list[int] = field(default_factory=list)
    offers: list[int] = field(default_factory=list)
    aspirations: list[float] = field(default_factory=list)
    replies: list[np.ndarray] = field(default_factory=list)
    demands: list[np.ndarray] = field(default_factory=list)
    outcome: Outcome = "deadline"
    ended: int = 0
    walked_away: int = -1

    def add(
        self, proposer: int, offer: int, aspiration: float, replies: np.ndarray, demands: np.ndarray
    ) -> None:
        """Log one round."""
        self.proposers.append(proposer)
        self.offers.append(offer)
        self.aspirations.append(aspiration)
        self.replies.append(replies)
        self.demands.append(demands)

    def finish(self, outcome: Outcome, ended: int, walked_away: int = -1) -> Record:
        """Set how the talks ended; return the record."""
        self.outcome, self.ended, self.walked_away = outcome, ended, walked_away
        return self

    @property
    def agreement(self) -> int:
        """Candidate agreed, or -1."""
        return self.offers[-1] if self.outcome == "agreement" else -1


def _round(value: float) -> float:
    return round(float(value), 12)


def to_trace(
    compiled: CompiledScenario,
    candidates: Candidates,
    record: Record,
    setting: Setting,
    *,
    protocol: str,
    seed: int | None = None,
    glossary: Glossary | None = None,
) -> Trace:
    """The immutable trace of a record, with issue, option, party and red-line ids."""
    ids = compiled.party_ids
    rule_ids = [rule.id for rule in compiled.rules]
    owners = np.array([rule.owner for rule in compiled.rules], dtype=int)
    moves = []
    broken_by: dict[int, list[tuple[str, ...]]] = {}
    for t, proposer in enumerate(record.proposers):
        offer = record.offers[t]
        if offer >= 0 and offer not in broken_by:
            broken_rules = ~candidates.holds[offer]
            broken_by[offer] = [
                tuple(rule_ids[r] for r in np.flatnonzero(broken_rules & (owners == p)))
                for p in range(compiled.n_parties)
            ]
        replies = {}
        codes, demands = record.replies[t].tolist(), record.demands[t].tolist()
        for p, code in enumerate(codes):
            if code == 0:
                continue
            demand = demands[p]
            replies[ids[p]] = Reply(
                _VERDICTS[code],
                broken_by[offer][p] if offer >= 0 else (),
                None if demand != demand else _round(demand),
            )
        aspiration = record.aspirations[t]
        moves.append(
            Move(
                round=t,
                proposer=ids[proposer] if proposer >= 0 else "mediator",
                package=compiled.package(candidates.options[offer]) if offer >= 0 else None,
                utilities=_utilities(compiled, candidates.utilities[offer]) if offer >= 0 else None,
                aspiration=None if np.isnan(aspiration) else _round(aspiration),
                replies=replies,
            )
        )
    agreed = record.agreement
    utilities = _utilities(compiled, candidates.utilities[agreed]) if agreed >= 0 else None
    discounted = (
        _utilities(compiled, candidates.utilities[agreed] * setting.discount**record.ended)
        if agreed >= 0
        else None
    )
    return Trace(
        protocol=protocol,
        rounds=setting.rounds,
        seed=seed,
        tactics={ids[p]: t.name for p, t in enumerate(setting.tactics) if t is not None},
        discount={ids[p]: float(d) for p, d in enumerate(setting.discount)},
        breakdown=setting.breakdown,
        moves=tuple(moves),
        outcome=record.outcome,
        ended=record.ended,
        agreement=compiled.package(candidates.options[agreed]) if agreed >= 0 else None,
        utilities=utilities,
        discounted=discounted,
        walked_away=ids[record.walked_away] if record.walked_away >= 0 else None,
        glossary=glossary,
    )


def _utilities(compiled: CompiledScenario, values: np.ndarray) -> dict[str, float]:
    return {party: _round(v) for party, v in zip(compiled.party_ids, values, strict=True)}
