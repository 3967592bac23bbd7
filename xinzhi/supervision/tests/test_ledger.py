"""The ledger, splits, progress and 督办 through the services, the pages and the API, for each role."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinzhi.accounts.models import Role, User
from xinzhi.supervision import services
from xinzhi.supervision.models import NoticeStatus, ProgressReport, SupervisionNotice, Task

pytestmark = pytest.mark.django_db


def _user(username, role, division):
    return User.objects.create(username=username, role=role, division_id=division, full_name=username)


@pytest.fixture
def people():
    return {
        "province": _user("p1", Role.PROVINCE_STAFF, "330000"),
        "hangzhou": _user("c1", Role.CITY_STAFF, "330100"),
        "ningbo": _user("c2", Role.CITY_STAFF, "330200"),
        "xihu": _user("x1", Role.COUNTY_STAFF, "330106"),
        "leader": _user("l1", Role.LEADER, "330000"),
        "expert": User.objects.create(username="e1", role=Role.EXPERT),
    }


@pytest.fixture
def ledger(people):
    services.load_default_ledger(people["province"], 2025)
    return Task.objects.filter(year=2025, division_id="330000")


def test_default_ledger_is_the_seed_tasks_and_loading_twice_adds_nothing(people, ledger):
    assert ledger.count() == 16
    t6 = ledger.get(number="6")
    assert t6.title == "政策赋能" and t6.co_department_list == ["省科技厅", "省财政厅", "省税务局"]
    assert "研发准备金" in t6.text and t6.deadline == dt.date(2025, 12, 31)
    assert ledger.get(number="4").indicators[:2] == ["new_hte", "new_tech_sme"]
    assert ledger.get(number="2").get_group_display() == "总体组"
    assert services.load_default_ledger(people["province"], 2025) == 0
    # one audit entry per task, for these tasks since this test began (other modules' demos leave entries in the table)
    assert LogEntry.objects.get_for_model(Task).filter(timestamp__gte=people["province"].date_joined,
                                                       action=LogEntry.Action.CREATE).count() == 16
    with pytest.raises(PermissionDenied):
        services.load_default_ledger(people["hangzhou"], 2025)
    with pytest.raises(ValueError, match="没有2024年度"):
        services.load_default_ledger(people["province"], 2024)


def test_split_and_scope_up_and_down_the_hierarchy(people, ledger):
    t4 = ledger.get(number="4")
    hz = services.split_task(people["province"], t4, "330100")
    xihu = services.split_task(people["hangzhou"], hz, "330106", text="西湖区新认定高企200家")
    services.split_task(people["province"], t4, "330200")
    with pytest.raises(ValidationError, match="已分解"):
        services.split_task(people["province"], t4, "330100")
    with pytest.raises(PermissionDenied):  # Ningbo cannot split Hangzhou's task
        services.split_task(people["ningbo"], hz, "330106")
    with pytest.raises(PermissionDenied):  # a county cannot split at all
        services.split_task(people["xihu"], xihu, "330106")
    with pytest.raises(ValidationError, match="不能晚于"):
        services.split_task(people["hangzhou"], hz, "330105", deadline=dt.date(2026, 1, 31))

    def seen(who):
        return set(Task.objects.restrict(people[who]).filter(number="4").values_list("division_id", flat=True))

    assert seen("province") == {"330000", "330100", "330106", "330200"}
    assert seen("leader") == seen("province")
    assert seen("hangzhou") == {"330100", "330106"}
    assert seen("ningbo") == {"330200"}
    assert seen("xihu") == {"330106"}
    assert seen("expert") == set()
    assert not Task.objects.restrict(people["leader"], "change").exists()
    assert xihu.text == "西湖区新认定高企200家" and xihu.parent == hz


def test_progress_is_reported_by_the_responsible_region_and_lights_follow(people, ledger):
    t5 = ledger.get(number="5")
    hz = services.split_task(people["province"], t5, "330100")
    with pytest.raises(PermissionDenied, match="责任地区"):  # the province does not report for Hangzhou
        services.report_progress(people["province"], hz, year=2025, month=3, percent=30, done="x")
    with pytest.raises(PermissionDenied):
        services.report_progress(people["ningbo"], hz, year=2025, month=3, percent=30, done="x")
    with pytest.raises(ValidationError) as err:
        services.report_progress(people["hangzhou"], hz, year=2025, month=3, percent=130, done="")
    assert set(err.value.message_dict) == {"percent", "done"}
    pdf = SimpleUploadedFile("进展.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    report = services.report_progress(people["hangzhou"], hz, year=2025, month=3, percent=10, done="召开部署会",
                                      problems="企业申报积极性不高", next_steps="上门服务", files=[pdf])
    assert report.attachments.get().name == "进展.pdf"
    with pytest.raises(ValidationError, match="已报送"):
        services.report_progress(people["hangzhou"], hz, year=2025, month=3, percent=20, done="again")
    # the report was filed today: as of today (after the 2025 deadline) it is red; the schedule rule is applied
    # as of a date at or after the filing date only
    row = services.light_rows(Task.objects.filter(pk=hz.pk), timezone.localdate())[0]
    assert row.last_period == "2025-03" and row.percent == 10 and row.light.colour == "red"
    done = services.report_progress(people["hangzhou"], hz, year=2025, month=4, percent=100, done="完成",
                                    completed=True)
    hz.refresh_from_db()
    assert done.completed and hz.completed_on == timezone.localdate()
    row = services.light_rows(Task.objects.filter(pk=hz.pk), timezone.localdate())[0]
    assert row.light.colour == "done"
    assert LogEntry.objects.get_for_model(ProgressReport).count() == 2


def test_notice_workflow_issue_acknowledge_answer_return_close(people, ledger):
    t1 = ledger.get(number="1")
    hz = services.split_task(people["province"], t1, "330100")
    due = timezone.localdate() + dt.timedelta(days=10)
    with pytest.raises(PermissionDenied):
        services.issue_notice(people["hangzhou"], hz, division_code="330100", subject="s", requirement="r", due_date=due)
    with pytest.raises(ValidationError) as err:
        services.issue_notice(people["province"], t1, division_code="330200", subject="", requirement="r",
                              due_date=due)
    assert set(err.value.message_dict) == {"division", "subject"}
    notice = services.issue_notice(people["province"], t1, division_code="330100", subject="加快任务分解",
                                   requirement="5个工作日内报送分解方案", due_date=due)
    assert [n.pk for n in services.open_notices(people["hangzhou"])] == [notice.pk]
    assert not services.open_notices(people["xihu"]).exists()  # a county sees it (up the hierarchy)? no: below
    with pytest.raises(PermissionDenied):  # Ningbo cannot see it
        services.acknowledge_notice(people["ningbo"], notice.pk)
    with pytest.raises(PermissionDenied):  # a county below Hangzhou cannot answer Hangzhou's notice
        services.acknowledge_notice(people["xihu"], notice.pk)
    with pytest.raises(ValidationError, match="请先签收"):
        services.answer_notice(people["hangzhou"], notice.pk, "已分解")
    services.acknowledge_notice(people["hangzhou"], notice.pk)
    with pytest.raises(ValidationError, match="只有已反馈"):
        services.review_notice(people["province"], notice.pk, accept=True)
    services.answer_notice(people["hangzhou"], notice.pk, "已分解到13个区县")
    with pytest.raises(ValidationError):
        services.review_notice(people["province"], notice.pk, accept=False)  # a return needs a reason
    services.review_notice(people["province"], notice.pk, accept=False, note="请附分解表")
    assert SupervisionNotice.objects.get(pk=notice.pk).status == NoticeStatus.RETURNED
    services.answer_notice(people["hangzhou"], notice.pk, "已附分解表")
    closed = services.review_notice(people["province"], notice.pk, accept=True, note="同意办结")
    assert closed.status == NoticeStatus.CLOSED and closed.closed_at is not None
    with pytest.raises(PermissionDenied):  # leaders read only
        services.review_notice(people["leader"], notice.pk, accept=True)
    changes = LogEntry.objects.get_for_model(SupervisionNotice).filter(object_id=notice.pk)
    assert changes.count() == 6  # issued, acknowledged, answered, returned, answered, closed


def test_task_page_shows_linked_indicator_ratings_in_chinese(client, people, ledger):
    from xinzhi.monitoring.models import IndicatorValue

    t5 = ledger.get(number="5")
    IndicatorValue.objects.create(indicator="new_provincial_tech_centre", region="330000", region_level="province",
                                  scope_code="330000", year=2025, month=6, kind="count", unit="个", value=70,
                                  rating="red", value_text="70", display_unit="个")
    IndicatorValue.objects.create(indicator="new_provincial_tech_centre", region="330000", region_level="province",
                                  scope_code="330000", year=2025, month=9, kind="count", unit="个", value=100,
                                  rating="blue", value_text="100", display_unit="个")
    client.force_login(people["province"])
    july = client.get(f"/supervision/tasks/{t5.pk}/?as_of=2025-07-10").content.decode()
    assert "2025-06" in july and ">红<" in july and ">red<" not in july
    october = client.get(f"/supervision/tasks/{t5.pk}/?as_of=2025-10-10").content.decode()
    assert "2025-09" in october and ">蓝<" in october
    ledger_page = client.get("/supervision/?year=2025&as_of=2025-07-10").content.decode()
    assert "省级企业技术中心" in ledger_page and 'rating-red">红<' in ledger_page
    assert services.indicator_badges(people["province"], [t5], dt.date(2025, 10, 10))[t5.pk][0]["label"] == "蓝"
    assert services.indicator_badges(people["hangzhou"], [t5], dt.date(2025, 10, 10)) == {}


def test_pages_show_the_ledger_in_scope_and_accept_forms(client, people, ledger):
    t4 = ledger.get(number="4")
    hz = services.split_task(people["province"], t4, "330100")
    client.force_login(people["hangzhou"])
    page = client.get("/supervision/?year=2025&as_of=2025-07-06").content.decode()
    assert "扩面提质科技企业" in page and "统筹推进" not in page  # only its own split, not the province's ledger
    assert client.get(f"/supervision/tasks/{t4.pk}/").status_code == 404
    response = client.post(f"/supervision/tasks/{hz.pk}/progress/", {
        "year": "2025", "month": "6", "percent": "45", "done": "完成摸排",
        "attachments": SimpleUploadedFile("台账.xlsx", b"PK..", content_type="application/octet-stream")})
    assert response.status_code == 302
    detail = client.get(f"/supervision/tasks/{hz.pk}/").content.decode()
    assert "完成摸排" in detail and "台账.xlsx" in detail
    attachment = ProgressReport.objects.get(task=hz).attachments.get()
    assert client.get(f"/supervision/attachments/{attachment.pk}/").content == b"PK.."
    bad = client.post(f"/supervision/tasks/{hz.pk}/progress/", {"year": "2025", "month": "7", "percent": "x"},
                      follow=True).content.decode()
    assert "未报送：年月和完成进度须为整数" in bad
    client.force_login(people["ningbo"])
    assert client.get(f"/supervision/attachments/{attachment.pk}/").status_code == 404
    assert client.post(f"/supervision/tasks/{hz.pk}/progress/", {}).status_code == 404
    client.force_login(people["leader"])
    assert "扩面提质科技企业" in client.get("/supervision/?year=2025").content.decode()
    assert client.post("/supervision/ledger/load/", {"year": "2025"}).status_code == 403
    client.force_login(people["province"])
    colours = client.get("/supervision/?year=2025&colour=red").content.decode()
    assert "逾期或停滞" in colours
    response = client.post(f"/supervision/tasks/{t4.pk}/notices/", {
        "division": "330100", "subject": "督促进度", "requirement": "说明滞后原因",
        "due_date": (timezone.localdate() + dt.timedelta(days=5)).isoformat()})
    assert response.status_code == 302 and SupervisionNotice.objects.filter(division_id="330100").count() == 1


def test_api_lists_with_colours_and_runs_the_notice_workflow(client, people, ledger):
    t1 = ledger.get(number="1")
    client.force_login(people["province"])
    tasks = client.get("/api/v1/supervision/tasks?year=2025&as_of=2025-02-06").json()
    assert len(tasks) == 16 and tasks[0]["as_of"] == "2025-02-06"
    assert {t["colour"] for t in tasks} == {"yellow"}  # January's report was due on 5 February
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    created = client.post("/api/v1/supervision/notices", json.dumps({
        "task_id": t1.pk, "division_code": "330000", "subject": "报送工作体系架构图", "requirement": "按时报送",
        "due_date": due}), content_type="application/json")
    assert created.status_code == 201, created.content
    notice_id = created.json()["id"]
    bad = client.post("/api/v1/supervision/notices", json.dumps({
        "task_id": t1.pk, "division_code": "330100", "subject": "x", "requirement": "y", "due_date": due}),
        content_type="application/json")
    assert bad.status_code == 422 and "督办对象" in bad.json()["detail"]
    assert client.post(f"/api/v1/supervision/notices/{notice_id}/acknowledge").json()["status"] == "acknowledged"
    answered = client.post(f"/api/v1/supervision/notices/{notice_id}/answer", json.dumps({"answer": "已报送"}),
                           content_type="application/json")
    assert answered.json()["status_label"] == "已反馈"
    client.force_login(people["hangzhou"])
    assert client.get("/api/v1/supervision/tasks?year=2025").json() == []
    assert client.get(f"/api/v1/supervision/tasks/{t1.pk}").status_code == 404
    assert client.post(f"/api/v1/supervision/notices/{notice_id}/review", json.dumps({"accept": True}),
                       content_type="application/json").status_code == 403
    client.force_login(people["expert"])
    assert client.get("/api/v1/supervision/tasks").status_code == 403
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/supervision/tasks" in schema["paths"] and "/api/v1/supervision/notices" in schema["paths"]


def test_province_confirms_the_default_ledger_by_editing_a_task(client, people, ledger):
    t6 = ledger.get(number="6")
    hz = services.split_task(people["province"], t6, "330100", deadline=dt.date(2025, 11, 30))
    client.force_login(people["province"])
    response = client.post(f"/supervision/tasks/{t6.pk}/edit/", {
        "title": t6.title, "text": t6.text, "group": "industry", "lead_department": "省经信厅科技处",
        "co_departments": "省科技厅、省财政厅、省税务局", "responsible_person": "王某", "deadline": "2025-11-30",
        "milestones": "2025-06-30 出台研发准备金指引\n2025-09-30 各地后补助兑现"})
    assert response.status_code == 302
    t6.refresh_from_db()
    assert t6.lead_department == "省经信厅科技处" and t6.responsible_person == "王某"
    assert t6.milestones == [{"date": "2025-06-30", "text": "出台研发准备金指引"},
                             {"date": "2025-09-30", "text": "各地后补助兑现"}]
    assert LogEntry.objects.get_for_model(Task).filter(object_id=t6.pk).count() == 2  # created, edited
    with pytest.raises(ValidationError, match="不能早于已分解任务"):
        services.update_task(people["province"], t6.pk, deadline=dt.date(2025, 10, 31))
    with pytest.raises(ValidationError, match="不能晚于上级任务"):
        services.update_task(people["hangzhou"], hz.pk, deadline=dt.date(2025, 12, 31))
    with pytest.raises(ValidationError, match="第1个节点"):
        services.update_task(people["province"], t6.pk, milestones=[{"date": "2025-13-01", "text": "x"}])
    with pytest.raises(PermissionDenied):  # Ningbo cannot edit Hangzhou's split; leaders edit nothing
        services.update_task(people["ningbo"], hz.pk, responsible_person="x")
    client.force_login(people["leader"])
    assert client.post(f"/supervision/tasks/{t6.pk}/edit/", {"deadline": "2025-11-30"}).status_code == 403
    client.force_login(people["hangzhou"])
    assert client.post(f"/supervision/tasks/{t6.pk}/edit/", {"deadline": "2025-11-30", "title": "x", "text": "x",
                                                            "group": "industry", "lead_department": "x"}).status_code == 403
    t6.refresh_from_db()
    assert t6.title == "政策赋能"  # Hangzhou may not edit the province's task


def test_attachments_are_served_as_downloads_with_a_safe_type(client, people, ledger):
    hz = services.split_task(people["province"], ledger.get(number="4"), "330100")
    html = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html")
    report = services.report_progress(people["hangzhou"], hz, year=2025, month=2, percent=5, done="d", files=[html])
    client.force_login(people["hangzhou"])
    response = client.get(f"/supervision/attachments/{report.attachments.get().pk}/")
    assert response["Content-Type"] == "application/octet-stream" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
