"""Shared look of every figure: colours, markers, labels and small drawing helpers."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.results import Glossary


OUTCOMES = {
    "agreement": "Agreement",
    "deadline": "No agreement by the deadline",
    "breakdown": "Talks broke down",
    "walk_away": "A party walked away",
    "deadlock": "Deadlock",
}
# Okabe-Ito colours (readable by colour-blind readers), one per party in scenario order.
PARTY_COLORS = (
    "#D55E00",
    "#0072B2",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
PARTY_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
NO_DEAL = "#ececec"
SOLUTION_NAMES = {
    "nash": "Nash bargaining solution",
    "kalai_smorodinsky": "Kalai-Smorodinsky solution",
    "egalitarian": "Egalitarian solution",
    "utilitarian": "Utilitarian solution",
}
METRIC_NAMES = {
    "agreement_count": "size of the agreement region",
    "agreement_exists": "whether an agreement exists",
    "pareto_count": "number of Pareto-efficient packages",
}


# --------------------------------------------------------------------------- helpers


def _wrap(text: str, width: int) -> str:
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _root(ax: Axes) -> Figure:
    figure = ax.get_figure(root=True)
    assert figure is not None
    return figure  # type: ignore[return-value]


def _figure(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    if ax is not None:
        return _root(ax), ax
    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def _grid(
    ax: Axes | None, size: tuple[float, float], rows: int, cols: int, **options: Any
) -> tuple[Figure, Any]:
    """A grid of panels: on a new figure, or dividing the slot of the given axes."""
    from matplotlib.figure import Figure

    if ax is None:
        figure = Figure(figsize=size, layout="constrained")
        return figure, figure.add_gridspec(rows, cols, **options)
    figure = _root(ax)
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError("ax must be a subplot (made with add_subplot or subplots)")
    ax.remove()
    return figure, spec.subgridspec(rows, cols, **options)  # type: ignore[return-value]


def _party_styles(parties: Sequence[str]) -> dict[str, tuple[str, str]]:
    return {
        party: (PARTY_COLORS[i % len(PARTY_COLORS)], PARTY_MARKERS[i % len(PARTY_MARKERS)])
        for i, party in enumerate(parties)
    }


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _option_label(glossary: Glossary, issue: str, option: Any) -> str:
    known = glossary.options.get(issue, {})
    if str(option) in known:
        return known[str(option)]
    unit = glossary.units.get(issue, "")
    return f"{option} {unit}".strip()


def _parameter_label(name: str, glossary: Glossary | None) -> str:
    """Plain words for a sweep parameter (a dotted path or a named parameter)."""
    parts = name.split(".")
    if glossary is None or len(parts) < 3 or parts[0] != "parties":
        return name
    if parts[1] not in glossary.parties:
        return name
    party = _possessive(glossary.parties[parts[1]])
    field = parts[2]
    if field == "reservation" and len(parts) == 3:
        return f"{party} reservation value"
    if field == "power" and len(parts) == 3:
        return f"{party} bargaining power"
    if field == "weights" and len(parts) == 4:
        return f"{party} weight on {glossary.issues.get(parts[3], parts[3]).lower()}"
    if field == "values" and len(parts) == 5:
        return f"{party} value of \u201c{_option_label(glossary, parts[3], parts[4])}\u201d"
    return name


def _metric_label(metric: str, glossary: Glossary | None) -> str:
    if metric.startswith("nash.utilities."):
        party = metric.rsplit(".", 1)[1]
        name = glossary.parties.get(party, party) if glossary else party
        return f"{_possessive(name)} utility at the Nash package"
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def _compact(n: float) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.3g}M"
    if n >= 1e4:
        return f"{n / 1e3:.3g}k"
    return f"{n:,.0f}"


def _note(ax: Axes, text: str, x: float, y: float, **options: Any) -> None:
    ax.text(
        x,
        y,
        text,
        transform=ax.transAxes,
        fontsize=options.pop("fontsize", 9),
        bbox={"boxstyle": "round,pad=0.5", "facecolor": "#fff8e6", "edgecolor": "#e0b050"},
        **options,
    )


# --------------------------------------------------------------------------- region map
