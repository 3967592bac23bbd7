from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "xinzhi.platforms"
    verbose_name = "研发机构与创新平台"

    def ready(self) -> None:
        from . import panels

        panels.register()
