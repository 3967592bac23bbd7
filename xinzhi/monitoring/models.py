"""Indicator snapshots: the computed value, target, rating and rank of every indicator × region × month.

Pages, the map, reports and the API read these rows instead of recomputing; ``services.refresh``
rewrites a month's rows whenever its facts change (an import commit, ``xinzhi monitor --recompute``).
"""

from __future__ import annotations

from django.db import models

from xinzhi.core.scope import ScopedManager


class IndicatorValue(models.Model):
    indicator = models.CharField("指标", max_length=60)
    region = models.CharField("区域", max_length=40, help_text="区划代码，或集群/产业类别代码")
    region_level = models.CharField("层级", max_length=10)
    scope_code = models.CharField(
        "范围区划", max_length=6, help_text="用于权限过滤：区划行为其代码；集群与产业类别为全省汇总，记省代码",
    )
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    kind = models.CharField(max_length=12)
    unit = models.CharField("单位", max_length=12)
    value = models.FloatField("本期累计", null=True)
    last_year_value = models.FloatField("上年同期", null=True)
    yoy = models.FloatField("同比", null=True)
    yoy_unit = models.CharField(max_length=6, blank=True)
    target = models.FloatField("目标", null=True)
    comparator = models.CharField(max_length=12, blank=True)
    gap = models.FloatField("差距", null=True)
    progress = models.FloatField("完成进度", null=True)
    time_elapsed = models.FloatField("序时进度", null=True)
    projected = models.FloatField("预计全年", null=True)
    rank = models.IntegerField("排名", null=True)
    peer_count = models.IntegerField("参比数", null=True)
    peer_mean = models.FloatField("参比均值", null=True)
    available = models.BooleanField("有数据", default=False)
    rating = models.CharField("红黄蓝", max_length=8, blank=True)
    rating_reason = models.TextField("评价说明", blank=True)
    level_group = models.CharField("横向比较", max_length=12, blank=True)
    level_reason = models.TextField("横向比较说明", blank=True)
    value_text = models.CharField("本期（显示）", max_length=40, blank=True)
    yoy_text = models.CharField("同比（显示）", max_length=40, blank=True)
    projected_text = models.CharField("预计全年（显示）", max_length=40, blank=True)
    display_unit = models.CharField("显示单位", max_length=12, blank=True)
    target_text = models.CharField("目标（显示）", max_length=60, blank=True, help_text="本地区目标，按指标精度，如“超过73.7%”")
    change_group = models.CharField("同比变化", max_length=8, blank=True, help_text="up / flat / down（按指标方向）")
    schedule_basis = models.CharField("序时进度口径", max_length=10, blank=True, help_text="seasonal / linear")
    coverage_missing = models.IntegerField("缺报县数", null=True, help_text="本地区未报送分母数据、未计入的县（市、区）数")
    ruleset_version = models.CharField("规则版本", max_length=20, blank=True)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    scope_region_field = "scope_code"
    scope_enterprise_field = None
    objects = ScopedManager()

    class Meta:
        unique_together = [("indicator", "region", "region_level", "year", "month")]
        indexes = [
            models.Index(fields=["year", "month", "indicator"]),
            models.Index(fields=["year", "month", "scope_code"]),
            models.Index(fields=["indicator", "region", "year"]),
        ]
        verbose_name = verbose_name_plural = "指标监测值"

    def __str__(self) -> str:
        return f"{self.indicator} {self.region} {self.year}-{self.month:02d}"


