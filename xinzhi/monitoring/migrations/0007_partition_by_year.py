"""PostgreSQL: IndicatorValue partitioned by year (xinzhi.core.partitioning); SQLite unchanged."""

from django.db import migrations

from xinzhi.core.partitioning import PartitionByYear


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0006_stale_month"),
    ]

    operations = [
        PartitionByYear("IndicatorValue"),
    ]
