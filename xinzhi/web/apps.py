from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "xinzhi.web"
    verbose_name = "门户"
