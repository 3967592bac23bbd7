"""Enterprise register and the statistical facts enterprises report."""

from __future__ import annotations

from django.db import models

from xinzhi.core.scope import ScopedManager


class Ownership(models.TextChoices):
    STATE = "state", "国有"
    COLLECTIVE = "collective", "集体"
    PRIVATE = "private", "民营"
    HMT = "hmt", "港澳台投资"
    FOREIGN = "foreign", "外商投资"
    OTHER = "other", "其他"


class Enterprise(models.Model):
    """An enterprise, keyed by its unified social credit code (GB 32100-2015)."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=200, db_index=True)
    division = models.ForeignKey(
        "regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT,
        verbose_name="所在县（市、区）",
    )
    industry = models.ForeignKey(
        "industries.IndustryCode", db_column="industry_code", on_delete=models.PROTECT, verbose_name="行业小类",
    )
    registered_on = models.DateField("成立日期", null=True, blank=True)
    ownership = models.CharField("登记注册类型", max_length=12, choices=Ownership.choices, default=Ownership.PRIVATE)
    is_listed = models.BooleanField("上市企业", default=False)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope_region_field = "division__code"
    scope_enterprise_field = "id"
    objects = ScopedManager()

    class Meta:
        ordering = ["uscc"]
        verbose_name = verbose_name_plural = "企业"

    def __str__(self) -> str:
        return self.name


class EnterpriseYear(models.Model):
    """What is true of an enterprise for a year: above-scale status (规上) and size class."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("年度")
    above_scale = models.BooleanField("规上工业企业", default=False)

    scope_region_field = "enterprise__division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        unique_together = [("enterprise", "year")]
        verbose_name = verbose_name_plural = "企业年度状态"

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {'规上' if self.above_scale else '规下'}"


class MonthlyStat(models.Model):
    """An above-scale industrial enterprise's monthly filing, as reported: year-to-date (1–N月累计).

    Amounts are whole yuan (converted once at import from the unit the file declared). Monthly
    increments are derived (``services.monthly_increments``), never stored. The county is the one
    the filing was made in, so regional totals do not move when an enterprise relocates later.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="monthly_stats")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    output_value = models.BigIntegerField("工业总产值(元)")
    value_added = models.BigIntegerField("工业增加值(元)")
    revenue = models.BigIntegerField("营业收入(元)")
    rd_expense = models.BigIntegerField("研发费用(元)")
    new_product_output = models.BigIntegerField("新产品产值(元)")
    employees = models.IntegerField("从业人员期末人数(人)")
    is_revision = models.BooleanField("修订", default=False, help_text="累计值低于上月时须标记为修订")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    AMOUNT_FIELDS = ("output_value", "value_added", "revenue", "rd_expense", "new_product_output")

    class Meta:
        unique_together = [("enterprise", "year", "month")]
        indexes = [models.Index(fields=["year", "month"]), models.Index(fields=["division", "year", "month"])]
        verbose_name = verbose_name_plural = "规上工业月度统计"

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}-{self.month:02d}"
