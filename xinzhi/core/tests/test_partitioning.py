"""Monthly facts partitioned by year on PostgreSQL (issue 20 item 6); SQLite tables stay plain.

The same tests run on both databases: every write path must behave identically, and on PostgreSQL the
layout (partitions, (id, year) primary key, pruning, new-year partitions) is checked as well.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from xinzhi.core.bulk import insert_frame, read_frame
from xinzhi.core.partitioning import (
    PARTITIONED_TABLES,
    ensure_year_partitions,
    is_partitioned,
    year_partitions,
)
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.core.versioning import data_versions
from xinzhi.enterprises.models import MonthlyStat
from xinzhi.monitoring.models import IndicatorValue

pytestmark = pytest.mark.django_db

PG = connection.vendor == "postgresql"


def _stat(enterprise, year: int, month: int, value: int = 100) -> MonthlyStat:
    return MonthlyStat.objects.create(
        enterprise=enterprise, division_id=enterprise.division_id, year=year, month=month, output_value=value,
        value_added=value // 4, revenue=value, rd_expense=value // 50, new_product_output=value // 10, employees=10)


def _partition_of(table: str, row_id: int) -> str:
    if not PG:
        return table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [row_id])  # noqa: S608
        return cursor.fetchone()[0]


def test_layout_partitioned_on_postgresql_plain_on_sqlite():
    with connection.cursor() as cursor:
        for table in PARTITIONED_TABLES:
            if PG:
                assert is_partitioned(cursor, table)
                partitions = year_partitions(cursor, table)
                assert f"{table}_y2024" in partitions and f"{table}_y2025" in partitions
                assert partitions[-1] == f"{table}_default"
                cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                               "AND contype = 'p'", [table])
                assert cursor.fetchone()[0] == "PRIMARY KEY (id, year)"
            else:
                assert table in connection.introspection.table_names(cursor)


def test_orm_writes_land_in_their_year_and_move_with_it():
    firm = make_enterprise()
    row = _stat(firm, 2025, 6)
    assert _partition_of("enterprises_monthlystat", row.id) == (
        "enterprises_monthlystat_y2025" if PG else "enterprises_monthlystat")
    row.year = 2024
    row.save()  # an update that changes the year moves the row to the other partition
    assert _partition_of("enterprises_monthlystat", row.id) == (
        "enterprises_monthlystat_y2024" if PG else "enterprises_monthlystat")
    MonthlyStat.objects.filter(pk=row.pk).update(output_value=7)
    assert MonthlyStat.objects.get(pk=row.pk).output_value == 7
    other = _stat(firm, 2025, 7)
    assert other.id > row.id  # one sequence across partitions: ids stay unique
    MonthlyStat.objects.filter(year=2024).delete()
    assert list(MonthlyStat.objects.values_list("id", flat=True)) == [other.id]


def test_unique_filing_per_enterprise_and_month_still_enforced():
    firm = make_enterprise()
    _stat(firm, 2025, 6)
    with pytest.raises(IntegrityError), transaction.atomic():
        _stat(firm, 2025, 6, value=5)


def test_bulk_copy_reaches_the_partitions():
    import polars as pl

    firm = make_enterprise()
    frame = pl.DataFrame({
        "enterprise_id": [firm.id] * 24, "division_code": [firm.division_id] * 24,
        "year": [2024] * 12 + [2025] * 12, "month": list(range(1, 13)) * 2,
        "output_value": [1] * 24, "value_added": [1] * 24, "revenue": [1] * 24, "rd_expense": [0] * 24,
        "new_product_output": [0] * 24, "employees": [3] * 24, "is_revision": [False] * 24})
    insert_frame("enterprises_monthlystat", frame)
    counts = read_frame("SELECT year, COUNT(*) AS n FROM enterprises_monthlystat GROUP BY year ORDER BY year")
    assert counts.rows() == [(2024, 12), (2025, 12)]
    if PG:
        by_partition = read_frame("SELECT tableoid::regclass::text AS part, COUNT(*) AS n FROM enterprises_monthlystat "
                                  "GROUP BY 1 ORDER BY 1")
        assert by_partition.rows() == [("enterprises_monthlystat_y2024", 12), ("enterprises_monthlystat_y2025", 12)]


def test_a_month_query_reads_one_partition_only():
    if not PG:
        assert not ensure_year_partitions([2025])  # nothing to prune on SQLite
        return
    with connection.cursor() as cursor:
        for table in PARTITIONED_TABLES:
            cursor.execute(f"EXPLAIN SELECT * FROM {table} WHERE year = 2025 AND month = 6")
            plan = "\n".join(line for (line,) in cursor.fetchall())
            assert f"{table}_y2025" in plan
            assert f"{table}_y2024" not in plan and f"{table}_default" not in plan


def test_a_new_year_partition_takes_over_the_default_partitions_rows():
    firm = make_enterprise()
    row = _stat(firm, 2041, 1)
    assert _partition_of("enterprises_monthlystat", row.id) == (
        "enterprises_monthlystat_default" if PG else "enterprises_monthlystat")
    created = ensure_year_partitions([2041], tables=["enterprises_monthlystat"])
    if not PG:
        assert created == []
        return
    assert created == ["enterprises_monthlystat_y2041"]
    assert _partition_of("enterprises_monthlystat", row.id) == "enterprises_monthlystat_y2041"
    assert ensure_year_partitions([2041], tables=["enterprises_monthlystat"]) == []  # idempotent
    assert MonthlyStat.objects.get(pk=row.pk).year == 2041
    with pytest.raises(IntegrityError), transaction.atomic():
        _stat(firm, 2041, 1)  # the new partition has the parent's unique constraint


def test_writes_to_a_partitioned_table_raise_its_data_version():
    """The statement-level trigger stays on the parent, where every write is addressed."""
    import polars as pl

    table = "monitoring_indicatorvalue"
    versions = [data_versions([table])]
    value = IndicatorValue.objects.create(indicator="x", region="330000", region_level="province", scope_code="330000",
                                          year=2025, month=6, kind="sum", unit="元")
    versions.append(data_versions([table]))
    IndicatorValue.objects.filter(pk=value.pk).update(value=1.5)
    versions.append(data_versions([table]))
    insert_frame(table, pl.DataFrame({
        "indicator": ["y"], "region": ["330000"], "region_level": ["province"], "scope_code": ["330000"],
        "year": [2024], "month": [6], "kind": ["sum"], "unit": ["元"], "available": [False]}).with_columns(
        **{name: pl.lit("") for name in ("yoy_unit", "comparator", "rating", "rating_reason", "level_group",
                                         "level_reason", "value_text", "yoy_text", "projected_text", "display_unit",
                                         "target_text", "change_group", "schedule_basis", "ruleset_version")},
        computed_at=pl.lit("2025-07-01T00:00:00+00:00")))
    versions.append(data_versions([table]))
    IndicatorValue.objects.filter(year=2025).delete()
    versions.append(data_versions([table]))
    assert len(set(versions)) == len(versions)
    assert list(IndicatorValue.objects.values_list("year", flat=True)) == [2024]


def test_partitions_command_prepares_the_coming_years():
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    out = StringIO()
    call_command("partitions", "--ahead", "12", stdout=out)
    if not PG:
        assert "无需操作" in out.getvalue()
        return
    last = timezone.localdate().year + 12
    with connection.cursor() as cursor:
        for table in PARTITIONED_TABLES:
            assert f"{table}_y{last}" in year_partitions(cursor, table)
    again = StringIO()
    call_command("partitions", "--ahead", "12", stdout=again)
    assert "已建分区 0 个" in again.getvalue()
