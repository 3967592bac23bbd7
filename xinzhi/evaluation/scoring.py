"""Evaluation schemes and their scoring — pure: no Django, plain dicts in, dataclasses out.

A scheme (``xinzhi/evaluation/schemes/<code>.toml``) is an indicator system for one institution type and
purpose (annual evaluation, acceptance, operation evaluation, recognition review):

* **quantitative indicators** computed from the institution's annual data — ``numerator`` (a data field),
  optional ``denominator`` and ``factor`` (e.g. R&D expense ÷ revenue × 100) — each scored to a fraction
  in [0, 1] by a scoring function and multiplied by its weight:

  - ``linear``: 0 at or below ``lower``, 1 at or above ``upper``, straight line between (``lower > upper``
    makes a smaller-is-better indicator). Example: the Hunan acceptance table scores the R&D-staff share
    full at > 50 % and zero at < 10 % (policy_criteria.md §9, comparator);
  - ``bands``: ``bands = [[threshold, fraction], …]``; the first threshold the value reaches (≥), read
    from the highest down, gives the fraction; below every threshold → 0;

* **expert-scored criteria**, each scored by every reviewer from 0 to its ``max``; a reviewer's expert
  part is Σ weight × score ÷ max; the reviewers' parts are aggregated by the mean, optionally dropping the
  single highest and lowest (``trim``) when at least ``trim_min_reviewers`` scored;

* **grades** by configurable cut-offs (优秀 / 良好 / 合格, else 不合格, policy_criteria.md §7.2 for the
  technology-centre grades, §9 for innovation centres) and a **warning** band: a passing total below
  ``warning.below`` is 合格 with 警告.

Weights of indicators and criteria together must sum to 100, so the total is out of 100. All arithmetic is
``Decimal`` (TOML floats are read as Decimal), so boundary cases are exact: a total of exactly 90.00 is 优秀
when the cut-off is 90.

Rounding is at each step, half-up to 0.01, as a score sheet is filled in: each indicator's points, each
reviewer's part, the quantitative subtotal (the sum of the rounded points) and the expert part (the rounded
mean of the rounded parts); the total is the sum of the two rounded parts. So every number shown adds up to
the total shown; rounding only at the end would differ by 0.01 in about one case in five.

Examples:
    >>> s = load_scheme('''
    ... code = "t"
    ... name = "t"
    ... version = "1"
    ... purpose = "annual"
    ... applies_to = ["x"]
    ... [[indicators]]
    ... code = "rd"
    ... name = "研发强度"
    ... numerator = "rd_expense"
    ... denominator = "revenue"
    ... factor = 100
    ... weight = 60
    ... function = "linear"
    ... lower = 1
    ... upper = 5
    ... [[criteria]]
    ... code = "c"
    ... name = "c"
    ... weight = 40
    ... max = 10
    ... [[grades]]
    ... name = "合格"
    ... min = 60
    ... ''')
    >>> [r.points for r in score_quantitative(s, {"rd_expense": 3, "revenue": 100})[0]]
    [Decimal('30.00')]
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMES_DIR = Path(__file__).resolve().parent / "schemes"
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
FAIL_GRADE = "不合格"
#: ``selection`` (评审遴选): experts score candidates that are then ranked — a research-needs call, the
#: excellent new products (issue 17); it drives no status, the subject's app records the result
PURPOSES = ("recognition", "annual", "acceptance", "operation", "selection")
#: what a result does to the institution (动态管理): keep, warn, downgrade one level, revoke, or a
#: one-year rectification (warned, re-evaluated next year; 工信厅科〔2018〕37号 for innovation centres)
MANAGEMENT_ACTIONS = ("confirm", "warn", "downgrade", "revoke", "rectify")


class SchemeError(ValueError):
    """A scheme file is malformed (the message says which key and why)."""


class ScoreError(ValueError):
    """An expert's scores do not fit the scheme (missing criterion, out of range)."""


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    numerator: str
    weight: Decimal
    function: str
    denominator: str | None = None
    factor: Decimal = Decimal(1)
    unit: str = ""
    lower: Decimal | None = None
    upper: Decimal | None = None
    bands: tuple[tuple[Decimal, Decimal], ...] = ()
    reference: str = ""
    unverified: bool = True


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    weight: Decimal
    max: Decimal
    guidance: str = ""


