from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "xinzhi.enterprises"
    verbose_name = "企业库"
