"""How amounts, ratios and parameter values read in Chinese — one definition for the page, the API and
the lists (each formatter has a Python form for one answer and a Polars form for a whole list, and a
test checks that they agree).

Amounts: from 1万元 up, in 万元 with thousands separators and two decimals at most (trailing zeros
dropped), e.g. 5,671,111.11元 → ``567.11万元``; below 1万元, in 元 (``5,000元``, ``123.45元``).
Rounding: an amount the enterprise *has* or *gets* is rounded half up (``wan``); an amount it still
*needs* (a gap) is rounded up (``wan_up``), so that reaching the printed figure is always enough.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from .params import as_fraction

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000  # 1万元 = 10,000元 = 1,000,000分
YUAN_PER_YI = 100_000_000


def _group(digits: str) -> str:
    """``1234567`` → ``1,234,567``."""
    head, rest = digits[: len(digits) % 3], digits[len(digits) % 3:]
    groups = [head] if head else []
    groups += [rest[i:i + 3] for i in range(0, len(rest), 3)]
    return ",".join(groups)


def _number(value: Decimal) -> str:
    """A non-negative Decimal with thousands separators, trailing fractional zeros dropped."""
    text = f"{value:f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return _group(whole) + ("." + frac if frac else "")


def _signed(value: Decimal, body: str) -> str:
    return ("-" if value < 0 else "") + body


def yuan_text(amount: Decimal | int | None, up: bool = False) -> str:
    """An amount in yuan as it reads: 万元 from 1万 up, 元 below (see the module docstring)."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    size = abs(amount)
    if size < 10_000:
        return _signed(amount, _number(size.quantize(Decimal("0.01"))) + "元")
    rounding = "ROUND_CEILING" if up else ROUND_HALF_UP
    wan = (size / 10_000).quantize(Decimal("0.01"), rounding=rounding)
    return _signed(amount, _number(wan) + "万元")


def wan(amount: Decimal | int | None) -> str:
    """An amount had or received (rounded half up)."""
    return yuan_text(amount)


def wan_up(amount: Decimal | int | None) -> str:
    """An amount still needed (rounded up)."""
    return yuan_text(amount, up=True)


def fen_text(fen: int | None, up: bool = False) -> str:
    """``yuan_text`` of an amount given in fen."""
    return "—" if fen is None else yuan_text(Decimal(fen) / FEN_PER_YUAN, up)


def pct(value: Fraction | Decimal | int | str | None) -> str:
    """A ratio as a percentage, two decimals at most (``0.04`` → ``4%``, ``2/3`` → ``66.67%``)."""
    if value is None:
        return "—"
    frac = as_fraction(value)
    hundred = Decimal(frac.numerator * 100) / Decimal(frac.denominator)
    return _number(hundred.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) + "%"


def pct_of(num: int | None, den: int | None) -> str:
    """An enterprise's ratio ``num/den`` as a percentage, rounded *down* at two decimals (a figure just
    below a threshold never prints as the threshold)."""
    if num is None or den is None or den <= 0:
        return "—"
    hundred = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    return _signed(hundred, _number(abs(hundred))) + "%"


def ratio4(num: int | None, den: int | None) -> str | None:
    """A computed ratio as a 4-decimal string (the API's machine-readable value)."""
    if num is None or den is None or den == 0:
        return None
    return str((Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def day_text(day: date | None) -> str:
    return "—" if day is None else f"{day.year}年{day.month}月{day.day}日"


def count_text(value: Any, unit: str) -> str:
    return "—" if value is None else f"{value}{unit}"


# --------------------------------------------------------------------------- the same, over a column


def _groups_expr(whole: pl.Expr) -> pl.Expr:
    """Non-negative Int64 → text with thousands separators (up to 10^15)."""
    parts = []
    for k in range(5, 0, -1):  # groups above the last, most significant first
        group = (whole // 1000**k) % 1000
        text = pl.when(whole >= 1000 ** (k + 1)).then(group.cast(pl.String).str.zfill(3)) \
            .otherwise(group.cast(pl.String))
        parts.append(pl.when(whole >= 1000**k).then(text + ","))
    last = whole % 1000
    parts.append(pl.when(whole >= 1000).then(last.cast(pl.String).str.zfill(3)).otherwise(last.cast(pl.String)))
    return pl.concat_str(parts, ignore_nulls=True)


def _two_decimals_expr(hundredths: pl.Expr) -> pl.Expr:
    """Non-negative hundredths → ``1,234.5`` (trailing zeros dropped)."""
    frac = (hundredths % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    whole = _groups_expr(hundredths // 100)
    return pl.when(frac == "").then(whole).otherwise(whole + "." + frac)


def fen_text_expr(fen: pl.Expr, up: bool = False) -> pl.Expr:
    """:func:`fen_text` over a column of non-negative fen amounts (null stays null)."""
    fen = fen.cast(pl.Int64)
    per = FEN_PER_WAN // FEN_PER_YUAN  # fen per 0.01万元
    hundredths = (fen + (per - 1)) // per if up else (fen + per // 2) // per
    return pl.when(fen < FEN_PER_WAN).then(_two_decimals_expr(fen) + "元").otherwise(
        _two_decimals_expr(hundredths) + "万元")


def day_text_expr(day: pl.Expr) -> pl.Expr:
    return pl.format("{}年{}月{}日", day.dt.year(), day.dt.month(), day.dt.day())