@dataclass(frozen=True)
class Grade:
    name: str
    min: Decimal


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    version: str
    purpose: str
    applies_to: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    criteria: tuple[Criterion, ...]
    grades: tuple[Grade, ...]
    warning_below: Decimal | None = None
    trim_min_reviewers: int = 3
    reference: str = ""
    unverified: bool = True
    note: str = ""
    text: str = ""
    on_fail: str = "revoke"
    on_fail_again: str = "revoke"
    #: the subject kind whose registered provider the round's submissions belong to (``subjects.py``)
    subject: str = "platforms"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]

    @property
    def pass_mark(self) -> Decimal:
        return min(g.min for g in self.grades)

def _require(table: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise SchemeError(f"{where}: missing key '{key}'")
    return table[key]


def load_scheme(text: str) -> Scheme:
    """Parse and validate a scheme's TOML text."""
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"TOML: {exc}") from exc
    code = _require(raw, "code", "scheme")
    purpose = _require(raw, "purpose", code)
    if purpose not in PURPOSES:
        raise SchemeError(f"{code}: purpose must be one of {PURPOSES}")
    indicators = []
    for i, t in enumerate(raw.get("indicators", [])):
        where = f"{code}.indicators[{i}]"
        function = _require(t, "function", where)
        ind = Indicator(
            code=_require(t, "code", where), name=_require(t, "name", where), numerator=_require(t, "numerator", where),
            weight=_d(_require(t, "weight", where)), function=function, denominator=t.get("denominator"),
            factor=_d(t.get("factor", 1)), unit=t.get("unit", ""),
            lower=_d(t["lower"]) if "lower" in t else None, upper=_d(t["upper"]) if "upper" in t else None,
            bands=tuple(sorted(((_d(a), _d(b)) for a, b in t.get("bands", [])), reverse=True)),
            reference=t.get("reference", ""), unverified=bool(t.get("unverified", True)),
        )
        if function == "linear":
            if ind.lower is None or ind.upper is None or ind.lower == ind.upper:
                raise SchemeError(f"{where}: linear needs distinct 'lower' and 'upper'")
        elif function == "bands":
            if not ind.bands or any(not (0 <= f <= 1) for _, f in ind.bands):
                raise SchemeError(f"{where}: bands need [[threshold, fraction 0–1], …]")
        else:
            raise SchemeError(f"{where}: unknown function '{function}' (linear or bands)")
        indicators.append(ind)
    criteria = []
    for i, t in enumerate(raw.get("criteria", [])):
        where = f"{code}.criteria[{i}]"
        criteria.append(Criterion(
            code=_require(t, "code", where), name=_require(t, "name", where), weight=_d(_require(t, "weight", where)),
            max=_d(t.get("max", 10)), guidance=t.get("guidance", ""),
        ))
    grades = tuple(sorted(
        (Grade(_require(g, "name", f"{code}.grades"), _d(_require(g, "min", f"{code}.grades"))) for g in raw.get("grades", [])),
        key=lambda g: g.min, reverse=True,
    ))
    if not grades:
        raise SchemeError(f"{code}: at least one [[grades]] cut-off is needed")
    codes = [x.code for x in indicators] + [x.code for x in criteria]
    if len(codes) != len(set(codes)):
        raise SchemeError(f"{code}: indicator and criterion codes must be unique")
    total_weight = sum((x.weight for x in indicators), Decimal(0)) + sum((x.weight for x in criteria), Decimal(0))
    if total_weight != HUNDRED:
        raise SchemeError(f"{code}: weights sum to {total_weight}, not 100")
    warning = raw.get("warning", {})
    management = raw.get("management", {})
    for key in ("on_fail", "on_fail_again"):
        if management.get(key, "revoke") not in MANAGEMENT_ACTIONS:
            raise SchemeError(f"{code}.management.{key} must be one of {MANAGEMENT_ACTIONS}")
    return Scheme(
        code=code, name=_require(raw, "name", code), version=str(_require(raw, "version", code)), purpose=purpose,
        applies_to=tuple(_require(raw, "applies_to", code)), indicators=tuple(indicators), criteria=tuple(criteria),
        grades=grades, warning_below=_d(warning["below"]) if "below" in warning else None,
        trim_min_reviewers=int(raw.get("trim_min_reviewers", 3)), reference=raw.get("reference", ""),
        unverified=bool(raw.get("unverified", True)), note=raw.get("note", ""), text=text,
        on_fail=management.get("on_fail", "revoke"), on_fail_again=management.get("on_fail_again", "revoke"),
        subject=str(raw.get("subject", "platforms")),
    )


