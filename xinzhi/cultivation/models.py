"""Cultivation records: certifications held, the annual report-once packages, bulk screening results,
the advanced-manufacturing enterprise list with its joint confirmation, and the on-site verification
sampling draws (seed tasks 4 and 6).

Every model declares its region and enterprise fields for ``xinzhi.core.scope``; every change is
audited (``xinzhi.core.audit.AUDITED_MODELS``; bulk writes log their own entries).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinzhi.core.scope import ScopedManager
from xinzhi.policy.programmes import choices

#: certificates held (the recognitions of the programme registry, ``xinzhi.policy.programmes``)
Program = models.TextChoices("Program", [(key.upper(), (key, label)) for key, label in choices(holders=True)])


class Certification(models.Model):
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="certifications")
    program = models.CharField("类型", max_length=20, choices=Program.choices)
    certificate_no = models.CharField("证书编号/入库登记编号", max_length=40, blank=True)
    year = models.PositiveSmallIntegerField("认定（入库）年度")
    issued_on = models.DateField("发证日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    batch = models.CharField("批次", max_length=100, blank=True, default="", help_text="公布名单的批次，如“2025年第一批”")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "enterprise__division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        unique_together = [("enterprise", "program", "year")]
        indexes = [models.Index(fields=["program", "year"])]
        verbose_name = verbose_name_plural = "企业资质"

    def __str__(self) -> str:
        return f"{self.get_program_display()} {self.year}"


# --------------------------------------------------------------------------- report once


class PackageStatus(models.TextChoices):
    VALID = "valid", "校验通过"
    INVALID = "invalid", "校验未通过"


class PackageSource(models.TextChoices):
    FORM = "form", "企业填报"
    IMPORT = "import", "批量导入"
    API = "api", "接口报送"
    DEMO = "demo", "演示数据"


class AnnualPackage(models.Model):
    """One version of an enterprise's annual report-once package (最多报一次).

    Every save creates a new version; the previous versions stay (``is_current`` marks the latest).
    ``data`` is the package JSON exactly as :func:`xinzhi.policy.package.parse_package` reads it
    (money as strings in yuan); ``status``/``errors`` are that parser's verdict.
    """

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="annual_packages")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT,
                                 verbose_name="所在县（市、区）")
    year = models.PositiveSmallIntegerField("数据年度")
    version = models.PositiveIntegerField("版本", default=1)
    is_current = models.BooleanField("当前版本", default=True)
    data = models.JSONField("数据包")
    status = models.CharField("校验状态", max_length=10, choices=PackageStatus.choices)
    errors = models.JSONField("校验问题", default=list, blank=True)
    source = models.CharField("来源", max_length=10, choices=PackageSource.choices, default=PackageSource.FORM)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="报送人")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)
    created_at = models.DateTimeField("报送时间", auto_now_add=True)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["enterprise_id", "year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "version"], name="package_version_unique"),
            models.UniqueConstraint(fields=["enterprise", "year"], condition=Q(is_current=True),
                                    name="package_one_current"),
        ]
        indexes = [models.Index(fields=["year", "is_current"])]
        verbose_name = verbose_name_plural = "年度数据包"

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}年 v{self.version}"


# --------------------------------------------------------------------------- bulk screening


#: every programme of the registry (the screening results' ``program``)
ScreenProgram = models.TextChoices("ScreenProgram", [(key.upper(), (key, label)) for key, label in choices()])


class ScreeningRun(models.Model):
    """One bulk screening of the register's current packages for a year."""

    year = models.PositiveSmallIntegerField("年度")
    assessed_on = models.DateField("参数适用日期")
    enterprise_count = models.PositiveIntegerField("企业数", default=0)
    result_count = models.PositiveIntegerField("结果数", default=0)
    duration_ms = models.PositiveIntegerField("耗时(毫秒)", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("运行时间", auto_now_add=True)

    scope_region_field = None  # run metadata: every staff user may read it
    scope_enterprise_field = None
    objects = ScopedManager()

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "批量筛查"

    def __str__(self) -> str:
        return f"{self.year}年筛查 #{self.pk}"


class ScreeningResult(models.Model):
    """One programme's answer for one enterprise in a bulk run (written with ``insert_frame``)."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="results")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    program = models.CharField("项目", max_length=24, choices=ScreenProgram.choices)
    eligible = models.BooleanField("符合条件", null=True)
    score = models.IntegerField("得分", null=True)
    failed = models.CharField("未满足条件", max_length=200, blank=True)
    gap_text = models.CharField("差距", max_length=1000, blank=True)
    gap_amount = models.BigIntegerField("差距金额(元)", null=True)
    gap_staff = models.IntegerField("差距人数", null=True)
    gap_points = models.IntegerField("差距分数", null=True)
    near = models.BooleanField("培育对象（接近符合）", default=False)
    holds = models.BooleanField("已认定/已享受", default=False, help_text="税收优惠：数据包未声明未享受即视为已享受")
    benefit = models.BigIntegerField("预计优惠(元)", null=True)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["run", "program", "eligible"]), models.Index(fields=["run", "division"])]
        verbose_name = verbose_name_plural = "筛查结果"

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.program}"


# --------------------------------------------------------------------------- advanced-manufacturing list


class ListStatus(models.TextChoices):
    PROPOSED = "proposed", "待联合确认"
    CONFIRMED = "confirmed", "联合确认通过"
    REJECTED = "rejected", "未通过确认"
    PUBLISHED = "published", "已公布"


class ListEntry(models.Model):
    """A proposal to put an enterprise on the advanced-manufacturing enterprise list for a year.

    Proposed by economy & IT staff of a county or city (``level_division``); confirmed by the science,
    finance and tax departments bound to the same division; published by the province.
    """

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT,
                                 related_name="+", verbose_name="所在县（市、区）")
    level_division = models.ForeignKey("regions.Division", to_field="code", db_column="level_division_code",
                                       on_delete=models.PROTECT, related_name="+", verbose_name="推荐层级")
    year = models.PositiveSmallIntegerField("名单年度")
    status = models.CharField("状态", max_length=10, choices=ListStatus.choices, default=ListStatus.PROPOSED)
    criteria = models.JSONField("条件核对", default=dict, blank=True)
    reason = models.CharField("推荐理由", max_length=300, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("推荐时间", auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="list_entry_unique")]
        ordering = ["year", "division_id", "id"]
        verbose_name = verbose_name_plural = "先进制造业企业名单"

    def __str__(self) -> str:
        return f"{self.year}年 {self.enterprise_id}"


class Decision(models.TextChoices):
    CONFIRM = "confirm", "确认"
    REJECT = "reject", "不同意"


class ListConfirmation(models.Model):
    """One department's decision (science / finance / tax) on a list entry."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="confirmations")
    department = models.CharField("部门", max_length=12)
    decision = models.CharField("意见", max_length=10, choices=Decision.choices)
    reason = models.CharField("理由", max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("时间", auto_now_add=True)

    scope_region_field = "entry__division__code"
    scope_enterprise_field = "entry__enterprise_id"
    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "department"], name="one_decision_per_department")]
        verbose_name = verbose_name_plural = "名单联合确认"

    def __str__(self) -> str:
        return f"{self.entry_id} {self.department} {self.decision}"


