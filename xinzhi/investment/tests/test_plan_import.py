"""The plan import (``investment-plan``): annual plans and plan fields of registered projects."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry

from xinzhi.core.imports import commit_import, preview_import
from xinzhi.core.tests.helpers import write_csv
from xinzhi.investment.models import AnnualPlan, InvestmentProject

from .conftest import make_project

pytestmark = pytest.mark.django_db
HEADER = ["项目代码", "年度", "年度计划投资(万元)", "计划开工日期", "计划竣工日期", "责任单位", "责任人", "是否省重大项目"]
CODE = "2501-330106-04-01-000021"


def test_plan_import_creates_updates_and_audits(tmp_path):
    p = make_project(CODE)
    rows = [[CODE, 2025, 12000, "2025-04-01", "2026-10-31", "某某公司", "张三", "是"],
            [CODE, 2026, 8000.5, "2025-04-01", "2026-10-31", "某某公司", "张三", "是"]]
    first = commit_import("investment-plan", write_csv(tmp_path / "a.csv", HEADER, rows))
    assert first.committed, first.result.errors
    p.refresh_from_db()
    assert (p.planned_start, p.is_major, p.responsible_person) == (datetime.date(2025, 4, 1), True, "张三")
    assert dict(AnnualPlan.objects.filter(project=p).values_list("year", "planned_investment")) == {
        2025: 120_000_000, 2026: 80_005_000}
    rows[0][2] = 15000
    again = commit_import("investment-plan", write_csv(tmp_path / "b.csv", HEADER, rows))
    assert again.result.counts["changed"] == 1 and again.result.counts["unchanged"] == 1
    plan = AnnualPlan.objects.get(project=p, year=2025)
    assert plan.planned_investment == 150_000_000
    assert LogEntry.objects.filter(object_pk=str(plan.pk)).exists()


def test_plan_import_errors_name_row_field_and_reason(tmp_path):
    make_project(CODE)
    rows = [["2501-330106-04-01-999999", 2025, 100, "", "", "", "", ""],
            [CODE, 2025, 100, "2026-01-01", "2025-01-01", "", "", ""],
            [CODE, 2025, 100, "2026-01-01", "2025-01-01", "", "", ""]]
    result = preview_import("investment-plan", write_csv(tmp_path / "bad.csv", HEADER, rows))
    reasons = {(e.row, e.field, e.reason_zh) for e in result.result.errors}
    assert (2, "项目代码", "项目代码不存在，请先登记项目") in reasons  # row 1 is the header
    assert any(f == "计划竣工日期" and r == "不能早于计划开工日期" for _, f, r in reasons)
    assert (4, "项目代码", "与第3行重复（同一项目代码＋年度只能出现一次）") in reasons
    assert not InvestmentProject.objects.exclude(planned_start=datetime.date(2025, 3, 1)).exists()
