"""PostgreSQL: ProjectProgress partitioned by year (xinzhi.core.partitioning); SQLite unchanged."""

from django.db import migrations

from xinzhi.core.partitioning import PartitionByYear


class Migration(migrations.Migration):

    dependencies = [
        ("investment", "0002_plan_transitions_supervision"),
    ]

    operations = [
        PartitionByYear("ProjectProgress"),
    ]
