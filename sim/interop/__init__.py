"""Exchange scenarios with other negotiation tools.

:mod:`sim.interop.genius` reads and writes GENIUS/ANAC XML domains and profiles. Nothing
is imported here, so that ``import sim.interop`` stays cheap.
"""

__all__: list[str] = []
