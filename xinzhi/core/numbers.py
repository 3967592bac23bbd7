"""How numbers read on every surface — page, map, API, DOCX/PDF/XLSX — defined once.

Two families, each with a scalar form and a Polars form kept equal by tests (``core/tests/test_numbers.py``):

* **Measured values** (indicators, ratios, shares, growth): ``fixed`` / ``fixed_expr`` print a float with a
  fixed number of decimals, rounded 四舍五入 (half away from zero, as Chinese statistical releases round),
  optionally with thousands grouped and a sign on positive changes. A value that rounds to zero prints
  without a sign (``0.0``, never ``-0.0``).
* **Money** (exact, whole yuan or fen): ``yuan_text`` / ``fen_text`` / ``fen_text_expr``: from 1万元 up in
  万元 with thousands separators and two decimals at most (trailing zeros dropped), e.g. 5,671,111.11元 →
  ``567.11万元``; below 1万元 in 元. An amount the enterprise *has* or *gets* is rounded half up
  (``wan``); an amount it still *needs* (a gap) is rounded up (``wan_up``), so that reaching the printed
  figure is always enough. ``wan_figure`` prints an amount in 万元 without the unit, for a column whose
  header names the unit.

Pure: imports no Django, so the policy engine and the report renderers use it as they are.
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl

#: a relative nudge before rounding so that a number written as …5 rounds up although its binary value is
#: a hair below (2.345 is stored as 2.34499…): 四舍五入 of the written number, as releases round
NUDGE = 1e-12


def _group_thousands(integer: pl.Expr) -> pl.Expr:
    """``1234567`` → ``1,234,567`` (digits only, no sign)."""
    rev = integer.str.reverse()
    return rev.str.replace_all(r"(\d{3})", "$1,").str.strip_chars_end(",").str.reverse()


def _decimals(decimals: int | str | pl.Expr) -> pl.Expr:
    if isinstance(decimals, int):
        return pl.lit(decimals, dtype=pl.Int64)
    return (pl.col(decimals) if isinstance(decimals, str) else decimals).cast(pl.Int64)


def _units(expr: pl.Expr, dec: pl.Expr) -> pl.Expr:
    """|expr| in units of the last printed decimal, rounded half away from zero (Int64)."""
    scaled = expr.abs() * pl.lit(10.0).pow(dec.cast(pl.Float64))
    return (scaled + 0.5 + scaled * NUDGE).floor().cast(pl.Int64)


def fixed_expr(
    expr: pl.Expr, decimals: int | str | pl.Expr, thousands: bool = False, signed: bool = False
) -> pl.Expr:
    """Format ``expr`` with a constant number of decimals or a per-row decimals column (四舍五入).

    ``thousands`` groups the integer digits (``12,345.6``); ``signed`` prints ``+`` before a positive
    number (a negative one always carries ``-``). A value that rounds to zero is printed without a sign
    (``0.0``, never ``-0.0`` or ``+0.0``). Branch-free: one expression whatever the decimals.
    """
    dec = _decimals(decimals)
    units = _units(expr, dec)
    factor = pl.lit(10, dtype=pl.Int64).pow(dec)
    integer = (units // factor).cast(pl.String)
    if thousands:
        integer = _group_thousands(integer)
    frac = (units % factor).cast(pl.String).str.zfill(dec)
    if isinstance(decimals, int):
        body = pl.concat_str([integer, pl.lit("."), frac]) if decimals > 0 else integer
    else:
        body = pl.when(dec > 0).then(pl.concat_str([integer, pl.lit("."), frac])).otherwise(integer)
    plus = pl.lit("+") if signed else pl.lit("")
    sign = pl.when(units == 0).then(pl.lit("")).when(expr < 0).then(pl.lit("-")).otherwise(plus)
    return pl.when(expr.is_null() | expr.is_nan()).then(None).otherwise(pl.concat_str([sign, body]))


def fixed(value: float | None, decimals: int, thousands: bool = False, signed: bool = False) -> str | None:
    """Scalar form of :func:`fixed_expr`: the same arithmetic in the same IEEE doubles (a test compares
    the two on a million values), without building a frame per number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    scaled = abs(value) * 10.0 ** decimals
    units = int(math.floor(scaled + 0.5 + scaled * NUDGE))
    integer, frac = divmod(units, 10**decimals)
    digits = f"{integer:,}" if thousands else str(integer)
    body = f"{digits}.{frac:0{decimals}d}" if decimals > 0 else digits
    sign = "" if units == 0 else "-" if value < 0 else "+" if signed else ""
    return sign + body


def wan_figure(yuan: int | Decimal | None, decimals: int = 1) -> str:
    """Whole yuan as a number of 万元, for a column headed （万元）: 12,345,678 → ``1,234.6``."""
    if yuan is None:
        return "—"
    return fixed(float(Decimal(yuan) / 10_000), decimals, thousands=True) or "—"


def as_fraction(value: Fraction | Decimal | int | str) -> Fraction:
    """Exact rational form of a ratio or numeric parameter (``"2/3"`` strings allowed; floats refused,
    since a parameter typed as a float has already lost its exact value)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and "/" in value:
        num, den = value.split("/", 1)
        return Fraction(int(num), int(den))
    if isinstance(value, float):
        raise TypeError("参数取值不得为浮点数")
    return Fraction(Decimal(value) if isinstance(value, str) else value)


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


# --------------------------------------------------------------------------- money, over a column


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
