"""Warnings and tracking from stored projects: the frame built in SQL under the user's scope, the pages
and the API."""

from __future__ import annotations

import datetime

import pytest

from xinzhi.investment import selectors, services, warnings
from xinzhi.investment.models import AnnualPlan, ProjectProgress, SupervisionProblem, SupervisionVisit

from .conftest import make_project

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def tracked(users):
    late = make_project("2501-330106-04-01-000011", stage="registered", planned_start=D(2025, 2, 1))
    behind = make_project("2501-330106-04-01-000012", stage="construction", actual_start=D(2024, 5, 1),
                          planned_start=D(2024, 5, 1))
    fine = make_project("2501-330106-04-01-000013", stage="construction", actual_start=D(2025, 1, 5),
                        planned_start=D(2025, 1, 1))
    ningbo = make_project("2501-330203-04-01-000014", division="330203", stage="registered",
                          planned_start=D(2025, 1, 1))
    for p, ytd in ((behind, 150), (fine, 500)):
        AnnualPlan.objects.create(project=p, year=2025, planned_investment=1000)
        for m in range(1, 7):
            ProjectProgress.objects.create(project=p, year=2025, month=m, ytd_completed=ytd * m // 6)
    visit = SupervisionVisit.objects.create(project=fine, visited_on=D(2025, 4, 1), inspectors="王五", findings="x",
                                            recorded_at=datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC))
    SupervisionProblem.objects.create(visit=visit, description="环评未批", department="生态环境局", deadline=D(2025, 5, 1))
    return {"late": late, "behind": behind, "fine": fine, "ningbo": ningbo}


def test_frame_and_evaluation_from_the_database(users, tracked):
    as_of = D(2025, 6, 30)
    frame = selectors.project_frame(users["county"], as_of)
    assert set(frame["code"]) == {p.code for k, p in tracked.items() if k != "ningbo"}  # scope: no Ningbo
    out = {r["code"]: r for r in warnings.evaluate(frame, as_of, warnings.load_rules()).to_dicts()}
    assert out[tracked["late"].code]["colour"] == "red"  # planned February, not started by June: 4 months
    behind = out[tracked["behind"].code]  # 15 % of plan at 50 % schedule: 35 points → red
    assert behind["schedule_level"] == 2 and behind["gap_points"] == 35.0
    fine = out[tracked["fine"].code]  # 50 % on schedule, but an overdue problem
    assert (fine["schedule_level"], fine["problem_level"], fine["colour"]) == (0, 2, "red")
    # resolved before the date: no longer overdue then
    SupervisionProblem.objects.update(resolved_on=D(2025, 6, 1), resolution="已批")
    frame = selectors.project_frame(users["county"], as_of)
    assert warnings.evaluate(frame, as_of, warnings.load_rules()).filter(
        frame["code"] == tracked["fine"].code)["colour"][0] == "green"
    # and the same problem was overdue as of 20 May
    frame = selectors.project_frame(users["county"], D(2025, 5, 20))
    assert frame.filter(frame["code"] == tracked["fine"].code)["overdue_problems"][0] == 1


def test_a_visit_recorded_through_the_service_feeds_the_warning(users, tracked):
    services.record_visit(users["county"], tracked["behind"].pk, D(2025, 6, 1), "赵六", "进度滞后", problems=[
        {"description": "设备未到货", "department": "企业", "deadline": D(2025, 6, 15)}])
    frame = selectors.project_frame(users["county"], D(2025, 6, 30))
    assert frame.filter(frame["code"] == tracked["behind"].code)["overdue_problems"][0] == 1


def test_warning_page_lists_reasons_by_region_and_exports(client, users, tracked):
    client.force_login(users["county"])
    body = client.get("/investment/warnings/", {"as_of": "2025-06-30"}).content.decode()
    assert tracked["late"].name in body and tracked["ningbo"].name not in body
    assert "未按计划开工：计划开工月份已过4个月" in body and "落后35.0个百分点" in body
    assert "截至 2025-06-30" in body
    from xinzhi.core.testing import read_list_export

    header, rows = read_list_export(client.get("/investment/warnings/", {"as_of": "2025-06-30", "format": "xlsx"}))
    assert header == ["项目代码", "项目名称", "县（市、区）", "预警", "落后序时进度（百分点）", "原因"]
    assert tracked["late"].code in {r[0] for r in rows} and tracked["ningbo"].code not in {r[0] for r in rows}
    assert {r[3] for r in rows} <= {"红", "黄"}
    client.force_login(users["province"])
    body = client.get("/investment/warnings/", {"as_of": "2025-06-30"}).content.decode()
    assert tracked["ningbo"].name in body and "杭州市" in body
    assert client.get("/investment/warnings/", {"as_of": "bad"}).status_code == 200  # falls back, says so


