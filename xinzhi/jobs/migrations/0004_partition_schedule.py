from django.db import migrations

#: the yearly partitions of the monthly facts, prepared ahead on the 1st of every month (PostgreSQL; a no-op on
#: SQLite). Province administrators change the time or ``ahead`` in the admin.
LINE = ("建立来年数据分区", "database.year_partitions", {"ahead": 2}, "0 3 1 * *",
        "每月1日为本年及其后两年建立月度数据表的年度分区（仅PostgreSQL），已有的不变")


def seed(apps, schema_editor):
    name, kind, params, cron, note = LINE
    apps.get_model("jobs", "ScheduledTask").objects.get_or_create(
        kind=kind, defaults={"name": name, "params": params, "cron": cron, "note": note})


def unseed(apps, schema_editor):
    apps.get_model("jobs", "ScheduledTask").objects.filter(kind=LINE[1]).delete()


class Migration(migrations.Migration):

    dependencies = [("jobs", "0003_warning_and_draft_schedule")]

    operations = [migrations.RunPython(seed, unseed)]
