"""How the policy answers read: dates, counts and the API's 4-decimal ratios here; amounts and
percentages are the platform's one definition in :mod:`xinzhi.core.numbers` (万元 from 1万 up, gaps
rounded up), imported here so the rules keep writing ``fmt.fen_text``. Each formatter has a Python form
for one answer and a Polars form for a whole list, and a test checks that they agree."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from xinzhi.core.numbers import (  # noqa: F401  (one definition: the policy answers print money with these)
    FEN_PER_WAN,
    FEN_PER_YUAN,
    YUAN_PER_YI,
    _number,
    fen_text,
    fen_text_expr,
    pct,
    pct_of,
    wan,
    wan_up,
    yuan_text,
)


def ratio4(num: int | None, den: int | None) -> str | None:
    """A computed ratio as a 4-decimal string (the API's machine-readable value)."""
    if num is None or den is None or den == 0:
        return None
    return str((Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def day_text(day: date | None) -> str:
    return "—" if day is None else f"{day.year}年{day.month}月{day.day}日"


# --------------------------------------------------------------------------- the same, over a column


def day_text_expr(day: pl.Expr) -> pl.Expr:
    return pl.format("{}年{}月{}日", day.dt.year(), day.dt.month(), day.dt.day())
