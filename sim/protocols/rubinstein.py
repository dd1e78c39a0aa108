"""Rubinstein's alternating offers over a divisible issue: closed forms and the game played.

Two players split a surplus of 1, proposing in turn; a share ``x`` agreed in round ``t``
is worth ``delta_i ** t * x`` to player ``i``. With no deadline the unique subgame-perfect
equilibrium (SPE) agrees at once on the proposer's share ``(1 - d2) / (1 - d1 d2)``
(:func:`rubinstein_split`). With a deadline of ``T`` rounds (no deal after the last, the
last proposer takes everything), backward induction gives :func:`rubinstein_finite_split`.

:func:`run` plays the game on a scenario whose only issue is continuous (a divisible
issue) and whose two bargaining parties value it by piecewise-linear curves, e.g. the
teaching split scenario. It does not use the issue's grid: between the grid points that
carry the curves' breakpoints each utility is linear, so the SPE offer of a round
(the proposer's best point among those giving the responder at least its acceptance
threshold) is solved exactly on the actual interval, at a grid point or where the
responder's utility crosses the threshold inside a grid cell. Thresholds come from the
continuation: with a deadline by backward induction from the last round; without one by
iterating the stationary equations (each proposer offers the responder the discounted
value of the responder's own next offer) to a fixed point, a contraction with factor
``d1 d2``, the limit of the finite games. Reservation values act as outside options
that a responder may take instead of the offer (Binmore, Shaked and Sutton 1989); with
reservation values of zero the closed forms are reproduced to rounding error.

References
----------
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. Econometrica 50(1),
97-109.
Ståhl, I. (1972). Bargaining Theory. Stockholm School of Economics.
Binmore, K., Shaked, A., Sutton, J. (1989). An outside option experiment. Quarterly
Journal of Economics 104(4), 753-770.
Osborne, M. J., Rubinstein, A. (1990). Bargaining and Markets, ch. 3. Academic Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.results import Glossary, Move, Reply, Trace

__all__ = ["rubinstein_split", "rubinstein_finite_split", "Split", "split_game", "run"]

_TOLERANCE = 1e-15


def _check(delta_1: float, delta_2: float) -> None:
    for name, value in (("delta_1", delta_1), ("delta_2", delta_2)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {value}")


def rubinstein_split(delta_1: float, delta_2: float) -> tuple[float, float]:
    """Infinite-horizon SPE shares ``(proposer, responder)`` of a unit surplus.

    Raises
    ------
    ValueError
        If a factor is outside [0, 1], or both are 1 (no equilibrium is unique then).

    Examples
    --------
    >>> rubinstein_split(0.9, 0.9)
    (0.5263157894736843, 0.4736842105263157)
    """
    _check(delta_1, delta_2)
    if delta_1 * delta_2 == 1.0:
        raise ValueError("with both discount factors 1 every split is an equilibrium")
    first = (1.0 - delta_2) / (1.0 - delta_1 * delta_2)
    return first, 1.0 - first


def rubinstein_finite_split(delta_1: float, delta_2: float, rounds: int) -> tuple[float, float]:
    """SPE shares ``(first proposer, responder)`` with a deadline of ``rounds`` rounds.

    In the last round the proposer takes everything; in every earlier round it offers the
    responder exactly the discounted share the responder would take as next proposer.

    Examples
    --------
    >>> rubinstein_finite_split(0.5, 0.5, 2)
    (0.5, 0.5)
    """
    _check(delta_1, delta_2)
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    deltas = (delta_1, delta_2)
    share = 1.0  # the proposer's share in the last round
    for t in range(rounds - 2, -1, -1):
        responder = deltas[(t + 1) % 2]
        share = 1.0 - responder * share
    return share, 1.0 - share


@dataclass(frozen=True)
class Split:
    """A two-party divisible issue: breakpoints ``grid`` and utilities ``values[:, party]``.

    ``low``/``high`` bound the values every party's red lines allow; ``reservation`` holds
    the outside options.
    """

    grid: np.ndarray
    values: np.ndarray
    low: float
    high: float
    reservation: np.ndarray

    def utility(self, x: float, party: int) -> float:
        """Utility of the value ``x`` for ``party`` (0 or 1)."""
        return float(np.interp(x, self.grid, self.values[:, party]))

    def best_offer(self, proposer: int, threshold: float) -> float | None:
        """Proposer's best value giving the responder at least ``threshold``, or ``None``."""
        responder = 1 - proposer
        inside = (self.grid >= self.low) & (self.grid <= self.high)
        points = [self.grid[inside], np.array([self.low, self.high])]
        x0, x1 = self.grid[:-1], self.grid[1:]
        v0, v1 = self.values[:-1, responder], self.values[1:, responder]
        crossing = (v0 - threshold) * (v1 - threshold) < 0
        if crossing.any():
            share = (threshold - v0[crossing]) / (v1[crossing] - v0[crossing])
            points.append(x0[crossing] + share * (x1[crossing] - x0[crossing]))
        xs = np.concatenate(points)
        xs = xs[(xs >= self.low) & (xs <= self.high)]
        gets = np.interp(xs, self.grid, self.values[:, responder])
        xs, gets = xs[gets >= threshold - 1e-12], gets[gets >= threshold - 1e-12]
        if len(xs) == 0:
            return None
        keeps = np.interp(xs, self.grid, self.values[:, proposer])
        best = np.lexsort((xs, -gets, -keeps))[0]
        return float(xs[best])


