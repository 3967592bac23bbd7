from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "xinzhi.policy"
    verbose_name = "政策规则"
