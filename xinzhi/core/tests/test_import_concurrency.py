"""Issue 12 item 5: concurrent commits of one month are safe on both databases — real processes.

Two ``xinzhi import --commit`` processes of the same month: the first is held inside its transaction
(rows written, not committed) by a fault point (``core.faults``) while the second starts and reaches the
import lock. Both must succeed; both changes must be in the data and in the month's snapshots (stored
snapshots equal a fresh computation); the audit's "before" of the second is the value the first wrote.
Before: PostgreSQL gave a unique-key clash rebuilding the snapshots, SQLite "database is locked", and
the second import's audit named the value from before the first.
"""

from __future__ import annotations

import time

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import
from xinzhi.core.tests.helpers import code, make_enterprise, write_csv
from xinzhi.core.tests.processes import (
    external_database,
    finish,
    snapshots_consistent,
    start,
    wait_for_point,
    waiting_for_advisory_lock,
)
from xinzhi.enterprises.tests.test_enterprise_import import HEADER as REGISTER_HEADER
from xinzhi.enterprises.tests.test_monthly_import import HEADER, row

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def hold_first_start_second(db, tmp_path, first_file, second_file, kind="monthly-stats"):
    """Start import 1 and stop it with its rows written but not committed; start import 2, let it reach
    the lock; release 1. Returns both (exit code, stdout, stderr)."""
    release = tmp_path / "release"
    first = start(["import", kind, str(first_file), "--commit", "--user", "prov"], db, tmp_path,
                  XINZHI_FAULT_POINT="import:written", XINZHI_FAULT_RELEASE=str(release), XINZHI_FAULT_SLEEP="120")
    wait_for_point(first, "import:written")
    second = start(["import", kind, str(second_file), "--commit", "--user", "prov"], db, tmp_path,
                   XINZHI_FAULT_POINT="import:read", XINZHI_FAULT_SLEEP="0")
    wait_for_point(second, "import:read")
    if db.vendor == "postgresql":
        deadline = time.monotonic() + 30
        while waiting_for_advisory_lock(db) == 0:  # the second is queued behind the first's lock
            assert time.monotonic() < deadline, "the second import never waited for the lock"
            time.sleep(0.1)
    else:
        time.sleep(1.0)  # the second is in BEGIN IMMEDIATE, waiting for the first's write lock
    assert second.poll() is None
    release.touch()
    return finish(first), finish(second)


@pytest.fixture
def province():
    return User.objects.create(username="prov", role=Role.PROVINCE_STAFF, division_id="330000")


def test_two_commits_of_one_month_both_land(tmp_path, province):
    firms = [make_enterprise("330106", i) for i in range(1, 5)]
    base = commit_import("monthly-stats", write_csv(tmp_path / "base.csv", HEADER,
                                                    [row(firms[0].uscc, base=1000), row(firms[1].uscc, base=1000)]))
    assert base.committed
    db = external_database(tmp_path)
    first = write_csv(tmp_path / "a.csv", HEADER, [row(firms[0].uscc, base=2000), row(firms[2].uscc, base=500)])
    second = write_csv(tmp_path / "b.csv", HEADER, [row(firms[0].uscc, base=3000), row(firms[3].uscc, base=700)])
    (code_a, out_a, err_a), (code_b, out_b, err_b) = hold_first_start_second(db, tmp_path, first, second)
    assert (code_a, code_b) == (0, 0), err_a + err_b
    assert "Traceback" not in err_a + err_b
    assert "已重新计算监测指标：2025-03" in out_a and "已重新计算监测指标：2025-03" in out_b
    # both changes are stored: four firms, firm 1 with the second's value (3000 千元 → 元)
    stored = dict(db.query("SELECT e.uscc, m.output_value FROM enterprises_monthlystat m "
                           "JOIN enterprises_enterprise e ON e.id = m.enterprise_id WHERE m.year = 2025 AND m.month = 3"))
    assert stored == {firms[0].uscc: 3_000_000, firms[1].uscc: 1_000_000, firms[2].uscc: 500_000,
                      firms[3].uscc: 700_000}
    # the second import's audit replaced what the first wrote, not what was there before it
    changes = db.json_rows("SELECT l.changes FROM auditlog_logentry l JOIN django_content_type t "
                           "ON t.id = l.content_type_id WHERE t.model = 'monthlystat' ORDER BY l.id")
    assert [c["output_value"] for c in changes] == [["1000000", "2000000"], ["2000000", "3000000"]]
    assert db.query("SELECT status, count(*) FROM core_importbatch GROUP BY status") == [("committed", 3)]
    assert snapshots_consistent(db, tmp_path, "2025-03")


def test_the_same_new_enterprise_in_two_concurrent_register_files(tmp_path, province):
    """Duplicate new codes in two concurrent files: the second finds the first's row instead of a clash."""
    db = external_database(tmp_path)
    new = [code("330106", 42), "西湖新企业", "330106", "3973", "2020-01-01", "民营", "否", 2025, "是"]
    renamed = [*new[:1], "西湖新企业有限公司", *new[2:]]
    first = write_csv(tmp_path / "a.csv", REGISTER_HEADER, [new])
    second = write_csv(tmp_path / "b.csv", REGISTER_HEADER, [renamed, [code("330106", 43), "另一家", "330106", "3973",
                                                                        None, None, None, None, None]])
    (code_a, _, err_a), (code_b, out_b, err_b) = hold_first_start_second(db, tmp_path, first, second, "enterprises")
    assert (code_a, code_b) == (0, 0), err_a + err_b
    assert "新增 1，变更 1" in out_b
    assert db.query("SELECT name FROM enterprises_enterprise WHERE uscc = %s", (new[0],)) == [("西湖新企业有限公司",)]
