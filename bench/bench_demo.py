"""Benchmark: ``xinzhi demo --scale full`` — generation and loading timed separately.

Runs on a fresh SQLite file and, if PostgreSQL answers at 127.0.0.1:5432, on a fresh database
``xinzhi_bench_demo`` (dropped at the end). Everything lives in a temporary XINZHI_VAR_DIR, never var/.
References measured in the same run, on the same frames:

* Parquet: Polars writes every frame to Parquet files (a pure columnar write, no database);
* bare sqlite3: ``executemany`` of every frame into unindexed tables without constraints.

Prints figures and ratios; asserts nothing about timings.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "xinzhi_bench_demo"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def child(backend: str) -> None:
    """Run in a subprocess with DJANGO_SETTINGS_MODULE / XINZHI_VAR_DIR / DATABASE_URL already set."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from xinzhi.demo.generator import generate
    from xinzhi.demo.loader import read_reference, write_frames

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    setup = time.perf_counter() - t
    reference = read_reference()

    t = time.perf_counter()
    frames = generate(reference, scale="full", seed=2025)
    gen = time.perf_counter() - t
    rows = sum(frames.counts().values())

    t = time.perf_counter()
    with transaction.atomic():
        timings = write_frames(frames)
    load = time.perf_counter() - t

    tmp = Path(os.environ["XINZHI_VAR_DIR"])
    t = time.perf_counter()
    for name, frame in frames.items():
        frame.write_parquet(tmp / f"{backend}_{name}.parquet")
    parquet = time.perf_counter() - t

    t = time.perf_counter()
    bare = sqlite3.connect(tmp / f"{backend}_bare.sqlite3")
    for name, frame in frames.items():
        frame = frame.with_columns([frame[c].cast(str) for c, d in frame.schema.items() if d.is_temporal()])
        bare.execute(f"CREATE TABLE {name} ({', '.join(frame.columns)})")
        bare.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * frame.width)})", frame.iter_rows())
    bare.commit()
    bare.close()
    bare_s = time.perf_counter() - t

    print(f"[{backend}] {connection.vendor}: migrate + load_reference {setup:.1f}s")
    print(f"[{backend}] generate (full, seed 2025): {gen:.2f}s, {rows:,} rows, {rows / gen:,.0f} rows/s")
    print(f"[{backend}] load (insert_frame, one transaction): {load:.2f}s, {rows / load:,.0f} rows/s")
    for name, sec in timings.items():
        print(f"[{backend}]     {name:<18} {frames.counts()[name]:>10,} rows {sec:6.2f}s")
    print(f"[{backend}] generate + load: {gen + load:.1f}s (budget 120 s)")
    print(f"[{backend}] reference Parquet write of the same frames: {parquet:.2f}s → load / Parquet = {load / parquet:.1f}×")
    print(f"[{backend}] reference bare sqlite3 executemany (no indexes/constraints): {bare_s:.2f}s → load / bare = {load / bare_s:.2f}×")
    sys.stdout.flush()


def run(backend: str, database_url: str | None, var_dir: str) -> int:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="xinzhi.settings", XINZHI_VAR_DIR=var_dir)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, __file__, "--child", backend], cwd=ROOT, env=env).returncode


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    failures = 0
    with tempfile.TemporaryDirectory(prefix="xinzhi_bench_demo_") as var_dir:
        failures += run("sqlite", None, var_dir) != 0
        if postgres_available():
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            pg_admin(f"CREATE DATABASE {PG_DB}")
            try:
                failures += run("postgresql", f"postgres://postgres@127.0.0.1:5432/{PG_DB}", var_dir) != 0
            finally:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        else:
            print("[postgresql] not reachable at 127.0.0.1:5432 — skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        sys.exit(0)
    sys.exit(main())