# --- scoring functions -----------------------------------------------------------------------------


def linear(value: Decimal, lower: Decimal, upper: Decimal) -> Decimal:
    """Fraction in [0, 1]: 0 at ``lower``, 1 at ``upper``, linear between (works for lower > upper too)."""
    fraction = (value - lower) / (upper - lower)
    return max(Decimal(0), min(Decimal(1), fraction))


def bands(value: Decimal, table: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """The fraction of the highest threshold that ``value`` reaches (``table`` sorted high → low)."""
    for threshold, fraction in table:
        if value >= threshold:
            return fraction
    return Decimal(0)


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    name: str
    value: Decimal | None
    unit: str
    fraction: Decimal
    weight: Decimal
    points: Decimal
    explanation: str

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "value": None if self.value is None else str(self.value),
            "unit": self.unit, "fraction": str(self.fraction), "weight": str(self.weight), "points": str(self.points),
            "explanation": self.explanation,
        }


def indicator_value(ind: Indicator, data: Mapping[str, Any]) -> Decimal | None:
    """The indicator's value from the data, or None when a needed figure is missing (or divides by 0)."""
    num = data.get(ind.numerator)
    if num is None:
        return None
    value = _d(num)
    if ind.denominator:
        den = data.get(ind.denominator)
        if den is None or _d(den) == 0:
            return None
        value = value / _d(den)
    return (value * ind.factor).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def score_indicator(ind: Indicator, data: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> IndicatorResult:
    """One indicator's result; ``labels`` names the data fields in the explanation (their Chinese names)."""
    value = indicator_value(ind, data)
    if value is None:
        missing = [(labels or {}).get(f, f) for f in (ind.numerator, ind.denominator) if f and data.get(f) in (None, 0)]
        return IndicatorResult(ind.code, ind.name, None, ind.unit, Decimal(0), ind.weight, Decimal("0.00"),
                               f"缺少数据（{'、'.join(missing)}），计0分")
    if ind.function == "linear":
        fraction = linear(value, ind.lower, ind.upper)
        rule = f"线性：{ind.lower}{ind.unit}得0分，{ind.upper}{ind.unit}得满分"
    else:
        fraction = bands(value, ind.bands)
        rule = "分档：" + "；".join(f"≥{t}{ind.unit}得{q2(f * 100)}%" for t, f in ind.bands)
    points = q2(fraction * ind.weight)
    text = f"{ind.name} = {value.normalize():f}{ind.unit}；{rule}；得 {points}/{ind.weight} 分"
    return IndicatorResult(ind.code, ind.name, value, ind.unit, fraction, ind.weight, points, text)


def score_quantitative(
    scheme: Scheme, data: Mapping[str, Any], labels: Mapping[str, str] | None = None,
) -> tuple[list[IndicatorResult], Decimal]:
    """Every indicator's result and the quantitative subtotal (out of the indicators' weight sum)."""
    results = [score_indicator(ind, data, labels) for ind in scheme.indicators]
    return results, q2(sum((r.points for r in results), Decimal(0)))


def score_review(scheme: Scheme, scores: Mapping[str, Any]) -> Decimal:
    """One reviewer's expert part: Σ weight × score ÷ max over the scheme's criteria (all required)."""
    total = Decimal(0)
    for c in scheme.criteria:
        if scores.get(c.code) in (None, ""):
            raise ScoreError(f"缺少“{c.name}”的评分")
        try:
            s = _d(scores[c.code])
        except ArithmeticError as exc:
            raise ScoreError(f"“{c.name}”的评分须为数字") from exc
        if not s.is_finite():  # NaN would raise on comparison; ±Infinity is not a score either
            raise ScoreError(f"“{c.name}”的评分须为有限的数")
        if not (0 <= s <= c.max):
            raise ScoreError(f"“{c.name}”的评分须在 0–{c.max} 之间")
        total += c.weight * s / c.max
    return q2(total)


def aggregate(values: Iterable[Decimal], trim: bool, trim_min: int = 3) -> Decimal | None:
    """Mean of the reviewers' values; with ``trim`` and at least ``trim_min`` values, drop one highest
    and one lowest first. None when nobody scored."""
    ordered = sorted(_d(v) for v in values)
    if not ordered:
        return None
    if trim and len(ordered) >= max(3, trim_min):
        ordered = ordered[1:-1]
    return q2(sum(ordered, Decimal(0)) / len(ordered))


@dataclass(frozen=True)
class GradeResult:
    grade: str
    warning: bool
    passed: bool
    explanation: str


def grade(scheme: Scheme, total: Decimal) -> GradeResult:
    """The grade for a total by the scheme's cut-offs (≥ min), and the warning band."""
    total = q2(_d(total))
    for g in scheme.grades:
        if total >= g.min:
            warn = scheme.warning_below is not None and total < scheme.warning_below
            text = f"总分 {total} ≥ {g.min}，评为{g.name}" + (f"；低于 {scheme.warning_below}，予以警告" if warn else "")
            return GradeResult(g.name, warn, True, text)
    return GradeResult(FAIL_GRADE, False, False, f"总分 {total} 低于 {scheme.pass_mark}，评为{FAIL_GRADE}")


def management_action(scheme: Scheme, result: GradeResult, failed_last_time: bool = False) -> str:
    """What the grade does to the institution: ``confirm`` (优秀/良好/合格), ``warn`` (合格 with 警告), or
    the scheme's ``on_fail`` for 不合格 (``on_fail_again`` when the previous evaluation failed too)."""
    if result.passed:
        return "warn" if result.warning else "confirm"
    return scheme.on_fail_again if failed_last_time else scheme.on_fail


@dataclass
class Evaluation:
    indicators: list[IndicatorResult]
    quantitative: Decimal
    expert: Decimal | None
    reviewer_parts: list[Decimal]
    total: Decimal
    result: GradeResult
    complete: bool = field(default=True)


def evaluate(
    scheme: Scheme, data: Mapping[str, Any], reviews: Sequence[Mapping[str, Any]], trim: bool = True,
    labels: Mapping[str, str] | None = None,
) -> Evaluation:
    """The whole evaluation: quantitative part + aggregated expert part → total → grade.

    ``reviews`` are the reviewers' per-criterion score dicts. Without reviews a scheme that has expert
    criteria is ``complete=False`` and the expert part counts 0.
    """
    results, quantitative = score_quantitative(scheme, data, labels)
    parts = [score_review(scheme, r) for r in reviews]
    expert = aggregate(parts, trim, scheme.trim_min_reviewers) if scheme.criteria else None
    total = q2(quantitative + (expert or Decimal(0)))
    complete = not scheme.criteria or bool(parts)
    return Evaluation(results, quantitative, expert, parts, total, grade(scheme, total), complete)


# --- the shipped scheme files ----------------------------------------------------------------------


@lru_cache(maxsize=64)
def _load_file(path: str, mtime: float) -> Scheme:
    return load_scheme(Path(path).read_text(encoding="utf-8"))


def get_scheme(code: str, directory: Path = SCHEMES_DIR) -> Scheme:
    """The scheme ``<code>.toml`` (re-read when the file changes, so an edit needs no restart)."""
    path = directory / f"{code}.toml"
    if not path.is_file():
        raise SchemeError(f"未找到评价方案 {code}")
    return _load_file(str(path), path.stat().st_mtime)


def all_schemes(directory: Path = SCHEMES_DIR) -> list[Scheme]:
    return [get_scheme(p.stem, directory) for p in sorted(directory.glob("*.toml"))]


def scheme_for(kind: str, purpose: str, directory: Path = SCHEMES_DIR) -> Scheme | None:
    """The first scheme (by file name) that applies to an institution kind/level and purpose."""
    for s in all_schemes(directory):
        if s.purpose == purpose and kind in s.applies_to:
            return s
    return None
