"""Issue 12 item 3 (imports): a period later than the current month, or earlier than the first month with
reference data, is an error; so is a data year later than the current year."""

from __future__ import annotations

import datetime

import pytest

from xinzhi.core.imports import preview_import
from xinzhi.core.periods import FIRST_PERIOD, Period, current_period
from xinzhi.core.tests.helpers import code, make_enterprise, write_csv
from xinzhi.enterprises.tests.test_enterprise_import import HEADER as REGISTER_HEADER
from xinzhi.enterprises.tests.test_monthly_import import HEADER, row
from xinzhi.investment.tests.test_investment_import import REGION_HEADER

pytestmark = pytest.mark.django_db


def next_month(p: Period) -> Period:
    return Period(p.year + 1, 1) if p.month == 12 else Period(p.year, p.month + 1)


def test_current_period_is_the_month_in_shanghai():
    assert current_period(datetime.date(2026, 12, 4)) == Period(2026, 12)
    assert FIRST_PERIOD == Period(2021, 4)


def test_monthly_file_for_next_month_is_an_error(tmp_path):
    firm = make_enterprise("330106", 1)
    now = current_period()
    later = next_month(now)
    path = write_csv(tmp_path / "m.csv", HEADER, [row(firm.uscc, str(later)), row(firm.uscc, str(now))])
    outcome = preview_import("monthly-stats", path)
    assert [(i.row, i.field, i.reason_zh) for i in outcome.result.errors] == [
        (2, "期别", f"期别晚于当前月份：文件为{later}，当前为{now}")]


def test_months_before_the_reference_data_are_an_error(tmp_path):
    path = write_csv(tmp_path / "r.csv", REGION_HEADER, [["330106", "2021-03", 100, "否"], ["330106", "2021-04", 100, "否"]])
    outcome = preview_import("region-investment", path)
    (issue,) = outcome.result.errors
    assert issue.row == 2 and issue.reason_zh.startswith("期别早于有参考数据的最早月份：文件为2021-03，最早为2021-04")


def test_a_data_year_in_the_future_is_an_error(tmp_path):
    year = current_period().year
    rows = [[code("330106", i), f"企业{i}", "330106", "3973", None, None, None, y, "是"]
            for i, y in ((1, year), (2, year + 1))]
    outcome = preview_import("enterprises", write_csv(tmp_path / "e.csv", REGISTER_HEADER, rows))
    assert [(i.row, i.field, i.reason_zh) for i in outcome.result.errors] == [
        (3, "规上年度", f"年度晚于当前年度：文件为{year + 1}，当前为{year}")]
