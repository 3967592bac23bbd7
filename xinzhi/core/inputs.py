"""Numbers typed by users (forms, API bodies, parameters): finite and within a sensible range per unit
(how numbers are *printed* is `xinzhi.core.numbers`).

One check for every numeric input (issue 12 item 4): before, a target of ``inf``, ``NaN`` or ``1e308``
was saved, after which every recomputation crashed and the API wrote invalid JSON. The ranges below are
**plausibility limits of the platform, not official figures** (no document sets them): a percentage is
0–100 (a growth rate, ``signed=True``, −100 up to the upper limit), a count is a non-negative integer,
an amount in yuan is non-negative and below ``MAX_AMOUNT_YUAN``.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

#: upper limits per unit (platform parameters, 待核实: no official source; wide on purpose)
MAX_PERCENT_SIGNED = 1000.0  # a growth rate of +1000 % is already implausible for a region or indicator
MAX_COUNT = 10_000_000
MAX_AMOUNT_YUAN = 1e15  # 1,000 万亿元: above Zhejiang's whole industrial output by two orders of magnitude
PERCENT_UNITS = {"%", "％", "percent"}
COUNT_UNITS = {"个", "家", "项", "件", "人", "count"}
AMOUNT_UNITS = {"元", "万元", "千元", "亿元", "yuan"}
#: the amount units' size in yuan (the limit is in yuan)
UNIT_YUAN = {"元": 1, "yuan": 1, "千元": 1_000, "万元": 10_000, "亿元": 100_000_000}


def _parse(raw: object, label: str) -> float:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationError(f"{label}不能为空")
    if isinstance(raw, bool):
        raise ValidationError(f"{label}“{raw}”不是数字")
    if isinstance(raw, (int, float, Decimal)):
        value = raw
    else:
        text = str(raw).strip().replace(",", "").replace("，", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"{label}“{raw}”不是数字") from None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        number = math.inf
    if isinstance(value, Decimal) and not value.is_finite() or not math.isfinite(number):
        raise ValidationError(f"{label}“{raw}”不是有限的数")
    return number


def check_number(raw: object, unit: str, *, signed: bool = False, label: str = "数值") -> float | int:
    """``raw`` (text or number) as a finite number within ``unit``'s range, else ``ValidationError`` with
    the Chinese reason. Counts come back as ``int``. ``signed``: a change (growth rate) that may be
    negative — percentages then from −100."""
    number = _parse(raw, label)
    if unit in PERCENT_UNITS:
        low, high = (-100.0, MAX_PERCENT_SIGNED) if signed else (0.0, 100.0)
        if not low <= number <= high:
            raise ValidationError(f"{label}“{raw}”应在 {low:g} 到 {high:g} 之间（单位：%）")
        return number
    if number < 0 and not signed:
        raise ValidationError(f"{label}“{raw}”不能为负数")
    if unit in COUNT_UNITS:
        if number != int(number):
            raise ValidationError(f"{label}“{raw}”应为整数（单位：{unit}）")
        if abs(number) > MAX_COUNT:
            raise ValidationError(f"{label}“{raw}”超出合理范围（不超过 {MAX_COUNT:,}）")
        return int(number)
    if unit in AMOUNT_UNITS and abs(number) * UNIT_YUAN.get(unit, 1) > MAX_AMOUNT_YUAN:
        raise ValidationError(f"{label}“{raw}”超出合理范围（单位：{unit}）")
    return number


def finite_json(data: object) -> object:
    """``data`` with every non-finite float, at any depth, replaced by None (JSON has no NaN/Infinity)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite_json(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_json(v) for v in data]
    return data


def refuse_json_constant(name: str):
    """``json.loads(..., parse_constant=refuse_json_constant)``: Python reads ``NaN`` and ``Infinity``,
    which are not JSON; a body holding them is refused."""
    raise ValueError(f"JSON 中不能有 {name}（数值须为有限的数）")
