"""Browser-test fixtures, registered once for the whole suite by the root conftest (``pytest_plugins``):
one server and one Playwright instance shared by every browser test (two sync Playwright instances
cannot run in one process).

Browser tests: a real server (``xinzhi serve`` on the small demo data, in its own SQLite file)
driven by Playwright in Debian's headless Chromium. No browser is downloaded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """Start ``xinzhi serve`` on a fresh SQLite database with the small demo dataset."""
    var_dir = tmp_path_factory.mktemp("browser-site")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(XINZHI_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="xinzhi.settings", DEBUG="true")
    log = open(var_dir / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "xinzhi", "serve", "--addr", f"127.0.0.1:{port}", "--demo-scale", "small"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while True:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("server did not start:\n" + (var_dir / "server.log").read_text()[-4000:]) from None
            time.sleep(0.5)
    yield base
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, base: str, username: str, password: str = "xinzhi-demo-2025") -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")  # not the logout button in the header
    page.wait_for_load_state("networkidle")
