"""Imports in the browser: template → upload → preview with row-level errors → confirm or cancel; history.

The upload is kept in ``MEDIA_ROOT/imports/`` between preview and confirmation; the confirmation
re-validates the same bytes (``commit_import``), so what is written is exactly what was previewed,
or nothing.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import polars as pl
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.core import background
from xinzhi.core.downloads import attachment
from xinzhi.core.imports.engine import commit_import, preview_import
from xinzhi.core.imports.exports import write_template
from xinzhi.core.imports.reading import MAX_ROWS, MAX_UPLOAD_BYTES
from xinzhi.core.imports.registry import get_kind, kind_names
from xinzhi.core.models import ImportBatch
from xinzhi.reports import CONTENT_TYPES, Column, Document, Table, render_bytes

ALLOWED_SUFFIXES = {".xlsx", ".csv", ".parquet"}
PENDING = "pending_import"


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _history(user):
    qs = ImportBatch.objects.select_related("user")
    if not can(user, "imports.history.all"):
        qs = qs.filter(user=user)
    return qs[:30]


@capability_required("imports.run")
def import_home(request):
    kinds = [(name, get_kind(name).label_zh) for name in kind_names()]
    return render(request, "imports/imports.html", {"kinds": kinds, "history": _history(request.user)})


@capability_required("imports.run")
@require_POST
def import_preview(request):
    user = request.user
    too_large = _("文件超过%(mb)sMB，请拆分为多个文件分批导入（每个文件不超过%(mb)sMB、%(rows)s行）") % {
        "mb": MAX_UPLOAD_BYTES // 2**20, "rows": f"{MAX_ROWS:,}"}
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES + 2**16:
        # refused before the body is read: an oversized upload is neither parsed nor stored
        messages.error(request, too_large)
        return redirect("imports:home")
    kind, upload = request.POST.get("kind", ""), request.FILES.get("file")
    if kind not in kind_names():
        messages.error(request, _("请选择导入类型"))
        return redirect("imports:home")
    if upload is None or Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
        messages.error(request, _("请上传 .xlsx、.csv 或 .parquet 文件"))
        return redirect("imports:home")
    if upload.size > MAX_UPLOAD_BYTES:
        messages.error(request, too_large)
        return redirect("imports:home")
    token = uuid.uuid4().hex
    stored = _upload_dir() / f"{token}{Path(upload.name).suffix.lower()}"
    with open(stored, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    outcome = preview_import(kind, stored, user=user, file_name=upload.name)
    request.session[PENDING] = {"token": token, "path": str(stored), "kind": kind, "name": upload.name,
                                "batch": outcome.batch.pk, "rows": outcome.result.row_count,
                                "flags": bool(outcome.result.needs_confirmation)}
    return _render_preview(request, outcome, token, kind)


def _issues_with_values(result) -> pl.DataFrame:
    """The issues with the file's text in each cell concerned (``value``; empty where the cell is blank)."""
    return result.issues.join(result.cells, on=["_row", "field"], how="left").select(
        "_row", "field", "value", "reason", "severity")


def _issues_path(token: str) -> Path:
    return _upload_dir() / f"{token}.issues.parquet"


def _render_preview(request, outcome, token: str, kind: str, confirmation_error: str = ""):
    """The preview: hard errors (强制性审核) and rows to explain (核实性审核) in separate tables, each
    with the value the file holds; the whole list is kept beside the upload for the xlsx download."""
    issues = _issues_with_values(outcome.result)
    if issues.height:
        issues.write_parquet(_issues_path(token))
    errors = issues.filter(pl.col("severity") != "flag")
    flags = issues.filter(pl.col("severity") == "flag")
    keys = ("row", "field", "value", "reason", "severity")
    shown_errors = [dict(zip(keys, r, strict=True)) for r in errors.head(500).iter_rows()]
    shown_flags = [dict(zip(keys, r, strict=True)) for r in flags.head(500).iter_rows()]
    return render(request, "imports/import_preview.html", {
        "outcome": outcome, "counts": outcome.result.counts, "issues": shown_errors, "flags": shown_flags,
        "more_issues": max(errors.height - len(shown_errors), 0), "more_flags": max(flags.height - len(shown_flags), 0),
        "needs_confirmation": outcome.result.ok and outcome.result.needs_confirmation,
        "unconfirmed_rows": len(outcome.result.unconfirmed_rows), "token": token,
        "kind_label": get_kind(kind).label_zh, "confirmation_error": confirmation_error,
        "failure": outcome.result.errors[0].reason_zh if outcome.failed else "",
        "issue_total": issues.height,
    })


