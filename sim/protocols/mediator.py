"""Single-negotiating-text mediation (the Camp David method).

A mediator tables one text; every party that must accept it replies, stating its
objections: the red lines the text breaks and, for a bargaining party, how far the text
falls short of its current aspiration (its *demand*, which its tactic lowers over time).
When nobody objects, the text is agreed. Otherwise the mediator revises it: it takes the
*loudest* objection (most red lines broken, then the largest shortfall, then file order)
and, among the packages that answer it, tables the one with the fewest parties whose red
lines it breaks, then the fewest whose demands it misses, then the largest Nash product
of the bargaining parties' gains over their reservation values, then the largest total
standing (:func:`.candidates.static_rank`). A revision never breaks more parties' red
lines than the text it replaces: when every answer would, the mediator keeps its text
and waits for the parties to lower their demands.

The first text is the package best by that same order with nobody demanding more than
its reservation value: with a non-empty agreement region, its Nash package. Talks end in
agreement, at the deadline, when a party walks away (its best package no longer beats
its reservation value under discounting), by chance breakdown, or in *deadlock*: the
revision process is deterministic given the text and the demands, so when a round opens
with a text and demands seen before, it would cycle for ever.

References
----------
Fisher, R. (1978). International Mediation: A Working Guide. International Peace Academy.
Raiffa, H. (1982). The Art and Science of Negotiation, ch. 14 (the single negotiating
text at Camp David). Harvard University Press.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.compile import CompiledScenario
from sim.protocols.candidates import Candidates, candidate_set, static_rank
from sim.protocols.parties import REJECT, WALK_AWAY, Parties, Setting
from sim.protocols.record import Record, to_trace
from sim.protocols.tactics import TACTICS, Tactic
from sim.results import Glossary, Trace

__all__ = ["prepare", "negotiate", "run"]


def prepare(compiled: CompiledScenario) -> Candidates:
    """The candidate set with the mediator's texts (and every bargaining party's best)."""
    return candidate_set(compiled, mediator=True)


def negotiate(
    compiled: CompiledScenario,
    candidates: Candidates,
    setting: Setting,
    rng: np.random.Generator,
) -> Record:
    """Mediate once; return the raw record.

    Raises
    ------
    ValueError
        If the candidate set was not prepared for a mediator, or nobody must accept.
    """
    if candidates.mediated is None:
        raise ValueError("the candidate set has no mediator texts: use mediator.prepare")
    texts = candidates.mediated
    necessary = np.flatnonzero(compiled.must_accept)
    if len(necessary) == 0 or len(texts) == 0:
        raise ValueError("mediation needs a party that must accept and a package to table")
    codes = np.arange(len(texts))
    rank = static_rank(compiled, candidates.utilities[texts], candidates.keeps[texts], codes)
    parties = Parties(compiled, candidates, setting)
    record = Record()
    text = int(texts[np.argmin(rank)])
    seen: set[tuple[int, bytes, bytes]] = set()
    previous = parties.aspiration.copy()
    news: dict[int, float] = {}
    n = compiled.n_parties
    for t in range(setting.rounds):
        if setting.breakdown > 0 and rng.random() < setting.breakdown:
            return record.finish("breakdown", t)
        before = previous
        hopeless = parties.advance(t, news)
        news = {
            int(p): float(parties.aspiration[p] / previous[p])
            for p in parties.bargaining
            if previous[p] > 0 and not hopeless[p]
        }
        previous = parties.aspiration.copy()
        replies = np.zeros(n, dtype=np.int8)
        demands = np.full(n, np.nan)
        for party in necessary:
            if hopeless[party]:
                replies[party] = WALK_AWAY
            else:
                replies[party] = parties.verdict(int(party), text)
                demands[party] = parties.demand(int(party))
        record.add(-1, text, float("nan"), replies, demands)
        leavers = np.flatnonzero(replies == WALK_AWAY)
        if len(leavers):
            return record.finish("walk_away", t, int(leavers[0]))
        objectors = necessary[replies[necessary] == REJECT]
        if len(objectors) == 0:
            return record.finish("agreement", t)
        state = (text, np.round(parties.aspiration, 12).tobytes(), np.round(before, 12).tobytes())
        if state in seen:
            return record.finish("deadlock", t)
        seen.add(state)
        text = _revise(compiled, candidates, parties, text, objectors, rank)
    return record.finish("deadline", setting.rounds - 1)


def _revise(
    compiled: CompiledScenario,
    candidates: Candidates,
    parties: Parties,
    text: int,
    objectors: np.ndarray,
    rank: np.ndarray,
) -> int:
    """The next text (or the same one, when every answer would break more red lines)."""
    assert candidates.mediated is not None
    texts = candidates.mediated
    owners = np.array([rule.owner for rule in compiled.rules], dtype=int)
    broken = [int(((owners == p) & ~candidates.holds[text]).sum()) for p in objectors]
    shortfall = [
        float(parties.aspiration[p] - candidates.utilities[text, p])
        if compiled.bargaining[p]
        else 0.0
        for p in objectors
    ]
    loudest = int(objectors[np.lexsort((objectors, -np.array(shortfall), -np.array(broken)))[0]])
    answers = np.flatnonzero(parties.meets(loudest, texts))
    if len(answers) == 0:
        return text
    necessary = np.flatnonzero(compiled.must_accept)
    red = (~candidates.keeps[texts[answers]][:, necessary]).sum(axis=1)
    short = np.zeros(len(answers), dtype=np.intp)
    for party in necessary:
        short += ~parties.meets(int(party), texts[answers])
    short -= red
    best = np.lexsort((rank[answers], short, red))[0]
    if red[best] > (~candidates.keeps[text, necessary]).sum():
        return text
    return int(texts[answers[best]])


def run(
    compiled: CompiledScenario,
    tactics: Mapping[int, Tactic] | None = None,
    rounds: int = 100,
    discount: float | Mapping[int, float] = 1.0,
    breakdown: float = 0.0,
    candidates: Candidates | None = None,
    default: Tactic = TACTICS["linear"],
    glossary: Glossary | None = None,
    seed: int | None = None,
    *,
    rng: np.random.Generator,
) -> Trace:
    """Single-negotiating-text mediation on a compiled scenario.

    Parameters are those of :func:`sim.protocols.alternating.run` (without ``first``);
    ``candidates`` must come from :func:`prepare`.
    """
    setting = Setting.build(compiled, tactics or {}, default, rounds, discount, breakdown)
    candidates = candidates if candidates is not None else prepare(compiled)
    record = negotiate(compiled, candidates, setting, rng)
    return to_trace(
        compiled, candidates, record, setting, protocol="mediator", seed=seed, glossary=glossary
    )
