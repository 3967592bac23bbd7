"""Every write to these tables raises their data version (core.versioning), for the API response cache."""

from django.db import migrations

from xinzhi.core.versioning import TrackDataVersion


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_dataversion"),
        ("monitoring", "0002_indicatorvalue_monitoring__indicat_e9754c_idx"),
    ]

    operations = [
        TrackDataVersion("IndicatorValue"),
        TrackDataVersion("EarlyWarning"),
    ]
