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

__all__ = ["load_scenario", "analyze", "evaluate", "InputError", "__version__", "simulate"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from sim.protocols.simulate import simulate
    from sim.analysis import analyze, evaluate
    from sim.documents import InputError
    from sim.io import load_scenario

_LAZY = {
    "simulate": ("sim.protocols.simulate", "simulate"),
    "load_scenario": ("sim.io", "load_scenario"),
    "analyze": ("sim.analysis", "analyze"),
    "evaluate": ("sim.analysis", "evaluate"),
    "InputError": ("sim.documents", "InputError"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
