"""Every write to these tables raises their data version (core.versioning), for the API response cache."""

from django.db import migrations

from xinzhi.core.versioning import TrackDataVersion


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_dataversion"),
        ("platforms", "0002_rdinstitution_cluster_rdinstitution_field_and_more"),
    ]

    operations = [
        TrackDataVersion("RDInstitution"),
        TrackDataVersion("Platform"),
    ]
