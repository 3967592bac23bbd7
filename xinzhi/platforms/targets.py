"""Where the registers get the R&D-institution targets from, without importing the app that keeps them.

The province's targets and their allocation to cities and counties live with monitoring (the indicator
catalogue and its allocated ``Target`` rows); monitoring registers a source here when Django starts, so
the dependency points one way (monitoring → platforms) and the platforms pages compare each region with
its own allocated target — the same figures the monitoring pages use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

#: (indicator ids, division code, year) → {indicator id: target or None}
TargetSource = Callable[[Sequence[str], str, int], dict[str, float | None]]

_source: TargetSource | None = None


def register_target_source(source: TargetSource) -> None:
    global _source
    _source = source


def targets_for(indicators: Sequence[str], division: str, year: int) -> dict[str, float | None]:
    """The region's target per indicator (None when none is set or allocated, or no source registered)."""
    if _source is None:
        return dict.fromkeys(indicators)
    return _source(indicators, division, year)
