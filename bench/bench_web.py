"""Web latency under load: 50 concurrent clients on the cockpit, the map data and a list API.

PostgreSQL with the full demo data (a scratch database, dropped at the end), served by gunicorn
(production settings: DEBUG off, WhiteNoise for static files) on 127.0.0.1. The clients, with logged-in
sessions, are wrk's 50 connections when wrk is installed (``make bench`` installs Debian's wrk where it
can), else 50 threads in this process sending a bounded number of requests each (Python's clients
share one interpreter lock, whose waits add to the latencies they measure). The reference, measured
in the same run and the same way, is a static file served by the same server.
Prints p50 / p95 latency, throughput, and the CPU time the server (gunicorn and PostgreSQL) spent per
request — the figure that compares between machines; asserts nothing. Skipped (with a message) when
PostgreSQL does not answer on 127.0.0.1:5432. The goal from the issue is p95 < 200 ms.

For developers: BENCH_KEEP_DB=1 keeps the loaded database for the next run, BENCH_ROUNDS (3), BENCH_SECONDS
(5, wrk), BENCH_ONLY=<part of a label> measures only those targets (and the reference), BENCH_LOADGEN=python
forces the Python clients, BENCH_GUNICORN_ARGS adds server options.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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
#: the load generator: wrk when installed (C, an event loop: its own cost stays off the measured
#: latencies), else client threads in this Python process (BENCH_LOADGEN=python forces them)
LOADGEN = os.environ.get("BENCH_LOADGEN") or ("wrk" if shutil.which("wrk") else "python")
WRK_SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
WRK_SCRIPT = Path(__file__).with_name("wrk") / "session.lua"
UNIQUE = itertools.count()
#: the comment a finished load leaves on the database (see ``loaded_database_kept``)
LOADED_MARK = f"xinzhi bench_web: {SCALE} demo loaded"


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
    """With BENCH_KEEP_DB=1, a database loaded by an earlier run is reused as it is — only one whose load
    finished at the same scale (the mark is set last; an interrupted load is loaded again)."""
    return KEEP_DB and bool(psql(f"SELECT 1 FROM pg_database d WHERE d.datname = '{DB}' "
                                 f"AND shobj_description(d.oid, 'pg_database') = '{LOADED_MARK}'"))


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


@dataclass
class Round:
    p50: float  # ms
    p95: float  # ms
    rate: float  # requests per second
    errors: int  # answers other than 200, and socket errors
    server_cpu_ms: float | None  # CPU of gunicorn and PostgreSQL per request, all processes
    database_cpu_ms: float | None  # of which PostgreSQL's


#: name fragments people type into the register's search ({q}), read from the loaded database
SEARCH_FRAGMENTS: list[str] = []


def search_fragments(count: int = 200) -> list[str]:
    """Half the 2-character brand of a real enterprise name (no trigram: the hardest case), half brand and
    industry word (4 characters), URL-encoded; the names are a fixed pseudo-random sample."""
    from urllib.parse import quote

    import psycopg

    with psycopg.connect(f"{PG}/{DB}") as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM enterprises_enterprise ORDER BY md5(id::text) LIMIT %s", (count,)).fetchall()]
    return [quote(name[2:4] if i % 2 else name[2:6]) for i, name in enumerate(names)]


def fill(template: str, n: int, unique: str) -> str:
    """A path from a template: {page} 1–50, {size} 20–39 (both following n), {n} never repeated, {q} a name
    fragment (following n)."""
    path = (template.replace("{page}", str(n % 50 + 1)).replace("{size}", str(20 + n % 20))
            .replace("{n}", unique))
    return path.replace("{q}", SEARCH_FRAGMENTS[n % len(SEARCH_FRAGMENTS)]) if "{q}" in path else path


def hammer_python(port: int, template: str, cookies: list[str]) -> tuple[list[float], float, int]:
    """CLIENTS threads in this process, each on its own connection, REQUESTS_PER_CLIENT requests each."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(number: int, cookie: str) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for request in range(REQUESTS_PER_CLIENT):
            path = fill(template, number * REQUESTS_PER_CLIENT + request, str(next(UNIQUE)))
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
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


def hammer_wrk(port: int, template: str, cookies: list[str]) -> tuple[int, float, float, float, int]:
    """wrk (C, event loop): CLIENTS connections on 2 threads for WRK_SECONDS."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{WRK_SECONDS}s", "--timeout", "30s", "-s", str(WRK_SCRIPT),
         f"http://127.0.0.1:{port}", "--", template, *cookies, *(f"q={q}" for q in SEARCH_FRAGMENTS)],
        capture_output=True, text=True, check=True).stdout
    fields = dict(item.split("=") for item in re.search(r"RESULT (.*)", out).group(1).split())
    return (int(fields["requests"]), float(fields["seconds"]), int(fields["p50_us"]) / 1000,
            int(fields["p95_us"]) / 1000, int(fields["non2xx"]) + int(fields["socket_errors"]))


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(stat[11]) + int(stat[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(master: int) -> tuple[list[int], list[int]]:
    """gunicorn's master and workers; every PostgreSQL process (Linux /proc)."""
    web = [master]
    for task in Path(f"/proc/{master}/task").glob("*/children"):
        web += [int(p) for p in task.read_text().split()]
    database = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if (proc / "comm").read_text().strip() == "postgres":
                database.append(int(proc.name))
        except OSError:
            continue
    return web, database


