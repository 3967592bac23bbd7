"""Scheduled warnings and the briefing draft on hand-made data: a new warning reaches exactly the staff whose
region contains it, once (re-running tells nobody twice); a kind turned off reaches nobody; a user with many
new warnings gets one summary; the month's briefing draft is generated once when the filings are complete,
not while they are not, and again only when the month was recomputed."""

from __future__ import annotations

import datetime

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.enterprises.models import EnterpriseYear, MonthlyStat
from xinzhi.investment.models import InvestmentProject
from xinzhi.jobs.models import Job, ScheduledTask
from xinzhi.jobs.services import submit
from xinzhi.monitoring.models import EarlyWarning
from xinzhi.notifications.models import Notification, Preference
from xinzhi.supervision.models import Task
from xinzhi.unicorns.models import Company

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    """County 330106 and 330102 (both in city 330100), city 330100 and 330200, the province; an enterprise
    user and a leader hear nothing of warnings."""
    # logins another test left in this worker's database (demo users) are not part of these cases
    User.objects.update(is_active=False)
    make = lambda name, role, division: User.objects.create(username=name, role=role, division_id=division)  # noqa: E731
    users = {
        "xihu": make("xihu", Role.COUNTY_STAFF, "330106"), "shangcheng": make("sc", Role.COUNTY_STAFF, "330102"),
        "hangzhou": make("hz", Role.CITY_STAFF, "330100"), "ningbo": make("nb", Role.CITY_STAFF, "330200"),
        "province": make("zj", Role.PROVINCE_STAFF, "330000"), "leader": make("ld", Role.LEADER, "330000"),
    }
    User.objects.create(username="gone", role=Role.PROVINCE_STAFF, division_id="330000", is_active=False)
    return users


