from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "xinzhi.cultivation"
    verbose_name = "企业培育"
