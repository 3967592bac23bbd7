from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "xinzhi.monitoring"
    verbose_name = "高新技术产业监测"

    def ready(self) -> None:
        # the platforms pages compare institution counts with the same (allocated) targets as monitoring
        from xinzhi.platforms.targets import register_target_source

        from . import jobs, receivers  # noqa: F401 — registers the job kinds; connects core's signals
        from .institution_targets import region_targets

        register_target_source(region_targets)
