"""Sweep figures: parameter planes, parameter lines and Sobol sensitivity bars."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.results import Glossary, SweepResult

from sim.plot.style import (
    NO_DEAL,
    _figure,
    _grid,
    _metric_label,
    _option_label,
    _parameter_label,
    _root,
    _wrap,
)


def _check_parameter(result: SweepResult, name: str) -> None:
    if name not in result.parameters:
        raise ValueError(
            f"{name!r} is not a parameter of this sweep ({', '.join(result.parameters)})"
        )


def _plane_arrays(
    result: SweepResult, x: str, y: str
) -> tuple[list[float], list[float], dict[tuple[float, float], Any]]:
    for name in (x, y):
        _check_parameter(result, name)
    if len(result.parameters) != 2 or x == y:
        raise ValueError(
            "a parameter plane needs a sweep over exactly two parameters; this one varies "
            f"{', '.join(result.parameters)}"
        )
    cells = {(p.values[x], p.values[y]): p for p in result.points}
    if len(cells) != len(result.points):
        raise ValueError("the sweep visits a point of the plane twice; give each point once")
    return sorted({k[0] for k in cells}), sorted({k[1] for k in cells}), cells


def _edges(centres: Sequence[float]) -> list[float]:
    if len(centres) == 1:
        return [centres[0] - 0.5, centres[0] + 0.5]
    middle = [(a + b) / 2 for a, b in zip(centres[:-1], centres[1:], strict=True)]
    return [2 * centres[0] - middle[0], *middle, 2 * centres[-1] - middle[-1]]


def parameter_plane_figure(
    sweep_result: SweepResult,
    x: str,
    y: str,
    glossary: Glossary | None = None,
    ax: Axes | None = None,
    panels: Sequence[Literal["agreement", "nash"]] = ("agreement", "nash"),
    max_packages: int = 6,
) -> Figure:
    """Agreement over two parameters and which Nash package wins where.

    ``agreement`` panel: the size of the agreement region at each point (grey: none) and
    the 50% contour of agreement yes/no, i.e. the edge of the parameter region where a deal
    exists (on a grid, along cell edges). ``nash`` panel: one colour per distinct Nash
    package, keyed by the terms on which those packages differ (the ``max_packages - 1``
    most frequent get their own colour when there are more). Grid sweeps are drawn as
    cells, sampled designs as points. ``glossary`` (e.g. ``analysis.glossary``) supplies
    labels; without it, ids are shown.
    """
    xs, ys, cells = _plane_arrays(sweep_result, x, y)
    panels = list(panels)
    if not panels or any(p not in ("agreement", "nash") for p in panels):
        raise ValueError("panels must name 'agreement' and/or 'nash'")
    plane = _Plane(sweep_result, x, y, xs, ys, cells, glossary)
    key: tuple[list[Any], list[int], list[str]] | None = None
    ratios = [1.0] * len(panels)
    height = 6.0
    if "nash" in panels:
        key = _nash_categories(cells, max_packages)
        ratios.append(min(1.05, 0.3 + 0.2 * max(1, len(key[2]))))
        # Room for the key: up to four lines per package, and two closing rows.
        height = max(height, (1.4 + 0.72 * len(key[1]) + 0.8) / 0.85)
    width = 5.6 * len(panels) + 5.0 * (ratios[-1] if key else 0) + 0.8
    fig, spec = _grid(ax, (width, height), 1, len(ratios), width_ratios=ratios)
    for k, which in enumerate(panels):
        panel = fig.add_subplot(spec[0, k])
        if which == "agreement":
            _agreement_panel(fig, panel, plane)
        else:
            assert key is not None
            _nash_panel(fig, panel, fig.add_subplot(spec[0, len(panels)]), plane, *key)
    return fig


class _Plane:
    """The points of a two-parameter sweep arranged for drawing (no computation)."""

    def __init__(
        self,
        result: SweepResult,
        x: str,
        y: str,
        xs: list[float],
        ys: list[float],
        cells: dict[tuple[float, float], Any],
        glossary: Glossary | None,
    ) -> None:
        self.result, self.x, self.y, self.xs, self.ys, self.cells = result, x, y, xs, ys, cells
        self.glossary = glossary
        self.gridded = result.design == "grid" and len(cells) == len(xs) * len(ys)
        self.points = list(cells.values())

    def field(self, value: Any) -> Any:
        import numpy as np

        rows = [[value(self.cells[(i, j)]) for i in self.xs] for j in self.ys]
        return np.array(rows, dtype=float)

    def draw(self, panel: Axes, value: Any, **options: Any) -> Any:
        """Cells (grid) or points (sampled design) coloured by ``value`` of each point."""
        import numpy as np

        if self.gridded:
            return panel.pcolormesh(
                _edges(self.xs),
                _edges(self.ys),
                np.ma.masked_invalid(self.field(value)),
                edgecolors="white",
                linewidth=0.5,
                **options,
            )
        return panel.scatter(
            [p.values[self.x] for p in self.points],
            [p.values[self.y] for p in self.points],
            c=np.array([value(p) for p in self.points], dtype=float),
            s=40,
            edgecolors="#666666",
            linewidths=0.4,
            plotnonfinite=True,
            **options,
        )

    def frame(self, panel: Axes, title: str) -> None:
        if not self.gridded:  # sampled points: keep those on the border inside the frame
            for values, limits in ((self.xs, panel.set_xlim), (self.ys, panel.set_ylim)):
                pad = 0.04 * ((values[-1] - values[0]) or 1.0)
                limits(values[0] - pad, values[-1] + pad)
        panel.set_xlabel(_parameter_label(self.x, self.glossary), fontsize=10)
        panel.set_ylabel(_parameter_label(self.y, self.glossary), fontsize=10)
        panel.set_title(title, fontsize=11, loc="left")
        for side in ("top", "right"):
            panel.spines[side].set_visible(False)


def _agreement_panel(fig: Figure, panel: Axes, plane: _Plane) -> None:
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    counts = np.array([p.metrics["agreement_count"] for p in plane.points])
    exists = np.array([bool(p.metrics["agreement_exists"]) for p in plane.points])
    positive = counts[counts > 0]
    log = bool(len(positive)) and positive.max() >= 100 * positive.min()
    norm = (
        LogNorm(positive.min(), positive.max())
        if log
        else Normalize(0, max(1, positive.max() if len(positive) else 1))
    )
    cmap = colormaps["YlGn"].with_extremes(bad=NO_DEAL)
    mesh = plane.draw(panel, lambda p: p.metrics["agreement_count"] or np.nan, cmap=cmap, norm=norm)
    edge = False
    if 0 < exists.sum() < len(exists):
        if plane.gridded:
            # The 50% contour of agreement yes/no on a grid runs along the cell edges
            # between neighbouring points with and without agreement.
            yes = plane.field(lambda p: float(bool(p.metrics["agreement_exists"])))
            ex, ey = _edges(plane.xs), _edges(plane.ys)
            segments = [
                [(ex[i + 1], ey[j]), (ex[i + 1], ey[j + 1])]
                for j in range(yes.shape[0])
                for i in range(yes.shape[1] - 1)
                if yes[j, i] != yes[j, i + 1]
            ]
            segments += [
                [(ex[i], ey[j + 1]), (ex[i + 1], ey[j + 1])]
                for j in range(yes.shape[0] - 1)
                for i in range(yes.shape[1])
                if yes[j, i] != yes[j + 1, i]
            ]
            panel.add_collection(
                LineCollection(segments, colors="#b22222", linewidths=2.4, capstyle="projecting")
            )
            edge = True
        elif len(exists) >= 3:
            panel.tricontour(
                [p.values[plane.x] for p in plane.points],
                [p.values[plane.y] for p in plane.points],
                exists.astype(float),
                levels=[0.5],
                colors="#b22222",
                linewidths=2.2,
            )
            edge = True
    plane.frame(panel, "Size of the agreement region\n" + _share_text(plane.result))
    bar = fig.colorbar(mesh, ax=panel, shrink=0.8, pad=0.02)
    bar.set_label("Packages acceptable to all", fontsize=9)
    if not log:
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    bar.outline.set_visible(False)
    handles: list[Any] = []
    if not exists.all():
        handles.append(Patch(facecolor=NO_DEAL, edgecolor="#bbbbbb", label="No agreement"))
    if edge:
        handles.append(
            Line2D([], [], color="#b22222", linewidth=2.2, label="Edge of agreement (50% contour)")
        )
    if handles:
        panel.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=2,
            frameon=False,
            fontsize=9,
        )


def _nash_categories(
    cells: Mapping[Any, Any], max_packages: int
) -> tuple[list[Any], list[int], list[str]]:
    """Distinct Nash packages, those given a colour, and the issues where those differ.

    Packages are in order of first appearance; the coloured ones, most frequent first.
    """
    packages: list[dict[str, Any]] = []
    frequency: list[int] = []
    for point in cells.values():
        nash = point.metrics.get("nash")
        if nash:
            if nash["package"] not in packages:
                packages.append(nash["package"])
                frequency.append(0)
            frequency[packages.index(nash["package"])] += 1
    ranked = sorted(range(len(packages)), key=lambda k: -frequency[k])
    shown = ranked if len(packages) <= max_packages else ranked[: max_packages - 1]
    differing = [
        i
        for i in (packages[0] if packages else {})
        if len({str(packages[k][i]) for k in shown}) > 1
    ]
    return packages, shown, differing


def _nash_panel(
    fig: Figure,
    panel: Axes,
    key: Axes,
    plane: _Plane,
    packages: list[Any],
    shown: list[int],
    differing: list[str],
) -> None:
    import numpy as np
    from matplotlib.colors import ListedColormap, Normalize

    slot = {k: position for position, k in enumerate(shown)}
    others = len(packages) - len(shown)
    palette = _category_colors(len(shown)) + (["#8c8c8c"] if others else [])

    def category(p: Any) -> float:
        if not p.metrics.get("nash"):
            return np.nan
        return slot.get(packages.index(p.metrics["nash"]["package"]), len(shown))

    cmap = ListedColormap(palette or ["white"]).with_extremes(bad=NO_DEAL)
    plane.draw(panel, category, cmap=cmap, norm=Normalize(-0.5, max(len(palette), 1) - 0.5))
    plane.frame(
        panel,
        f"Which Nash package wins where\n{len(packages)} distinct package"
        f"{'s' if len(packages) != 1 else ''} across the plane",
    )
    rows: list[tuple[str, Any, Mapping[str, Any] | None, str]] = [
        (_letter(position), palette[position], packages[k], "") for position, k in enumerate(shown)
    ]
    if others:
        rows.append(("", palette[-1], None, f"{others} other Nash packages"))
    if any(not p.metrics.get("nash") for p in plane.points):
        rows.append(("", NO_DEAL, None, "No agreement"))
    _package_key(key, rows, differing, plane.glossary)


def _package_key(
    ax: Axes,
    rows: Sequence[tuple[str, Any, Mapping[str, Any] | None, str]],
    issues: Sequence[str],
    glossary: Glossary | None,
) -> None:
    """A key table: one row per colour, one column per term on which the packages differ."""
    from matplotlib.patches import Rectangle

    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    size = _root(ax).get_size_inches()
    width_in = size[0] * ax.get_position().width
    columns = max(1, len(issues))
    inch = 1 / max(width_in, 0.5)  # one inch as a fraction of the key's width
    left = 0.45 * inch
    span = (1 - left) / columns
    chars = max(10, int(span / inch * 15.5))
    line = 8.2 / 72 * 1.3 / max(size[1] * 0.85, 1)
    title = "Nash package" + (": the terms on which they differ" if issues else "")
    title_lines = textwrap.wrap(title, max(16, int(width_in * 12)))
    ax.text(0, 1, "\n".join(title_lines), fontsize=9, fontweight="bold", va="top")
    y = 1 - (len(title_lines) + 1) * line * 1.1

    def cell(text: str, x: float, top: float, bold: bool = False) -> int:
        lines = textwrap.wrap(text, chars, break_long_words=False)[:4]
        if len(textwrap.wrap(text, chars, break_long_words=False)) > 4:
            lines[-1] = lines[-1].rstrip(",;") + "\u2026"
        ax.text(
            x,
            top,
            "\n".join(lines),
            fontsize=7.6,
            va="top",
            fontweight="bold" if bold else "normal",
            linespacing=1.15,
        )
        return len(lines)

    height = max(
        (
            cell(glossary.issues.get(i, i) if glossary else i, left + c * span, y, bold=True)
            for c, i in enumerate(issues)
        ),
        default=0,
    )
    y -= (height + 0.6) * line
    for letter, colour, package, text in rows:
        ax.add_patch(
            Rectangle(
                (0, y - 1.6 * line),
                0.2 * inch,
                1.6 * line,
                facecolor=colour,
                edgecolor="#bbbbbb",
                linewidth=0.5,
                clip_on=False,
            )
        )
        ax.text(0.26 * inch, y, letter, fontsize=8.5, fontweight="bold", va="top")
        if package is None or not issues:
            height = cell(text or "the same package everywhere", left, y)
        else:
            height = max(
                cell(
                    _option_label(glossary, i, package[i]).split(";")[0]
                    if glossary
                    else str(package[i]),
                    left + c * span,
                    y,
                )
                for c, i in enumerate(issues)
            )
        y -= (max(height, 1.6) + 0.7) * line


def _share_text(result: SweepResult) -> str:
    """Where agreement exists: a count on a grid, P(agreement) with its interval on a sample."""
    probability, low, high = result.agreement_probability()
    total = len(result.points)
    if result.design == "grid":
        found = sum(bool(e) for e in result.metric("agreement_exists"))
        return f"agreement at {found:,} of {total:,} grid points"
    return (
        f"P(agreement) = {probability:.0%} over {total:,} points "
        f"(95% interval {low:.0%}\u2013{high:.0%})"
    )


def _letter(position: int) -> str:
    return chr(65 + position) if position < 26 else str(position + 1)


def _category_colors(n: int) -> list[str]:
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](k) for k in range(n)]  # type: ignore[misc]
    return [colormaps["tab20"](k % 20) for k in range(n)]  # type: ignore[misc]


def parameter_line_figure(
    sweep_result: SweepResult,
    x: str | None = None,
    glossary: Glossary | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Agreement along one parameter: the region's size, and where no agreement exists."""
    x = x if x is not None else sweep_result.parameters[0]
    _check_parameter(sweep_result, x)
    if len(sweep_result.parameters) != 1:
        raise ValueError("a line over one parameter needs a sweep over that parameter alone")
    fig, ax = _figure(ax, (8.5, 4.8))
    points = sorted(sweep_result.points, key=lambda p: p.values[x])
    xs = [p.values[x] for p in points]
    counts = [p.metrics["agreement_count"] for p in points]
    ax.plot(
        xs,
        counts,
        color="#009E73",
        linewidth=2,
        marker="o",
        markersize=4,
        label="Packages acceptable to all",
    )
    none = [v for v, p in zip(xs, points, strict=True) if not p.metrics["agreement_exists"]]
    if none:
        ax.scatter(
            none, [0] * len(none), marker="x", color="#b22222", zorder=5, s=40, label="No agreement"
        )
    ax.set_title(
        f"Agreement along {_parameter_label(x, glossary)}\n{_share_text(sweep_result)}",
        fontsize=11,
        loc="left",
    )
    ax.set_xlabel(_parameter_label(x, glossary), fontsize=10)
    ax.set_ylabel("Size of the agreement region (packages)", fontsize=10)
    ax.set_ylim(bottom=-0.03 * max(1, max(counts)))
    ax.grid(color="#e6e6e6", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(frameon=False, fontsize=9)
    return fig


def sensitivity_figure(
    sweep_result: SweepResult,
    metric: str = "agreement_count",
    glossary: Glossary | None = None,
    ax: Axes | None = None,
) -> Figure:
    """First-order and total Sobol indices of a metric (a ``sobol_indices`` sweep).

    First order: the share of the metric's variance a parameter explains alone; total:
    including its interactions with the others.
    """
    import numpy as np

    indices = sweep_result.sobol_indices(metric)
    names = list(sweep_result.parameters)
    order = sorted(names, key=lambda n: indices["total_order"][n])
    fig, ax = _figure(ax, (9.0, 1.0 + 0.75 * len(names) + 1.2))
    rows = np.arange(len(order))
    first = [indices["first_order"][n] for n in order]
    total = [indices["total_order"][n] for n in order]
    ax.barh(rows + 0.19, total, height=0.36, color="#0072B2", label="Total (alone and with others)")
    ax.barh(rows - 0.19, first, height=0.36, color="#56B4E9", label="First order (alone)")
    for r, (a, b) in enumerate(zip(first, total, strict=True)):
        ax.text(max(b, 0) + 0.01, r + 0.19, f"{b:.2f}", va="center", fontsize=8.5)
        ax.text(max(a, 0) + 0.01, r - 0.19, f"{a:.2f}", va="center", fontsize=8.5)
    ax.set_yticks(rows)
    ax.set_yticklabels([_wrap(_parameter_label(n, glossary), 34) for n in order], fontsize=9.5)
    ax.set_xlim(min(0.0, *first, *total) - 0.02, max(1.05, max(total) + 0.12))
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("Share of the variance explained (Sobol index)", fontsize=10)
    ax.set_title(
        f"What drives the {_metric_label(metric, glossary)}\nSobol indices from "
        f"{len(sweep_result.points):,} analyses (n = {sweep_result.n})",
        fontsize=11,
        loc="left",
    )
    ax.legend(frameon=False, fontsize=9, loc="lower right")
    if any(a > b + 0.02 for a, b in zip(first, total, strict=True)):
        ax.text(
            0,
            -0.16,
            "Estimates from a finite sample: a first-order index above the total "
            "one is sampling error; more points (a larger n) narrow it.",
            transform=ax.transAxes,
            fontsize=8,
            color="#555555",
            va="top",
        )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


# --------------------------------------------------------------------------- protocols
