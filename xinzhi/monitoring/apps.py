from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "xinzhi.monitoring"
    verbose_name = "高新技术产业监测"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 — connects the receivers of core's signals
