"""Fixed-asset investment: high-tech projects and region totals (the denominator of the 16% target)."""

from __future__ import annotations

from django.db import models

from xinzhi.core.scope import ScopedManager


class Stage(models.TextChoices):
    RESERVE = "reserve", "谋划储备"
    REGISTERED = "registered", "入库"
    CONSTRUCTION = "construction", "在建"
    COMPLETED = "completed", "竣工"


class InvestmentProject(models.Model):
    code = models.CharField("项目代码", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=200)
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT)
    industry = models.ForeignKey("industries.IndustryCode", db_column="industry_code", on_delete=models.PROTECT)
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL)
    is_high_tech = models.BooleanField("高新技术产业投资项目", default=True)
    planned_total = models.BigIntegerField("计划总投资(元)")
    stage = models.CharField("阶段", max_length=15, choices=Stage.choices, default=Stage.RESERVE)
    start_year = models.PositiveSmallIntegerField("开工年份", null=True, blank=True)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "投资项目"

    def __str__(self) -> str:
        return self.name


class ProjectProgress(models.Model):
    """Year-to-date completed investment of a project (1–N月累计完成投资)."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="progress")
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    ytd_completed = models.BigIntegerField("累计完成投资(元)")
    is_revision = models.BooleanField("修订", default=False)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "project__division__code"
    scope_enterprise_field = "project__enterprise_id"
    objects = ScopedManager()

    class Meta:
        unique_together = [("project", "year", "month")]
        verbose_name = verbose_name_plural = "项目月度完成投资"

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}-{self.month:02d}"


class RegionInvestment(models.Model):
    """A county's total fixed-asset investment, year to date (全社会固定资产投资 1–N月累计)."""

    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    ytd_fixed_asset_investment = models.BigIntegerField("固定资产投资累计(元)")
    is_revision = models.BooleanField("修订", default=False)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = None
    objects = ScopedManager()

    class Meta:
        unique_together = [("division", "year", "month")]
        verbose_name = verbose_name_plural = "地区固定资产投资"

    def __str__(self) -> str:
        return f"{self.division_id} {self.year}-{self.month:02d}"
