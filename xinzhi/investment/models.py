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
    # the plan (domain file pipeline_unicorns_supervision.md §1.4; the field list there is inferred)
    cluster = models.ForeignKey("industries.Cluster", null=True, blank=True, db_column="cluster_code",
                                on_delete=models.PROTECT, verbose_name="415X集群")
    is_major = models.BooleanField("省重大项目", default=False, help_text="入库须经省级审核")
    dual_candidate = models.BooleanField("国家“两重”“两新”候选", default=False)
    responsible_unit = models.CharField("责任单位", max_length=100, blank=True, default="")
    responsible_person = models.CharField("责任人", max_length=50, blank=True, default="")
    planned_start = models.DateField("计划开工日期", null=True, blank=True)
    planned_completion = models.DateField("计划竣工日期", null=True, blank=True)
    actual_start = models.DateField("实际开工日期", null=True, blank=True)
    actual_completion = models.DateField("实际竣工日期", null=True, blank=True)
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


class AnnualPlan(models.Model):
    """A project's planned investment for a year (年度计划投资) — the denominator of its completion rate."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="annual_plans")
    year = models.PositiveSmallIntegerField("年度")
    planned_investment = models.BigIntegerField("年度计划投资(元)")

    scope_region_field = "project__division__code"
    scope_enterprise_field = "project__enterprise_id"
    objects = ScopedManager()

    class Meta:
        unique_together = [("project", "year")]
        ordering = ["project", "year"]
        verbose_name = verbose_name_plural = "年度计划投资"

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"


class ProjectMilestone(models.Model):
    """A planned node of the project (里程碑: land, permits, main works, equipment, trial production …)."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField("节点", max_length=100)
    planned_date = models.DateField("计划日期")
    completed_on = models.DateField("完成日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    scope_region_field = "project__division__code"
    scope_enterprise_field = "project__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["project", "planned_date", "id"]
        verbose_name = verbose_name_plural = "项目节点"

    def __str__(self) -> str:
        return self.name


class TransitionStatus(models.TextChoices):
    PROPOSED = "proposed", "待市级审核"
    REVIEWED = "reviewed", "市级已审核，待省级审批"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已退回"


class StageTransition(models.Model):
    """A proposed move of a project to its next stage, with who proposed, reviewed and approved it.

    The project's stage changes only when the last required step approves (``lifecycle.required_steps``).
    """

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField("原阶段", max_length=15, choices=Stage.choices)
    to_stage = models.CharField("新阶段", max_length=15, choices=Stage.choices)
    effective_date = models.DateField("日期")
    reason = models.CharField("说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=TransitionStatus.choices, default=TransitionStatus.PROPOSED)
    proposed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="提出人")
    proposed_at = models.DateTimeField("提出时间")
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="市级审核人")
    reviewed_at = models.DateTimeField("市级审核时间", null=True, blank=True)
    approved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="省级审批人")
    approved_at = models.DateTimeField("省级审批时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=300, blank=True)

    scope_region_field = "project__division__code"
    scope_enterprise_field = "project__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = verbose_name_plural = "阶段变更"

    def __str__(self) -> str:
        return f"{self.project_id} {self.from_stage}→{self.to_stage}"


class SupervisionVisit(models.Model):
    """An on-site supervision visit (一线督导) to a project."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField("督导日期")
    inspectors = models.CharField("督导人员", max_length=200)
    findings = models.TextField("督导情况")
    attachment = models.FileField("附件（照片、纪要）", upload_to="investment/visits/%Y/", blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    scope_region_field = "project__division__code"
    scope_enterprise_field = "project__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = verbose_name_plural = "一线督导记录"

    def __str__(self) -> str:
        return f"{self.project_id} {self.visited_on}"


class SupervisionProblem(models.Model):
    """A problem raised on a visit, the department responsible, its deadline and resolution."""

    visit = models.ForeignKey(SupervisionVisit, on_delete=models.CASCADE, related_name="problems")
    description = models.CharField("问题", max_length=300)
    department = models.CharField("责任部门", max_length=100)
    deadline = models.DateField("办结期限")
    resolved_on = models.DateField("解决日期", null=True, blank=True)
    resolution = models.CharField("解决情况", max_length=300, blank=True)

    scope_region_field = "visit__project__division__code"
    scope_enterprise_field = "visit__project__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = verbose_name_plural = "督导问题"

    def __str__(self) -> str:
        return self.description
