"""The inbox: notify() with per-user choices and e-mail, the pages (inbox, mark read, unread count,
preferences), and the notices the platform sends now: import results (core's ``import_committed``),
finished jobs, evaluation assignments and decisions."""

from __future__ import annotations

import pytest
from django.core import mail

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import
from xinzhi.core.tests.helpers import write_csv
from xinzhi.core.tests.test_import_limits import rows
from xinzhi.enterprises.tests.test_enterprise_import import HEADER
from xinzhi.evaluation.models import Assignment, Round, Submission
from xinzhi.evaluation.tests.conftest import world  # noqa: F401 — the evaluation tests' small world
from xinzhi.evaluation.tests.test_end_to_end import _review_all
from xinzhi.jobs import services as jobs
from xinzhi.notifications.models import Notification, Preference
from xinzhi.notifications.services import mark_read, notify, unread_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return [User.objects.create(username=f"u{i}", role=Role.COUNTY_STAFF, division_id="330106",
                                email=f"u{i}@example.cn") for i in range(3)]


def test_notify_respects_each_users_choice_and_mails_those_who_asked(people, settings):
    settings.XINZHI_NOTIFICATION_EMAIL = True
    settings.XINZHI_SITE_URL = "https://xinzhi.example.cn"
    a, b, c = people
    Preference.objects.create(user=b, kind="warning", in_app=False)
    Preference.objects.create(user=c, kind="warning", in_app=True, email=True)
    with pytest.raises(ValueError):
        notify(a, "nonsense", "x")
    with django_capture_on_commit():
        assert notify([a, b, c.pk, None, a], "warning", "西湖区研发投入预警", "连续两月下降", "/monitoring/") == 2
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"u0", "u2"}
    assert [m.to for m in mail.outbox] == [["u2@example.cn"]]
    assert mail.outbox[0].subject == "【新质】西湖区研发投入预警"
    assert "https://xinzhi.example.cn/monitoring/" in mail.outbox[0].body
    # without an SMTP server configured nothing is mailed, the inbox still gets it
    settings.XINZHI_NOTIFICATION_EMAIL = False
    with django_capture_on_commit():
        notify(c, "warning", "再次预警")
    assert len(mail.outbox) == 1 and unread_count(c) == 2


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_inbox_pages_mark_read_and_count(client, people):
    a, b, _ = people
    notify(a, "system", "系统维护通知", "今晚22点维护")
    notify(a, "reminder", "月度进展待填报")
    notify(b, "system", "别人的通知")
    client.force_login(a)
    assert client.get("/notifications/unread/").json() == {"unread": 2}
    page = client.get("/notifications/").content.decode()
    assert "系统维护通知" in page and "月度进展待填报" in page and "别人的通知" not in page
    assert "（2条未读）" in page
    # the header carries the link; the count is fetched by the page
    assert 'id="inbox-link"' in client.get("/jobs/").content.decode()
    mine = Notification.objects.get(title="系统维护通知")
    theirs = Notification.objects.get(title="别人的通知")
    client.post("/notifications/read/", {"id": [mine.pk, theirs.pk]})
    assert client.get("/notifications/unread/").json() == {"unread": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None  # only one's own notices
    client.post("/notifications/read/", {"all": "1"})
    assert unread_count(a) == 0 and mark_read(a) == 0
    # preferences: turning a kind off keeps it out of the inbox
    client.post("/notifications/preferences/", {"email:system": "on"})
    assert not Preference.objects.get(user=a, kind="system").in_app
    assert Preference.objects.get(user=a, kind="system").email
    assert notify(a, "system", "不再进入收件箱") == 0


def test_import_results_and_finished_jobs_reach_the_inbox(people, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    a = people[0]
    outcome = commit_import("enterprises", write_csv(tmp_path / "e.csv", HEADER, rows(3)), user=a, file_name="e.csv")
    assert outcome.committed
    notice = Notification.objects.get(user=a, kind="import")
    assert notice.title == "导入完成：e.csv" and notice.body.startswith("新增3行，更新0行")
    with django_capture_on_commit():
        job = jobs.submit("imports.commit", a, {"kind": "enterprises", "path": str(tmp_path / "gone.csv"),
                                                "file_name": "gone.csv"}, title="导入“gone.csv”")
    job.refresh_from_db()
    assert job.status == "failed"
    notice = Notification.objects.get(user=a, kind="job")
    assert notice.title == "任务失败：导入“gone.csv”" and "已不存在" in notice.body
    assert notice.url == f"/jobs/{job.pk}/"


def test_experts_hear_of_assignments_and_applicants_of_decisions(client, world):  # noqa: F811
    province, owner = world["province"], world["owner"]
    client.force_login(province)
    client.post("/evaluation/", {"name": "省级企业技术中心认定", "purpose": "recognition", "year": "2025",
                                 "scheme_code": "rd_institution_recognition", "deadline": "2099-12-31",
                                 "target_level": "provincial_tech_centre", "region_rule": "county",
                                 "reviewers_per_submission": "3", "trim_extremes": "1"})
    call = Round.objects.get(name="省级企业技术中心认定")
    client.force_login(owner)
    client.post(f"/evaluation/rounds/{call.pk}/apply/", {"title": "西湖智感技术中心", "rd_staff": "80",
                                                         "equipment_value": "30000000", "invention_patents": "25"})
    sub = Submission.objects.get(round=call)
    client.force_login(province)
    client.post(f"/evaluation/rounds/{call.pk}/", {"action": "batch_assign"})
    assigned = Assignment.objects.filter(submission=sub).select_related("expert__user")
    assert assigned.count() == 3
    for a in assigned:
        notice = Notification.objects.get(user=a.expert.user, kind="assignment")
        assert notice.title == "新的评审任务：西湖智感技术中心" and notice.url == f"/evaluation/my/{a.pk}/"
    assert Notification.objects.filter(kind="assignment").count() == 3  # the recused experts hear nothing
    _review_all(client, sub, {"plan": 9, "capability": 9, "significance": 9})
    client.force_login(province)
    r = client.post(f"/api/v1/platforms/submissions/{sub.pk}/determine", {"reasons": "条件符合，专家评审通过"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    decision = Notification.objects.get(user=owner, kind="decision")
    assert decision.title == "评审决定：西湖智感技术中心" and decision.body.startswith("予以认定")
    assert not Notification.objects.filter(user=world["other_owner"]).exists()


def test_supervision_notices_reach_who_must_act():
    """督办 (supervision app, wired in web): issued → the region's staff; answered → the issuer; returned or
    closed → who answered."""
    import datetime as dt

    from django.utils import timezone

    from xinzhi.supervision import services as supervision
    from xinzhi.supervision.models import Task

    province = User.objects.create(username="p1", role=Role.PROVINCE_STAFF, division_id="330000")
    hangzhou = User.objects.create(username="c1", role=Role.CITY_STAFF, division_id="330100")
    ningbo = User.objects.create(username="c2", role=Role.CITY_STAFF, division_id="330200")
    supervision.load_default_ledger(province, 2025)
    task = Task.objects.get(year=2025, division_id="330000", number="1")
    supervision.split_task(province, task, "330100")
    due = timezone.localdate() + dt.timedelta(days=10)
    notice = supervision.issue_notice(province, task, division_code="330100", subject="加快任务分解",
                                      requirement="5个工作日内报送分解方案", due_date=due)
    got = Notification.objects.get(user=hangzhou, kind="supervision")
    assert got.title == "督办：加快任务分解" and got.body.startswith("5个工作日内报送分解方案（请于")
    assert got.url == "/supervision/notices/"
    assert not Notification.objects.filter(user=ningbo).exists()
    supervision.acknowledge_notice(hangzhou, notice.pk)
    assert Notification.objects.filter(kind="supervision", user=hangzhou).count() == 1  # signing tells nobody
    assert not Notification.objects.filter(kind="supervision", user=province).exists()
    supervision.answer_notice(hangzhou, notice.pk, "已分解到13个区县")
    assert Notification.objects.get(user=province).title == "督办已反馈：加快任务分解"
    supervision.review_notice(province, notice.pk, accept=False, note="请附分解表")
    assert Notification.objects.filter(user=hangzhou, title="督办退回重办：加快任务分解", body="请附分解表").exists()
