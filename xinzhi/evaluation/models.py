"""Evaluation rounds, submissions, the expert pool, assignments with recusal, scores and determinations.

The review model follows Hypha (anchors.md §3: rounds, reviewer assignment, reviews, determinations) and
adds what its users miss: per-criterion weights, conflict-of-interest declaration and automatic recusal,
trimmed aggregation, and re-evaluation cycles. Scoring itself is the pure module :mod:`.scoring`.
"""

from __future__ import annotations

from django.db import models

from xinzhi.core.scope import ScopedManager


class ClosedRoundError(ValueError):
    """A write to a closed round's submission or assignment (read-only after closing; corrections go
    through 复核, :func:`xinzhi.evaluation.services.correct`)."""


def _round_closed(round_id: int | None) -> bool:
    return bool(round_id) and Round.objects.filter(pk=round_id, status=Round.Status.CLOSED).exists()


class Purpose(models.TextChoices):
    RECOGNITION = "recognition", "认定评审"
    ANNUAL = "annual", "年度评价"
    ACCEPTANCE = "acceptance", "验收评价"
    OPERATION = "operation", "运行评价"
    SELECTION = "selection", "评审遴选"


class RegionRule(models.TextChoices):
    """Configurable region rule for recusal: an expert bound to the applicant's county / city is recused."""

    NONE = "none", "不回避同地区专家"
    COUNTY = "county", "回避同县（市、区）专家"
    CITY = "city", "回避同设区市专家"


class Round(models.Model):
    """An evaluation round or call (评审批次): purpose, scheme, deadline, recusal and aggregation settings.

    Calls are public to every signed-in staff and enterprise user (``scope_region_field = None``);
    running a round is province staff's (checked in :mod:`.permissions`).
    """

    class Status(models.TextChoices):
        OPEN = "open", "申报中"
        REVIEWING = "reviewing", "评审中"
        CLOSED = "closed", "已结束"

    name = models.CharField("名称", max_length=200)
    purpose = models.CharField("用途", max_length=12, choices=Purpose.choices)
    year = models.PositiveSmallIntegerField("评价年度", help_text="所评数据的年度")
    scheme_code = models.CharField("评价方案", max_length=60)
    target_level = models.CharField("认定级别", max_length=30, blank=True, default="", help_text="认定评审时申报的级别")
    deadline = models.DateField("截止日期")
    review_deadline = models.DateField("评审截止日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    reviewers_per_submission = models.PositiveSmallIntegerField("每项评审专家数", default=5)
    trim_extremes = models.BooleanField("去掉最高分和最低分", default=True)
    region_rule = models.CharField("地区回避规则", max_length=8, choices=RegionRule.choices, default=RegionRule.COUNTY)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="结束人")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        ordering = ["-year", "-deadline", "id"]
        verbose_name = verbose_name_plural = "评审批次"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk and _round_closed(self.pk):
            raise ClosedRoundError("评审批次已结束，不能再修改")
        super().save(*args, **kwargs)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def target_level_label(self) -> str:
        return _level_label(self.target_level)

    @property
    def scheme_name(self) -> str:
        """The scheme's Chinese name (its code only if the file is gone)."""
        from .scoring import SchemeError, get_scheme

        try:
            return get_scheme(self.scheme_code).name
        except SchemeError:
            return self.scheme_code

    @property
    def subject_kind(self) -> str:
        """The kind of subject the round evaluates (its scheme's ``subject``; platforms when unknown)."""
        from .scoring import SchemeError, get_scheme

        try:
            return get_scheme(self.scheme_code).subject
        except SchemeError:
            return "platforms"


def _level_label(level: str) -> str:
    """The Chinese name of an institution level code (the code itself when unknown)."""
    from .subjects import provider

    return provider().level_label(level) if level else ""