# --------------------------------------------------------------------------- sampling


class SamplingDraw(models.Model):
    """A reproducible draw of certified enterprises for on-site verification / enforcement inspection."""

    year = models.PositiveSmallIntegerField("年度")
    seed = models.BigIntegerField("随机种子")
    size = models.PositiveIntegerField("抽取数量")
    programs = models.JSONField("抽查对象", default=list)
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT,
                                 verbose_name="抽查范围")
    method = models.JSONField("方法与权重", default=dict)
    population = models.PositiveIntegerField("总体数量", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    scope_region_field = "division__code"
    scope_enterprise_field = None
    objects = ScopedManager()

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "核查抽样"

    def __str__(self) -> str:
        return f"{self.year}年抽样 #{self.pk}（种子 {self.seed}）"

    @property
    def weight_labels(self) -> list[tuple[str, float]]:
        """The signals' weights as (Chinese label, weight), labels as the draw recorded them, never the keys."""
        from .risk import SIGNAL_LABELS

        method = self.method or {}
        recorded = method.get("signals") or {}
        return [(recorded.get(key) or SIGNAL_LABELS.get(key) or "其他风险信号", weight)
                for key, weight in (method.get("weights") or {}).items()]


class Outcome(models.TextChoices):
    PENDING = "pending", "待核查"
    CONFIRMED = "confirmed", "核查属实"
    DISCREPANCY = "discrepancy", "发现问题，限期整改"
    REVOKE = "revoke", "不符合条件，建议取消资格"


class SamplingItem(models.Model):
    draw = models.ForeignKey(SamplingDraw, on_delete=models.CASCADE, related_name="items")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT)
    program = models.CharField("资质", max_length=20, choices=Program.choices)
    rank = models.PositiveIntegerField("顺序")
    stratum = models.CharField("层（地市）", max_length=6)
    weight = models.FloatField("抽样权重")
    signals = models.JSONField("风险信号", default=list)
    outcome = models.CharField("核查结果", max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.CharField("核查说明", max_length=500, blank=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    inspected_at = models.DateTimeField("核查时间", null=True, blank=True)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["draw_id", "rank"]
        constraints = [models.UniqueConstraint(fields=["draw", "enterprise", "program"], name="sampling_item_unique")]
        verbose_name = verbose_name_plural = "核查对象"

    def __str__(self) -> str:
        return f"#{self.draw_id}-{self.rank} {self.enterprise_id}"

    @property
    def signal_labels(self) -> list[str]:
        """The risk signals in Chinese, as the draw recorded their labels (``method["signals"]``)."""
        from .risk import SIGNAL_LABELS

        recorded = (self.draw.method or {}).get("signals") or {}
        return [recorded.get(key) or SIGNAL_LABELS.get(key) or "其他风险信号" for key in self.signals]
