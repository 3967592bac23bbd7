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
