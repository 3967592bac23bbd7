"""Cross-cutting models: the import log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportBatch(models.Model):
    """One import of one file: who, when, which file (by hash), what it did.

    Rows written by an import point back here, so every stored fact can be traced to the file it
    came from. Updates of existing rows are also written to the audit log, row by row.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "已预览"
        COMMITTED = "committed", "已导入"
        REJECTED = "rejected", "有错误，未导入"
        UNCONFIRMED = "unconfirmed", "需核实，未导入"
        FAILED = "failed", "导入失败"

    kind = models.CharField("类型", max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件哈希", max_length=64, db_index=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    row_count = models.IntegerField("行数", default=0)
    created_count = models.IntegerField("新增", default=0)
    updated_count = models.IntegerField("更新", default=0)
    unchanged_count = models.IntegerField("未变", default=0)
    error_count = models.IntegerField("错误", default=0)
    warning_count = models.IntegerField("警告", default=0)
    units = models.JSONField("计量单位", default=dict, blank=True)
    errors_sample = models.JSONField("错误示例", default=list, blank=True)
    duration_ms = models.IntegerField("耗时(毫秒)", default=0)
    flagged_count = models.IntegerField("需核实", default=0, help_text="核实性审核标出的行数")
    confirmation = models.TextField("核实说明", blank=True, help_text="导入人对需核实各行的说明（确认导入时填写）")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "导入记录"

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        """The kind's Chinese name (users never see the internal key)."""
        from xinzhi.core.imports.registry import UnknownKind, get_kind

        try:
            return get_kind(self.kind).label_zh
        except UnknownKind:
            return "其他"


class DataVersion(models.Model):
    """A counter per table, raised by a database trigger on every write to that table.

    The triggers (``core.versioning``) fire for the ORM, bulk COPY/INSERT, raw SQL and TRUNCATE alike,
    in the writing transaction, so a cached answer keyed by the versions of the tables it read can
    never outlive the data it was made from (``core.response_cache``). Only tables that a cached view
    reads are tracked; each app's migration says which.
    """

    table_name = models.CharField("数据表", max_length=63, primary_key=True)
    version = models.BigIntegerField("版本")

    class Meta:
        verbose_name = verbose_name_plural = "数据版本"

    def __str__(self) -> str:
        return f"{self.table_name} v{self.version}"
