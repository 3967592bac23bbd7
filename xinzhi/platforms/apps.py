from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "xinzhi.platforms"
    verbose_name = "研发机构与创新平台"

    def ready(self) -> None:
        # the registers are what evaluation evaluates: evaluation stays generic and imports nothing from here
        from xinzhi.evaluation.subjects import register_provider

        from . import panels
        from .evaluation_subjects import PlatformSubjects

        register_provider(PlatformSubjects())
        panels.register()
