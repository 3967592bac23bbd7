from django.apps import AppConfig


class InvestmentConfig(AppConfig):
    name = "xinzhi.investment"
    verbose_name = "投资项目"

    def ready(self) -> None:
        from . import jobs, panels  # noqa: F401 — jobs registers the scheduled job kinds

        panels.register()
