"""Reporting periods.

Chinese statistics report a month as the year-to-date cumulative figure (1–N月累计). A period is
written ``YYYY-MM``; this module parses and formats it, and says which months data may be for:
from ``first_period()`` (the first month the reference data describe) to ``current_period()``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_PERIOD_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise PeriodError(f"月份 {self.month} 不在 1–12 之间")
        if not 1990 <= self.year <= 2100:
            raise PeriodError(f"年份 {self.year} 不合理")

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """Accept ``2025-06``, ``2025/6``, ``2025.06`` and ``2025年6月``."""
        if isinstance(text, Period):
            return text
        match = _PERIOD_RE.match(str(text))
        if not match:
            raise PeriodError(f"期别“{text}”格式错误，应为 YYYY-MM")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def label_zh(self) -> str:
        return f"{self.year}年1—{self.month}月" if self.month > 1 else f"{self.year}年1月"


def month_range(start: Period, end: Period) -> list[Period]:
    out, p = [], start
    while p <= end:
        out.append(p)
        p = Period(p.year + 1, 1) if p.month == 12 else Period(p.year, p.month + 1)
    return out


#: The first month the reference data describe: Zhejiang's current 90 county-level divisions date from
#: the Hangzhou restructuring (国函〔2021〕29号; 浙江省人民政府《关于调整杭州市部分行政区划的通知》of
#: 2021-03-11, announced 2021-04-09; domain notes regions_and_geo.md §1.3). A filing for an earlier month
#: would be counted in counties that did not exist then (330103 下城区 and 330104 江干区 were retired,
#: 330113 临平区 and 330114 钱塘区 created). Settings may move it (``XINZHI_FIRST_PERIOD = "YYYY-MM"``)
#: when older reference data are loaded.
FIRST_PERIOD = Period(2021, 4)


def first_period() -> Period:
    from django.conf import settings

    return Period.parse(getattr(settings, "XINZHI_FIRST_PERIOD", FIRST_PERIOD))


def current_period(today: datetime.date | None = None) -> Period:
    """This month in the platform's time zone (Asia/Shanghai)."""
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    return Period(today.year, today.month)


def bounds_error(period: Period, today: datetime.date | None = None) -> str | None:
    """Why ``period`` is outside the months data may be for, in Chinese (or None when it is inside):
    the same rule and wording as the imports (``core.imports.engine``), for query parameters and forms."""
    current, first = current_period(today), first_period()
    if period > current:
        return f"期别晚于当前月份：所选为{period}，当前为{current}"
    if period < first:
        return f"期别早于有参考数据的最早月份：所选为{period}，最早为{first}（现行县级区划自{first.year}年{first.month}月起）"
    return None


def parse_bounded(text: str | Period, today: datetime.date | None = None) -> Period:
    """Parse a period given by a user (query parameter, form field) and check its bounds; ``PeriodError``
    with the Chinese reason otherwise."""
    period = Period.parse(text)
    reason = bounds_error(period, today)
    if reason:
        raise PeriodError(reason)
    return period


def year_error(year: int, today: datetime.date | None = None, ahead: int = 0) -> str | None:
    """Why a year parameter (targets, counts) is outside the years data may be for, or None. ``ahead``:
    years after the current one that are allowed (targets are set for the coming year)."""
    current, first = current_period(today), first_period()
    if year > current.year + ahead:
        return f"年份晚于当前年份：所选为{year}年，当前为{current.year}年"
    if year < first.year:
        return f"年份早于有参考数据的最早年份：所选为{year}年，最早为{first.year}年"
    return None
