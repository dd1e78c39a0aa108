"""The facade: simulate negotiations on a validated scenario, by party ids and tactic names.

``simulate`` plays one negotiation and returns its :class:`~sim.results.Trace`;
``simulate_many`` plays many (Monte Carlo over protocol randomness and tactics) and
returns a :class:`~sim.results.SimulationSummary`. Both compile the scenario, resolve
party ids and tactic names, seed the random stream and attach labels for presenters;
the protocols themselves work on arrays only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.analysis import glossary as make_glossary
from sim.compile import CompiledScenario, compile_scenario
from sim.protocols import alternating, mediator, rubinstein
from sim.protocols.montecarlo import play, summarize
from sim.protocols.tactics import Tactic, parse_tactic
from sim.results import SimulationSummary, Trace
from sim.schema import Scenario

__all__ = ["PROTOCOLS", "DEFAULT_POOL", "simulate", "simulate_many"]

PROTOCOLS = {
    "alternating": alternating.run,
    "mediator": mediator.run,
    "rubinstein": rubinstein.run,
}
"""Protocols by name; each is ``run(compiled, ..., rng=...) -> Trace``."""

DEFAULT_POOL = ("boulware", "linear", "conceder", "hardliner", "tit_for_tat")
"""Tactics a party without a fixed one draws from in Monte Carlo runs."""


def _position(compiled: CompiledScenario, party: str, what: str) -> int:
    if party not in compiled.party_ids:
        known = ", ".join(compiled.party_ids)
        raise ValueError(f"{what}: unknown party {party!r} (parties: {known})")
    return compiled.party_ids.index(party)


def _scenario_tactics(
    scenario: Scenario, tactics: Mapping[str, str | Tactic] | None
) -> dict[str, str | Tactic]:
    """Tactics the scenario names per party, overridden by the caller's."""
    merged: dict[str, str | Tactic] = {
        party.id: party.tactic
        for party in scenario.party_list
        if party.tactic is not None and party.must_accept and party.reservation_applies
    }
    merged.update(tactics or {})
    return merged


def _scenario_discount(
    scenario: Scenario, discount: float | Mapping[str, float] | None, fallback: float
) -> float | Mapping[str, float]:
    """The caller's discount, else the scenario's per-party discounts, else ``fallback``."""
    if discount is not None:
        return discount
    declared = {p.id: p.discount for p in scenario.party_list if p.discount is not None}
    if not declared:
        return fallback
    return {p.id: declared.get(p.id, fallback) for p in scenario.party_list}


def _tactics(
    compiled: CompiledScenario, tactics: Mapping[str, str | Tactic] | None
) -> dict[int, Tactic]:
    chosen = {}
    for party, tactic in (tactics or {}).items():
        p = _position(compiled, party, "tactics")
        if not compiled.bargaining[p]:
            raise ValueError(
                f"tactics: party {party!r} does not bargain (only signatories and guarantors "
                "with a binding reservation value have tactics)"
            )
        chosen[p] = parse_tactic(tactic) if isinstance(tactic, str) else tactic
    return chosen


def _discount(
    compiled: CompiledScenario, discount: float | Mapping[str, float]
) -> float | dict[int, float]:
    if isinstance(discount, Mapping):
        return {_position(compiled, party, "discount"): float(v) for party, v in discount.items()}
    return float(discount)


