"""core.bulk: columnar inserts, and the planner statistics a large insert refreshes (PostgreSQL)."""

import polars as pl
import pytest
from django.db import connection

from xinzhi.core.bulk import copy_frame, insert_frame, read_frame, refresh_statistics_if_grown

pytestmark = pytest.mark.django_db


def _estimated_rows(table: str) -> float | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


def test_insert_frame_writes_rows_and_refreshes_statistics_when_the_table_grows():
    from xinzhi.monitoring.models import EarlyWarning

    table = EarlyWarning._meta.db_table
    frame = pl.DataFrame({
        "indicator": ["rd_intensity"] * 3000, "region": ["330106"] * 3000, "region_level": ["county"] * 3000,
        "scope_code": ["330106"] * 3000, "year": [2025] * 3000, "month": list(range(1, 13)) * 250,
        "rating": ["red"] * 3000, "previous_rating": [""] * 3000, "projected_miss": [True] * 3000,
        "rating_drop": [False] * 3000, "message": ["预计未达标"] * 3000,
        "created_at": ["2025-07-01T00:00:00+08:00"] * 3000,
    })
    assert insert_frame(table, frame) == 3000
    stored = read_frame(f"SELECT month, COUNT(*) AS n FROM {table} GROUP BY month ORDER BY month")
    assert stored["n"].to_list() == [250] * 12
    if connection.vendor == "postgresql":
        # the insert grew the table from nothing: the planner now knows it holds about 3000 rows
        assert _estimated_rows(table) == pytest.approx(3000, rel=0.05)
        # a small insert into a large table leaves the statistics to autovacuum
        assert not refresh_statistics_if_grown(table, 100)
        assert refresh_statistics_if_grown(table, 1000)
    else:
        assert not refresh_statistics_if_grown(table, 3000)  # SQLite keeps no statistics unless asked


@pytest.mark.parametrize(("estimated", "written", "inserted", "stale"), [
    (-1, 0, 1, True),  # never analysed
    (3000, 0, 100, False),  # a small insert into a table the statistics describe
    (3000, 250, 100, True),  # … but the writes since the last ANALYZE add up past 10%
    (3000, 0, 301, True),
    (0, 0, 1, True),  # analysed while empty
])
def test_statistics_are_stale_by_autovacuums_rule(estimated, written, inserted, stale):
    from xinzhi.core.bulk import statistics_stale

    assert statistics_stale(estimated, written, inserted) is stale


def _planned_rows(sql: str) -> float:
    import json

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    return (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]["Plan Rows"]


def test_rows_of_a_new_key_are_known_to_the_planner_however_few():
    """A new month's snapshots are a few per cent of the table, but every page asks for that month."""
    from xinzhi.monitoring.models import EarlyWarning

    table = EarlyWarning._meta.db_table

    def rows(year: int, n: int) -> pl.DataFrame:
        return pl.DataFrame({
            "indicator": ["rd_intensity"] * n, "region": ["330106"] * n, "region_level": ["county"] * n,
            "scope_code": ["330106"] * n, "year": [year] * n, "month": [12] * n, "rating": ["red"] * n,
            "previous_rating": [""] * n, "projected_miss": [True] * n, "rating_drop": [False] * n,
            "message": ["预计未达标"] * n, "created_at": ["2025-07-01T00:00:00+08:00"] * n,
        })

    insert_frame(table, rows(2025, 5000))
    insert_frame(table, rows(2026, 100))  # 2% of the table: the rule leaves the statistics as they were
    if connection.vendor == "postgresql":
        assert _planned_rows(f"SELECT * FROM {table} WHERE year = 2026") < 10
    assert insert_frame(table, rows(2027, 100), new_key_range=True) == 100
    if connection.vendor == "postgresql":
        assert _planned_rows(f"SELECT * FROM {table} WHERE year = 2027") == pytest.approx(100, rel=0.3)
    else:  # SQLite keeps no statistics unless asked: nothing to refresh
        assert not refresh_statistics_if_grown(table, 100, always=True)


@pytest.mark.django_db
def test_copy_frame_reads_the_same_frame_as_read_frame():
    """Integers, text (empty and null apart), booleans, dates and nulls come through COPY unchanged; a
    column type COPY does not handle (a timestamp) falls back to the row path; parameters bind."""
    from xinzhi.core.tests.helpers import make_enterprise
    from xinzhi.cultivation.models import Certification
    from xinzhi.enterprises.models import EnterpriseYear

    firms = [make_enterprise("330106", n) for n in range(1, 4)]
    for n, firm in enumerate(firms):
        EnterpriseYear.objects.create(enterprise=firm, year=2025, above_scale=n % 2 == 0)
    import datetime as dt
    Certification.objects.create(enterprise=firms[0], program="hte", year=2024, issued_on=dt.date(2024, 12, 3),
                                 expires_on=dt.date(2027, 12, 2))
    queries = [
        ("SELECT enterprise_id, year, above_scale FROM enterprises_enterpriseyear WHERE year = %s ORDER BY 1", [2025]),
        ("SELECT id, uscc, name, '' AS blank, CAST(NULL AS INTEGER) AS no_number, CAST(NULL AS TEXT) AS no_text FROM enterprises_enterprise "
         "ORDER BY id", None),
        ("SELECT enterprise_id, program, issued_on, expires_on FROM cultivation_certification", None),
        ("SELECT id, CURRENT_TIMESTAMP AS now FROM enterprises_enterprise ORDER BY id", None),
        ("SELECT id FROM enterprises_enterprise WHERE id < 0", None),
    ]
    for sql, params in queries:
        fast, slow = copy_frame(sql, params), read_frame(sql, params)
        assert fast.equals(slow), sql
        assert fast.height == (0 if "< 0" in sql else slow.height)
    assert copy_frame(queries[0][0], queries[0][1])["above_scale"].to_list() == [True, False, True]
    assert copy_frame(queries[1][0])["blank"].to_list() == ["", "", ""]
    assert copy_frame(queries[1][0])["no_text"].to_list() == [None, None, None]
