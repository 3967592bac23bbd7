from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "xinzhi.web"
    verbose_name = "门户"

    def ready(self) -> None:
        from . import scheduled, wiring  # noqa: F401 — scheduled job kinds; job finished → notice
