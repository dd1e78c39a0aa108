"""Stacked alternating offers: the bargaining parties propose in turn until all accept.

In round ``t`` the party whose turn it is (the bargaining parties in file order, starting
with ``first``) tables the package the others like best among those that keep its own red
lines and give it at least its aspiration (the offer rule of :mod:`.candidates`). Every
other party that must accept then replies in file order: it accepts when the package
keeps its red lines and (for a bargaining party) meets its current aspiration, rejects
otherwise (and counters at its own turn), or walks away once even its best package can no
longer beat its reservation value under discounting. The package is agreed when every
reply is an acceptance. Before each round the talks may break down with probability
``breakdown`` (one draw from ``rng`` per round); after ``rounds`` rounds the deadline
ends them.

This is the multilateral protocol of Aydoğan et al. (2017), played in rounds of one
proposal and all replies; with two parties it is Rubinstein's alternating offers with a
deadline (:mod:`.rubinstein` gives that game's equilibrium).

References
----------
Aydoğan, R., Festen, D., Hindriks, K. V., Jonker, C. M. (2017). Alternating offers
protocols for multilateral negotiation. Modern Approaches to Agent-based Complex
Automated Negotiation, Springer, 153-167.
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. Econometrica 50(1),
97-109.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.compile import CompiledScenario
from sim.protocols.candidates import Candidates, candidate_set
from sim.protocols.parties import ACCEPT, WALK_AWAY, Parties, Setting
from sim.protocols.record import Record, to_trace
from sim.protocols.tactics import TACTICS, Tactic
from sim.results import Glossary, Trace

__all__ = ["prepare", "negotiate", "run"]


def prepare(compiled: CompiledScenario) -> Candidates:
    """The candidate set with an offer table for every bargaining party."""
    return candidate_set(compiled, tuple(int(p) for p in np.flatnonzero(compiled.bargaining)))


def negotiate(
    compiled: CompiledScenario,
    candidates: Candidates,
    setting: Setting,
    rng: np.random.Generator,
    first: int | None = None,
) -> Record:
    """Play the protocol once; return the raw record.

    Raises
    ------
    ValueError
        If no party bargains, or ``first`` is not a bargaining party.
    """
    proposers = np.flatnonzero(compiled.bargaining)
    if len(proposers) == 0:
        raise ValueError("no party bargains: alternating offers need a signatory")
    start = 0
    if first is not None:
        matches = np.flatnonzero(proposers == first)
        if len(matches) == 0:
            raise ValueError(f"party {compiled.party_ids[first]!r} does not bargain")
        start = int(matches[0])
    necessary = np.flatnonzero(compiled.must_accept)
    parties = Parties(compiled, candidates, setting)
    record = Record()
    news: dict[int, float] = {}
    latest: dict[int, float] = {}
    n = compiled.n_parties
    for t in range(setting.rounds):
        if setting.breakdown > 0 and rng.random() < setting.breakdown:
            return record.finish("breakdown", t)
        hopeless = parties.advance(t, news)
        news = {}
        proposer = int(proposers[(start + t) % len(proposers)])
        replies = np.zeros(n, dtype=np.int8)
        demands = np.full(n, np.nan)
        if hopeless[proposer]:
            replies[proposer] = WALK_AWAY
            record.add(proposer, -1, float("nan"), replies, demands)
            return record.finish("walk_away", t, proposer)
        aspiration = float(parties.aspiration[proposer])
        offer = candidates.tables[proposer].offer(aspiration)
        own = float(candidates.utilities[offer, proposer])
        if latest.get(proposer, 0.0) > 0:
            news[proposer] = own / latest[proposer]
        latest[proposer] = own
        leaver = -1
        for party in necessary:
            if party == proposer:
                continue
            if hopeless[party]:
                replies[party] = WALK_AWAY
                leaver = int(party) if leaver < 0 else leaver
                continue
            replies[party] = parties.verdict(int(party), offer)
            demands[party] = parties.demand(int(party))
        record.add(proposer, offer, aspiration, replies, demands)
        if leaver >= 0:
            return record.finish("walk_away", t, leaver)
        if all(replies[p] == ACCEPT for p in necessary if p != proposer):
            return record.finish("agreement", t)
    return record.finish("deadline", setting.rounds - 1)


def run(
    compiled: CompiledScenario,
    tactics: Mapping[int, Tactic] | None = None,
    rounds: int = 100,
    discount: float | Mapping[int, float] = 1.0,
    breakdown: float = 0.0,
    first: int | None = None,
    candidates: Candidates | None = None,
    default: Tactic = TACTICS["linear"],
    glossary: Glossary | None = None,
    seed: int | None = None,
    *,
    rng: np.random.Generator,
) -> Trace:
    """Stacked alternating offers on a compiled scenario.

    Parameters
    ----------
    compiled
        The scenario.
    tactics
        Tactic per party position; bargaining parties not named use ``default``.
    rounds
        Deadline in rounds.
    discount
        Per-round discount factor, one for all or per party position.
    breakdown
        Chance per round that the talks collapse.
    first
        Position of the party that proposes first (default: the first bargaining party).
    candidates
        A prepared candidate set (:func:`prepare`), to reuse across runs.
    default
        Tactic of the bargaining parties not in ``tactics``.
    glossary, seed
        Labels and the seed, recorded in the trace for presenters.
    rng
        The only source of randomness (breakdowns).
    """
    setting = Setting.build(compiled, tactics or {}, default, rounds, discount, breakdown)
    candidates = candidates if candidates is not None else prepare(compiled)
    record = negotiate(compiled, candidates, setting, rng, first)
    return to_trace(
        compiled, candidates, record, setting, protocol="alternating", seed=seed, glossary=glossary
    )
