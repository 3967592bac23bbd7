"""Money units. Statistics arrive in 千元 or 万元, tax amounts in 元.

Every amount is converted once, at import, to whole yuan (元) and stored as an integer, so no
float ever carries money inside the platform.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: factor from each accepted unit to yuan
UNIT_FACTORS: dict[str, int] = {"元": 1, "千元": 1_000, "万元": 10_000, "亿元": 100_000_000}
UNIT_ALIASES = {"yuan": "元", "thousand_yuan": "千元", "ten_thousand_yuan": "万元", "hundred_million_yuan": "亿元"}


class UnitError(ValueError):
    pass


def normalise_unit(unit: str) -> str:
    unit = (unit or "").strip()
    unit = UNIT_ALIASES.get(unit, unit)
    if unit not in UNIT_FACTORS:
        raise UnitError(f"未知计量单位“{unit}”，应为 {'、'.join(UNIT_FACTORS)}")
    return unit


def to_yuan(value: Decimal | int | str, unit: str) -> int:
    """Convert an amount in ``unit`` to whole yuan, rounding half up."""
    amount = Decimal(str(value)) * UNIT_FACTORS[normalise_unit(unit)]
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_yuan(value: int, unit: str) -> Decimal:
    return Decimal(value) / UNIT_FACTORS[normalise_unit(unit)]