def simulate(
    scenario: Scenario,
    protocol: str = "alternating",
    tactics: Mapping[str, str | Tactic] | None = None,
    rounds: int | None = None,
    seed: int | None = None,
    discount: float | Mapping[str, float] | None = None,
    breakdown: float = 0.0,
    first: str | None = None,
    default: str | Tactic = "linear",
) -> Trace:
    """Simulate one negotiation on a scenario.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`sim.load_scenario`).
    protocol
        ``alternating`` (stacked alternating offers), ``mediator`` (single negotiating
        text) or ``rubinstein`` (the equilibrium of Rubinstein's game on a divisible issue).
    tactics
        Tactic per party id, by name (``boulware``, ``linear``, ``conceder``,
        ``hardliner``, ``tit_for_tat``, ``boulware:e=0.1``) or as an object; parties not
        named keep the tactic their scenario entry declares, else ``default``. Ignored by
        ``rubinstein``.
    rounds
        Deadline in rounds (default 100; for ``rubinstein``, none).
    seed
        Seed of the random stream (breakdowns).
    discount
        Per-round discount factor, one for all or per party id (default: the parties'
        declared ``discount``, else 1; for ``rubinstein``, 0.9).
    breakdown
        Chance per round that the talks collapse.
    first
        Party id that proposes first (default: the first bargaining party in the file).
    default
        Tactic of the bargaining parties not in ``tactics``.

    Raises
    ------
    ValueError
        For an unknown protocol, party or tactic, or parameters out of range.
    sim.engine.space.SpaceTooLarge
        If the package space exceeds the scenario's limit.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r} (protocols: {', '.join(PROTOCOLS)})")
    compiled = compile_scenario(scenario)
    rng = np.random.default_rng(seed)
    labels = make_glossary(scenario)
    start = _position(compiled, first, "first") if first is not None else None
    if protocol == "rubinstein":
        return rubinstein.run(
            compiled,
            _discount(compiled, _scenario_discount(scenario, discount, 0.9)),
            rounds,
            start,
            glossary=labels,
            seed=seed,
            rng=rng,
        )
    base = parse_tactic(default) if isinstance(default, str) else default
    common = dict(
        tactics=_tactics(compiled, _scenario_tactics(scenario, tactics)),
        rounds=100 if rounds is None else rounds,
        discount=_discount(compiled, _scenario_discount(scenario, discount, 1.0)),
        breakdown=breakdown,
        default=base,
        glossary=labels,
        seed=seed,
        rng=rng,
    )
    if protocol == "mediator":
        return mediator.run(compiled, **common)  # type: ignore[arg-type]
    return alternating.run(compiled, first=start, **common)  # type: ignore[arg-type]


def simulate_many(
    scenario: Scenario,
    runs: int = 1000,
    protocol: str = "alternating",
    tactics: Mapping[str, str | Tactic] | None = None,
    pool: Sequence[str | Tactic] = DEFAULT_POOL,
    rounds: int = 100,
    seed: int | None = None,
    discount: float | Mapping[str, float] | None = None,
    breakdown: float = 0.0,
    workers: int = 1,
    top: int = 5,
) -> SimulationSummary:
    """Monte Carlo over protocol randomness and tactics (``alternating`` or ``mediator``).

    Parties named in ``tactics`` keep theirs; every other bargaining party draws one
    from ``pool`` in each run; alternating offers also draw the first proposer. Run ``i``
    uses stream ``i`` of ``numpy.random.SeedSequence(seed).spawn(runs)``, whatever
    ``workers`` is.

    Raises
    ------
    ValueError
        For an unknown protocol, party or tactic, or parameters out of range.
    """
    if protocol not in ("alternating", "mediator"):
        raise ValueError(
            f"Monte Carlo runs take protocol alternating or mediator, not {protocol!r}"
        )
    compiled = compile_scenario(scenario)
    fixed = _tactics(compiled, _scenario_tactics(scenario, tactics))
    tactic_pool = [parse_tactic(t) if isinstance(t, str) else t for t in pool]
    factors = _discount(compiled, _scenario_discount(scenario, discount, 1.0))
    candidates = (mediator if protocol == "mediator" else alternating).prepare(compiled)
    outcomes = play(
        compiled,
        candidates,
        protocol,
        runs,
        fixed,
        tactic_pool,
        rounds,
        factors,
        breakdown,
        seed,
        workers,
    )
    return summarize(
        compiled,
        candidates,
        outcomes,
        protocol=protocol,
        rounds=rounds,
        fixed=fixed,
        pool=tactic_pool,
        seed=seed,
        top=top,
        glossary=make_glossary(scenario),
    )
