"""PostgreSQL: MonthlyStat partitioned by year (xinzhi.core.partitioning); SQLite unchanged."""

from django.db import migrations

from xinzhi.core.partitioning import PartitionByYear


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0003_name_search_index"),
    ]

    operations = [
        PartitionByYear("MonthlyStat"),
    ]
