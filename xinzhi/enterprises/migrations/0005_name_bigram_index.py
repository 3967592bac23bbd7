"""A bigram index for two-character name searches (``name__fragment``, xinzhi.core.lookups) on PostgreSQL.

The trigram index (0003) serves a fragment of three characters or more; a two-character one — a brand such
as 恒峰, the commonest search of a Chinese company name — gave pg_trgm no trigram and read the whole
register (30 ms at 494,800 enterprises, the 8× demo). ``xinzhi_bigrams(text)`` is the set of a text's
lower-cased two-character pieces; a GIN index on it finds a two-character fragment in about 0.6 ms, and the
lookup keeps its ``LIKE`` as the check. Plain SQL (no extension); SQLite is unchanged.
"""

from django.db import migrations

INDEX = "enterprises_enterprise_name_bigram"
FUNCTION = """
CREATE OR REPLACE FUNCTION xinzhi_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}')
   FROM generate_series(1, char_length(t) - 1) AS i $$
"""


def create_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON enterprises_enterprise "
                              "USING gin (xinzhi_bigrams(name))")


def drop_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute("DROP FUNCTION IF EXISTS xinzhi_bigrams(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0004_partition_by_year"),
    ]

    operations = [
        migrations.RunPython(create_bigram_index, drop_bigram_index),
    ]
