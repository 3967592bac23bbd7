"""The schedule kept as data: cron expressions, the runner (each due line submitted once, its next time
set), the scheduled kinds (certificate expiry and project progress reminders, stale months) and the admin
where province administrators see and change it."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from xinzhi.accounts.models import Role, User
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.cultivation.models import Certification
from xinzhi.investment.models import InvestmentProject, ProjectProgress
from xinzhi.jobs.cron import CronError, parse
from xinzhi.jobs.models import Job, ScheduledTask
from xinzhi.jobs.scheduler import next_run, run_due
from xinzhi.notifications.models import Notification

SH = ZoneInfo("Asia/Shanghai")


def test_cron_expressions():
    t = datetime.datetime(2026, 1, 31, 8, 0)
    assert parse("0 8 * * *").next_after(t) == datetime.datetime(2026, 2, 1, 8, 0)
    assert parse("*/30 * * * *").next_after(t) == datetime.datetime(2026, 1, 31, 8, 30)
    assert parse("0 9 5 * *").next_after(t) == datetime.datetime(2026, 2, 5, 9, 0)
    assert parse("0 9 31 * *").next_after(t.replace(hour=10)) == datetime.datetime(2026, 3, 31, 9, 0)  # no 31 February
    assert parse("0 0 * * 1").next_after(t) == datetime.datetime(2026, 2, 2, 0, 0)  # the next Monday
    assert parse("0 0 * * 7").weekdays == {0}  # 7 is Sunday too
    assert parse("0 0 1 * 1").next_after(t) == datetime.datetime(2026, 2, 1, 0, 0)  # either day field (cron rule)
    assert parse("15 2 29 2 *").next_after(t) == datetime.datetime(2028, 2, 29, 2, 15)
    for bad, message in (("0 8 * *", "须为5项"), ("61 * * * *", "“分钟”的取值“61”超出范围"),
                         ("0 x * * *", "“小时”的取值“x”无法识别"), ("*/0 * * * *", "步长")):
        with pytest.raises(CronError, match=message):
            parse(bad)


@pytest.mark.django_db
def test_the_runner_submits_each_due_line_once_and_sets_its_next_time():
    # the platform starts with its schedule (data migration), every line on
    assert set(ScheduledTask.objects.values_list("kind", flat=True)) == {
        "monitoring.refresh_stale", "cultivation.certificate_reminders", "investment.progress_reminders",
        "monitoring.briefing_draft", "monitoring.warning_notices", "investment.warning_notices",
        "supervision.light_notices", "unicorns.alert_notices",
        "supervision.report_reminders", "database.year_partitions"}
    now = datetime.datetime(2026, 3, 5, 8, 59, tzinfo=SH)
    assert run_due(now) == []  # a new line starts at its next time
    task = ScheduledTask.objects.get(kind="investment.progress_reminders")
    assert task.next_run_at == datetime.datetime(2026, 3, 5, 9, 0, tzinfo=SH)
    later = datetime.datetime(2026, 3, 5, 9, 0, 30, tzinfo=SH)
    jobs = run_due(later)
    assert sorted(j.kind for j in jobs) == ["investment.progress_reminders", "monitoring.refresh_stale"]
    task.refresh_from_db()
    assert task.last_job.status == Job.Status.SUCCEEDED and task.last_job.user is None
    assert task.next_run_at == datetime.datetime(2026, 4, 5, 9, 0, tzinfo=SH)
    assert run_due(later) == []  # not twice
    # a line turned off does not run; the command runs one check with --once
    ScheduledTask.objects.update(enabled=False)
    assert run_due(datetime.datetime(2027, 1, 1, tzinfo=SH)) == []
    call_command("scheduler", once=True)
    assert next_run("0 8 * * *", datetime.datetime(2026, 3, 5, 0, 30, tzinfo=datetime.UTC)) == \
        datetime.datetime(2026, 3, 6, 8, 0, tzinfo=SH)  # 08:30 in Shanghai: tomorrow 8:00


class _Pipe(io.StringIO):
    """A service's stdout: what was written counts only once flushed (a pipe to the journal)."""

    def __init__(self):
        super().__init__()
        self.flushed = ""

    def flush(self):
        self.flushed = self.getvalue()


