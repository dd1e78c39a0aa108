"""Figures for analysts: matplotlib drawings of result objects, computing nothing themselves.

Every function takes result objects (:class:`~sim.maps.RegionMap`,
:class:`~sim.maps.UtilitySpace`, :class:`~sim.results.SweepResult`,
:class:`~sim.results.Blocking`, :class:`~sim.results.Trace`) and an optional matplotlib
``ax``, and returns the :class:`matplotlib.figure.Figure` it drew on. Without ``ax`` a new
figure is made (not through pyplot, so nothing is shown twice in notebooks and no display
is needed); with ``ax``, figures of several panels divide that axes' slot. matplotlib is
imported inside the functions, so ``import sim`` stays cheap.
"""

from __future__ import annotations

from sim.plot.blocking import blocking_figure
from sim.plot.protocols import simulation_figure, trace_figure
from sim.plot.regions import region_map_figure
from sim.plot.sweeps import parameter_line_figure, parameter_plane_figure, sensitivity_figure
from sim.plot.utility import utility_space_figure

__all__ = [
    "region_map_figure",
    "utility_space_figure",
    "parameter_plane_figure",
    "parameter_line_figure",
    "sensitivity_figure",
    "trace_figure",
    "simulation_figure",
    "blocking_figure",
]
