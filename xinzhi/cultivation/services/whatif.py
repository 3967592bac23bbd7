"""What-if (province staff): change a threshold or rate and see, for the register, who becomes or stops
being eligible and the fiscal cost, by city — without touching the live parameters
(``ParameterTree.with_overrides`` gives a changed copy in memory; the TOML files are never written).

Fiscal cost (an estimate, documented in docs/cultivation.md): HTE — (25% − 15%) × positive taxable
income before losses from the package; advanced manufacturing — 5% × creditable input VAT;
tech-SME status itself carries no separate amount here (its R&D super deduction applies to every
audit-collected enterprise).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError

from xinzhi.accounts.models import Role
from xinzhi.policy.params import load_parameters

from ..programs import compare, numeric_parameters, screen_all
from .screening import current_frame


def parameters(year: int) -> list[dict[str, Any]]:
    return numeric_parameters(load_parameters(), date(year, 12, 31))


def run(user, year: int, overrides: dict[str, str]) -> dict[str, Any]:
    if not (user.is_superuser or user.role == Role.PROVINCE_STAFF):
        raise PermissionDenied("政策模拟仅供省级工作人员使用")
    allowed = {p["name"] for p in parameters(year)}
    parsed: dict[str, Decimal] = {}
    for name, raw in overrides.items():
        if name not in allowed:
            raise ValidationError(f"参数“{name}”不可调整")
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValidationError(f"参数“{name}”的取值“{raw}”不是数字") from None
        if value < 0:
            raise ValidationError(f"参数“{name}”不得为负数")
        parsed[name] = value if value != value.to_integral_value() or "." in str(raw) else int(value)
    tree = load_parameters()
    frame = current_frame(year)
    if frame.height == 0:
        return {"year": year, "overrides": overrides, "rows": [], "totals": [], "enterprises": 0}
    before = screen_all(frame, year, tree)  # the frame's columns (city_code) are kept
    after = screen_all(frame, year, tree.with_overrides(parsed))
    by_city = compare(before, after)
    totals = by_city.group_by("program").agg(pl.exclude("program", "city_code").sum()).sort("program")
    return {"year": year, "overrides": {k: str(v) for k, v in parsed.items()}, "enterprises": frame.height,
            "rows": by_city.to_dicts(), "totals": totals.to_dicts()}
