from django.apps import AppConfig


class InvestmentConfig(AppConfig):
    name = "xinzhi.investment"
    verbose_name = "投资项目"
