"""Shared pieces of the rules: exact money arithmetic, ratio tests, score bands, results and gaps.

Money is handled in whole fen (分) as integers inside computations, so the scalar engine and the
columnar engine (:mod:`xinzhi.policy.bulk`) round identically: a capped or scaled amount is
rounded *down* to the fen, an amount still needed (a gap) is rounded *up* to the fen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..params import as_fraction, jsonable

FEN = Decimal("0.01")


def to_fen(amount: Decimal) -> int:
    """Whole fen of a yuan amount that has at most two decimals."""
    return int(amount * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


def scale_down(amount: Decimal, ratio: Fraction | Decimal | str) -> Decimal:
    """``amount × ratio`` rounded down to the fen."""
    return from_fen(math.floor(to_fen(amount) * as_fraction(ratio)))


def needed_up(amount: Fraction) -> Decimal:
    """A yuan amount still needed, rounded up to the fen (never negative)."""
    return from_fen(max(0, math.ceil(amount * 100)))


def ratio(num: Decimal | int, den: Decimal | int) -> Fraction | None:
    """Exact ratio, or None when the denominator is not positive."""
    if den <= 0:
        return None
    return Fraction(num) / Fraction(den)


def at_least(num: Decimal | int, den: Decimal | int, threshold: Fraction) -> bool:
    """``num / den ≥ threshold`` exactly; False when ``den`` ≤ 0."""
    return den > 0 and Fraction(num) >= threshold * Fraction(den)


def band_for(value: Fraction | int | None, bands: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """First band whose lower bound the value reaches (``min`` inclusive, ``above`` exclusive).

    A band with neither bound is the fall-back (lowest) band.
    """
    for band in bands:
        if "min" in band:
            if value is not None and value >= as_fraction(band["min"]):
                return band
        elif "above" in band:
            if value is not None and value > as_fraction(band["above"]):
                return band
        else:
            return band
    return bands[-1]


def ip_band(class1: int, class2: int, bands: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """First IP band reached by the counts of Class I / Class II IP."""
    for band in bands:
        if "class1_min" in band and class1 >= band["class1_min"]:
            return band
        if "class2_min" in band and class2 >= band["class2_min"]:
            return band
        if "class1_min" not in band and "class2_min" not in band:
            return band
    return bands[-1]


def hires_needed(have: int, total: int, share: Fraction) -> int:
    """New S&T staff to hire (total grows with them) until ``have/total ≥ share``.

    Solves (have + n) ≥ share × (total + n) for the smallest integer n ≥ 0.
    """
    if total > 0 and have >= share * total:
        return 0
    return max(0, math.ceil((share * total - have) / (1 - share)))


def added_needed(part: Decimal, whole: Decimal, share: Fraction) -> Decimal:
    """Yuan to add to ``part`` (``whole`` grows with it) until ``part/whole ≥ share``."""
    if whole > 0 and Fraction(part) >= share * Fraction(whole):
        return Decimal("0.00")
    return needed_up((share * Fraction(whole) - Fraction(part)) / (1 - share))


def wan(amount: Decimal) -> str:
    """Display a yuan amount in 万元, rounded up to 0.01万元 (small amounts in 元)."""
    if amount < 10000:
        return f"{_trim(amount.quantize(FEN))}元"
    value = (Fraction(amount) / 10000)
    rounded = Decimal(math.ceil(value * 100)) / 100
    return f"{_trim(rounded)}万元"


def pct(value: Fraction | Decimal | str) -> str:
    """A ratio as a percentage text, e.g. 0.04 → ``4%``, 2/3 → ``66.67%``."""
    frac = as_fraction(value) * 100
    return f"{_trim((Decimal(frac.numerator) / Decimal(frac.denominator)).quantize(FEN))}%"


def _trim(d: Decimal) -> str:
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def ratio_text(value: Fraction | None) -> str | None:
    """A computed ratio for display (4 decimals, as a string)."""
    if value is None:
        return None
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001")))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Condition:
    """One condition of a programme, as the enterprise meets it or not.

    ``met`` is None when the package lacks the data to decide.
    """

    key: str
    label: str
    met: bool | None
    value: Any
    threshold: Any
    reference: str
    detail: str = ""
    gap: str | None = None
    gap_value: Any = None

    def as_dict(self) -> dict[str, Any]:
        out = {
            "key": self.key,
            "label": self.label,
            "met": self.met,
            "value": jsonable(self.value),
            "threshold": jsonable(self.threshold),
            "reference": self.reference,
        }
        if self.detail:
            out["detail"] = self.detail
        if self.gap:
            out["gap"] = self.gap
            out["gap_value"] = jsonable(self.gap_value)
        return out


@dataclass
class ProgramResult:
    """The answer for one programme."""

    program: str
    label: str
    conditions: list[Condition] = field(default_factory=list)
    eligible: bool | None = None
    status: str = ""
    score: dict[str, Any] | None = None
    benefit: dict[str, Any] | None = None
    gaps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def condition(self, key: str) -> Condition:
        return next(c for c in self.conditions if c.key == key)

    def decide(self) -> None:
        """Eligible when every condition is met; undecided (None) if any is unknown and none failed."""
        states = [c.met for c in self.conditions]
        if any(s is False for s in states):
            self.eligible, self.status = False, "not_eligible"
        elif any(s is None for s in states):
            self.eligible, self.status = None, "undetermined"
        else:
            self.eligible, self.status = True, "eligible"
        self.gaps = [c.gap for c in self.conditions if c.gap and c.met is not True] + self.gaps

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "program": self.program,
            "label": self.label,
            "eligible": self.eligible,
            "status": self.status,
            "status_label": STATUS_LABELS.get(self.status, self.status),
            "conditions": [c.as_dict() for c in self.conditions],
            "gaps": self.gaps,
        }
        if self.score is not None:
            out["score"] = jsonable(self.score)
        if self.benefit is not None:
            out["benefit"] = jsonable(self.benefit)
        if self.notes:
            out["notes"] = self.notes
        out.update(jsonable(self.extra))
        return out


STATUS_LABELS = {
    "eligible": "符合条件",
    "not_eligible": "不符合条件",
    "undetermined": "待补充数据或专家评分",
    "not_applicable": "不适用",
    "not_in_force": "政策不在有效期内",
}
