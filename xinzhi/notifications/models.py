"""The inbox: one row per notice per user; and which kinds reach a user, in the inbox and by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    IMPORT = "import", _("导入结果")
    JOB = "job", _("后台任务")
    ASSIGNMENT = "assignment", _("评审分配")
    DECISION = "decision", _("评审决定")
    WARNING = "warning", _("预警")
    SUPERVISION = "supervision", _("督办")
    REMINDER = "reminder", _("提醒")
    REPORT = "report", _("简报草稿")
    PROGRAMME = "programme", _("出题与项目办理")
    SYSTEM = "system", _("系统")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name="接收人")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed = models.BooleanField("已发邮件", default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "站内通知"
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """A user's choice for one kind; no row means the default: in the inbox, no e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_app = models.BooleanField("站内通知", default=True)
    email = models.BooleanField("邮件", default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]
        verbose_name = verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class Announced(models.Model):
    """Something already announced by scheduled work (a warning, a draft), by a stable key such as
    ``investment:2026:17:red:start``: re-running the schedule tells nobody twice (``services.announce``)."""

    key = models.CharField("标识", max_length=200, unique=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "已通知事项"

    def __str__(self) -> str:
        return self.key
