"""Work coordination (工作督办): the task ledger, monthly progress, supervision notices (督办).

Sources: seed tasks 1, 2 (decompose targets and tasks, supervise execution; the task force's groups) and
shared/domain/pipeline_unicorns_supervision.md §3.1 (ledger columns: task, lead and responsible units,
progress, problems, next steps) and §3.2 (督办 workflow: assign → acknowledge → handle → report back →
review → closed; returned for rework).

Every record belongs to a county-level code or higher (``division``): province tasks carry 330000, a task
split to a city carries the city's code. ``restrict()`` shows a record to its own region and everybody
above it (a city sees its own and its counties' tasks; the province sees all).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinzhi.core.scope import ScopedManager


class TaskGroup(models.TextChoices):
    """The provincial task force's groups (seed task 2)."""

    GENERAL = "general", "总体组"
    REFORM = "reform", "改革组"
    INDUSTRY = "industry", "现代化产业体系组"


class TaskSource(models.TextChoices):
    SEED = "seed", "年度工作要点"
    MANUAL = "manual", "手工录入"
    SPLIT = "split", "分解下达"
    IMPORT = "import", "批量导入"


class Task(models.Model):
    """One line of the year's task ledger (任务清单/工作台账)."""

    year = models.PositiveSmallIntegerField("年度")
    number = models.CharField("序号", max_length=20)
    title = models.CharField("任务名称", max_length=100)
    text = models.TextField("任务内容")
    group = models.CharField("专班工作组", max_length=12, choices=TaskGroup.choices, default=TaskGroup.INDUSTRY)
    lead_department = models.CharField("牵头单位", max_length=100)
    co_departments = models.CharField("配合单位", max_length=300, blank=True, help_text="以顿号分隔")
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    division = models.ForeignKey("regions.Division", to_field="code", on_delete=models.PROTECT,
                                 verbose_name="责任地区", related_name="+")
    start_date = models.DateField("起始日期")
    deadline = models.DateField("完成时限")
    milestones = models.JSONField("节点安排", default=list, blank=True)
    indicators = models.JSONField("关联指标", default=list, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="splits",
                               verbose_name="上级任务")
    source = models.CharField("来源", max_length=10, choices=TaskSource.choices, default=TaskSource.MANUAL)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    objects = ScopedManager()
    scope_region_field = "division__code"
    scope_enterprise_field = None

    class Meta:
        ordering = ["year", "division_id", "id"]
        verbose_name = verbose_name_plural = "任务"
        constraints = [models.UniqueConstraint(fields=["year", "division", "number"], name="task_unique_number")]
        indexes = [models.Index(fields=["year", "division"])]

    def __str__(self) -> str:
        return f"{self.year}年任务{self.number} {self.title}"

    @property
    def co_department_list(self) -> list[str]:
        return [d for d in self.co_departments.split("、") if d]


class ProgressReport(models.Model):
    """A month's progress on one task from the responsible region (进展报送): done, problems, next steps."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports", verbose_name="任务")
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    percent = models.PositiveSmallIntegerField("完成进度（%）")
    done = models.TextField("已完成工作")
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步计划", blank=True)
    completed = models.BooleanField("任务已完成", default=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField("报送时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region_field = "task__division__code"
    scope_enterprise_field = None

    class Meta:
        ordering = ["-year", "-month", "-id"]
        verbose_name = verbose_name_plural = "月度进展"
        constraints = [
            models.UniqueConstraint(fields=["task", "year", "month"], name="progress_one_per_month"),
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="progress_percent_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.year}年{self.month}月进展"

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"


class Attachment(models.Model):
    """A file attached to a progress report (kept in the database, as issued reports are)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    data = models.BinaryField("内容")

    objects = ScopedManager()
    scope_region_field = "report__task__division__code"
    scope_enterprise_field = None

    class Meta:
        verbose_name = verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", "已交办"
    ACKNOWLEDGED = "acknowledged", "已签收"
    ANSWERED = "answered", "已反馈"
    RETURNED = "returned", "退回重办"
    CLOSED = "closed", "已办结"


