"""Real ``xinzhi`` processes against the test database, for concurrency and crash tests (and
``bench/fault_import.py``): start commands, stop them at a fault point (``core.faults``), read the
database they wrote.

PostgreSQL: the other processes use the test database itself (the test must commit: a transactional
test). SQLite: the test database lives in memory, so it is copied to a file first (``external_database``),
and the processes and the assertions use that file.
"""

from __future__ import annotations

import json
import os
import select
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class ExternalDatabase:
    url: str
    vendor: str
    path: Path | None = None  # SQLite file

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of ``sql`` (``%s`` placeholders) as the other processes see them, on a fresh connection."""
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path, timeout=30) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def json_rows(self, sql: str, params: tuple = ()) -> list:
        return [json.loads(v) if isinstance(v, str) else v for (v,) in self.query(sql, params)]


def external_database(tmp_path: Path) -> ExternalDatabase:
    """The test database as other processes reach it (SQLite: copied to a file now — set up data first)."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        url = f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return ExternalDatabase(url, "postgresql")
    connection.ensure_connection()
    path = tmp_path / "shared.sqlite3"
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    return ExternalDatabase(f"sqlite:///{path}", "sqlite", path)


def environment(db: ExternalDatabase, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINZHI_FAULT_")}
    env.update(DATABASE_URL=db.url, DJANGO_SETTINGS_MODULE="xinzhi.settings", XINZHI_VAR_DIR=str(var_dir),
               XINZHI_RESPONSE_CACHE="false", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def start(args: list[str], db: ExternalDatabase, var_dir: Path, **extra: str) -> subprocess.Popen:
    """``python -m xinzhi ARGS`` from the repository root (this checkout's code), output captured."""
    return subprocess.Popen([sys.executable, "-m", "xinzhi", *args], cwd=ROOT, env=environment(db, var_dir, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_point(process: subprocess.Popen, point: str, timeout: float = 120) -> list[str]:
    """Read the process's stderr until it announces ``point``; returns the lines read."""
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.2)
        if ready:
            line = process.stderr.readline()
            if not line and process.poll() is not None:
                break
            lines.append(line)
            if line.startswith(f"FAULT-POINT {point} "):
                return lines
        elif process.poll() is not None:
            break
    out, err = process.communicate(timeout=5) if process.poll() is not None else ("", "")
    raise AssertionError(f"process did not reach {point}:\n{''.join(lines)}{err}\n{out}")


def finish(process: subprocess.Popen, timeout: float = 180) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def run(args: list[str], db: ExternalDatabase, var_dir: Path, **extra: str) -> tuple[int, str, str]:
    return finish(start(args, db, var_dir, **extra))


def waiting_for_advisory_lock(db: ExternalDatabase) -> int:
    """PostgreSQL: how many sessions wait for an advisory lock on this database right now (advisory locks are
    cluster-wide: a parallel test worker or another run on its own database must not count)."""
    return db.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())")[0][0]


def snapshots_consistent(db: ExternalDatabase, var_dir: Path, period: str) -> bool:
    """Whether snapshots of ``period`` are stored, not marked stale, and equal to a fresh computation."""
    year, month = (int(x) for x in period.split("-"))
    stored_rows = db.query("SELECT count(*) FROM monitoring_indicatorvalue WHERE year = %s AND month = %s",
                           (year, month))[0][0]
    marked = db.query("SELECT count(*) FROM monitoring_stalemonth WHERE year = %s AND month = %s", (year, month))[0][0]
    if not stored_rows or marked:
        return False
    code, stored, err = run(["monitor", "--period", period, "--format", "json"], db, var_dir)
    assert code == 0, err
    code, fresh, err = run(["monitor", "--period", period, "--format", "json", "--recompute"], db, var_dir)
    assert code == 0, err
    return json.loads(stored) == json.loads(fresh)
