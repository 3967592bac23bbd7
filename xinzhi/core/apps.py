from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinzhi.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from . import lookups  # noqa: F401 — registers ``__fragment`` on text fields
        from .audit import register_audited_models

        register_audited_models()

