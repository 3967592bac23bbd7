"""Every write to the project table raises its data version (core.versioning), for the API response cache of the
project list."""

from django.db import migrations

from xinzhi.core.versioning import TrackDataVersion


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_dataversion"),
        ("investment", "0003_partition_by_year"),
    ]

    operations = [
        TrackDataVersion("InvestmentProject"),
    ]
