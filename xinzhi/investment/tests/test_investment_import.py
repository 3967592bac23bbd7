"""Investment projects with YTD progress (investment) and county totals (region-investment)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from xinzhi.core.imports import commit_import, get_kind, preview_import, read_table
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.tests.helpers import write_csv, write_xlsx
from xinzhi.investment.models import InvestmentProject, ProjectProgress, RegionInvestment

pytestmark = pytest.mark.django_db

HEADER = ["项目代码", "项目名称", "县代码", "行业代码", "是否高新技术产业", "计划总投资(万元)", "阶段", "开工年份",
          "期别", "累计完成投资(万元)", "是否修订"]
REGION_HEADER = ["县代码", "期别", "固定资产投资累计(万元)", "是否修订"]


def project(i: int, period: str = "2025-03", ytd: float = 100.5, stage: str = "在建") -> list[object]:
    return [f"2501-330106-04-01-{i:06d}", f"项目{i}", "330106", "3973", "是", 5000 + i, stage, 2025, period, ytd,
            "否"]


def test_projects_and_progress_commit_idempotently(tmp_path):
    rows = [project(i) for i in range(1, 6)] + [project(1, "2025-04", 200)]
    path = write_xlsx(tmp_path / "p.xlsx", HEADER, rows)
    first = commit_import("investment", path)
    assert first.committed, first.result.errors
    assert first.result.counts["new"] == 6
    assert InvestmentProject.objects.count() == 5 and ProjectProgress.objects.count() == 6
    p = InvestmentProject.objects.get(code="2501-330106-04-01-000001")
    assert (p.planned_total, p.stage, p.is_high_tech, p.start_year) == (50_010_000, "construction", True, 2025)
    assert ProjectProgress.objects.get(project=p, month=3).ytd_completed == 1_005_000
    again = commit_import("investment", path)
    assert again.result.counts["unchanged"] == 6 and again.result.counts["new"] == 0


def test_corrections_update_projects_and_progress_with_audit(tmp_path):
    commit_import("investment", write_csv(tmp_path / "a.csv", HEADER, [project(i) for i in range(1, 4)]))
    rows = [project(i) for i in range(1, 4)]
    rows[0][6] = "竣工"
    rows[1][9] = 150
    outcome = commit_import("investment", write_csv(tmp_path / "b.csv", HEADER, rows))
    assert outcome.result.counts["changed"] == 2 and outcome.result.counts["unchanged"] == 1
    assert LogEntry.objects.get(content_type__model="investmentproject", action=1).changes == {
        "stage": ["construction", "completed"]}
    assert LogEntry.objects.get(content_type__model="projectprogress", action=1).changes == {
        "ytd_completed": ["1005000", "1500000"]}


def test_investment_validation(tmp_path):
    commit_import("investment", write_csv(tmp_path / "a.csv", HEADER, [project(1, "2025-03", 100)]))
    bad_industry = project(2)
    bad_industry[3] = "C39"
    inconsistent = project(3, "2025-04")
    inconsistent[1] = "另一个名字"
    rows = [
        project(1, "2025-04", 90),  # 2: decrease against the database
        bad_industry,  # 3
        project(3),  # 4
        inconsistent,  # 5
        project(4, None, None),  # 6: project only: fine
        project(5, "2025-03", None),  # 7: period without amount
    ]
    outcome = preview_import("investment", write_csv(tmp_path / "b.csv", HEADER, rows))
    assert [(i.row, i.field, i.reason_zh) for i in outcome.result.flags] == [
        (2, "累计完成投资", "累计值低于上月：本期900000元，2025年3月累计1000000元；如为修订请在“是否修订”填“是”，否则请核实")]
    got = [(i.row, i.field, i.reason_zh) for i in outcome.result.errors]
    assert got == [
        (3, "行业代码", "行业代码“C39”不在国民经济行业分类（GB/T 4754-2017）中"),
        (4, "项目代码", "同一项目代码各行的项目信息不一致"),
        (5, "项目代码", "同一项目代码各行的项目信息不一致"),
        (7, "累计完成投资", "填写了期别须同时填写累计完成投资"),
    ]


def test_region_investment_round_trip_and_revision(tmp_path):
    rows = [["330106", "2025-03", 1000.5, "否"], ["330108", "2025-03", 2000, "否"]]
    assert commit_import("region-investment", write_csv(tmp_path / "r.csv", REGION_HEADER, rows)).committed
    assert RegionInvestment.objects.get(division_id="330106").ytd_fixed_asset_investment == 10_005_000
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"r.{fmt}"
        export_kind("region-investment", "2025-03", fmt, out, unit="万元")
        assert commit_import("region-investment", out).result.counts["unchanged"] == 2
    lower = [["330106", "2025-04", 900, "否"], ["330106", "2025-05", 800, "是"], ["330100", "2025-04", 1, "否"]]
    outcome = preview_import("region-investment", write_csv(tmp_path / "l.csv", REGION_HEADER, lower))
    assert [(i.row, i.field) for i in outcome.result.errors] == [(4, "县代码")]
    assert outcome.result.flagged_rows == [2]  # 900 below March's 1000.5, not marked as a revision


def test_investment_export_round_trip(tmp_path):
    commit_import("investment", write_csv(tmp_path / "a.csv", HEADER, [project(i) for i in range(1, 4)]))
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"i.{fmt}"
        assert export_kind("investment", "2025-03", fmt, out) == 3
        assert commit_import("investment", out).result.counts["unchanged"] == 3


@pytest.mark.parametrize("kind", ["investment", "region-investment"])
def test_templates(tmp_path, kind):
    write_template(kind, "xlsx", tmp_path / "t.xlsx")
    headers = read_table(tmp_path / "t.xlsx").frame.columns
    assert headers == [c.header_with_unit() for c in get_kind(kind).columns]


def test_project_list_without_periods(tmp_path):
    header = HEADER[:8]
    rows = [project(i)[:8] for i in (1, 2, 1)]
    outcome = preview_import("investment", write_csv(tmp_path / "p.csv", header, rows))
    assert [(i.row, i.field) for i in outcome.result.errors] == [(4, "项目代码")]
    outcome = commit_import("investment", write_csv(tmp_path / "q.csv", header, rows[:2]))
    assert outcome.committed and outcome.result.counts["new"] == 2
    assert ProjectProgress.objects.count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_of_an_empty_month(tmp_path, fmt):
    """`xinzhi export investment --period 2023-06` crashed on a month with no rows (untyped empty columns)."""
    assert not ProjectProgress.objects.filter(year=2023, month=6).exists()
    for kind in ("investment", "region-investment"):
        assert export_kind(kind, "2023-06", fmt, tmp_path / f"{kind}.{fmt}") == 0
        assert (tmp_path / f"{kind}.{fmt}").stat().st_size > 0
