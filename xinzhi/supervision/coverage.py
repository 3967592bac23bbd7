"""The 月月有 check (seed task 10: "an S&T innovation activity every month, province-wide") — pure.

Given the number of activities per unit (a city, or a county) and month, which months have none. A month
counts as missed only once it has ended by the as-of date; the current month is "pending" until then.
No official rule for 月月有 was found (shared/domain/pipeline_unicorns_supervision.md §3.4): the check is
"at least one activity per unit and calendar month", the literal reading of the seed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DONE, MISSED, PENDING, FUTURE = "done", "missed", "pending", "future"


@dataclass(frozen=True)
class UnitCoverage:
    code: str
    cells: tuple[tuple[int, int, str], ...]  # (month, activities, state)

    @property
    def missed(self) -> list[int]:
        return [m for m, _, s in self.cells if s == MISSED]


def month_state(year: int, month: int, count: int, as_of: dt.date) -> str:
    if count > 0:
        return DONE
    if (year, month) < (as_of.year, as_of.month):
        return MISSED
    if (year, month) == (as_of.year, as_of.month):
        return PENDING
    return FUTURE


def coverage(counts: dict[tuple[str, int], int], units: list[str], year: int, as_of: dt.date) -> list[UnitCoverage]:
    """``counts`` maps (unit code, month) to the number of activities; every unit gets twelve cells."""
    return [UnitCoverage(u, tuple((m, counts.get((u, m), 0), month_state(year, m, counts.get((u, m), 0), as_of))
                                  for m in range(1, 13))) for u in units]


def gaps(rows: list[UnitCoverage]) -> list[tuple[str, int]]:
    return [(r.code, m) for r in rows for m in r.missed]