def told(kind: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for username, title in Notification.objects.filter(kind=kind).order_by("pk").values_list("user__username",
                                                                                              "title"):
        out.setdefault(username, []).append(title)
    return out


def run(kind: str, **params) -> Job:
    job = submit(kind, None, params, title="t")
    assert job.status == Job.Status.SUCCEEDED, job.error
    return job


def warning(code: str, level: str, indicator: str = "rd_intensity", **fields) -> EarlyWarning:
    return EarlyWarning.objects.create(indicator=indicator, region=code, region_level=level, scope_code=code,
                                       year=2025, month=6, rating="red", projected_miss=True,
                                       message="按去年同期进度推算，全年预计达不到年度目标", **fields)


def test_the_schedule_has_a_line_for_each_new_kind():
    kinds = set(ScheduledTask.objects.values_list("kind", flat=True))
    assert {"monitoring.briefing_draft", "monitoring.warning_notices", "investment.warning_notices",
            "supervision.light_notices", "unicorns.alert_notices",
        "supervision.report_reminders"} <= kinds


def test_monitoring_warnings_reach_the_staff_in_scope_once(staff):
    warning("330106", "county")
    job = run("monitoring.warning_notices")
    assert set(told("warning")) == {"xihu", "hz", "zj"}  # the county, its city, the province — nobody else
    assert all(len(titles) == 1 for titles in told("warning").values())
    assert Notification.objects.get(user__username="xihu").url == "/monitoring/"
    assert "新增1条" in job.result_text
    # re-run: nothing new, nobody told twice
    again = run("monitoring.warning_notices")
    assert Notification.objects.filter(kind="warning").count() == 3 and "新增0条" in again.result_text
    # a city's warning: the city and the province; the city staff turned warnings off
    Preference.objects.create(user=staff["hangzhou"], kind="warning", in_app=False)
    warning("330100", "city", indicator="new_product_rate")
    run("monitoring.warning_notices")
    county = "监测预警：西湖区规上工业企业研发费用占营业收入比重"
    assert told("warning") == {"xihu": [county], "hz": [county],
                               "zj": [county, "监测预警：杭州市规上工业企业新产品产值率"]}
    assert not Notification.objects.filter(user__username__in=["sc", "nb", "ld", "gone"]).exists()


def test_a_monitoring_warning_changing_colour_is_new_but_the_same_one_recomputed_is_not(staff):
    w = warning("330102", "county")
    run("monitoring.warning_notices")
    assert set(told("warning")) == {"sc", "hz", "zj"}
    w.delete()  # the month recomputed: the same warning stored again
    warning("330102", "county")
    run("monitoring.warning_notices")
    assert Notification.objects.filter(kind="warning").count() == 3
    EarlyWarning.objects.update(rating="yellow")  # a different colour is news
    run("monitoring.warning_notices")
    assert Notification.objects.filter(kind="warning").count() == 6


def test_project_warnings_reach_the_staff_in_scope_once_and_many_come_as_one_summary(staff):
    late = InvestmentProject.objects.create(code="P1", name="宁波智能装备产线", division_id="330203", industry_id="3973",
                                            planned_total=10**8, stage="registered",
                                            planned_start=datetime.date(2025, 1, 10))
    InvestmentProject.objects.create(code="P2", name="按期项目", division_id="330106", industry_id="3973",
                                     planned_total=10**8, stage="registered", planned_start=datetime.date(2025, 9, 1))
    run("investment.warning_notices", today="2025-06-15")  # planned start 5 months ago: red
    assert told("warning") == {"nb": ["项目红色预警：宁波智能装备产线"], "zj": ["项目红色预警：宁波智能装备产线"]}
    notice = Notification.objects.get(user__username="nb")
    assert notice.body.startswith("未按计划开工：计划开工月份已过5个月") and notice.url == f"/investment/{late.pk}/"
    run("investment.warning_notices", today="2025-06-16")
    assert Notification.objects.filter(kind="warning").count() == 2  # not twice
    for i in range(6):  # six more late projects in 西湖区: the county staff get one notice listing them
        InvestmentProject.objects.create(code=f"Q{i}", name=f"迟开工项目{i}", division_id="330106", industry_id="3973",
                                         planned_total=10**8, stage="registered",
                                         planned_start=datetime.date(2025, 4, 1))
    run("investment.warning_notices", today="2025-06-16")
    assert told("warning")["xihu"] == ["新增6个项目预警"]
    assert told("warning")["zj"][-1] == "新增6个项目预警" and len(told("warning")["zj"]) == 2
    summary = Notification.objects.get(user__username="xihu")
    assert summary.url == "/investment/warnings/" and summary.body.startswith("迟开工项目0；迟开工项目1；")


def test_task_lights_reach_the_responsible_region_once_per_colour(staff):
    task = Task.objects.create(year=2025, number="1", title="建设智能制造示范工厂", text="…", lead_department="经信局",
                               division_id="330102", start_date=datetime.date(2025, 1, 1),
                               deadline=datetime.date(2025, 12, 31))
    Task.objects.create(year=2025, number="2", title="已完成任务", text="…", lead_department="经信局",
                        division_id="330203", start_date=datetime.date(2025, 1, 1),
                        deadline=datetime.date(2025, 3, 31), completed_on=datetime.date(2025, 3, 1))
    # no report for January (due 5 February): yellow on 10 February
    run("supervision.light_notices", today="2025-02-10")
    assert told("supervision") == {name: ["任务滞后：建设智能制造示范工厂"] for name in ("sc", "hz", "zj")}
    run("supervision.light_notices", today="2025-02-11")
    assert Notification.objects.filter(kind="supervision").count() == 3
    # two months unreported: red, told again
    run("supervision.light_notices", today="2025-03-10")
    assert told("supervision")["sc"] == ["任务滞后：建设智能制造示范工厂", "任务逾期或停滞：建设智能制造示范工厂"]
    assert Notification.objects.get(user__username="zj", title__startswith="任务逾期").url == \
        f"/supervision/tasks/{task.pk}/"
    # the supervision kind turned off by the province staff: a new red task does not reach them
    Preference.objects.create(user=staff["province"], kind="supervision", in_app=False)
    Task.objects.create(year=2025, number="3", title="宁波任务", text="…", lead_department="经信局",
                        division_id="330203", start_date=datetime.date(2024, 1, 1),
                        deadline=datetime.date(2025, 1, 31))
    run("supervision.light_notices", today="2025-03-10")
    assert told("supervision")["nb"] == ["任务逾期或停滞：宁波任务"]
    assert len(told("supervision")["zj"]) == 2


def test_task_report_reminders_reach_the_responsible_region(staff):
    from xinzhi.supervision.models import ProgressReport

    late = Task.objects.create(year=2025, number="1", title="建设智能制造示范工厂", text="…", lead_department="经信局",
                               division_id="330102", start_date=datetime.date(2025, 1, 1),
                               deadline=datetime.date(2025, 12, 31))
    reported = Task.objects.create(year=2025, number="2", title="已报送任务", text="…", lead_department="经信局",
                                   division_id="330203", start_date=datetime.date(2025, 1, 1),
                                   deadline=datetime.date(2025, 12, 31))
    Task.objects.create(year=2025, number="3", title="未开始任务", text="…", lead_department="经信局",
                        division_id="330203", start_date=datetime.date(2025, 6, 1),
                        deadline=datetime.date(2025, 12, 31))
    ProgressReport.objects.create(task=reported, year=2025, month=4, percent=30, done="…")
    job = run("supervision.report_reminders", today="2025-05-03")
    assert told("reminder") == {"sc": ["1项任务尚未报送2025年4月进展"]}  # the responsible county only
    assert Notification.objects.get(kind="reminder").body == f"{late.title}，请于5月5日前报送。"
    assert job.result_text == "1项任务尚未报送2025年4月进展，已发送1条提醒"
    ProgressReport.objects.create(task=late, year=2025, month=4, percent=30, done="…")
    assert run("supervision.report_reminders", today="2025-05-03").result_text == "2025年4月任务进展均已报送"


def test_unicorn_alerts_reach_the_staff_in_scope_once(staff):
    company = Company.objects.create(name="西湖云智", division_id="330106", field="人工智能", tier="unicorn",
                                     founded_on=datetime.date(2018, 1, 1), listed_on=datetime.date(2025, 3, 1),
                                     on_watch=True)
    Company.objects.create(name="平稳企业", division_id="330203", field="人工智能", tier="none",
                           founded_on=datetime.date(2020, 1, 1))
    run("unicorns.alert_notices", today="2025-06-30")
    assert set(told("warning")) == {"xihu", "hz", "zj"}
    notice = Notification.objects.get(user__username="xihu")
    assert notice.title == "独角兽监测提醒：西湖云智" and "已上市" in notice.body and "重点关注" in notice.body
    assert notice.url == f"/unicorns/{company.pk}/"
    run("unicorns.alert_notices", today="2025-07-01")
    assert Notification.objects.filter(kind="warning").count() == 3


def _file(enterprises, year: int, month: int) -> None:
    for ent in enterprises:
        MonthlyStat.objects.create(enterprise=ent, division_id=ent.division_id, year=year, month=month,
                                   output_value=1000, value_added=300, revenue=1000, rd_expense=40,
                                   new_product_output=500, employees=10)


def test_the_briefing_draft_is_generated_once_when_the_month_is_complete(staff, client):
    from xinzhi.monitoring import services

    firms = [make_enterprise("330106" if i % 2 else "330203", i, f"企业{i}") for i in range(1, 5)]
    for ent in firms:
        EnterpriseYear.objects.create(enterprise=ent, year=2025, above_scale=True)
    _file(firms[:3], 2025, 6)  # 3 of 4 filed: 75 % < 95 %
    services.refresh(2025, 6)
    first = run("monitoring.briefing_draft")
    assert "已填报3家，应填报4家" in first.result_text and not first.result_file
    assert not Notification.objects.filter(kind="report").exists()
    _file(firms[3:], 2025, 6)
    services.refresh(2025, 6)
    draft = run("monitoring.briefing_draft")
    assert draft.result_file and draft.result_name.endswith("数据简报（草稿）.docx")
    assert draft.params["draft"]["year"] == 2025 and draft.params["draft"]["month"] == 6
    assert told("report") == {"zj": ["2025年1—6月数据简报草稿已生成"]}  # the province's draft: its staff
    # once: the next run finds the draft of these figures
    again = run("monitoring.briefing_draft")
    assert not again.result_file and "已生成，数据未变" in again.result_text
    assert Notification.objects.filter(kind="report").count() == 1
    # the province staff download it from the link; a city's staff may not
    client.force_login(staff["province"])
    url = Notification.objects.get(kind="report").url
    response = client.get(url)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "自动生成的简报草稿" in client.get("/monitoring/reports/").content.decode()
    client.force_login(staff["hangzhou"])
    assert client.get(url).status_code == 404
    # the month recomputed with changed data: a new draft
    MonthlyStat.objects.filter(enterprise=firms[0]).update(output_value=2000)
    services.refresh(2025, 6)
    assert run("monitoring.briefing_draft").result_file
    assert Notification.objects.filter(kind="report").count() == 2