class Submission(models.Model):
    """One application (recognition) or one institution under evaluation in a round (申报/参评对象)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已申报"
        DEFERRED = "deferred", "暂缓评价"
        REVIEWING = "reviewing", "评审中"
        DETERMINED = "determined", "已决定"
        WITHDRAWN = "withdrawn", "已撤回"

    class Decision(models.TextChoices):
        RECOGNISE = "recognise", "予以认定"
        REJECT = "reject", "不予认定"
        GRADE = "grade", "评定等次"
        DEFER = "defer", "暂缓评价"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="submissions")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+", verbose_name="企业")
    division = models.ForeignKey(
        "regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT, verbose_name="所在地",
    )
    institution = models.ForeignKey(
        "platforms.RDInstitution", null=True, blank=True, on_delete=models.CASCADE, related_name="submissions",
    )
    platform = models.ForeignKey("platforms.Platform", null=True, blank=True, on_delete=models.CASCADE, related_name="submissions")
    # a subject of another registered kind (subjects.py): resolved by that kind's provider
    subject_kind = models.CharField("评价对象类别", max_length=30, blank=True, default="")
    subject_id = models.PositiveBigIntegerField("评价对象编号", null=True, blank=True)
    parties = models.JSONField("相关单位（回避用）", default=list, blank=True,
                               help_text="合作单位等：专家来自其中任一单位即回避")
    title = models.CharField("名称", max_length=200)
    applied_level = models.CharField("申报级别", max_length=30, blank=True, default="")
    declared = models.JSONField("申报数据", default=dict, blank=True, help_text="企业自报的指标（非统计数据），如研发人员、设备原值")
    criteria_check = models.JSONField("条件核验", default=list, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    deferral_reason = models.TextField("暂缓理由", blank=True, default="")
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    # results (written by services.score_submission / determine)
    scheme_code = models.CharField("评价方案", max_length=60, blank=True, default="")
    scheme_version = models.CharField("方案版本", max_length=30, blank=True, default="")
    scheme_text = models.TextField("方案原文", blank=True, default="", help_text="评价时所用方案的完整TOML，便于追溯")
    indicator_results = models.JSONField("定量指标得分", default=list, blank=True)
    quantitative_score = models.DecimalField("定量得分", max_digits=7, decimal_places=2, null=True, blank=True)
    expert_score = models.DecimalField("专家评分", max_digits=7, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField("总分", max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=8, blank=True, default="")
    warning = models.BooleanField("警告", default=False)
    decision = models.CharField("决定", max_length=12, choices=Decision.choices, blank=True, default="")
    decision_reasons = models.TextField("决定理由", blank=True, default="")
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    # a recognition despite a failed condition: province staff record the exception (shown on the record)
    condition_exception = models.TextField("条件例外理由", blank=True, default="")
    exception_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="例外记录人")
    exception_at = models.DateTimeField("例外记录时间", null=True, blank=True)
    # a panel smaller than the round's size (expert pool exhausted), approved by province staff
    reduced_panel_reason = models.TextField("减员评审理由", blank=True, default="")
    reduced_panel_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", verbose_name="减员批准人")
    reduced_panel_at = models.DateTimeField("减员批准时间", null=True, blank=True)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["round", "division_id", "id"]
        indexes = [models.Index(fields=["round", "status"]), models.Index(fields=["subject_kind", "subject_id"])]
        verbose_name = verbose_name_plural = "申报与参评"

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # after closing, a round's submissions are read-only for everyone; 复核 sets ``_correcting``
        if self.pk and not getattr(self, "_correcting", False) and _round_closed(self.round_id):
            raise ClosedRoundError("评审批次已结束，参评记录只读；如需更正请通过复核")
        super().save(*args, **kwargs)

    @property
    def scheme_name(self) -> str:
        """The name in the stored scheme snapshot (what was used), else the round's scheme."""
        if self.scheme_text:
            from .scoring import SchemeError, load_scheme

            try:
                return load_scheme(self.scheme_text).name
            except SchemeError:
                pass
        return self.round.scheme_name

    @property
    def failed_conditions(self) -> list[dict]:
        """Recognition criteria rows not confirmed as met (不符合, or 缺少数据)."""
        return [c for c in self.criteria_check or [] if c.get("passed") is not True]

    @property
    def subject(self):
        if self.subject_kind:
            from .subjects import provider

            return provider(self.subject_kind).subject(self)
        return self.institution if self.institution_id else self.platform

    @property
    def applied_level_label(self) -> str:
        return _level_label(self.applied_level)


