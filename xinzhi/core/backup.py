"""Backups with a tested restore (docs/operations.md, Backups).

A backup is one tar file ``xinzhi-backup-<UTC stamp>.tar`` holding

* ``database.dump`` — ``pg_dump --format=custom`` on PostgreSQL, or ``database.sqlite3`` — SQLite's online
  backup API (``sqlite3.Connection.backup``: a consistent copy while the site keeps running);
* ``files.tar.gz`` — what lives under ``var/`` beside the database: ``media/`` (uploads waiting to be
  committed) and ``jobs/`` (job result files). Issued reports are stored in the database itself
  (``IssuedReport.docx/pdf/xlsx``), so they are in the dump. ``cache/`` and ``static/`` are rebuilt;
* ``manifest.json`` — when, which database engine, the applied migrations, and for **every table** its row
  count and a checksum of its rows (order-independent: the digest of the sorted digests of the rows).

``restore`` puts the database and the files back and recomputes every table's count and checksum against
the manifest; any difference is reported and fails the command.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

FILE_DIRS = ("media", "jobs")
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Chinese)."""


# --------------------------------------------------------------------------- fingerprints


def _quote(vendor: str, name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fingerprints(cursor, vendor: str, tables: list[str]) -> dict[str, list]:
    """``{table: [row count, checksum]}`` through a DB-API cursor. PostgreSQL digests rows in the server
    (``md5`` of each row's text, sorted); SQLite hashes each row's values as SQLite writes them (``quote``) in Python."""
    out = {}
    for table in sorted(tables):
        q = _quote(vendor, table)
        if vendor == "postgresql":
            cursor.execute(f"SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
                           f"FROM (SELECT md5(t::text) AS h FROM {q} t) s")
            count, digest = cursor.fetchone()
        else:
            # quote(): SQLite's own text for each value, whatever type converters the connection has
            cursor.execute(f"PRAGMA table_info({q})")
            columns = " || ',' || ".join(f"quote({_quote(vendor, r[1])})" for r in cursor.fetchall())
            cursor.execute(f"SELECT {columns} FROM {q}")
            hashes = sorted(hashlib.md5(row[0].encode()).hexdigest() for row in cursor.fetchall())
            count, digest = len(hashes), hashlib.md5("".join(hashes).encode()).hexdigest()
        out[table] = [int(count), digest]
    return out


def current_fingerprints() -> dict[str, list]:
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        return fingerprints(cursor, connection.vendor, tables)


def compare(expected: dict[str, list], found: dict[str, list]) -> list[str]:
    """The differences, one Chinese line per table (empty: identical)."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            problems.append(f"表 {table}：恢复后缺失")
        elif table not in expected:
            problems.append(f"表 {table}：备份中没有")
        elif expected[table][0] != found[table][0]:
            problems.append(f"表 {table}：行数 {found[table][0]}，备份时 {expected[table][0]}")
        elif expected[table][1] != found[table][1]:
            problems.append(f"表 {table}：行数相同但内容校验值不同")
    return problems


# --------------------------------------------------------------------------- backup


def _pg_env(db: dict) -> tuple[list[str], dict]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args, env


def _dump_database(folder: Path) -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _pg_env(db)
        target = folder / "database.dump"
        done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", *args, "-f", str(target), db["NAME"]],
                              env=env, capture_output=True, text=True)
        if done.returncode:
            raise BackupError(f"pg_dump 失败：{done.stderr.strip()[:500]}")
        return target.name
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # online: a consistent copy while others write
        finally:
            destination.close()
        return target.name
    raise BackupError(f"不支持的数据库：{connection.vendor}")


def _migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def backup(output_dir: Path, var_dir: Path | None = None) -> Path:
    """Write a backup tar into ``output_dir``; returns its path."""
    var_dir = Path(var_dir or settings.VAR_DIR)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = output_dir / f"xinzhi-backup-{stamp}.tar"
    with tempfile.TemporaryDirectory(dir=output_dir) as tmp:
        folder = Path(tmp)
        database_file = _dump_database(folder)
        # the fingerprints are taken right after the dump; a site that writes meanwhile makes restore report
        # the tables it changed — take backups at a quiet hour (the schedule in docs/operations.md)
        manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "vendor": connection.vendor, "database_file": database_file, "migrations": _migrations(),
                    "tables": current_fingerprints(), "files": []}
        with tarfile.open(folder / "files.tar.gz", "w:gz") as files:
            for name in FILE_DIRS:
                if (var_dir / name).is_dir():
                    files.add(var_dir / name, arcname=name)
                    manifest["files"] += [str(p.relative_to(var_dir)) for p in sorted((var_dir / name).rglob("*"))
                                          if p.is_file()]
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial = target.with_suffix(".tar.part")
        with tarfile.open(partial, "w") as tar:
            for name in ("manifest.json", database_file, "files.tar.gz"):
                tar.add(folder / name, arcname=name)
        partial.replace(target)  # a backup file that exists is complete
    return target


# --------------------------------------------------------------------------- restore


@dataclass
class Restored:
    manifest: dict
    problems: list[str]
    files: int


def read_manifest(path: Path) -> dict:
    with tarfile.open(path) as tar:
        try:
            return json.load(tar.extractfile("manifest.json"))
        except KeyError:
            raise BackupError(f"{path.name} 不是新质备份文件（缺少 manifest.json）") from None


def _safe_extract(tar: tarfile.TarFile, target: Path) -> int:
    target = target.resolve()
    count = 0
    for member in tar.getmembers():
        path = (target / member.name).resolve()
        if target not in path.parents and path != target:
            raise BackupError(f"备份中的文件路径不安全：{member.name}")
        if member.issym() or member.islnk():
            raise BackupError(f"备份中含链接文件：{member.name}")
        count += member.isfile()
    tar.extractall(target, filter="data")
    return count


def restore_database(path: Path, db: dict, vendor: str) -> None:
    """Restore the backup's database into the database described by ``db`` (Django settings dict)."""
    manifest = read_manifest(path)
    if manifest["vendor"] != vendor:
        raise BackupError(f"备份来自 {manifest['vendor']} 数据库，不能恢复到 {vendor}")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path) as tar:
        tar.extract(manifest["database_file"], tmp, filter="data")
        source = Path(tmp) / manifest["database_file"]
        if vendor == "postgresql":
            args, env = _pg_env(db)
            done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                   "--exit-on-error", *args, "-d", db["NAME"], str(source)],
                                  env=env, capture_output=True, text=True)
            if done.returncode:
                raise BackupError(f"pg_restore 失败：{done.stderr.strip()[:500]}")
        else:
            src = sqlite3.connect(source)
            dst = sqlite3.connect(db["NAME"])
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()