def _server_cpu(master: int) -> tuple[float, float]:
    web, database = server_pids(master)
    return _cpu_seconds(web), _cpu_seconds(database)


def measure(port: int, template: str, cookies: list[str], master: int) -> Round:
    linux = Path(f"/proc/{master}/stat").exists()
    before = _server_cpu(master) if linux else (0.0, 0.0)
    if LOADGEN == "wrk":
        requests, elapsed, p50, p95, errors = hammer_wrk(port, template, cookies)
    else:
        latencies, elapsed, errors = hammer_python(port, template, cookies)
        q = statistics.quantiles(latencies, n=100)
        requests, p50, p95 = len(latencies), q[49] * 1000, q[94] * 1000
    if not linux:
        return Round(p50, p95, requests / elapsed, errors, None, None)
    after = _server_cpu(master)
    web, database = ((a - b) / requests * 1000 for a, b in zip(after, before, strict=True))
    return Round(p50, p95, requests / elapsed, errors, web + database, database)


def report(label: str, rounds: list[Round], reference: float | None) -> float:
    """Print the round with the median p95, and the range over the rounds; return that p95."""
    ordered = sorted(rounds, key=lambda r: r.p95)
    r = ordered[len(ordered) // 2]
    cpu = (f"  server CPU {r.server_cpu_ms:4.1f} ms/req (database {r.database_cpu_ms:3.1f})"
           if r.server_cpu_ms is not None else "")
    print(f"  {label:<52} p50 {r.p50:6.1f} ms  p95 {r.p95:6.1f} ms  {r.rate:7.1f} req/s{cpu}"
          f"{'  errors ' + str(r.errors) if r.errors else ''}")
    ratio = f"; median p95 / static file {r.p95 / reference:.1f}×  (goal p95 < 200 ms)" if reference else ""
    print(f"  {'':<52} p95 over the rounds {ordered[0].p95:.0f}–{ordered[-1].p95:.0f} ms{ratio}")
    return r.p95


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
             "--log-level", "warning", *os.environ.get("BENCH_GUNICORN_ARGS", "").split()], env=env, cwd=ROOT)
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
            # issue 18: the investment project list (the province sees every project, 50 a page, ordered by
            # code) and one city's projects; issue 17: the closed-loop problem list as the province reads it
            ("project list API /api/v1/investment/projects", "/api/v1/investment/projects"),
            ("project list API /api/v1/investment/projects?division=330100",
             "/api/v1/investment/projects?division=330100"),
            ("problem list API /api/v1/programs/problems", "/api/v1/programs/problems"),
            # paging through the register with every request a page not asked before (pages 1–50 of
            # the 7,630 enterprises of 杭州市, page sizes 20–39, and a never-repeated "_" as browsers
            # add to bust caches): each one misses the response cache and reads its rows from the
            # database; the count of the question is kept (core.pagination)
            ("list API, every request a new page (response cache misses)",
             "/api/v1/enterprises/?division=330100&page={page}&page_size={size}&_={n}"),
            # the province searching the register by name, every request a question not asked before: half
            # the fragments are 2-character brands (too short for the trigram index), half 4 characters
            ("name search API, every request a new question (cache misses)", "/api/v1/enterprises/?q={q}&_={n}"),
        ]
        SEARCH_FRAGMENTS[:] = search_fragments()
        if os.environ.get("BENCH_ONLY"):  # developers: the reference and the targets whose label contains it
            targets = targets[:1] + [t for t in targets[1:] if os.environ["BENCH_ONLY"] in t[0]]
        how = (f"wrk, {CLIENTS} connections, {WRK_SECONDS} s per round" if LOADGEN == "wrk" else
               f"{CLIENTS} client threads in this process × {REQUESTS_PER_CLIENT} requests each")
        print(f"load: {how}; gunicorn 4 workers; {os.cpu_count()} cores shared by server, database and load")
        print(f"each endpoint measured in {ROUNDS} rounds, the endpoints taking turns (the round with the median p95 "
              "is printed, with the range of p95 over the rounds): on a shared 2-core machine one round is noisy")
        for _, template in targets:  # warm-up: every worker process opens its connection, fills its caches
            hammer_python(port, template, cookies[:1])
        rounds: dict[str, list[Round]] = {label: [] for label, _ in targets}
        for _ in range(ROUNDS):
            for label, template in targets:
                rounds[label].append(measure(port, template, cookies, server.pid))
        reference = None
        for label, _ in targets:
            p95 = report(label, rounds[label], reference)
            reference = reference or p95
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
    psql(f"COMMENT ON DATABASE {DB} IS '{LOADED_MARK}'")


if __name__ == "__main__":
    main()
