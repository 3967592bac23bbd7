"""Condition kinds: each programme's conditions are declarations compiled to Polars expressions.

A :class:`Condition` names its key, the Chinese label, threshold and gap sentences as templates that name
parameters (rendered by :mod:`xinzhi.policy.explain`, per row for one enterprise and over a column for the
lists), the parameters that set it (their citations are shown), and a *kind* — ratio at least, count at
least, years since a date, none within years, in / not in a list, cap at most, a flag, or an expression
of the programme's own columns. ``kind.compile`` gives, for the whole register at once:

* ``<home>.<key>``: met — True / False / null (undetermined: data or expert points missing);
* ``<home>.<key>.gap``: what is missing (fen, persons, points, a date) where the kind has one;
* ``<home>.<key>.num`` / ``.den``: the enterprise's figures behind a ratio (for the display).

``home`` is the programme whose columns hold it; another programme may list the same condition (the
VAT additional deduction lists the advanced-manufacturing list criteria: one definition, one column).
Money is in fen and every ratio is compared by cross-multiplication in integers (exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from .params import ParameterView

I128 = pl.Int128


@dataclass(frozen=True)
class Width:
    """The integer type of the money / head-count arithmetic (Int64 when a bound check allows it)."""

    dtype: pl.DataType = I128

    def col(self, name: str) -> pl.Expr:
        return pl.col(name).cast(self.dtype)

    def lit(self, value: int) -> pl.Expr:
        return pl.lit(value, dtype=self.dtype)

    def col0(self, name: str) -> pl.Expr:
        return self.col(name).fill_null(self.lit(0))


WIDE = Width(I128)


def reaches(num: pl.Expr, den: pl.Expr, t: Fraction, w: Width = WIDE, strict: bool = False) -> pl.Expr:
    """``num / den ≥ t`` (``> t`` when strict), exact; False when ``den ≤ 0``."""
    lhs, rhs = num * w.lit(t.denominator), den * w.lit(t.numerator)
    return (den > w.lit(0)) & ((lhs > rhs) if strict else (lhs >= rhs))


def ceil_div(expr: pl.Expr, den: int, w: Width = WIDE) -> pl.Expr:
    """ceil(expr / den) for expr ≥ 0."""
    return (expr + w.lit(den - 1)) // w.lit(den)


def scale_floor(expr: pl.Expr, ratio: Fraction, w: Width = WIDE) -> pl.Expr:
    """floor(expr × ratio) for expr ≥ 0, exact."""
    return (expr * w.lit(ratio.numerator)) // w.lit(ratio.denominator)


def added_to_reach(num: pl.Expr, den: pl.Expr, t: Fraction, grows: bool, strict: bool, w: Width = WIDE) -> pl.Expr:
    """The smallest whole amount x to add to ``num`` so that the ratio reaches ``t`` (``> t`` if strict).

    ``grows``: the addition also grows ``den`` (new S&T staff are staff; new high-tech revenue is revenue):
    (num + x) / (den + x) ≥ t; else ``den`` stays: (num + x) / den ≥ t. Zero when already reached.
    """
    p, q = w.lit(t.numerator), w.lit(t.denominator)
    short = p * den - q * num  # > 0 while below the threshold
    step = t.denominator - t.numerator if grows else t.denominator
    if strict:
        need = pl.max_horizontal(w.lit(0), short) // w.lit(step) + w.lit(1)
    else:
        need = ceil_div(pl.max_horizontal(w.lit(0), short), step, w)
    return pl.when(reaches(num, den, t, w, strict)).then(w.lit(0)).otherwise(need)


# --------------------------------------------------------------------------- kinds


class Kind:
    """How a condition is computed; ``compile`` returns its columns (see the module docstring)."""

    unit: str = ""  # the unit of ``gap`` / ``num`` / ``den``: "fen", "persons", "count", "points", "date", "year"
    has_gap: bool = False  # it computes ``<name>.gap``

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        raise NotImplementedError


@dataclass(frozen=True)
class RatioAtLeast(Kind):
    """``num / den ≥ share`` (``> share`` when strict). ``num``/``den``: column names (their expressions
    computed in an earlier stage); ``share``: a parameter, or a column pair ``(p, q)`` computed per row."""

    has_gap = True

    num: str
    den: str
    share: str
    grows: bool = True
    strict: bool = False
    unit: str = "fen"
    pending: str | None = None  # a boolean column: True where the data are incomplete (met is then null)

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        num, den = w.col(self.num), w.col(self.den)
        t = v.fraction(self.share)
        met = reaches(num, den, t, w, self.strict)
        gap = added_to_reach(num, den, t, self.grows, self.strict, w)
        if self.pending:
            met = pl.when(pl.col(self.pending)).then(pl.lit(None, dtype=pl.Boolean)).otherwise(met)
            gap = pl.when(pl.col(self.pending)).then(pl.lit(None, dtype=w.dtype)).otherwise(gap)
        return {name: met, f"{name}.gap": gap, f"{name}.num": num, f"{name}.den": den}


@dataclass(frozen=True)
class AtLeast(Kind):
    """``value ≥ minimum`` (a parameter); the gap is the difference."""

    has_gap = True

    value: str
    minimum: str
    unit: str = "count"

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        value, need = pl.col(self.value).cast(pl.Int64), pl.lit(v(self.minimum), dtype=pl.Int64)
        return {name: value >= need, f"{name}.gap": pl.max_horizontal(pl.lit(0, dtype=pl.Int64), need - value),
                f"{name}.num": value}


@dataclass(frozen=True)
class AtMost(Kind):
    """``value ≤ cap`` (a parameter; ``per_unit`` converts it to the column's unit, e.g. yuan → fen)."""

    value: str
    cap: str
    per_unit: int = 1
    unit: str = "count"

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        value = pl.col(self.value).cast(I128)
        return {name: value <= pl.lit(v(self.cap) * self.per_unit, dtype=I128), f"{name}.num": value}


@dataclass(frozen=True)
class YearsSince(Kind):
    """At least ``years`` (a parameter) from the date in ``since`` to the row's assessment date; the gap is
    the first date it holds."""

    has_gap = True

    since: str
    years: str
    unit: str = "date"

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        start = pl.col(self.since).dt.offset_by(f"{v(self.years)}y")
        return {name: pl.col("assessment_date") >= start, f"{name}.gap": start}


@dataclass(frozen=True)
class NoneWithinYears(Kind):
    """No event (latest date in ``last``) within ``years`` (a parameter) before the assessment date; the gap
    is the date from which the event no longer counts."""

    has_gap = True

    last: str
    years: str
    unit: str = "date"

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        n = v(self.years)
        last = pl.col(self.last)
        within = last.is_not_null() & (last > pl.col("assessment_date").dt.offset_by(f"-{n}y"))
        return {name: ~within, f"{name}.gap": pl.when(within).then(last.dt.offset_by(f"{n}y"))}


@dataclass(frozen=True)
class NoneInYears(Kind):
    """No event (latest year in ``last``) in the assessment year or the ``years`` (a parameter) before it;
    the gap is the first year from which it no longer counts."""

    has_gap = True

    last: str
    years: str
    unit: str = "year"

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        n = v(self.years)
        last = pl.col(self.last).cast(pl.Int64)
        first = pl.col("assessment_date").dt.year().cast(pl.Int64) - n
        within = last.is_not_null() & (last >= first)
        return {name: ~within, f"{name}.gap": pl.when(within).then(last + n + 1), f"{name}.num": last}


@dataclass(frozen=True)
class InList(Kind):
    """The column's value is one of the parameter's list (null → undetermined)."""

    value: str
    options: str
    unit: str = ""

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        value = pl.col(self.value)
        return {name: pl.when(value.is_null()).then(pl.lit(None, dtype=pl.Boolean))
                .otherwise(value.is_in(list(v(self.options))))}


@dataclass(frozen=True)
class Equals(Kind):
    """The column equals the parameter's value."""

    value: str
    expected: str
    unit: str = ""

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        return {name: (pl.col(self.value) == v(self.expected)).fill_null(False)}


@dataclass(frozen=True)
class NotInIndustries(Kind):
    """The industry (GB/T 4754-2017 class code) is not in the parameter's list of codes — section letters,
    divisions, groups or classes."""

    industries: str
    unit: str = ""

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        codes = [item["code"] for item in v(self.industries)]
        code = pl.col("industry_code")
        hit = (pl.col("industry_section").is_in(codes) | code.str.slice(0, 2).is_in(codes)
               | code.str.slice(0, 3).is_in(codes) | code.is_in(codes)).fill_null(False)
        return {name: ~hit}


@dataclass(frozen=True)
class Flag(Kind):
    """A reported fact (a boolean column) must be ``expected``."""

    value: str
    expected: bool = True
    unit: str = ""

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        value = pl.col(self.value).fill_null(not self.expected)
        return {name: value if self.expected else ~value}


@dataclass(frozen=True)
class ScorePasses(Kind):
    """A score reaches its pass mark (a parameter). With ``best``/``complete`` (expert points still missing count at
    the bottom in ``score`` and at the top in ``best``): undetermined while the two straddle the mark. ``unless``: a
    boolean column that meets the condition anyway (a direct qualification). The gap is the points missing."""

    has_gap = True

    score: str
    minimum: str
    best: str | None = None
    complete: str | None = None
    unless: str | None = None
    unit: str = "points"

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        need = pl.lit(v(self.minimum), dtype=pl.Int64)
        score = pl.col(self.score).cast(pl.Int64)
        met = pl.when(score >= need).then(pl.lit(True))
        if self.best and self.complete:
            met = met.when(pl.col(self.complete) | (pl.col(self.best) < need)).then(pl.lit(False)) \
                .otherwise(pl.lit(None, dtype=pl.Boolean))
        else:
            met = met.otherwise(pl.lit(False))
        gap = pl.max_horizontal(pl.lit(0, dtype=pl.Int64), need - score)
        if self.unless:
            met = met | pl.col(self.unless)
            gap = pl.when(pl.col(self.unless)).then(pl.lit(0, dtype=pl.Int64)).otherwise(gap)
        return {name: met, f"{name}.gap": gap}


@dataclass(frozen=True)
class Computed(Kind):
    """Met (``<home>.<key>``) and its gap (``<home>.<key>.gap``) are columns the programme computes in its
    own stages (e.g. the innovation score, the three-year R&D ratio by sales tier)."""

    has_gap = True

    unit: str = ""

    def compile(self, name: str, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        return {}


@dataclass(frozen=True)
class Condition:
    """One condition of a programme, written once (see the module docstring)."""

    home: str
    key: str
    short: str  # a few characters, for the lists' "未满足条件" column
    kind: Kind
    label: str
    refs: tuple[str, ...]
    threshold: str = ""
    gap: str | None = None
    pending: str | None = None
    value: str | None = None
    closable: bool = False
    stage: int = 0
    when: str | None = None  # a parameter (boolean): the condition applies only while it is true

    @property
    def name(self) -> str:
        return f"{self.home}.{self.key}"

    def applies(self, v: ParameterView) -> bool:
        return self.when is None or bool(v(self.when))

    def compile(self, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
        return self.kind.compile(self.name, v, w)


def compile_stage(conditions: Sequence[Condition], stage: int, v: ParameterView, w: Width) -> dict[str, pl.Expr]:
    """The columns of the conditions declared for ``stage`` (those that apply on the view's date)."""
    out: dict[str, pl.Expr] = {}
    for c in conditions:
        if c.stage == stage and c.applies(v):
            out.update(c.compile(v, w))
    return out


def all_met(conditions: Sequence[Condition], v: ParameterView) -> pl.Expr:
    """Kleene AND of the conditions that apply: any False → False, else any null → null, else True."""
    return pl.all_horizontal([pl.col(c.name) for c in conditions if c.applies(v)])


@dataclass(frozen=True)
class Benefit:
    """A benefit line shown to the enterprise: a label template and the column holding the amount (fen) or a
    parameter (a rate)."""

    label: str
    column: str | None = None
    param: str | None = None
    unit: str = "fen"


Stage = dict[str, pl.Expr]
