from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "xinzhi.monitoring"
    verbose_name = "高新技术产业监测"