def test_tracking_page_and_rates_api(client, users, tracked):
    client.force_login(users["county"])
    body = client.get("/investment/tracking/", {"as_of": "2025-06-30"}).content.decode()
    # planned starts in 2025 in Xihu: late (not started), fine (started) → 50 %
    assert "开工率 50.0%（1/2）" in body
    answer = client.get("/api/v1/investment/rates", {"as_of": "2025-06-30"}).json()
    row = answer["rows"][0]
    assert (row["planned_starts"], row["started"], row["annual_plan"], row["ytd_completed"]) == (2, 1, 2000, 650)
    assert row["investment_rate"] == 32.5
    client.force_login(users["province"])
    by_city = client.get("/api/v1/investment/rates", {"as_of": "2025-06-30", "by": "city"}).json()["rows"]
    assert {r["city_id"] for r in by_city} == {"330100", "330200"}
    assert client.get("/api/v1/investment/rates", {"by": "x"}).status_code == 422
    by_category = client.get("/api/v1/investment/rates", {"as_of": "2025-06-30", "by": "category"}).json()["rows"]
    assert len(by_category) == 1 and by_category[0]["category"] and by_category[0]["projects"] == 4  # all 3973
    warned = client.get("/api/v1/investment/warnings", {"as_of": "2025-06-30", "colour": "red"}).json()
    assert {w["code"] for w in warned["items"]} >= {tracked["late"].code, tracked["ningbo"].code}
    client.force_login(users["leader"])
    assert client.get("/investment/tracking/").status_code == 200


def test_pages_in_english(client, users, tracked):
    client.force_login(users["county"])
    client.cookies["django_language"] = "en"
    body = client.get("/investment/tracking/", {"as_of": "2025-06-30"}).content.decode()
    assert "Project tracking" in body and "Start rate 50.0% (1/2)" in body
    assert "Project warnings" in client.get("/investment/warnings/", {"as_of": "2025-06-30"}).content.decode()


def test_report_section_for_the_operation_report(users, tracked):
    from xinzhi.investment import report_section
    from xinzhi.reports import Paragraph, Table, render_bytes
    from xinzhi.reports.document import Document

    blocks = report_section.blocks("330106", 2025, 6)
    assert isinstance(blocks[0], Paragraph) and isinstance(blocks[1], Table) and isinstance(blocks[2], Table)
    text = blocks[0].text if isinstance(blocks[0].text, str) else "".join(map(str, blocks[0].text))
    assert "在库高新技术产业投资项目3个（入库1个、在建2个）" in text
    assert "开工率50.0%" in text and "序时进度50.0%" in text and "逾期未解决1个" in text
    assert [r[0] for r in blocks[2].rows][0] in {tracked["late"].name, tracked["behind"].name, tracked["fine"].name}
    assert report_section.blocks("330203", 2025, 6)[0]  # Ningbo has its own project
    assert report_section.blocks("330102", 2025, 6) == []  # a county without projects: no section
    assert render_bytes(Document(title="t", blocks=blocks), "docx")[:2] == b"PK"


def test_plan_actual_curve(client, users, tracked):
    AnnualPlan.objects.filter(year=2025).update(planned_investment=120_000_000)  # 12,000 万元 each
    ProjectProgress.objects.filter(project=tracked["fine"], month=3).update(ytd_completed=30_000_000)
    curve = selectors.plan_actual_curve(users["county"], D(2025, 6, 30))
    assert curve["plan"][:3] == [2000, 4000, 6000] and curve["plan"][11] == 24000
    assert curve["actual"][6:] == [None] * 6 and curve["actual"][2] == round((75 + 30_000_000) / 10000)
    client.force_login(users["county"])
    body = client.get("/investment/tracking/", {"as_of": "2025-06-30"}).content.decode()
    assert 'id="plan-actual-chart"' in body and "investment/tracking.js" in body
