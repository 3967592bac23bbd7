"""The 月月有 check on plain data: a month is missed only once it has ended."""

from __future__ import annotations

import datetime as dt

from xinzhi.supervision import coverage


def test_months_are_done_missed_pending_or_future():
    counts = {("330100", 1): 2, ("330100", 2): 1, ("330200", 1): 1, ("330100", 3): 1}
    rows = coverage.coverage(counts, ["330100", "330200"], 2025, dt.date(2025, 3, 15))
    hz, nb = rows
    assert [s for _, _, s in hz.cells[:4]] == ["done", "done", "done", "future"]
    assert [s for _, _, s in nb.cells[:4]] == ["done", "missed", "pending", "future"]
    assert hz.cells[0] == (1, 2, "done")
    assert coverage.gaps(rows) == [("330200", 2)]


def test_a_past_year_is_checked_in_full_and_a_future_one_not_at_all():
    rows = coverage.coverage({("330100", m): 1 for m in range(1, 12)}, ["330100"], 2025, dt.date(2026, 1, 2))
    assert coverage.gaps(rows) == [("330100", 12)]
    assert coverage.gaps(coverage.coverage({}, ["330100"], 2027, dt.date(2026, 1, 2))) == []