SEVERITY_ZH = {"error": "错误", "warning": "警告", "flag": "需核实"}


@capability_required("imports.run")
def import_issues(request, token: str):
    """The preview's whole issue list as an xlsx file (written through ``reports``), for the pending upload
    of this session only."""
    pending = request.session.get(PENDING)
    path = _issues_path(token) if pending and pending.get("token") == token else None
    if path is None or not path.exists():
        raise Http404("没有待确认的导入，或该导入没有问题清单")
    issues = pl.read_parquet(path)
    rows = [[r if r > 1 else "表头", f, v or "", why, SEVERITY_ZH.get(sev, sev)] for r, f, v, why, sev in issues.iter_rows()]
    document = Document(title=f"{Path(pending['name']).stem} 问题清单", blocks=[Table(
        columns=[Column("行"), Column("列"), Column("文件中的值"), Column("问题"), Column("级别")],
        rows=rows, caption="导入问题清单", sheet_name="问题清单")])
    response = HttpResponse(render_bytes(document, "xlsx"), content_type=CONTENT_TYPES["xlsx"])
    return attachment(response, f"{Path(pending['name']).stem}-问题清单.xlsx")


def _take_pending(request) -> dict:
    pending = request.session.get(PENDING)
    if not pending or pending.get("token") != request.POST.get("token"):
        raise Http404("没有待确认的导入，或已处理")
    del request.session[PENDING]
    return pending


@capability_required("imports.run")
@require_POST
def import_commit(request):
    user = request.user
    pending = request.session.get(PENDING)
    if not pending or pending.get("token") != request.POST.get("token"):
        raise Http404("没有待确认的导入，或已处理")
    path = Path(pending["path"])
    confirmation = request.POST.get("confirmation", "").strip()[:2000]
    runner = background.import_runner()
    if (runner is not None and pending.get("rows", 0) >= settings.XINZHI_IMPORT_JOB_ROWS
            and (confirmation or not pending.get("flags"))):
        # a large file is committed by a background job: the request returns at once with the job's page
        _take_pending(request)
        return redirect(runner(user=user, kind=pending["kind"], path=str(path), file_name=pending["name"],
                               confirmation=confirmation))
    outcome = commit_import(pending["kind"], path, user=user, file_name=pending["name"], confirmation=confirmation)
    if outcome.needs_confirmation:
        # the preview again, the upload kept: the rows to explain need the importer's explanation
        return _render_preview(request, outcome, pending["token"], pending["kind"],
                               confirmation_error=_("有需核实的行：请核对后填写核实说明再确认导入。"))
    _take_pending(request)
    path.unlink(missing_ok=True)
    _issues_path(pending["token"]).unlink(missing_ok=True)
    if outcome.committed:
        c = outcome.result.counts
        messages.success(request, _("已导入“%(name)s”：新增%(new)s行，更新%(changed)s行，未变%(unchanged)s行。") % {
            "name": pending["name"], "new": c["new"], "changed": c["changed"], "unchanged": c["unchanged"]})
        for follow_up in outcome.follow_ups:
            (messages.success if getattr(follow_up, "ok", True) else messages.warning)(request, str(follow_up))
    elif outcome.failed:
        messages.error(request, _("“%(name)s”导入失败：%(reason)s（导入记录编号 %(batch)s）") % {
            "name": pending["name"], "reason": outcome.result.errors[0].reason_zh, "batch": outcome.batch.pk})
    else:
        messages.error(request, _("“%(name)s”有%(errors)s处错误，未导入任何数据。") % {
            "name": pending["name"], "errors": outcome.result.error_count})
    return redirect("imports:home")


@capability_required("imports.run")
@require_POST
def import_cancel(request):
    pending = _take_pending(request)
    Path(pending["path"]).unlink(missing_ok=True)
    _issues_path(pending["token"]).unlink(missing_ok=True)
    messages.success(request, _("已取消导入“%(name)s”，未写入任何数据。") % {"name": pending["name"]})
    return redirect("imports:home")


@capability_required("imports.run")
def import_template(request, kind: str):
    if kind not in kind_names():
        raise Http404("未知导入类型")
    tmp = Path(tempfile.mkdtemp()) / f"{kind}-template.xlsx"
    write_template(kind, "xlsx", tmp)
    return FileResponse(open(tmp, "rb"), as_attachment=True, filename=f"{get_kind(kind).label_zh}导入模板.xlsx")