def split_game(compiled: CompiledScenario) -> tuple[Split, tuple[int, int]]:
    """The divisible issue and the two bargaining parties' positions of a scenario.

    Raises
    ------
    ValueError
        Unless the scenario has one issue, continuous, and exactly two bargaining parties,
        and the red lines leave one interval.
    """
    if len(compiled.issue_ids) != 1 or compiled.grids[0] is None:
        raise ValueError("Rubinstein's game needs a scenario whose only issue is continuous")
    players = tuple(int(p) for p in np.flatnonzero(compiled.bargaining))
    if len(players) != 2:
        raise ValueError("Rubinstein's game needs exactly two bargaining parties")
    grid = np.asarray(compiled.grids[0], dtype=float)
    allowed = np.ones(len(grid), dtype=bool)
    for rule in compiled.rules:
        if rule.owner < 0 or compiled.must_accept[rule.owner]:
            allowed &= np.broadcast_to(rule.predicate([np.arange(len(grid))]), allowed.shape)
    positions = np.flatnonzero(allowed)
    if len(positions) == 0 or positions[-1] - positions[0] + 1 != len(positions):
        raise ValueError("the red lines must leave one interval of the divisible issue")
    values = compiled.tables[0][:, list(players)]
    split = Split(
        grid,
        values,
        float(grid[positions[0]]),
        float(grid[positions[-1]]),
        compiled.reservation[list(players)].astype(float),
    )
    return split, (players[0], players[1])


def _step(split: Split, proposer: int, later: np.ndarray) -> tuple[str, float | None, np.ndarray]:
    """One round of backward induction, given both players' values ``later`` of rejection.

    Returns the proposer's action (``offer``, ``delay``: an offer the responder will
    refuse, or ``leave``: take its outside option), the SPE offer, and both values.
    """
    responder = 1 - proposer
    threshold = max(split.reservation[responder], later[responder])
    offer = split.best_offer(proposer, threshold)
    if offer is not None:
        mine = split.utility(offer, proposer)
        if mine >= max(split.reservation[proposer], later[proposer]) - 1e-12:
            value = np.empty(2)
            value[proposer], value[responder] = mine, split.utility(offer, responder)
            return "offer", offer, value
    if split.reservation[proposer] > later[proposer]:
        return "leave", None, split.reservation.copy()
    return "delay", None, later.copy()


Plan = list[tuple[str, float | None, np.ndarray]]


