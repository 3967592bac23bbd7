from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "xinzhi.evaluation"
    verbose_name = "评价与专家评审"