def fingerprints_of(db: dict, vendor: str, tables: list[str]) -> dict[str, list]:
    """Fingerprints of a database given by its settings (a fresh one the site does not use)."""
    if vendor == "postgresql":
        import psycopg

        with psycopg.connect(host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432,
                             user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                             dbname=db["NAME"]) as conn, conn.cursor() as cursor:
            existing = {r[0] for r in cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()}
            return fingerprints(cursor, vendor, [t for t in tables if t in existing])
    conn = sqlite3.connect(db["NAME"])
    try:
        cursor = conn.cursor()
        existing = {r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()}
        return fingerprints(cursor, vendor, [t for t in tables if t in existing])
    finally:
        conn.close()


def restore(path: Path, *, var_dir: Path | None = None, db: dict | None = None, vendor: str | None = None) -> Restored:
    """Restore database and files, then compare every table with the manifest. Without ``db``: the site's
    own database (its connections are closed first)."""
    var_dir = Path(var_dir or settings.VAR_DIR)
    manifest = read_manifest(path)
    if manifest.get("format") != FORMAT:
        raise BackupError("备份格式版本不符")
    own = db is None
    if own:
        db, vendor = connection.settings_dict, connection.vendor
        connections.close_all()
    restore_database(path, db, vendor)
    files = 0
    with tarfile.open(path) as tar:
        blob = tar.extractfile("files.tar.gz").read()
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as files_tar:
        for name in FILE_DIRS:
            if (var_dir / name).exists():
                shutil.rmtree(var_dir / name)
        files = _safe_extract(files_tar, var_dir)
    found = fingerprints_of(db, vendor, list(manifest["tables"]))
    return Restored(manifest, compare(manifest["tables"], found), files)
