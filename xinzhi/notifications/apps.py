from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "xinzhi.notifications"
    verbose_name = "站内通知"

    def ready(self):
        from . import receivers  # noqa: F401  import results (core's import_committed)
