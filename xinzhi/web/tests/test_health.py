"""/healthz and /readyz (docs/operations.md, Health) and the job history in the admin."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xinzhi.accounts.models import Role, User
from xinzhi.jobs.models import Job
from xinzhi.jobs.tests.conftest import BROKER_URL
from xinzhi.monitoring.models import StaleMonth

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_database_caches_and_broker(client, settings):
    StaleMonth.objects.create(year=2025, month=3, token="a", marked_at=timezone.now())
    StaleMonth.objects.create(year=2025, month=4, token="b", marked_at=timezone.now())
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["stale_months"] == 2
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert body["checks"]["broker"] == {"ok": True, "mode": "in-process", "ms": body["checks"]["broker"]["ms"]}
    # the real broker answers
    settings.XINZHI_BROKER_URL = BROKER_URL
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"]["mode"] == "queue"
    # a broker that does not answer: not ready (503), and the body names no setting
    settings.XINZHI_BROKER_URL = "redis://:secret@127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "not ready"
    assert response.json()["checks"]["broker"]["ok"] is False
    assert "secret" not in response.content.decode() and "127.0.0.1" not in response.content.decode()


def test_job_history_and_failures_in_the_admin(client):
    admin = User.objects.create(username="root", role=Role.PROVINCE_STAFF, division_id="330000", is_staff=True,
                                is_superuser=True)
    Job.objects.create(kind="monitoring.report", user=admin, title="生成杭州市简报", status="failed",
                       error="任务执行出错（系统内部错误）", attempts=2, worker="host-a:1")
    client.force_login(admin)
    page = client.get("/admin/jobs/job/?status__exact=failed").content.decode()
    assert "生成杭州市简报" in page and "任务执行出错" in page and "host-a:1" in page
    assert client.get("/admin/jobs/job/add/").status_code == 403


def test_every_response_carries_a_request_id_and_log_lines_carry_it(client, caplog):
    import json
    import logging

    from xinzhi.core import request_id

    fresh = client.get("/healthz")["X-Request-ID"]
    assert len(fresh) == 32 and fresh != client.get("/healthz")["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21")["X-Request-ID"] == "lb-7f3a9c21"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"
    # the filter stamps records; the formatter writes one JSON line
    record = logging.LogRecord("xinzhi.jobs", logging.WARNING, __file__, 1, "任务%s失败", (7,), None)
    with request_id.bound("job-7"):
        request_id.RequestIdFilter().filter(record)
    line = json.loads(request_id.JsonFormatter().format(record))
    assert line["request_id"] == "job-7" and line["message"] == "任务7失败" and line["level"] == "WARNING"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "outside", (), None)
    request_id.RequestIdFilter().filter(record)
    assert record.request_id == "-"
