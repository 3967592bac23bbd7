"""``xinzhi partitions [--ahead N]``: PostgreSQL — create the year partitions of the monthly fact tables
for this year and the next N years (``core.partitioning.ensure_year_partitions``); rows already in a
default partition for such a year move into it. Safe to run any time (idempotent); SQLite: nothing to do."""

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from xinzhi.core.partitioning import ensure_year_partitions


class Command(BaseCommand):
    help = "Create the coming years' partitions of the monthly fact tables (PostgreSQL)"

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=2, help="years after this one to prepare (default 2)")

    def handle(self, *args, ahead: int, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite 数据库不分区，无需操作。")
            return
        year = timezone.localdate().year
        created = ensure_year_partitions(range(year, year + ahead + 1))
        self.stdout.write(f"已建分区 {len(created)} 个（{year}–{year + ahead} 年）" + (f"：{'、'.join(created)}" if created else "。"))
