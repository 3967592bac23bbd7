"""Reporting periods.

Chinese statistics report a month as the year-to-date cumulative figure (1–N月累计). A period is
written ``YYYY-MM``; this module parses and formats it and nothing else.
"""

from __future__ import annotations

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

    @property
    def same_month_last_year(self) -> Period:
        return Period(self.year - 1, self.month)

    def label_zh(self) -> str:
        return f"{self.year}年1—{self.month}月" if self.month > 1 else f"{self.year}年1月"


def month_range(start: Period, end: Period) -> list[Period]:
    out, p = [], start
    while p <= end:
        out.append(p)
        p = Period(p.year + 1, 1) if p.month == 12 else Period(p.year, p.month + 1)
    return out
