"""core.bulk: columnar inserts, and the planner statistics a large insert refreshes (PostgreSQL)."""

import polars as pl
import pytest
from django.db import connection

from xinzhi.core.bulk import insert_frame, read_frame, refresh_statistics_if_grown

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
