"""Fault script (issue 12): kill -9 an import at several moments, and concurrent commits of one month.

PostgreSQL only (a database ``xinzhi_fault_import`` is created and dropped here); not part of the test
suite. Every import is a real ``xinzhi import … --commit`` process; the moments are the fault points of
``xinzhi.core.faults`` (the process announces the point and waits there, and is killed with SIGKILL):

* ``import:read``              file read, no transaction yet
* ``import:locked``            transaction open, import lock held, nothing written
* ``import:written``           rows, audit entries and stale-month marks written, not committed
* ``monitoring:before-refresh`` import committed, snapshots not recomputed yet
* ``monitoring:refresh-written`` the month's new snapshots written, not committed

For each moment (each on its own month) it reports what the database holds after the kill (the month's
filings, the import's ImportBatch, the month's stale mark, its snapshots), then starts the site the way
an operator would (``xinzhi serve --no-server``: migrate, reference data, catch-up of stale months) and
checks the monitoring: no month left stale, and the stored snapshots of every filed month equal a fresh
computation from the stored facts. Then two and four imports of the same month are released at the same
moment: every one must commit, every change must be in the data and the snapshots, and the audit trail of
the firm they all change must chain (each "before" is the previous import's "after").

    python bench/fault_import.py [--enterprises 3000]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench_import import _pg_admin as _admin  # noqa: E402 — the same PostgreSQL helpers as the import bench
from bench_import import _pg_answers  # noqa: E402

from xinzhi.core import uscc  # noqa: E402 — pure module, no Django needed
from xinzhi.core.tests.processes import (  # noqa: E402
    ExternalDatabase,
    finish,
    run,
    snapshots_consistent,
    start,
    wait_for_point,
)

DB_NAME = "xinzhi_fault_import"
MOMENTS = ["import:read", "import:locked", "import:written", "monitoring:before-refresh",
           "monitoring:refresh-written"]
REGISTER_HEADER = ["统一社会信用代码", "企业名称", "县（市、区）代码", "行业代码", "成立日期", "登记注册类型", "是否上市",
                   "规上年度", "是否规上"]
MONTHLY_HEADER = ["统一社会信用代码", "期别", "工业总产值(千元)", "工业增加值(千元)", "营业收入(千元)", "研发费用(千元)",
                  "新产品产值(千元)", "从业人员期末人数", "是否修订"]
COUNTIES = ["330102", "330106", "330108", "330203", "330212", "330302", "330402", "330502", "330602", "330702",
            "330802", "330902", "331002", "331102"]
INDUSTRIES = ["3973", "3911", "2710", "1311", "3411"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=3000)
    args = parser.parse_args()
    if not _pg_answers():
        print("PostgreSQL does not answer on 127.0.0.1:5432 — the fault script needs it")
        return 1
    _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{DB_NAME}"')
    try:
        with tempfile.TemporaryDirectory(prefix="xinzhi-fault-") as tmp:
            return scenario(Path(tmp), args.enterprises)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def scenario(tmp: Path, n: int) -> int:
    db = ExternalDatabase(f"postgres://postgres@127.0.0.1:5432/{DB_NAME}", "postgresql")
    t0 = time.perf_counter()
    _ok(run(["migrate", "-v", "0"], db, tmp))
    _ok(run(["load_reference", "-v", "0"], db, tmp))
    _ok(run(["shell", "-c", "from xinzhi.accounts.models import User; User.objects.create(username='prov', "
             "role='province_staff', division_id='330000')"], db, tmp))
    firms = [uscc.make("91", COUNTIES[i % len(COUNTIES)], f"FT{i:06d}") for i in range(n)]
    register = _write(tmp / "register.csv", REGISTER_HEADER, [
        [code, f"故障测试企业{i}", COUNTIES[i % len(COUNTIES)], INDUSTRIES[i % len(INDUSTRIES)], "2015-01-01", "民营", "否",
         2025, "是"] for i, code in enumerate(firms)])
    _ok(run(["import", "enterprises", str(register), "--commit", "--user", "prov"], db, tmp))
    for month in (1, 2):
        _ok(run(["import", "monthly-stats", str(_monthly(tmp, firms, month)), "--commit", "--user", "prov"], db,
                tmp))
    print(f"set-up: {n:,} enterprises, filings 2025-01 and 2025-02 committed with their snapshots "
          f"({time.perf_counter() - t0:.0f} s)\n")

    print("kill -9 at each moment (each on its own month), then the next start (xinzhi serve --no-server):")
    print(f"{'moment':<28}{'filings of the month':>22}{'batch':>12}{'stale mark':>12}{'snapshots':>11}"
          f"{'after restart: consistent':>28}{'stale left':>12}")
    failures = 0
    for i, moment in enumerate(MOMENTS):
        month = 3 + i
        path = _monthly(tmp, firms, month)
        process = start(["import", "monthly-stats", str(path), "--commit", "--user", "prov"], db, tmp,
                        XINZHI_FAULT_POINT=moment, XINZHI_FAULT_SLEEP="600")
        wait_for_point(process, moment)
        process.kill()
        process.wait()
        filings = _one(db, "SELECT count(*) FROM enterprises_monthlystat WHERE year = 2025 AND month = %s", month)
        batch = _one(db, "SELECT status FROM core_importbatch WHERE file_name = %s ORDER BY id DESC LIMIT 1",
                     path.name) or "none"
        stale = _one(db, "SELECT count(*) FROM monitoring_stalemonth WHERE year = 2025 AND month = %s", month)
        snaps = _one(db, "SELECT count(*) FROM monitoring_indicatorvalue WHERE year = 2025 AND month = %s", month)
        _ok(run(["serve", "--no-server", "--no-demo"], db, tmp))
        months = [m for (m,) in db.query("SELECT DISTINCT month FROM enterprises_monthlystat WHERE year = 2025 "
                                         "ORDER BY month")]
        consistent = all(snapshots_consistent(db, tmp, f"2025-{m:02d}") for m in months)
        left = _one(db, "SELECT count(*) FROM monitoring_stalemonth")
        all_or_nothing = filings in (0, n)
        failures += (not consistent) or left or not all_or_nothing
        print(f"{moment:<28}{f'{filings:,} of {n:,}':>22}{batch:>12}{'yes' if stale else 'no':>12}"
              f"{f'{snaps:,}':>11}{('yes' if consistent else 'NO') + f' ({len(months)} months)':>28}{left:>12}")

    print("\nconcurrent commits of one month (all released at the same moment):")
    for count in (2, 4):
        failures += concurrent(db, tmp, firms, count)
    print(f"\n{'all consistent' if not failures else f'{failures} FAILURES'}")
    return 1 if failures else 0


def concurrent(db: ExternalDatabase, tmp: Path, firms: list[str], count: int) -> int:
    """``count`` imports of one month, each changing its own 200 firms and the shared firm 0."""
    month = 8 + (count // 2)  # 2 → September, 4 → October
    _ok(run(["import", "monthly-stats", str(_monthly(tmp, firms, month, name=f"base{count}")), "--commit",
             "--user", "prov"], db, tmp))
    release = tmp / f"release{count}"
    processes = []
    expected: dict[str, int] = {}
    for k in range(count):
        own = firms[1 + k::count][:200]
        # every value above the firm's stored months (no plausibility flag): the month's base + 10 + k 千元
        rows = [_row(firms, 0, month, output=_base(0, month) + 1000 * (k + 1))]
        for code in own:
            value = _base(firms.index(code), month) + 10 + k
            rows.append(_row(firms, firms.index(code), month, output=value))
            expected[code] = round(value * 1000)
        path = _write(tmp / f"concurrent{count}-{k}.csv", MONTHLY_HEADER, rows)
        processes.append(start(["import", "monthly-stats", str(path), "--commit", "--user", "prov"], db, tmp,
                               XINZHI_FAULT_POINT="import:read", XINZHI_FAULT_RELEASE=str(release),
                               XINZHI_FAULT_SLEEP="600"))
    for p in processes:
        wait_for_point(p, "import:read")
    t0 = time.perf_counter()
    release.touch()
    results = [finish(p) for p in processes]
    elapsed = time.perf_counter() - t0
    codes = [code for code, _, _ in results]
    stored_shared = _one(db, "SELECT m.output_value FROM enterprises_monthlystat m JOIN enterprises_enterprise e "
                             "ON e.id = m.enterprise_id WHERE e.uscc = %s AND m.year = 2025 AND m.month = %s",
                         firms[0], month)
    entries = db.json_rows(
        "SELECT l.changes FROM auditlog_logentry l JOIN django_content_type t ON t.id = l.content_type_id "
        "WHERE t.model = 'monthlystat' AND l.object_repr = %s ORDER BY l.id", (f"{firms[0]} 2025-{month:02d}",))
    chain = [c["output_value"] for c in entries if "output_value" in c]
    chained = all(a[1] == b[0] for a, b in zip(chain, chain[1:], strict=False)) and len(chain) == count
    last_written = int(chain[-1][1]) == stored_shared if chain else False
    stored = dict(db.query("SELECT e.uscc, m.output_value FROM enterprises_monthlystat m JOIN enterprises_enterprise e "
                           "ON e.id = m.enterprise_id WHERE m.year = 2025 AND m.month = %s", (month,)))
    changed = sum(stored.get(code) == value for code, value in expected.items())
    consistent = snapshots_consistent(db, tmp, f"2025-{month:02d}")
    ok = codes == [0] * count and chained and last_written and changed == 200 * count and consistent
    print(f"  {count} imports: exit codes {codes}; {elapsed:.1f} s from release to the last one; "
          f"{changed} of {200 * count} own changes stored; shared firm's audit chain "
          f"{' → '.join(str(int(v) // 1000) for v in [chain[0][0], *(c[1] for c in chain)]) if chain else '—'} 千元 "
          f"({'each before = the previous after' if chained else 'BROKEN'}); snapshots "
          f"{'consistent' if consistent else 'NOT consistent'} — {'ok' if ok else 'FAILED'}")
    for code, out, err in results:
        if code:
            print(out[-1500:], err[-1500:])
    return 0 if ok else 1


# -- helpers ----------------------------------------------------------------------------------------
def _base(i: int, month: int) -> int:
    """Firm ``i``'s 工业总产值 1–N月累计 in the set-up files, 千元 (firm 0, the one every concurrent import
    changes, above what they write for the month before)."""
    return (1000 + i % 97) * month if i else 3000 * month


def _row(firms: list[str], i: int, month: int, output: float | None = None) -> list[object]:
    """Firm ``i``'s filing of ``month`` in the set-up files (values 千元, 1–N月累计), or with another 总产值."""
    return [firms[i], f"2025-{month:02d}", _base(i, month) if output is None else output, 250 * month, 1100 * month,
            20 * month, 500 * month, 100, "否"]


def _monthly(tmp: Path, firms: list[str], month: int, name: str | None = None) -> Path:
    rows = [_row(firms, i, month) for i in range(len(firms))]
    return _write(tmp / f"{name or 'monthly'}-2025-{month:02d}.csv", MONTHLY_HEADER, rows)


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _one(db: ExternalDatabase, sql: str, *params):
    rows = db.query(sql, params)
    return rows[0][0] if rows else None


def _ok(result: tuple[int, str, str]) -> None:
    code, out, err = result
    if code:
        raise SystemExit(f"step failed ({code}):\n{out[-3000:]}\n{err[-3000:]}")


if __name__ == "__main__":
    os.environ.pop("DATABASE_URL", None)
    sys.exit(main())
