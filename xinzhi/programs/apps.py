from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "xinzhi.programs"
    verbose_name = "创新项目与企业出题"

    def ready(self) -> None:
        # every step of every programme is audited (actor, time, before/after) by django-auditlog
        from auditlog.registry import auditlog

        from . import models

        for model in (models.Solver, models.Problem, models.ProblemStep, models.Proposal, models.Contract,
                      models.ContractMilestone, models.Acceptance, models.MarketEvaluation, models.MajorProject,
                      models.ProjectUnit, models.NewProductProject, models.Selection,
                      models.Standard, models.BrandCertificate, models.BenchmarkPlan, models.ResearchCall, models.ResearchNeed, models.NeedPartner,
                      models.NeedStep, models.Scenario, models.ScenarioMatch, models.ScenarioStep):
            if not auditlog.contains(model):
                auditlog.register(model)

        # the standards register feeds the annual package's standards fields (cultivation sits below)
        from xinzhi.cultivation.services.packages import register_prefill

        from .standards import package_holdings

        register_prefill(package_holdings)

        from . import panels

        panels.register()

        # research-needs submissions and excellent-product candidates are evaluation subjects (by kind)
        from . import evaluation_subjects

        evaluation_subjects.register()
