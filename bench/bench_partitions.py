"""National scale on PostgreSQL with the monthly facts partitioned by year (issue 20 item 6).

Loads the 8× demo (``xinzhi.demo.generator.replicate``: the full demo 8 times over, ≈ 500,000
enterprises and ≈ 12 million monthly filings) into a scratch PostgreSQL database (dropped at the end),
then prints:
* the load time (generation, COPY per table, VACUUM ANALYZE) and the partitions' row counts;
* the month computation (``monitoring.services.refresh``: read the facts with SQL, compute and rate
  every indicator × region with Polars, replace the month's snapshots) — goal ≤ 10 s;
* the EXPLAIN of the month's fact query and of the cockpit's snapshot query: only the year's partition;
* single-request latencies (median of 5, warm, in process through Django's test client, no server and no
  concurrency) of the cockpit and the list APIs — not the web bench's 50-client p95 (bench_web.py with
  BENCH_SCALE=8x measures that).
Figures are printed, never asserted. Run: ``python bench/run.py partitions`` (BENCH_SCALE=small for a quick
check of the script; BENCH_KEEP_DB=1 keeps the database).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = "xinzhi_bench_partitions"
PG = "postgres://postgres@127.0.0.1:5432"
SCALE = os.environ.get("BENCH_SCALE", "8x")
KEEP_DB = os.environ.get("BENCH_KEEP_DB") == "1"
YEAR, MONTH = 2025, 6


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-q", "-c", sql], check=True)


def main() -> None:
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432"], capture_output=True).returncode != 0:
        print("partitions: skipped (PostgreSQL does not answer on 127.0.0.1:5432)")
        return
    if not KEEP_DB or subprocess.run(["psql", f"{PG}/{DB}", "-c", "select 1"], capture_output=True).returncode:
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        psql(f"CREATE DATABASE {DB}")
        fresh = True
    else:
        fresh = False
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")
    os.environ["XINZHI_VAR_DIR"] = tempfile.mkdtemp(prefix="xinzhi-bench-partitions-")
    import django

    django.setup()
    try:
        run(fresh)
    finally:
        from django.db import connections

        connections.close_all()
        if not KEEP_DB:
            psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def run(fresh: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from xinzhi.core.bulk import read_frame
    from xinzhi.core.partitioning import PARTITIONED_TABLES
    from xinzhi.demo.loader import load_demo
    from xinzhi.monitoring import services

    if fresh:
        call_command("migrate", verbosity=0)
        call_command("load_reference", verbosity=0)
        started = time.perf_counter()
        result = load_demo(scale=SCALE, seed=2025)
        total = time.perf_counter() - started
        print(f"{SCALE} demo: {result.counts['enterprises']:,} enterprises, {result.counts['monthly']:,} monthly filings, "
              f"{result.counts['progress']:,} project progress rows")
        print(f"load: {total:.0f} s in all — generate {result.generate_seconds:.0f} s, write {result.load_seconds:.0f} s "
              "(COPY, one transaction) + VACUUM ANALYZE; per table: "
              + ", ".join(f"{k} {v:.0f} s" for k, v in result.timings.items()))
    counts = read_frame("SELECT tableoid::regclass::text AS partition, COUNT(*) AS n FROM enterprises_monthlystat "
                        "GROUP BY 1 ORDER BY 1")
    print("enterprises_monthlystat partitions: " + ", ".join(f"{p} {n:,}" for p, n in counts.rows()))

    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine: wall times "
          "stretch with it; this process's CPU time does not)")
    timings, cpu = [], []
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.process_time()
        stored = services.refresh(YEAR, MONTH)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(f"month computation {YEAR}-{MONTH:02d} (monitoring.services.refresh: facts by SQL, Polars, snapshots "
          f"replaced; {stored:,} snapshot rows): " + ", ".join(f"{t:.1f} s" for t in timings)
          + f" — median {statistics.median(timings):.1f} s wall, {statistics.median(cpu):.1f} s CPU in this process "
          "(goal ≤ 10 s)")
    started, started_cpu = time.perf_counter(), time.process_time()
    facts = services.load_facts(YEAR, MONTH)
    print(f"  of which reading the facts (monitoring.sources.load_facts): {time.perf_counter() - started:.1f} s wall, "
          f"{time.process_time() - started_cpu:.1f} s CPU ({facts.monthly_stats.height:,} filing rows)")

    with connection.cursor() as cursor:
        for table in PARTITIONED_TABLES:
            cursor.execute(f"EXPLAIN SELECT * FROM {table} WHERE year = {YEAR} AND month = {MONTH}")  # noqa: S608
            plan = [line for (line,) in cursor.fetchall()]
            scanned = sorted({word for line in plan for word in line.replace("(", " ").split()
                              if word.startswith(f"{table}_")})
            print(f"EXPLAIN {table} WHERE year = {YEAR} AND month = {MONTH}: partitions scanned {scanned}")

    from django.test import Client

    from xinzhi.accounts.models import User
    from xinzhi.accounts.services import create_demo_users

    if not User.objects.filter(username="province").exists():
        create_demo_users()
        started = time.perf_counter()
        services.prepare([YEAR - 1, YEAR])
        print(f"monitoring snapshots of {YEAR - 1}–{YEAR} (services.prepare, 24 months): "
              f"{time.perf_counter() - started:.0f} s")

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="province"))
    for label, url in (("cockpit /monitoring/", "/monitoring/"),
                       ("list API /api/v1/enterprises/?division=330100", "/api/v1/enterprises/?division=330100"),
                       ("list API /api/v1/monitoring/values", f"/api/v1/monitoring/values?period={YEAR}-{MONTH:02d}"),
                       ("list API, a page not asked before", "/api/v1/enterprises/?division=330100&page=37&page_size=23")):
        times = []
        for n in range(6):
            started = time.perf_counter()
            response = client.get(url + ("&" if "?" in url else "?") + f"_={n}" if "page=" in url else url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{label}: first {times[0] * 1000:.0f} ms, then median {statistics.median(times[1:]) * 1000:.0f} ms "
              "(one client, in process)")


if __name__ == "__main__":
    main()
