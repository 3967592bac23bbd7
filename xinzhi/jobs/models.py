"""The job record: who asked for what, its status and progress, its result and, on failure, the reason in
Chinese. The queue (``jobs.queue``) carries only the job's id; everything a page shows is read from here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField("任务类型", max_length=60, db_index=True)
    title = models.CharField("任务", max_length=200)
    #: who asked; empty for a job started by the schedule
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs",
                             verbose_name="提交人", null=True, blank=True)
    params = models.JSONField("参数", default=dict)
    #: jobs asked twice with the same key while the first is queued or running are one job (idempotent submit)
    dedupe_key = models.CharField(max_length=200, blank=True, db_index=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    progress_text = models.CharField("进度说明", max_length=200, blank=True)
    #: the result file under ``var/jobs/`` (relative path) and the name it is downloaded under
    result_file = models.CharField(max_length=300, blank=True)
    result_name = models.CharField("结果文件", max_length=200, blank=True)
    #: a page that shows the result (e.g. the screening lists)
    result_url = models.CharField(max_length=300, blank=True)
    result_text = models.CharField("结果", max_length=500, blank=True)
    error = models.TextField("失败原因", blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    worker = models.CharField("执行节点", max_length=120, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "后台任务"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 1)
        return None


class ScheduledTask(models.Model):
    """One line of the schedule (kept as data, edited by province administrators in the admin): which job
    kind runs with which parameters, when (a cron expression in the platform's time zone), and whether it
    is on. ``xinzhi scheduler`` submits each task when its ``next_run_at`` has come."""

    name = models.CharField("任务名称", max_length=100)
    kind = models.CharField("任务类型", max_length=60)
    params = models.JSONField("参数", default=dict, blank=True)
    cron = models.CharField("时间表（分 时 日 月 星期）", max_length=100,
                            help_text="如“0 8 * * *”为每天8:00，“*/30 * * * *”为每30分钟，“0 9 5 * *”为每月5日9:00")
    enabled = models.BooleanField("启用", default=True)
    next_run_at = models.DateTimeField("下次运行", null=True, blank=True)
    last_run_at = models.DateTimeField("上次运行", null=True, blank=True)
    last_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="上次任务")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "定时任务"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from .cron import CronError, parse
        from .registry import KINDS

        try:
            parse(self.cron)
        except CronError as exc:
            raise ValidationError({"cron": str(exc)}) from None
        if self.kind not in KINDS:
            raise ValidationError({"kind": "未知的任务类型"})
