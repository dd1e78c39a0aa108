"""Negotiation tactics: how a party's aspiration (the utility it asks for) moves over time.

A tactic maps the state of the talks to an *aspiration* between a floor (the party's
reservation value, raised by discounting) and a ceiling (the best utility it can get from
a package that keeps its red lines). A party offers the package the others like best
among those that give it at least its aspiration, and accepts an offer that does.

Time-dependent tactics (Faratin, Sierra and Jennings 1998) concede with the share of the
deadline elapsed, ``t`` in [0, 1]::

    p(t) = Pmin + (Pmax - Pmin) (1 - f(t)),     f(t) = k + (1 - k) t ** (1 / e)

``e < 1`` is Boulware (holds firm, concedes near the deadline), ``e = 1`` linear,
``e > 1`` Conceder (concedes early), and ``e = 0`` the hardliner, who never concedes.
Relative tit-for-tat, a behaviour-dependent tactic, concedes in ratio as much as the
others just did: its aspiration is multiplied by the (geometric mean) ratio between the
utility each other party's latest move gives that party and what its previous move gave.

Tactics are named in a registry (:data:`TACTICS`) and parsed from text such as
``boulware``, ``boulware:e=0.1`` or ``time:e=0.5,k=0.1`` (:func:`parse_tactic`).

References
----------
Faratin, P., Sierra, C., Jennings, N. R. (1998). Negotiation decision functions for
autonomous agents. Robotics and Autonomous Systems 24(3-4), 159-182.
Baarslag, T., Hindriks, K., Jonker, C. (2013). A tit for tat negotiation strategy for
real-time bilateral negotiations. Complex Automated Negotiations, Springer, 229-233.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Tactic", "TimeDependent", "RelativeTitForTat", "TACTICS", "parse_tactic"]


class Tactic(Protocol):
    """What every tactic provides: a name and an aspiration rule."""

    @property
    def name(self) -> str:
        """Name as it appears in traces (with parameters when not the registry's)."""
        ...

    def aspiration(
        self, time: float, floor: float, ceiling: float, previous: float, concession: float
    ) -> float:
        """The utility the party asks for now.

        Parameters
        ----------
        time
            Share of the deadline elapsed, in [0, 1].
        floor, ceiling
            The least the party can accept and the most it can hope for.
        previous
            Its aspiration one round earlier (the ceiling at the start).
        concession
            Ratio by which the others' latest moves lowered their own utility (1: no move).
        """
        ...


@dataclass(frozen=True)
class TimeDependent:
    """Faratin et al.'s time-dependent tactic with concession exponent ``e`` and start ``k``."""

    e: float
    k: float = 0.0
    label: str = "time"

    def __post_init__(self) -> None:
        if self.e < 0 or not 0.0 <= self.k <= 1.0:
            raise ValueError(
                f"time-dependent tactic needs e >= 0 and 0 <= k <= 1, got e={self.e}, k={self.k}"
            )

    @property
    def name(self) -> str:
        """The label, with parameters when they differ from the registry's."""
        registered = TACTICS.get(self.label)
        if registered == self:
            return self.label
        return f"{self.label}:e={self.e:g},k={self.k:g}"

    def aspiration(
        self, time: float, floor: float, ceiling: float, previous: float, concession: float
    ) -> float:
        """``floor + (ceiling - floor) (1 - f(time))``; the hardliner (``e = 0``) has ``f = k``."""
        time = min(max(time, 0.0), 1.0)
        shape = self.k if self.e == 0 else self.k + (1.0 - self.k) * time ** (1.0 / self.e)
        return floor + (ceiling - floor) * (1.0 - shape)


@dataclass(frozen=True)
class RelativeTitForTat:
    """Concede in ratio as much as the others did with their latest moves."""

    label: str = "tit_for_tat"

    @property
    def name(self) -> str:
        """The registry name."""
        return self.label

    def aspiration(
        self, time: float, floor: float, ceiling: float, previous: float, concession: float
    ) -> float:
        """``previous * concession``, kept between floor and ceiling."""
        return min(max(previous * concession, floor), ceiling)


TACTICS: dict[str, Tactic] = {
    "boulware": TimeDependent(0.2, label="boulware"),
    "linear": TimeDependent(1.0, label="linear"),
    "conceder": TimeDependent(2.0, label="conceder"),
    "hardliner": TimeDependent(0.0, label="hardliner"),
    "tit_for_tat": RelativeTitForTat(),
}
"""Tactics by name: Boulware (e = 0.2), linear, Conceder (e = 2), hardliner, tit-for-tat."""


def parse_tactic(text: str) -> Tactic:
    """A tactic from its name, optionally with parameters: ``boulware:e=0.1,k=0``.

    ``time:e=...,k=...`` gives any time-dependent tactic.

    Raises
    ------
    ValueError
        Naming the unknown tactic or the malformed parameter.
    """
    name, _, parameters = (part.strip() for part in text.partition(":"))
    name = name.replace("-", "_")
    if name not in TACTICS and name != "time":
        known = ", ".join([*TACTICS, "time"])
        raise ValueError(f"unknown tactic {name!r} (tactics: {known})")
    base = TACTICS.get(name, TimeDependent(1.0))
    if not parameters:
        return base
    if not isinstance(base, TimeDependent):
        raise ValueError(f"tactic {name!r} takes no parameters")
    values = {"e": base.e, "k": base.k}
    for part in filter(None, (piece.strip() for piece in parameters.split(","))):
        key, sep, value = (piece.strip() for piece in part.partition("="))
        if not sep or key not in values:
            raise ValueError(f"expected e=NUMBER or k=NUMBER in tactic {text!r}, found {part!r}")
        try:
            values[key] = float(value)
        except ValueError:
            raise ValueError(
                f"expected a number for {key} in tactic {text!r}, found {value!r}"
            ) from None
    return TimeDependent(values["e"], values["k"], label=name)
