"""Notices for what happens below this app: core's ``import_committed`` (the importer is told what was
written — useful when the import ran as a background job and nobody watched the page)."""

from __future__ import annotations

from django.dispatch import receiver

from xinzhi.core.signals import import_committed

from .models import Kind
from .services import notify


@receiver(import_committed, dispatch_uid="notifications.import_committed")
def import_result(sender, kind, batch, user=None, **kwargs):
    if user is None or not getattr(user, "pk", None):
        return None
    notify(user, Kind.IMPORT, f"导入完成：{batch.file_name}",
           f"新增{batch.created_count}行，更新{batch.updated_count}行（导入记录编号 {batch.pk}）。", "/imports/")
    return None
