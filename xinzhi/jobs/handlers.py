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
