"""Import benchmark: validate + commit a 60,000-row monthly filing (xlsx and csv), SQLite and PostgreSQL.

Reference measured in the same run: a bare Polars read of the same file (``pl.read_excel`` with
calamine / ``pl.read_csv``), all columns as strings. Goal: ≤ 15 s per file. Prints, never asserts.

Runs against a fresh SQLite database in a temporary directory, then — when 127.0.0.1:5432 answers —
against a PostgreSQL database ``xinzhi_bench_import`` created and dropped here. Each backend runs in
its own process because Django's settings read ``DATABASE_URL`` once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_ENTERPRISES = 60_000
PG_DB = "xinzhi_bench_import"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
GOAL_S = 15.0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2])
    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="xinzhi-bench-import-") as tmp:
        env = {**os.environ, "XINZHI_VAR_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
               "PYTHONPATH": str(repo)}
        status = subprocess.run([sys.executable, __file__, "--child", tmp], cwd=repo, env=env).returncode
    if not _pg_answers():
        print("PostgreSQL: 127.0.0.1:5432 does not answer — skipped")
        return status
    _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}"', f'CREATE DATABASE "{PG_DB}"')
    try:
        with tempfile.TemporaryDirectory(prefix="xinzhi-bench-import-") as tmp:
            env = {**os.environ, "XINZHI_VAR_DIR": tmp, "PYTHONPATH": str(repo),
                   "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{PG_DB}"}
            status |= subprocess.run([sys.executable, __file__, "--child", tmp], cwd=repo, env=env).returncode
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    return status


def _pg_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


# -- inside the child process (one backend) ------------------------------------------------------
def child(tmp: str) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "xinzhi.settings"
    import django

    django.setup()
    import polars as pl
    from django.core.management import call_command
    from django.db import connection

    from xinzhi.core.imports import commit_import, read_table, validate

    backend = connection.vendor
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    register = _create_register()
    _file_february(register)
    print(f"[{backend}] set-up: migrate, reference data, {N_ENTERPRISES:,} enterprises + February filings "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)

    files = {
        "xlsx": _write_filing(register, Path(tmp) / "filing-2025-03.xlsx", month=3),
        "csv": _write_filing(register, Path(tmp) / "filing-2025-04.csv", month=4),
    }
    for fmt, path in files.items():
        t = time.perf_counter()
        if fmt == "xlsx":
            pl.read_excel(path, engine="calamine", infer_schema_length=0)
        else:
            pl.read_csv(path, infer_schema=False)
        bare = time.perf_counter() - t

        t = time.perf_counter()
        result = validate("monthly-stats", read_table(path))
        preview_s = time.perf_counter() - t
        t = time.perf_counter()
        outcome = commit_import("monthly-stats", path)
        commit_s = time.perf_counter() - t
        t = time.perf_counter()
        again = commit_import("monthly-stats", path)
        again_s = time.perf_counter() - t
        c, c2 = outcome.result.counts, again.result.counts
        verdict = "within" if commit_s <= GOAL_S else "OVER"
        print(
            f"[{backend}] {fmt:4} {N_ENTERPRISES:,} rows: bare polars read {bare:.2f} s | "
            f"validate {preview_s:.2f} s ({preview_s / bare:.1f}x) | "
            f"validate+commit {commit_s:.2f} s ({commit_s / bare:.1f}x; {verdict} the {GOAL_S:.0f} s goal; "
            f"new {c['new']:,}, errors {c['errors']}) | "
            f"same file again {again_s:.2f} s ({again_s / bare:.1f}x; new {c2['new']}, changed {c2['changed']})",
            flush=True,
        )
        assert result.ok, result.errors[:5]  # the synthetic file is clean; a failure here is a bench bug
    connection.close()
    return 0


def _create_register():
    import polars as pl

    from xinzhi.core import uscc
    from xinzhi.core.bulk import insert_frame, read_frame

    counties = read_frame("SELECT code FROM regions_division WHERE level = 'county' ORDER BY code")["code"]
    classes = read_frame("SELECT code FROM industries_industrycode WHERE level = 'class' AND code LIKE '3%%'")["code"]
    n = N_ENTERPRISES
    county = [counties[i % len(counties)] for i in range(n)]
    frame = pl.DataFrame({
        "uscc": [uscc.make("91", county[i], f"{i:08d}") for i in range(n)],  # synthetic data, not the import path
        "name": [f"基准企业{i:05d}" for i in range(n)],
        "division_code": county,
        "industry_code": [classes[i % len(classes)] for i in range(n)],
        "ownership": ["private"] * n,
        "is_listed": [False] * n,
        "updated_at": ["2025-01-01 00:00:00"] * n,
    })
    insert_frame("enterprises_enterprise", frame)
    return read_frame("SELECT id, uscc, division_code FROM enterprises_enterprise ORDER BY id")


def _amounts(register, month: int):
    import polars as pl

    i = pl.int_range(pl.len(), dtype=pl.Int64)
    base = (i % 997 + 100) * 1000 * month  # YTD: grows every month
    return register.with_columns(
        output_value=base * 10, value_added=base * 2, revenue=base * 11, rd_expense=base // 3,
        new_product_output=base * 4, employees=(i % 500 + 20),
    )


def _file_february(register) -> None:
    """Stored January–February filings so the YTD check of March has a previous month to join."""
    import polars as pl

    from xinzhi.core.bulk import insert_frame

    for month in (1, 2):
        frame = _amounts(register, month).select(
            pl.col("id").alias("enterprise_id"), "division_code", pl.lit(2025).alias("year"),
            pl.lit(month).alias("month"), "output_value", "value_added", "revenue", "rd_expense",
            "new_product_output", "employees", pl.lit(False).alias("is_revision"),
        )
        insert_frame("enterprises_monthlystat", frame)


def _write_filing(register, path: Path, month: int) -> Path:
    """The filing as a statistics office would send it: amounts in 千元 with decimals."""
    import polars as pl

    from xinzhi.core.imports import get_kind
    from xinzhi.core.imports.exports import to_file_frame, write_file

    kind = get_kind("monthly-stats")
    frame = _amounts(register, month).with_columns(
        pl.lit(2025).alias("year"), pl.lit(month).alias("month"), pl.lit(False).alias("is_revision"),
        pl.lit(None, dtype=pl.String).alias("enterprise_name"),
    )
    write_file(kind, to_file_frame(kind, frame, unit="千元", numeric=path.suffix == ".xlsx"), path.suffix[1:], path)
    return path


if __name__ == "__main__":
    sys.exit(main())
