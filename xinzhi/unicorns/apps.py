from django.apps import AppConfig


class UnicornsConfig(AppConfig):
    name = "xinzhi.unicorns"
    verbose_name = "独角兽企业培育"

    def ready(self) -> None:
        from . import jobs  # noqa: F401 — registers the scheduled job kinds
