from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "xinzhi.cultivation"
    verbose_name = "企业培育"

    def ready(self) -> None:
        from . import jobs, panels  # noqa: F401 — jobs registers the background job kinds

        panels.register()
