"""``xinzhi backup`` / ``xinzhi restore``: a backup restored into a fresh database has every table with the
same row count and checksum, and var/'s files back (docs/operations.md, Backups)."""

from __future__ import annotations

import io
import sqlite3
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from xinzhi.accounts.models import Role, User
from xinzhi.core import backup
from xinzhi.jobs.models import Job
from xinzhi.notifications.services import notify

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same engine, not the site's: a new PostgreSQL database, or a new file."""
    if connection.vendor == "sqlite":
        yield {"NAME": str(tmp_path / "fresh.sqlite3")}
        return
    import psycopg

    db = dict(connection.settings_dict)
    db["NAME"] = f"{db['NAME']}_restore"
    params = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "user": db.get("USER") or None,
              "password": db.get("PASSWORD") or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    try:
        yield db
    finally:
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_table_for_table(tmp_path, fresh_database):
    var = tmp_path / "var"
    (var / "media" / "imports").mkdir(parents=True)
    (var / "media" / "imports" / "upload.csv").write_text("统一社会信用代码,企业名称\n", encoding="utf-8")
    (var / "jobs" / "1").mkdir(parents=True)
    (var / "jobs" / "1" / "result.docx").write_bytes(b"PK\x03\x04report")
    (var / "cache").mkdir()
    (var / "cache" / "junk").write_text("not backed up")
    user = User.objects.create(username="p", role=Role.PROVINCE_STAFF, division_id="330000", full_name="省厅")
    Job.objects.create(kind="monitoring.report", user=user, title="生成简报", params={"year": 2025})
    notify(user, "system", "备份测试", "正文")

    path = backup.backup(tmp_path / "out", var_dir=var)
    manifest = backup.read_manifest(path)
    source = backup.current_fingerprints()
    assert set(manifest["tables"]) == set(connection.introspection.table_names())
    assert manifest["tables"] == source
    assert manifest["tables"]["regions_division"][0] == 102  # the reference data is in it
    assert sorted(manifest["files"]) == ["jobs/1/result.docx", "media/imports/upload.csv"]
    assert sorted(tarfile.open(path).getnames()) == sorted(["manifest.json", manifest["database_file"], "files.tar.gz"])

    restored_var = tmp_path / "restored-var"
    result = backup.restore(path, var_dir=restored_var, db=fresh_database, vendor=connection.vendor)
    assert result.problems == [] and result.files == 2
    found = backup.fingerprints_of(fresh_database, connection.vendor, list(manifest["tables"]))
    assert found == source  # every table: same row count, same checksum
    assert (restored_var / "jobs" / "1" / "result.docx").read_bytes() == b"PK\x03\x04report"
    assert not (restored_var / "cache").exists()

    # the check catches a difference: change one row in the restored copy
    if connection.vendor == "sqlite":
        conn = sqlite3.connect(fresh_database["NAME"])
        conn.execute("UPDATE accounts_user SET full_name = '改' WHERE username = 'p'")
        conn.commit()
        conn.close()
    else:
        import psycopg

        db = fresh_database
        with psycopg.connect(host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432, user=db.get("USER") or None,
                             password=db.get("PASSWORD") or None, dbname=db["NAME"], autocommit=True) as conn:
            conn.execute("UPDATE accounts_user SET full_name = '改' WHERE username = 'p'")
    changed = backup.fingerprints_of(fresh_database, connection.vendor, list(manifest["tables"]))
    assert backup.compare(manifest["tables"], changed) == ["表 accounts_user：行数相同但内容校验值不同"]


def test_the_commands(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "b"), stdout=out)
    assert out.getvalue().startswith("备份完成：") and "张表" in out.getvalue()
    made = next((tmp_path / "b").glob("xinzhi-backup-*.tar"))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(made))
    with pytest.raises(CommandError, match="备份文件不存在"):
        call_command("restore", str(tmp_path / "none.tar"), yes=True)
    (tmp_path / "x.tar").write_bytes(b"")
    with tarfile.open(tmp_path / "x.tar", "w"):
        pass
    with pytest.raises(CommandError, match="不是新质备份文件"):
        call_command("restore", str(tmp_path / "x.tar"), yes=True)