class Target(models.Model):
    """A region's target for an indicator and year (目标分解): province → cities → counties.

    The province's own targets come from the indicator catalogue (the work plan, cited there); the
    allocation writes one row per city and county (``method = default``), which staff then edit
    (``method = manual``): province staff their cities', city staff their counties'. Every change is
    in the audit log, so the history of a target is kept.
    """

    class Method(models.TextChoices):
        DEFAULT = "default", "按基期自动分解"
        MANUAL = "manual", "人工调整"

    indicator = models.CharField("指标", max_length=60)
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    value = models.FloatField("目标值")
    method = models.CharField("方式", max_length=10, choices=Method.choices, default=Method.DEFAULT)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_region_field = "division__code"
    scope_enterprise_field = None
    objects = ScopedManager()

    class Meta:
        unique_together = [("indicator", "division", "year")]
        verbose_name = verbose_name_plural = "目标分解"

    def __str__(self) -> str:
        return f"{self.indicator} {self.division_id} {self.year}: {self.value}"


class EarlyWarning(models.Model):
    """An indicator × region projected to miss its year-end target, or turned from blue to yellow/red."""

    indicator = models.CharField("指标", max_length=60)
    region = models.CharField("区域", max_length=40)
    region_level = models.CharField("层级", max_length=10)
    scope_code = models.CharField("范围区划", max_length=6)
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    rating = models.CharField("红黄蓝", max_length=8, blank=True)
    previous_rating = models.CharField("上月评级", max_length=8, blank=True)
    projected_miss = models.BooleanField("预计未达标", default=False)
    rating_drop = models.BooleanField("评级下降", default=False)
    message = models.TextField("预警说明")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    scope_region_field = "scope_code"
    scope_enterprise_field = None
    objects = ScopedManager()

    class Meta:
        ordering = ["-year", "-month", "id"]
        indexes = [models.Index(fields=["year", "month"])]
        verbose_name = verbose_name_plural = "监测预警"

    def __str__(self) -> str:
        return self.message


class StaleMonth(models.Model):
    """A month whose stored snapshots no longer match its facts (监测结果待更新).

    Written by the import that changed the facts, **in the same transaction as the data**, so a crash
    between the data's commit and the recomputation leaves the mark behind: the month is recomputed
    right after the import, on the next ``xinzhi serve`` start or by ``xinzhi monitor --refresh-stale``,
    and staff pages say "监测结果待更新" meanwhile. ``token`` changes with every mark; a recomputation
    removes the mark only if the token is still the one it read, so a mark written while it ran stays.
    """

    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    token = models.CharField("标记", max_length=32)
    marked_at = models.DateTimeField("标记时间")
    source = models.CharField("原因", max_length=100, blank=True)

    class Meta:
        unique_together = [("year", "month")]
        ordering = ["year", "month"]
        verbose_name = verbose_name_plural = "待更新月份"

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


class IssuedReport(models.Model):
    """A data briefing or operation report as it was issued (签发存档): who issued it, when, from which data,
    and the exact files (DOCX, PDF, XLSX rendered once from one document), so it can be downloaded again
    byte for byte however the data change later."""

    class Kind(models.TextChoices):
        BRIEFING = "briefing", "数据简报"
        OPERATION = "operation", "运行报告"

    kind = models.CharField("报告类型", max_length=10, choices=Kind.choices)
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT,
                                 verbose_name="地区")
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    title = models.CharField("标题", max_length=200)
    issuer = models.CharField("发文单位", max_length=100)
    issued_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="签发人")
    issued_at = models.DateTimeField("签发时间", auto_now_add=True)
    snapshot_version = models.CharField("监测快照版本", max_length=40, help_text="指标监测值表的数据版本")
    computed_at = models.DateTimeField("数据计算时间", null=True)
    ruleset_version = models.CharField("评价规则版本", max_length=20)
    catalogue_version = models.CharField("指标目录版本", max_length=20)
    docx = models.BinaryField("Word文件")
    pdf = models.BinaryField("PDF文件")
    xlsx = models.BinaryField("Excel文件")
    sha256 = models.CharField("文件摘要", max_length=240, help_text="docx/pdf/xlsx 的 SHA-256")

    scope_region_field = "division__code"
    scope_enterprise_field = None
    objects = ScopedManager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = verbose_name_plural = "已签发报告"

    def __str__(self) -> str:
        return f"{self.title}（{self.year}年{self.month}月，{self.get_kind_display()}）"
