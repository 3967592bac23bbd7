"""Issue 12 item 12: headers and sessions — Content-Security-Policy, HSTS and secure cookies with DEBUG off,
``Cache-Control: private, no-store`` on signed-in pages and API answers, login lockout by username AND
address with the proxy's client-address header configurable."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from xinzhi.accounts.models import User
from xinzhi.accounts.services import DEMO_PASSWORD, create_demo_users

pytestmark = pytest.mark.django_db
XINZHI = Path(__file__).resolve().parents[2]


@pytest.fixture
def users(db):
    create_demo_users()
    return {u.username: u for u in User.objects.all()}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_has_a_strict_content_security_policy(client, users):
    client.force_login(users["province"])
    for path in ("/accounts/login/", "/monitoring/", "/enterprises/", "/api/v1/docs"):
        policy = _policy(client.get(path))
        assert policy["script-src"] == ["'self'"], path  # no inline script, no eval, no other host
        assert policy["style-src"] == ["'self'"] and policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert not any(re.match(r"https?:|\*", source) for sources in policy.values() for source in sources)


def test_templates_carry_no_inline_script_handler_or_style():
    """What the policy forbids must not be in a template: an inline <script> (data blocks of type
    application/json are not run), an on…= handler, a <style> element or a style attribute."""
    found = []
    for path in sorted(XINZHI.glob("*/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                found.append(f"{path.name}: {tag}")
        found += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
        found += [f"{path.name}: {m}" for m in re.findall(r"<style\b|\sstyle=\"", text)]
    assert not found, found


def test_signed_in_pages_and_api_answers_are_not_stored(client, users):
    client.force_login(users["xihu"])
    for path in ("/monitoring/", "/enterprises/", "/api/v1/enterprises/", "/api/v1/regions/"):
        response = client.get(path)
        assert response.status_code == 200, path
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (path, response["Cache-Control"])
    anonymous = Client().get("/api/v1/enterprises/")
    assert {"private", "no-store"} <= {d.strip() for d in anonymous["Cache-Control"].split(",")}


def _settings_with(env: dict[str, str]) -> str:
    code = ("import xinzhi.settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))")
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "XINZHI_PROXY_SSL_HEADER")}
    return subprocess.run([sys.executable, "-c", code], env={**environment, **env}, capture_output=True, text=True,
                          check=True, cwd=XINZHI.parent).stdout.strip()


def test_hsts_and_secure_cookies_when_debug_is_off():
    assert _settings_with({"DEBUG": "0", "SECRET_KEY": "x" * 50}) == "31536000 True True None"
    assert _settings_with({"DEBUG": "0", "SECRET_KEY": "x" * 50, "XINZHI_PROXY_SSL_HEADER": "X-Forwarded-Proto"}) \
        == "31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    assert _settings_with({"DEBUG": "1"}) == "0 False False None"


@override_settings(SECURE_HSTS_SECONDS=31536000)
def test_an_https_answer_carries_hsts(users):
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def _log_in(client, username, password, **extra) -> int:
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra).status_code


def test_lockout_is_by_username_and_address(users, settings):
    """Failures for xihu from one address lock xihu at that address only: the same account from another
    address, and another account from the same address, still sign in."""
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _log_in(client, "xihu", "wrong", REMOTE_ADDR="10.0.0.1") in (200, 429)  # the last one locks
    assert _log_in(client, "xihu", DEMO_PASSWORD, REMOTE_ADDR="10.0.0.1") == 429
    assert _log_in(Client(), "xihu", DEMO_PASSWORD, REMOTE_ADDR="10.0.0.2") == 302
    assert _log_in(Client(), "hangzhou", DEMO_PASSWORD, REMOTE_ADDR="10.0.0.1") == 302


@override_settings(XINZHI_CLIENT_IP_HEADER="X-Forwarded-For", XINZHI_PROXY_COUNT=1)
def test_behind_the_proxy_the_client_address_comes_from_the_configured_header(users, settings):
    """Every request arrives from the proxy (one REMOTE_ADDR); the client is the right-most X-Forwarded-For
    entry, which the proxy appended — a forged entry further left changes nothing."""
    proxy = {"REMOTE_ADDR": "192.168.0.9"}
    attacker = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for i in range(settings.AXES_FAILURE_LIMIT):
        forged = {**proxy, "HTTP_X_FORWARDED_FOR": f"198.51.100.{i}, 203.0.113.7"}
        assert _log_in(Client(), "xihu", "wrong", **(forged if i % 2 else attacker)) in (200, 429)
    assert _log_in(Client(), "xihu", DEMO_PASSWORD, **attacker) == 429
    # the real user, behind the same proxy at another address, is not locked out
    assert _log_in(Client(), "xihu", DEMO_PASSWORD, **proxy, HTTP_X_FORWARDED_FOR="203.0.113.20") == 302


def test_client_address_without_a_proxy_header_is_remote_addr(rf, settings):
    from xinzhi.accounts.client_ip import client_ip

    settings.XINZHI_CLIENT_IP_HEADER = ""
    assert client_ip(rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.1.1.1"
    settings.XINZHI_CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_REAL_IP="1.2.3.4")) == "1.2.3.4"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_REAL_IP="not-an-address")) == "10.1.1.1"
