"""The kinds the jobs app runs itself: large import commits (core cannot import the jobs app, so it calls
the runner registered in ``core.background``)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.urls import reverse

from xinzhi.core import background

from .registry import Outcome, register


@register("imports.commit", "导入数据", atomic=False)
def commit_import_job(job, progress) -> Outcome:
    """``core.imports.commit_import`` keeps its own transaction and lock, and records a failed batch itself
    (that record must stay), so this kind runs outside the job's transaction."""
    from xinzhi.core.imports.engine import commit_import

    params = job.params
    path = Path(params["path"])
    if not path.exists():
        raise ValidationError("待导入的文件已不存在（已处理或已取消），请重新上传")
    progress(10, "校验并写入")
    outcome = commit_import(params["kind"], path, user=job.user, file_name=params["file_name"],
                            confirmation=params.get("confirmation", ""))
    if outcome.needs_confirmation:
        raise ValidationError("文件中有需核实的行，请在导入页面预览后填写核实说明再确认导入")
    path.unlink(missing_ok=True)
    if outcome.committed:
        c = outcome.result.counts
        follow = "；".join(str(f) for f in outcome.follow_ups)
        text = f"已导入“{params['file_name']}”：新增{c['new']}行，更新{c['changed']}行，未变{c['unchanged']}行。"
        return Outcome(text=(text + follow)[:500], url=reverse("imports:home"))
    if outcome.failed:
        raise ValidationError(f"“{params['file_name']}”导入失败：{outcome.result.errors[0].reason_zh}"
                              f"（导入记录编号 {outcome.batch.pk}）")
    raise ValidationError(f"“{params['file_name']}”有{outcome.result.error_count}处错误，未导入任何数据")


def _submit_import(*, user, kind: str, path: str, file_name: str, confirmation: str = "") -> str:
    from .services import submit

    job = submit("imports.commit", user, {"kind": kind, "path": path, "file_name": file_name,
                                          "confirmation": confirmation},
                 title=f"导入“{file_name}”", dedupe=f"import:{path}")
    return reverse("jobs:detail", args=[job.pk])


background.set_import_runner(_submit_import)


@register("database.year_partitions", "建立来年数据分区", atomic=False)
def year_partitions_job(job, progress) -> Outcome:
    """Scheduled (monthly): the year partitions of the monthly fact tables for this year and the next
    ``params.ahead`` years (``core.partitioning``, PostgreSQL only), so a new year's filings never land in the
    default partition. Idempotent: a partition that exists is left as it is. Each table and year is its own
    transaction, so the job runs outside the job's transaction."""
    from django.db import connection
    from django.utils import timezone

    from xinzhi.core.partitioning import ensure_year_partitions

    if connection.vendor != "postgresql":
        return Outcome(text="SQLite 数据库不分区，无需操作。")
    year = int(job.params.get("year") or timezone.localdate().year)
    ahead = int(job.params.get("ahead", 2))
    created = ensure_year_partitions(range(year, year + ahead + 1))
    if not created:
        return Outcome(text=f"{year}—{year + ahead}年的分区均已存在。")
    return Outcome(text=f"已建立{len(created)}个分区（{year}—{year + ahead}年）。")
