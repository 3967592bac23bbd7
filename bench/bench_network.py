"""The innovation-network page in a real browser: how soon the province view answers the user (issue 15 §9).

Headless Chromium (Debian's, through Playwright) opens ``/platforms/network/`` as the province and as the
leader on the full demo (PostgreSQL), and measures, from the start of the navigation:

* **drawn** — the graph's first frame is set (``window.__networkDrawn``);
* **interactive** — the first moment after that when the page's main thread answers a script call within
  100 ms (a page busy computing a layout answers late: that is the freeze users saw);

for the aggregated province view (the default), for expanding one city in place (the click on a city's
aggregate, from the call to the city's graph being drawn and the page answering again), and for
``view=all`` (every node at once, the old province view's content) — and, as the province, the page as it
was before the change (``bench/reference/network_synchronous_layout.js`` served in place of today's script:
every node, the layout computed synchronously). The ratios are to the coverage page (no chart) opened the
same way in the same run. Prints the figures and their ratios; asserts
nothing. The goal from the issue: the province view interactive in < 2 s.

Database: ``DATABASE_URL`` (a PostgreSQL database with the full demo, e.g. a developer's) or, when unset,
a scratch database ``xinzhi_bench_network`` loaded with ``xinzhi demo --scale full`` and dropped after.
Skipped (with a message) when PostgreSQL does not answer on 127.0.0.1:5432 or Chromium is missing.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432"
SCRATCH = "xinzhi_bench_network"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
ANSWER_MS = 100  # "answers": a script call returns within this
#: the network script before the change, kept as the reference (not served by the application)
BEFORE = Path(__file__).with_name("reference") / "network_synchronous_layout.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _interactive(page, started: float, limit: float = 120.0) -> float:
    """Seconds from ``started`` until the page answers a script call within ANSWER_MS."""
    while True:
        asked = time.perf_counter()
        page.evaluate("() => performance.now()")
        answered = time.perf_counter()
        if (answered - asked) * 1000 < ANSWER_MS or answered - started > limit:
            return answered - started
        time.sleep(0.02)


def _open(page, url: str, wait_drawn: bool = True) -> tuple[float, float]:
    """(drawn, interactive) seconds for opening ``url``."""
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded", timeout=180_000)
    if wait_drawn:
        page.wait_for_function("window.__networkDrawn !== undefined", timeout=180_000)
    drawn = time.perf_counter() - started
    return drawn, _interactive(page, started)


def _expand(page, code: str) -> tuple[float, float]:
    started = time.perf_counter()
    page.evaluate("code => window.xinzhiNetwork.expand(code)", code)
    page.wait_for_function("window.__networkExpanded !== undefined", timeout=180_000)
    drawn = time.perf_counter() - started
    return drawn, _interactive(page, started)


def _log_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "xinzhi-demo-2025")
    with page.expect_navigation():
        page.click("button[type=submit]")


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    if not _pg_answers() or not Path(CHROMIUM).exists():
        print("跳过：需要 127.0.0.1:5432 上的 PostgreSQL 和 Chromium（CHROMIUM）")
        return 0
    url = os.environ.get("DATABASE_URL")
    scratch = not url
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    if scratch:
        _psql(f"DROP DATABASE IF EXISTS {SCRATCH}")
        _psql(f"CREATE DATABASE {SCRATCH}")
        url = f"{PG}/{SCRATCH}"
    var = Path(tempfile.mkdtemp(prefix="xinzhi-bench-network-"))
    env.update(DATABASE_URL=url, DEBUG="false", DJANGO_SETTINGS_MODULE="xinzhi.settings", XINZHI_VAR_DIR=str(var),
               SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnop", ALLOWED_HOSTS="127.0.0.1,localhost",
               XINZHI_LOGIN_FAILURE_LIMIT="1000")
    subprocess.run([sys.executable, "-m", "xinzhi", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    log = open(var / "server.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "xinzhi", "serve", "--addr", f"127.0.0.1:{port}", "--demo-scale", "full"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while True:
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    print((var / "server.log").read_text()[-3000:])
                    return 1
                time.sleep(1)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            results: dict[str, list[tuple[float, float]]] = {}
            for username in ("province", "leader"):
                context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
                page = context.new_page()
                _log_in(page, base, username)
                _open(page, base + "/platforms/network/")  # warm the server's caches once
                for _ in range(ROUNDS):
                    results.setdefault(f"{username} 参照：覆盖率页面（无图）", []).append(
                        _open(page, base + "/platforms/coverage/", wait_drawn=False))
                    results.setdefault(f"{username} 全省汇总视图", []).append(_open(page, base + "/platforms/network/"))
                    results.setdefault(f"{username} 展开杭州市", []).append(_expand(page, "330100"))
                results.setdefault(f"{username} 全部节点 view=all", []).append(
                    _open(page, base + "/platforms/network/?view=all"))
                if username == "province":  # the page before the change: every node, laid out synchronously
                    page.route("**/platforms/network.js", lambda route: route.fulfill(
                        path=str(BEFORE), content_type="application/javascript"))
                    started = time.perf_counter()
                    page.goto(base + "/platforms/network/?view=all", wait_until="domcontentloaded", timeout=180_000)
                    page.wait_for_selector("#network canvas", timeout=180_000)
                    drawn = time.perf_counter() - started
                    results[f"{username} 改前（全部节点，同步布局）"] = [(drawn, _interactive(page, started))]
                    page.unroute("**/platforms/network.js")
                context.close()
            browser.close()
        print(f"创新平台网络页面（Chromium 无头，全量演示数据，{ROUNDS} 轮中位数；可交互 = 脚本调用 {ANSWER_MS} ms 内返回）")
        reference = {u: _median([i for _, i in results[f"{u} 参照：覆盖率页面（无图）"]]) for u in ("province", "leader")}
        for label, values in results.items():
            drawn, interactive = _median([d for d, _ in values]), _median([i for _, i in values])
            user = label.split()[0]
            print(f"  {label:<28} 绘出 {drawn:6.2f} s  可交互 {interactive:6.2f} s  "
                  f"参照比 {interactive / reference[user]:5.1f}×")
        return 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if scratch:
            _psql(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
