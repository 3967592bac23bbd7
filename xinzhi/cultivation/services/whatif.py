"""What-if (province staff): change a threshold or rate and see, for the register, who becomes or stops
being eligible and the fiscal cost, by city — without touching the live parameters
(``ParameterTree.with_overrides`` gives a changed copy in memory; the TOML files are never written).
Both runs are the one engine over every programme, so a parameter several programmes read (the HTE
validity, the income-tax rates, the R&D base) moves all of them.

Fiscal cost: each programme's benefit column (``xinzhi.policy.programmes``): HTE recognition — the
income-tax saving if certified (the HTE income-tax formula); the advanced-manufacturing list and the
VAT deduction — the credit; the R&D super deduction — the tax value of the extra deduction; the HTE
income tax — its saving; tech-SME and advanced service — no separate amount.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError

from xinzhi.accounts.permissions import require
from xinzhi.policy.engine import YearNotCovered, check_year
from xinzhi.policy.params import load_parameters

from ..programs import compare, numeric_parameters, screen_all
from .screening import current_frame


def city_names() -> pl.DataFrame:
    """``city_code, city_name`` of every city (the page shows names, not codes)."""
    from xinzhi.regions.models import Division

    rows = list(Division.objects.filter(level=Division.Level.CITY).values_list("code", "name"))
    return pl.DataFrame(rows, schema={"city_code": pl.String, "city_name": pl.String}, orient="row")


def parameters(year: int) -> list[dict[str, Any]]:
    return numeric_parameters(load_parameters(), date(year, 12, 31))


def run(user, year: int, overrides: dict[str, str]) -> dict[str, Any]:
    require(user, "cultivation.what_if")
    try:
        check_year(year)
    except YearNotCovered as exc:
        raise ValidationError(str(exc)) from None
    allowed = {p["name"] for p in parameters(year)}
    parsed: dict[str, Decimal] = {}
    for name, raw in overrides.items():
        if name not in allowed:
            raise ValidationError("该参数不可调整")
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValidationError(f"参数“{_label(name, year)}”的取值“{raw}”不是数字") from None
        if not value.is_finite() or value < 0:
            raise ValidationError(f"参数“{_label(name, year)}”不得为负数")
        parsed[name] = value if value != value.to_integral_value() or "." in str(raw) else int(value)
    tree = load_parameters()
    frame = current_frame(year)
    if frame.height == 0:
        return {"year": year, "overrides": overrides, "rows": [], "totals": [], "enterprises": 0}
    before = screen_all(frame, year, tree)  # the frame's columns (city_code) are kept
    after = screen_all(frame, year, tree.with_overrides(parsed))
    by_city = compare(before, after).join(city_names(), on="city_code", how="left")
    totals = by_city.group_by("program", "program_label").agg(
        pl.exclude("program", "program_label", "city_code", "city_name").sum()).sort("program")
    return {"year": year, "overrides": {k: str(v) for k, v in parsed.items()}, "enterprises": frame.height,
            "rows": by_city.to_dicts(), "totals": totals.to_dicts()}


def _label(name: str, year: int) -> str:
    return next((p["description"] for p in parameters(year) if p["name"] == name), "")
