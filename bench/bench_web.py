"""Web latency under load: 50 concurrent clients on the cockpit, the map data and a list API.

PostgreSQL with the full demo data (a scratch database, dropped at the end), served by gunicorn
(production settings: DEBUG off, WhiteNoise for static files) on 127.0.0.1. Clients are threads in
this process, each with its own logged-in session, sending a bounded number of requests. The
reference, measured in the same run and the same way, is a static file served by the same server.
Prints p50 / p95 latency and throughput; asserts nothing. Skipped (with a message) when PostgreSQL
does not answer on 127.0.0.1:5432. The goal from the issue is p95 < 200 ms.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DB = "xinzhi_bench_web"
PG = "postgres://postgres@127.0.0.1:5432"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_REQUESTS", "20"))
SCALE = os.environ.get("BENCH_SCALE", "full")
#: developers iterating on latency: keep the loaded database between runs (BENCH_KEEP_DB=1)
KEEP_DB = os.environ.get("BENCH_KEEP_DB") == "1"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
UNIQUE = itertools.count()


def pg_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


def psql(sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def loaded_database_kept() -> bool:
    """With BENCH_KEEP_DB=1, a database loaded by an earlier run is reused as it is."""
    return KEEP_DB and bool(psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def xinzhi(env: dict, *args: str) -> None:
    subprocess.run([PY, "-m", "xinzhi", *args], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def login(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    body = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = f"username={username}&password=xinzhi-demo-2025&csrfmiddlewaretoken={token}"
    conn.request("POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}",
        "Referer": f"http://127.0.0.1:{port}/accounts/login/"})
    response = conn.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie", "") or "")
    if response.status != 302 or not session:
        raise RuntimeError(f"login failed: {response.status}")
    return f"sessionid={session.group(1)}; csrftoken={csrf_cookie}"


def hammer(port: int, path: str | Callable[[int], str], cookies: list[str]) -> tuple[list[float], float, int]:
    """Every client asks ``path``; a callable gives the path of request number n (0, 1, … over all
    clients), so that requests can ask different questions."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(number: int, cookie: str) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for request in range(REQUESTS_PER_CLIENT):
            started = time.perf_counter()
            n = number * REQUESTS_PER_CLIENT + request
            conn.request("GET", path(n) if callable(path) else path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                with lock:
                    errors += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i, cookies[i % len(cookies)])) for i in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started, errors


def p95_of(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[94] * 1000


def report(label: str, latencies: list[float], elapsed: float, errors: int) -> float:
    q = statistics.quantiles(latencies, n=100)
    p50, p95 = q[49] * 1000, q[94] * 1000
    print(f"  {label:<44} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {len(latencies) / elapsed:7.1f} req/s"
          f"{'  errors ' + str(errors) if errors else ''}")
    return p95


def main() -> None:
    if not pg_answers():
        print("PostgreSQL does not answer on 127.0.0.1:5432: web latency bench not run")
        return
    var = tempfile.mkdtemp(prefix="xinzhi-bench-web-")
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "XINZHI_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "xinzhi.settings",
           "DEBUG": "false", "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnop",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "CONN_MAX_AGE": "600", "XINZHI_LOGIN_FAILURE_LIMIT": "1000"}
    server = None
    reuse = loaded_database_kept()
    try:
        if reuse:
            xinzhi(env, "migrate", "-v0")
            print(f"reusing the database {DB} kept by an earlier run (BENCH_KEEP_DB=1)")
        else:
            load_database(env)
        xinzhi(env, "collectstatic", "--noinput", "-v0")
        port = free_port()
        server = subprocess.Popen(
            [str(Path(PY).with_name("gunicorn")), "xinzhi.wsgi", "--workers", "4", "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning"], env=env, cwd=ROOT)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cookies = [login(port, "province") for _ in range(4)]
        targets = [
            ("static file (reference): /static/web/app.css", "/static/web/app.css"),
            ("cockpit /monitoring/", "/monitoring/"),
            ("map data /monitoring/map/data/", "/monitoring/map/data/?indicator=rd_intensity&period=2025-12"),
            ("list API /api/v1/enterprises/?division=330100", "/api/v1/enterprises/?division=330100"),
            ("list API /api/v1/monitoring/values", "/api/v1/monitoring/values?period=2025-12"),
            # the same list with every request a question not asked before (pages 1–50 of the 7,630
            # enterprises of 杭州市, page sizes 20–39, and a never-repeated "_" as browsers add to bust
            # caches): each one misses the response cache and is read from the database
            ("list API, every request a new question (cache misses)",
             lambda n: f"/api/v1/enterprises/?division=330100&page={n // 20 + 1}&page_size={20 + n % 20}"
                       f"&_={next(UNIQUE)}"),
        ]
        print(f"{CLIENTS} concurrent clients × {REQUESTS_PER_CLIENT} requests each, gunicorn 4 workers, 2 cores:")
        reference = None
        print(f"each endpoint measured in {ROUNDS} rounds, the endpoints taking turns (the round with the median p95 "
              "is printed, with the range of p95 over the rounds): on a shared 2-core machine one round is noisy")
        for _, path in targets:
            hammer(port, path, cookies[:1])  # warm-up
        rounds: dict[str, list] = {label: [] for label, _ in targets}
        for _ in range(ROUNDS):
            for label, path in targets:
                latencies, elapsed, errors = hammer(port, path, cookies)
                rounds[label].append((p95_of(latencies), latencies, elapsed, errors))
        for label, _ in targets:
            ordered = sorted(rounds[label], key=lambda r: r[0])
            p95 = report(label, *ordered[len(ordered) // 2][1:])
            print(f"  {'':<44} p95 over the rounds {ordered[0][0]:.0f}–{ordered[-1][0]:.0f} ms", end="")
            if reference is None:
                reference = p95
                print()
            else:
                print(f"; median p95 / static file {p95 / reference:.1f}×  (goal p95 < 200 ms)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not KEEP_DB:
            psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def load_database(env: dict) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    started = time.perf_counter()
    xinzhi(env, "migrate", "-v0")
    xinzhi(env, "load-reference", "-v0")
    xinzhi(env, "demo", "--scale", SCALE, "-v0")
    subprocess.run([PY, "-c", "import django; django.setup(); from xinzhi.monitoring.services import prepare; "
                    "prepare([2024, 2025])"], env=env, cwd=ROOT, check=True)
    print(f"{SCALE} demo + monitoring snapshots loaded into PostgreSQL in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
