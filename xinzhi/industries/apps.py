from django.apps import AppConfig


class IndustriesConfig(AppConfig):
    name = "xinzhi.industries"
    verbose_name = "行业分类"
