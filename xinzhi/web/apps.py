from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "xinzhi.web"
    verbose_name = "门户"

    def ready(self) -> None:
        from . import wiring  # noqa: F401 — connects apps of one layer (job finished → notice)
