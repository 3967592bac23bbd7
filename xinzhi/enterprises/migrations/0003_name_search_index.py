"""A trigram index for the register's name search (``name__fragment``, xinzhi.core.lookups) on PostgreSQL.

pg_trgm ships with PostgreSQL and is a trusted extension (PostgreSQL 13+): the database owner may create
it. Where it cannot be created (an older server, a restricted role) the migration says so and leaves the
search unindexed — correct, only slower. SQLite is unchanged. The two single-column indexes that repeated
the foreign keys' own indexes are dropped.
"""

from django.db import migrations

INDEX = "enterprises_enterprise_name_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT trgm; CREATE EXTENSION IF NOT EXISTS pg_trgm; RELEASE SAVEPOINT trgm")
            except Exception as exc:  # noqa: BLE001 — any refusal: keep the search working unindexed
                cursor.execute("ROLLBACK TO SAVEPOINT trgm")
                print(f"\n  pg_trgm unavailable ({exc.__class__.__name__}): name search stays unindexed")
                return
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON enterprises_enterprise USING gin (name gin_trgm_ops)")


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0002_data_version"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="enterprise", name="enterprises_divisio_c33df2_idx"),
        migrations.RemoveIndex(model_name="enterprise", name="enterprises_industr_f2f3b8_idx"),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