class SupervisionNotice(models.Model):
    """A 督办 notice from province staff to the region responsible for a task (§3.2): to whom, what, by when;
    the receiver acknowledges and answers; the issuer closes it or returns it for rework."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notices", verbose_name="任务")
    division = models.ForeignKey("regions.Division", to_field="code", on_delete=models.PROTECT,
                                 verbose_name="督办对象", related_name="+")
    subject = models.CharField("督办事项", max_length=200)
    requirement = models.TextField("督办要求")
    due_date = models.DateField("反馈时限")
    status = models.CharField("状态", max_length=14, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("交办时间", auto_now_add=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    answer = models.TextField("办理情况", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    objects = ScopedManager()
    scope_region_field = "division__code"
    scope_enterprise_field = None

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = verbose_name_plural = "督办通知"

    def __str__(self) -> str:
        return f"督办：{self.subject}"


# --------------------------------------------------------------------------- activities (task 10)

class ActivityKind(models.TextChoices):
    """Activity types named by seed task 10 (十链百场万企 and 月月有 details were not found: §3.4)."""

    CHAIN_MATCHMAKING = "chain", "“十链百场万企”对接"
    UPIC_MATCHMAKING = "upic", "“高校+平台+企业+产业链”对接"
    BENCHMARKING = "benchmark", "创新中心对标活动"
    FORUM = "forum", "论坛"
    ROADSHOW = "roadshow", "路演"
    OTHER = "other", "其他科技创新活动"


class Activity(models.Model):
    """One S&T innovation activity (月月有科技创新活动, seed task 10): where, when, what, who, with what result."""

    division = models.ForeignKey("regions.Division", to_field="code", on_delete=models.PROTECT,
                                 verbose_name="举办地区", related_name="+")
    held_on = models.DateField("举办日期")
    title = models.CharField("活动名称", max_length=200)
    kind = models.CharField("活动类型", max_length=12, choices=ActivityKind.choices)
    organiser = models.CharField("主办单位", max_length=200)
    chain = models.CharField("产业链", max_length=100, blank=True)
    participants = models.PositiveIntegerField("参加人数", default=0)
    enterprises = models.PositiveIntegerField("参加企业数", default=0)
    agreements = models.PositiveIntegerField("签约项目数", default=0)
    problems_posted = models.PositiveIntegerField("发布技术难题数", default=0,
                                                  help_text="提交“企业出题、平台答题”闭环的问题数")
    outcome = models.TextField("活动成效", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    objects = ScopedManager()
    scope_region_field = "division__code"
    scope_enterprise_field = None

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = verbose_name_plural = "科技创新活动"
        indexes = [models.Index(fields=["held_on", "division"])]

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------- typical cases (section III.3)

class CaseTheme(models.TextChoices):
    RD_INSTITUTIONS = "rd", "企业研发机构建设"
    HTE = "hte", "高新技术企业培育"
    CLOSED_LOOP = "loop", "“出题答题”闭环"
    PILOT = "pilot", "中试平台"
    PLATFORMS = "platforms", "创新平台网络"
    TRANSFER = "transfer", "科技成果转化"
    POLICY = "policy", "政策落地"
    OTHER = "other", "其他"


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "已报送"
    SELECTED = "selected", "已入选"
    PUBLISHED = "published", "已发布"
    DECLINED = "declined", "未入选"


class TypicalCase(models.Model):
    """A typical local case (典型案例): cities and counties submit, province staff select, edit and publish.
    Criteria for selection were not found (§3.4): the province decides case by case."""

    division = models.ForeignKey("regions.Division", to_field="code", on_delete=models.PROTECT,
                                 verbose_name="报送地区", related_name="+")
    title = models.CharField("标题", max_length=200)
    theme = models.CharField("主题", max_length=12, choices=CaseTheme.choices)
    task_number = models.CharField("对应任务序号", max_length=20, blank=True)
    problem = models.TextField("背景与问题")
    measures = models.TextField("主要做法")
    results = models.TextField("取得成效", help_text="尽量量化")
    replicability = models.TextField("推广价值", blank=True)
    status = models.CharField("状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED)
    review_note = models.TextField("审核意见", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    objects = ScopedManager()
    scope_region_field = "division__code"
    scope_enterprise_field = None

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = verbose_name_plural = "典型案例"

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------- R&D reserve funds, post-subsidies (task 6)

class FundKind(models.TextChoices):
    RESERVE = "reserve", "研发准备金"
    POST_SUBSIDY = "subsidy", "研发投入后补助"


class RDFundRecord(models.Model):
    """An enterprise's R&D reserve fund (研发准备金, the amount set aside for the year) or a local R&D
    post-subsidy paid to it (研发投入后补助), seed task 6. Money in whole yuan. The region is the enterprise's
    county when recorded, so history does not move when an enterprise relocates."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, verbose_name="企业",
                                   related_name="+")
    division = models.ForeignKey("regions.Division", to_field="code", on_delete=models.PROTECT,
                                 verbose_name="所在地区", related_name="+")
    kind = models.CharField("类型", max_length=8, choices=FundKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    amount = models.BigIntegerField("金额（元）")
    basis = models.CharField("依据", max_length=300, help_text="地方政策文件或制度名称")
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"

    class Meta:
        ordering = ["-year", "enterprise_id"]
        verbose_name = verbose_name_plural = "研发准备金与后补助"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "kind", "year", "basis"], name="rdfund_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="rdfund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


# --------------------------------------------------------------------------- the notice board (section III.2)

class BoardPost(models.Model):
    """Information shared between levels (省市县联动): a post is seen by its own region, every region below
    it and every region above it."""

    division = models.ForeignKey("regions.Division", to_field="code", on_delete=models.PROTECT,
                                 verbose_name="发布地区", related_name="+")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region_field = "division__code"
    scope_enterprise_field = None

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = verbose_name_plural = "信息共享"

    def __str__(self) -> str:
        return self.title
