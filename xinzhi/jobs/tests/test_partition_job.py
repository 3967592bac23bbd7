"""The scheduled job that prepares the coming years' partitions of the monthly facts (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from xinzhi.core.partitioning import PARTITIONED_TABLES
from xinzhi.jobs.models import Job, ScheduledTask
from xinzhi.jobs.services import submit

pytestmark = pytest.mark.django_db


def run(**params) -> Job:
    job = submit("database.year_partitions", None, params, title="t")
    assert job.status == Job.Status.SUCCEEDED, job.error
    return job


def partitions_of(year: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s) ORDER BY relname",
                       [[f"{table}_y{year}" for table in PARTITIONED_TABLES]])
        return [name for (name,) in cursor.fetchall()]


def test_the_schedule_prepares_partitions_on_the_first_of_every_month():
    line = ScheduledTask.objects.get(kind="database.year_partitions")
    assert line.cron == "0 3 1 * *" and line.params == {"ahead": 2}


def test_the_job_creates_missing_year_partitions_once():
    first = run(year=2031, ahead=1)
    if connection.vendor != "postgresql":
        assert first.result_text == "SQLite 数据库不分区，无需操作。"
        return
    assert first.result_text == "已建立6个分区（2031—2032年）。"
    assert partitions_of(2031) == sorted(f"{table}_y2031" for table in PARTITIONED_TABLES)
    again = run(year=2031, ahead=1)
    assert again.result_text == "2031—2032年的分区均已存在。"
