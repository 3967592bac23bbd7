"""Errors reach users in Chinese: the 403 page gives the reason, 404/500/CSRF pages are the platform's own,
and the API answers every error with the documented body ``{"detail": …, "errors": [...]}``."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from xinzhi.accounts.models import User
from xinzhi.accounts.services import create_demo_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(db):
    create_demo_users()
    return {u.username: u for u in User.objects.all()}


def test_403_page_is_chinese_with_the_reason(client, users):
    client.force_login(users["leader"])
    response = client.get("/imports/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "无权访问" in text and "无权导入数据" in text and "返回首页" in text
    assert "Forbidden" not in text


@override_settings(DEBUG=False)
def test_404_page_is_chinese_without_internals(client, users):
    client.force_login(users["xihu"])
    response = client.get("/enterprises/999999/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and "Not Found" not in text and "matches the given query" not in text


@override_settings(DEBUG=False, ROOT_URLCONF="xinzhi.web.tests.failing_urls")
def test_500_page_is_chinese(users):
    client = Client(raise_request_exception=False)
    client.force_login(users["province"])
    response = client.get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统出错" in text and "internal detail" not in text and "Server Error" not in text


def test_csrf_failure_page_is_chinese(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["xihu"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "页面已过期" in text and "CSRF verification failed" not in text


def test_password_change_page_is_in_the_platform_layout(client, users):
    client.force_login(users["xihu"])
    text = client.get("/accounts/password/").content.decode()
    assert "修改密码" in text and "驾驶舱" in text  # the platform's header and menu
    assert "Django" not in text and "/admin/" not in text


def test_api_docs_page_has_a_chinese_header_and_a_way_back(client, users):
    client.force_login(users["xihu"])
    text = client.get("/api/v1/docs").content.decode()
    assert "数据接口文档" in text and "返回平台" in text


def test_api_refusals_use_the_documented_body(client, users):
    client.force_login(users["expert"])
    response = client.get("/api/v1/cultivation/counts?year=2025")
    assert response.status_code == 403
    assert response.json() == {"detail": "无权查看培育名单", "errors": []}  # the capability's own refusal


class _Refusing:
    """Stands in for ``Division`` in the regions API: its manager raises ``exc`` on any use."""

    def __init__(self, exc: Exception):
        self.objects = self
        self.exc = exc

    def restrict(self, *args, **kwargs):
        raise self.exc


def test_api_permission_denied_from_a_service_is_a_403_body(client, users, monkeypatch):
    from django.core.exceptions import PermissionDenied

    from xinzhi.regions import api as regions_api

    monkeypatch.setattr(regions_api, "Division", _Refusing(PermissionDenied("只能查看本地区")))
    client.force_login(users["xihu"])
    response = client.get("/api/v1/regions/")
    assert response.status_code == 403
    assert response.json() == {"detail": "只能查看本地区", "errors": []}


def test_api_unexpected_error_is_logged_and_answered_in_chinese(client, users, monkeypatch, caplog):
    from xinzhi.regions import api as regions_api

    monkeypatch.setattr(regions_api, "Division", _Refusing(RuntimeError("secret internals")))
    client.force_login(users["xihu"])
    response = client.get("/api/v1/regions/")
    assert response.status_code == 500
    assert response.json() == {"detail": "系统出错，已记录在系统日志中，请稍后再试", "errors": []}
    assert "secret internals" in caplog.text  # the traceback is in the log, not in the answer


def _errors_log():
    import logging
    from logging.handlers import RotatingFileHandler
    from pathlib import Path

    handler = next(h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler))
    return handler, Path(handler.baseFilename)


@override_settings(DEBUG=False, ROOT_URLCONF="xinzhi.web.tests.failing_urls")
def test_a_server_error_leaves_its_traceback_in_the_log_file(users):
    """Issue 12 item 10: before, 25 server errors in the access log left not one traceback anywhere."""
    from django.conf import settings

    handler, path = _errors_log()
    assert path.parent == settings.LOG_DIR and path.name == "errors.log"
    before = path.stat().st_size if path.exists() else 0
    client = Client(raise_request_exception=False)
    client.force_login(users["province"])
    assert client.get("/boom/").status_code == 500
    handler.flush()
    with path.open(encoding="utf-8") as fh:
        fh.seek(before)
        written = fh.read()
    assert "ERROR django.request" in written and "/boom/" in written
    assert "Traceback (most recent call last)" in written
    assert "RuntimeError: internal detail that must not be shown" in written


def test_an_api_server_error_is_in_the_log_file_too(client, users, monkeypatch):
    from xinzhi.regions import api as regions_api

    handler, path = _errors_log()
    before = path.stat().st_size if path.exists() else 0
    monkeypatch.setattr(regions_api, "Division", _Refusing(RuntimeError("secret internals")))
    client.force_login(users["xihu"])
    assert client.get("/api/v1/regions/").status_code == 500
    handler.flush()
    with path.open(encoding="utf-8") as fh:
        fh.seek(before)
        written = fh.read()
    assert "ERROR xinzhi.api" in written and "RuntimeError: secret internals" in written
    assert "Traceback (most recent call last)" in written


def test_stderr_has_the_traceback_except_on_a_terminal(monkeypatch):
    """Under gunicorn stderr gets the traceback; someone at a terminal gets the line and the log's name."""
    import io
    import logging
    import sys

    from xinzhi.core.logs import TerminalFormatter

    formatter = TerminalFormatter("%(levelname)s %(message)s", log_file="var/log/errors.log")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "导入失败", None, sys.exc_info())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert "Traceback" in formatter.format(record)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert formatter.format(record) == "ERROR 导入失败（详细错误已记入 var/log/errors.log）"
