"""The targets of the R&D-institution count indicators for one region, for the platforms pages
(registered with :func:`xinzhi.platforms.targets.register_target_source` in ``MonitoringConfig.ready``).

The province's target is the catalogue's (the work plan, cited there); a city's or county's is its
allocated ``Target`` row (None until allocated)."""

from __future__ import annotations

from collections.abc import Sequence

PROVINCE = "330000"


def region_targets(indicators: Sequence[str], division: str, year: int) -> dict[str, float | None]:
    from .catalogue import load_catalogue
    from .models import Target

    if division == PROVINCE:
        out: dict[str, float | None] = dict.fromkeys(indicators)
        for ind in load_catalogue():
            target = ind.target or {}
            if ind.id in out and target.get("year") == year and target.get("value") is not None:
                out[ind.id] = float(target["value"])
        return out
    rows = dict(Target.objects.filter(indicator__in=list(indicators), division_id=division, year=year)
                .values_list("indicator", "value"))
    return {i: rows.get(i) for i in indicators}
