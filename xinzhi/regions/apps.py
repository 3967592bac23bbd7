from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "xinzhi.regions"
    verbose_name = "行政区划"