class ExpertProfile(models.Model):
    """An expert in the pool (专家库), linked to a user with role ``expert``."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="expert_profile")
    fields = models.CharField("专业领域", max_length=300, blank=True, default="", help_text="以逗号分隔，如：智能传感器,集成电路")
    title = models.CharField("职称", max_length=50, blank=True, default="")
    kind = models.CharField(
        "类别", max_length=12, default="technical",
        choices=[("technical", "技术专家"), ("management", "管理专家"), ("finance", "财务专家")],
    )
    employer_name = models.CharField("工作单位", max_length=200)
    employer = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="工作单位（在企业库中时）",
    )
    enterprise_group = models.CharField("所属企业集团", max_length=200, blank=True, default="")
    division = models.ForeignKey(
        "regions.Division", to_field="code", db_column="division_code", null=True, blank=True, on_delete=models.PROTECT,
        verbose_name="所在地区",
    )
    max_load = models.PositiveSmallIntegerField("单批次最多评审数", default=10)
    active = models.BooleanField("在库", default=True)

    scope_region_field = None  # staff may read the pool; experts see only their own (views)
    objects = ScopedManager()

    class Meta:
        verbose_name = verbose_name_plural = "评审专家"

    def __str__(self) -> str:
        return self.user.full_name or self.user.username

    @property
    def field_list(self) -> list[str]:
        return [f.strip() for f in self.fields.replace("，", ",").split(",") if f.strip()]


class EnterpriseGroup(models.Model):
    """Which enterprise group (企业集团) an enterprise belongs to — the basis of group recusal."""

    enterprise = models.OneToOneField("enterprises.Enterprise", on_delete=models.CASCADE, related_name="group_link")
    group_name = models.CharField("企业集团", max_length=200, db_index=True)

    scope_region_field = "enterprise__division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        verbose_name = verbose_name_plural = "企业集团隶属"

    def __str__(self) -> str:
        return f"{self.enterprise_id} ∈ {self.group_name}"


class ConflictDeclaration(models.Model):
    """An expert's declared relation to an enterprise (利益冲突申报); it always recuses."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="declarations")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    relation = models.CharField("关系说明", max_length=200)
    declared_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        unique_together = [("expert", "enterprise")]
        verbose_name = verbose_name_plural = "利益冲突申报"

    def __str__(self) -> str:
        return f"{self.expert_id} ↔ {self.enterprise_id}: {self.relation}"


class Assignment(models.Model):
    """An expert assigned to one submission, and the expert's per-criterion scores."""

    class Status(models.TextChoices):
        PENDING = "pending", "待评审"
        SUBMITTED = "submitted", "已提交"
        RECUSED = "recused", "已回避"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="assignments")
    method = models.CharField("分配方式", max_length=8, default="manual",
                              choices=[("manual", "手工"), ("batch", "批量"), ("refill", "回避后自动补充")])
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="替换的回避专家")
    assigned_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    no_conflict_confirmed = models.BooleanField("已声明无利益冲突", default=False)
    scores = models.JSONField("分项评分", default=dict, blank=True)
    total = models.DecimalField("加权得分", max_digits=7, decimal_places=2, null=True, blank=True)
    comment = models.TextField("评审意见", blank=True, default="")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    scope_region_field = "submission__division__code"
    scope_enterprise_field = None  # enterprises never see who reviewed them
    objects = ScopedManager()

    class Meta:
        unique_together = [("submission", "expert")]
        verbose_name = verbose_name_plural = "评审分配"

    def __str__(self) -> str:
        return f"{self.submission_id} ← {self.expert_id}"

    def save(self, *args, **kwargs):
        if self.submission_id and _round_closed(
                Submission.objects.filter(pk=self.submission_id).values_list("round_id", flat=True).first()):
            raise ClosedRoundError("评审批次已结束，评审记录只读")
        super().save(*args, **kwargs)


class Correction(models.Model):
    """复核: a correction of a decided submission — who, when, why, and the values before and after.

    Decided results are never edited in place; this record is the only way they change."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="corrections")
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="复核人")
    at = models.DateTimeField("复核时间", auto_now_add=True)
    reason = models.TextField("复核理由")
    before = models.JSONField("更正前")
    after = models.JSONField("更正后")
    outcome = models.CharField("处理结果", max_length=300, blank=True, default="")

    scope_region_field = "submission__division__code"
    scope_enterprise_field = "submission__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "复核记录"

    def __str__(self) -> str:
        return f"{self.submission_id} 复核 {self.at:%Y-%m-%d}"
