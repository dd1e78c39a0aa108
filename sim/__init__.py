"""negosim: a negotiation scenario simulator.

Load a scenario, find the packages every necessary party accepts, their Pareto frontier
and the Nash bargaining solution, and see how each party judges each proposal::

    import sim
    scenario = sim.load_scenario("scenarios/teaching-ceasefire.yaml")
    analysis = sim.analyze(scenario)
    print(analysis.agreement_count, analysis.solutions["nash"])

Importing ``sim`` is cheap: the engine and its numpy/scipy/matplotlib imports load on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "load_scenario",
    "analyze",
    "evaluate",
    "explain",
    "simulate",
    "sweep",
    "monte_carlo",
    "InputError",
    "__version__",
]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from sim.analysis import analyze, evaluate
    from sim.diagnosis import explain
    from sim.documents import InputError
    from sim.io import load_scenario
    from sim.protocols.simulate import simulate
    from sim.sweeps import monte_carlo, sweep

_LAZY = {
    "load_scenario": ("sim.io", "load_scenario"),
    "analyze": ("sim.analysis", "analyze"),
    "evaluate": ("sim.analysis", "evaluate"),
    "explain": ("sim.diagnosis", "explain"),
    "simulate": ("sim.protocols.simulate", "simulate"),
    "sweep": ("sim.sweeps", "sweep"),
    "monte_carlo": ("sim.sweeps", "monte_carlo"),
    "InputError": ("sim.documents", "InputError"),
}
_SUBMODULES = ("protocols", "plot", "maps", "results", "schema", "report")


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    if name in _SUBMODULES:
        return importlib.import_module(f"sim.{name}")
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
