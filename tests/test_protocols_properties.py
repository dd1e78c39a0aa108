"""Invariants of the protocols on random scenarios (Hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.compile import compile_scenario
from sim.engine.space import full_space, utilities_of
from sim.io import scenario_from_data
from sim.protocols import alternating, mediator
from sim.protocols.candidates import static_rank
from sim.protocols.parties import Setting
from sim.protocols.record import to_trace
from sim.protocols.tactics import TACTICS
from tests.strategies import scenarios

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TACTIC_NAMES = sorted(TACTICS)


def compiled_of(data):
    return compile_scenario(scenario_from_data(data))


def package_rows(compiled, package):
    return np.array(
        [[compiled.option_index(k, package[issue]) for k, issue in enumerate(compiled.issue_ids)]]
    )


def check_trace(compiled, trace):
    ids = compiled.party_ids
    for move in trace.moves:
        if move.package is None:
            continue
        rows = package_rows(compiled, move.package)
        utilities = utilities_of(compiled, rows)[0]
        if move.proposer != "mediator":
            proposer = ids.index(move.proposer)
            assert not move.replies.get(move.proposer)
            for rule in compiled.rules:
                if rule.owner == proposer:
                    assert rule.predicate([rows[:, k] for k in range(rows.shape[1])]).all(), rule.id
        for party, reply in move.replies.items():
            p = ids.index(party)
            if reply.verdict != "accept":
                continue
            assert compiled.must_accept[p]
            for rule in compiled.rules:
                if rule.owner == p:
                    assert rule.predicate([rows[:, k] for k in range(rows.shape[1])]).all(), rule.id
            if compiled.reservation_applies[p]:
                factor = trace.discount[party] ** move.round
                assert utilities[p] * factor >= compiled.reservation[p] - 1e-9
                assert utilities[p] >= reply.demand - 1e-9
    if trace.outcome == "agreement":
        last = trace.moves[-1]
        assert last.package == trace.agreement
        for p in np.flatnonzero(compiled.must_accept):
            party = ids[p]
            assert party == last.proposer or last.replies[party].verdict == "accept"
            if compiled.reservation_applies[p]:
                assert trace.utilities[party] >= compiled.reservation[p] - 1e-9


run_options = st.fixed_dictionaries(
    {
        "rounds": st.integers(1, 30),
        "discount": st.sampled_from([1.0, 0.95, 0.8]),
        "breakdown": st.sampled_from([0.0, 0.0, 0.1]),
        "seed": st.integers(0, 2**32 - 1),
        "tactics": st.lists(st.sampled_from(TACTIC_NAMES), min_size=4, max_size=4),
    }
)


def play(module, compiled, options):
    tactics = {
        int(p): TACTICS[name]
        for p, name in zip(np.flatnonzero(compiled.bargaining), options["tactics"], strict=False)
    }
    setting = Setting.build(
        compiled,
        tactics,
        TACTICS["linear"],
        options["rounds"],
        options["discount"],
        options["breakdown"],
    )
    candidates = module.prepare(compiled)
    record = module.negotiate(compiled, candidates, setting, np.random.default_rng(options["seed"]))
    return to_trace(
        compiled, candidates, record, setting, protocol=module.__name__, seed=options["seed"]
    )


@PROPERTY
@given(scenarios(), run_options)
def test_alternating_offers_never_cross_a_red_line_or_reservation(data, options):
    compiled = compiled_of(data)
    assume(compiled.bargaining.any())
    trace = play(alternating, compiled, options)
    check_trace(compiled, trace)
    assert trace == play(alternating, compiled, options)


@PROPERTY
@given(scenarios(), run_options)
def test_mediation_never_crosses_a_red_line_or_reservation(data, options):
    compiled = compiled_of(data)
    assume(compiled.must_accept.any())
    trace = play(mediator, compiled, options)
    check_trace(compiled, trace)
    assert trace == play(mediator, compiled, options)


@PROPERTY
@given(scenarios(), st.floats(0, 1))
def test_offers_are_the_brute_force_best_for_the_others(data, target):
    compiled = compiled_of(data)
    assume(compiled.bargaining.any())
    check_offers(compiled, target)


def check_offers(compiled, target):
    candidates = alternating.prepare(compiled)
    space = full_space(compiled)
    options = space.options(np.arange(space.size))
    columns = [options[:, k] for k in range(options.shape[1])]
    utilities = utilities_of(compiled, options)
    keeps = np.ones((len(options), compiled.n_parties), dtype=bool)
    allowed = np.ones(len(options), dtype=bool)
    for rule in compiled.rules:
        holds = np.broadcast_to(rule.predicate(columns), allowed.shape)
        if rule.owner < 0:
            allowed &= holds
        else:
            keeps[:, rule.owner] &= holds
    codes = np.ravel_multi_index(options.T, compiled.n_options)
    for proposer in np.flatnonzero(compiled.bargaining):
        own = allowed & keeps[:, proposer]
        if not own.any():
            continue
        best = utilities[own, proposer].max()
        assert candidates.best[proposer] == best
        level = min(target, best)
        feasible = own & (utilities[:, proposer] >= level - 1e-12)
        rank = static_rank(compiled, utilities, keeps, codes, exclude=int(proposer))
        expected = options[np.flatnonzero(feasible)[np.argmin(rank[feasible])]]
        offered = candidates.options[candidates.tables[int(proposer)].offer(level)]
        assert offered.tolist() == expected.tolist()


def test_offers_are_the_brute_force_best_on_a_larger_space():
    # 6^5 = 7,776 packages, so the frontier prefilters work on groups of hundreds.
    rng = np.random.default_rng(7)
    issues = {
        f"i{k}": {"kind": "ordinal", "options": [f"o{j}" for j in range(6)]} for k in range(5)
    }
    parties = {}
    for p, role in enumerate(["signatory", "signatory", "guarantor"]):
        parties[f"p{p}"] = {
            "role": role,
            "weights": {f"i{k}": float(rng.integers(1, 4)) for k in range(5)},
            "values": {
                f"i{k}": {f"o{j}": float(rng.integers(0, 11)) / 10 for j in range(6)}
                for k in range(5)
            },
            "reservation": 0.3,
            "red_lines": [{"id": f"r{p}", "rule": f"i{p} != o{p}"}],
        }
    data = {"title": "larger", "issues": issues, "parties": parties}
    for target in (0.0, 0.35, 0.5, 0.62, 0.8, 1.0):
        check_offers(compiled_of(data), target)
