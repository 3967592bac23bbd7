from django.db import migrations

#: scheduled lines added for the briefing draft and the warnings told to people (data: province administrators
#: change times and parameters in the admin)
SCHEDULE = [
    ("月度数据简报草稿", "monitoring.briefing_draft", {"complete_share": 0.95}, "0 6 * * *",
     "当月应填报企业的填报比例达到complete_share（0.95为本平台占位参数，待核实）且已计算时生成全省简报草稿，不签发"),
    ("监测预警通知", "monitoring.warning_notices", {}, "30 7 * * *",
     "最新月份的监测预警中新出现的，通知所在地区及上级地区的工作人员，不重复通知"),
    ("项目预警通知", "investment.warning_notices", {}, "40 7 * * *",
     "按项目预警规则新亮黄灯、红灯的项目，通知项目所在县、市及省的工作人员，不重复通知"),
    ("任务亮灯预警通知", "supervision.light_notices", {}, "50 7 * * *",
     "新亮黄灯（滞后）、红灯（逾期或停滞）的督办任务，通知责任地区及上级地区的工作人员，不重复通知"),
    ("任务月度进展报送提醒", "supervision.report_reminders", {}, "0 9 3 * *",
     "每月3日提醒上月尚未报送进展的任务的责任地区；报送日见亮灯规则参数（待核实）"),
    ("独角兽动态监测提醒", "unicorns.alert_notices", {}, "0 8 * * *",
     "估值下降、超龄、上市、退出等新出现的监测提醒，通知企业所在地区及上级地区的工作人员，不重复通知"),
]


def seed(apps, schema_editor):
    ScheduledTask = apps.get_model("jobs", "ScheduledTask")
    for name, kind, params, cron, note in SCHEDULE:
        ScheduledTask.objects.get_or_create(kind=kind, defaults={"name": name, "params": params, "cron": cron,
                                                                 "note": note})


def unseed(apps, schema_editor):
    apps.get_model("jobs", "ScheduledTask").objects.filter(kind__in=[line[1] for line in SCHEDULE]).delete()


class Migration(migrations.Migration):

    dependencies = [("jobs", "0002_schedule")]

    operations = [migrations.RunPython(seed, unseed)]