@pytest.mark.django_db
def test_the_scheduler_command_flushes_each_line_it_submits():
    task = ScheduledTask.objects.get(kind="monitoring.refresh_stale")
    ScheduledTask.objects.filter(pk=task.pk).update(next_run_at=datetime.datetime(2026, 1, 1, tzinfo=SH))
    out = _Pipe()
    call_command("scheduler", once=True, stdout=out)
    task.refresh_from_db()
    assert f"已提交定时任务：{task.name}（任务编号 {task.last_job_id}）" in out.flushed


@pytest.mark.django_db
def test_certificate_and_progress_reminders():
    from xinzhi.jobs.services import submit

    ent = make_enterprise("330106", 1, "西湖智感科技有限公司")
    other = make_enterprise("330106", 2, "远未到期公司")
    owner = User.objects.create(username="e", role=Role.ENTERPRISE, enterprise=ent)
    county = User.objects.create(username="xh", role=Role.COUNTY_STAFF, division_id="330106")
    city = User.objects.create(username="hz", role=Role.CITY_STAFF, division_id="330100")
    # issued 2023-06-01: valid three years, to 2026-05-31 (国科发火〔2016〕32号); 90 days before is 2026-03-02
    Certification.objects.create(enterprise=ent, program="hte", year=2023, issued_on=datetime.date(2023, 6, 1))
    Certification.objects.create(enterprise=other, program="hte", year=2025, issued_on=datetime.date(2025, 6, 1))
    job = submit("cultivation.certificate_reminders", None, {"today": "2026-03-02", "days_ahead": [90, 30]}, title="t")
    assert job.status == Job.Status.SUCCEEDED, job.error
    notice = Notification.objects.get(user=owner)
    assert notice.body.startswith("西湖智感科技有限公司的高新技术企业证书有效期至2026年05月31日")
    assert Notification.objects.get(user=county).title == "本地区1家企业的高新技术企业证书即将到期"
    assert not Notification.objects.filter(user=city).exists()
    quiet = submit("cultivation.certificate_reminders", None, {"today": "2026-03-03"}, title="t")
    assert quiet.result_text == "没有将要到期的证书"

    Notification.objects.all().delete()
    built = InvestmentProject.objects.create(code="P1", name="智能传感器产线", division_id="330106", industry_id="3973",
                                             planned_total=10**8, stage="construction")
    InvestmentProject.objects.create(code="P2", name="已报项目", division_id="330106", industry_id="3973",
                                     planned_total=10**8, stage="construction")
    InvestmentProject.objects.create(code="P3", name="储备项目", division_id="330106", industry_id="3973",
                                     planned_total=10**8, stage="reserve")
    ProjectProgress.objects.create(project=InvestmentProject.objects.get(code="P2"),
                                   year=2026, month=2, ytd_completed=10**7)
    job = submit("investment.progress_reminders", None, {"today": "2026-03-05"}, title="t")
    assert job.status == Job.Status.SUCCEEDED, job.error
    notice = Notification.objects.get(user=county)
    assert notice.title == "1个在建项目未填报2026年2月进展" and notice.body.startswith(built.name)


@pytest.mark.django_db
def test_province_administrators_see_and_change_the_schedule(client):
    admin = User.objects.create(username="root", role=Role.PROVINCE_STAFF, division_id="330000", is_staff=True,
                                is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/jobs/scheduledtask/").content.decode()
    assert "高新技术企业证书到期提醒" in page and "0 8 * * *" in page
    task = ScheduledTask.objects.get(kind="cultivation.certificate_reminders")
    response = client.post(f"/admin/jobs/scheduledtask/{task.pk}/change/", {
        "name": task.name, "kind": task.kind, "params": '{"days_ahead": [60]}', "cron": "0 7 * * 1-5",
        "enabled": "on", "note": ""})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.cron == "0 7 * * 1-5" and task.params == {"days_ahead": [60]} and task.next_run_at is None
    bad = client.post(f"/admin/jobs/scheduledtask/{task.pk}/change/", {
        "name": task.name, "kind": task.kind, "params": "{}", "cron": "0 25 * * *", "enabled": "on", "note": ""})
    assert "“小时”的取值“25”超出范围 0–23" in bad.content.decode()
    client.force_login(User.objects.create(username="xh", role=Role.COUNTY_STAFF, division_id="330106"))
    assert client.get("/admin/jobs/scheduledtask/").status_code in (302, 403)
