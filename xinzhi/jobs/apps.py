from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "xinzhi.jobs"
    verbose_name = "后台任务"

    def ready(self):
        from . import handlers  # noqa: F401  the kinds the jobs app runs itself (import commits)
