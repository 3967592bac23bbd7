from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xinzhi.accounts"
    verbose_name = "用户与权限"