def equilibrium(split: Split, delta: np.ndarray, rounds: int | None) -> Plan:
    """SPE actions, offers and values, round by round, players alternating from player 0.

    After the deadline each player gets its reservation value; a rejection before it is
    worth the discounted value of the next round. With ``rounds`` None, the stationary
    equilibrium, returned for rounds 0 and 1 (it repeats).
    """
    if rounds is not None:
        plan: Plan = []
        later = split.reservation.copy()
        for t in range(rounds - 1, -1, -1):
            step = _step(split, t % 2, later)
            plan.append(step)
            later = delta * step[2]
        return plan[::-1]
    values = [split.reservation.copy(), split.reservation.copy()]
    steps: Plan = []
    for _ in range(1_000_000):
        second = _step(split, 1, delta * values[0])
        first = _step(split, 0, delta * second[2])
        change = float(np.abs(first[2] - values[0]).max())
        values = [first[2], second[2]]
        steps = [first, second]
        if change <= _TOLERANCE:
            break
    return steps


def run(
    compiled: CompiledScenario,
    discount: float | Mapping[int, float] = 0.9,
    rounds: int | None = None,
    first: int | None = None,
    glossary: Glossary | None = None,
    seed: int | None = None,
    *,
    rng: np.random.Generator,
) -> Trace:
    """Play Rubinstein's game in its subgame-perfect equilibrium on a divisible issue.

    ``discount`` is one factor for both players or one per party position; ``rounds`` a
    deadline (``None``: none); ``first`` the position of the first proposer. The game is
    deterministic: ``rng`` is accepted for the common protocol signature only.
    """
    split, players = split_game(compiled)
    if first is not None and first not in players:
        raise ValueError(f"party {compiled.party_ids[first]!r} does not bargain")
    if first is not None and first == players[1]:
        players = (players[1], players[0])
        split = Split(
            split.grid, split.values[:, ::-1], split.low, split.high, split.reservation[::-1]
        )
    factors = discount if isinstance(discount, Mapping) else {p: discount for p in players}
    delta = np.array([factors.get(p, 1.0) for p in players], dtype=float)
    if not ((delta > 0) & (delta <= 1)).all():
        raise ValueError(f"discount factors must be in (0, 1], got {delta.tolist()}")
    if rounds is None and delta.prod() >= 1:
        raise ValueError("without a deadline, some discount factor must be below 1")
    plan = equilibrium(split, delta, rounds)
    issue = compiled.issue_ids[0]
    ids = compiled.party_ids
    moves: list[Move] = []
    outcome, ended, agreed = "deadline", (rounds or 1) - 1, None
    t = 0
    while rounds is None or t < rounds:
        action, offer, _ = plan[t] if rounds is not None else plan[t % 2]
        proposer, responder = players[t % 2], players[1 - t % 2]
        if action == "leave":
            moves.append(
                Move(t, ids[proposer], None, None, None, {ids[proposer]: Reply("walk_away")})
            )
            outcome, ended = "walk_away", t
            break
        if action == "delay":
            moves.append(
                Move(t, ids[proposer], None, None, None, {ids[responder]: Reply("reject")})
            )
            t += 1
            if rounds is None and t > 1:
                outcome, ended = "deadlock", t - 1
                break
            continue
        assert offer is not None
        worth = {ids[p]: round(split.utility(offer, i), 12) for i, p in enumerate(players)}
        moves.append(
            Move(
                t,
                ids[proposer],
                {issue: offer},
                worth,
                worth[ids[proposer]],
                {ids[responder]: Reply("accept")},
            )
        )
        outcome, ended, agreed = "agreement", t, offer
        break
    walked = ids[players[ended % 2]] if outcome == "walk_away" else None
    utilities = (
        None
        if agreed is None
        else {ids[p]: round(split.utility(agreed, i), 12) for i, p in enumerate(players)}
    )
    discounted = (
        None
        if utilities is None
        else {
            ids[p]: round(utilities[ids[p]] * float(delta[i]) ** ended, 12)
            for i, p in enumerate(players)
        }
    )
    return Trace(
        protocol="rubinstein",
        rounds=rounds,
        seed=seed,
        tactics={},
        discount={ids[p]: float(delta[i]) for i, p in enumerate(players)},
        breakdown=0.0,
        moves=tuple(moves),
        outcome=outcome,  # type: ignore[arg-type]
        ended=ended,
        agreement={issue: agreed} if agreed is not None else None,
        utilities=utilities,
        discounted=discounted,
        walked_away=walked,
        glossary=glossary,
    )
