"""Issuing reports (签发存档): render a briefing or an operation report once, store the three files with
who issued it, when and from which data, and hand back exactly those bytes on every later download."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from xinzhi.accounts.permissions import can
from xinzhi.core.scope import VIEW, region_prefix, scope_q
from xinzhi.regions.models import Division
from xinzhi.reports import render_bytes

from . import reporting, selectors
from .catalogue import load_catalogue, load_rules
from .models import IndicatorValue, IssuedReport

FORMATS = ("docx", "pdf", "xlsx")


def can_issue(user, division: Division) -> bool:
    """Staff issue their own region's reports (leaders read, they do not issue)."""
    if user.is_superuser:
        return True
    return bool(can(user, "monitoring.report.issue")) and user.division_id == division.code


@transaction.atomic
def issue(user, kind: str, division: Division, year: int, month: int, on: dt.date | None = None) -> IssuedReport:
    """Render ``kind`` for ``division`` and the month once (one document, three files) and archive it."""
    if not can_issue(user, division):
        raise PermissionDenied("无权签发该地区的报告")
    document = reporting.build(kind, division, year, month, on or dt.date.today())
    files = {fmt: render_bytes(document, fmt) for fmt in FORMATS}
    computed = IndicatorValue.objects.filter(year=year, month=month).aggregate(at=Max("computed_at"))["at"]
    return IssuedReport.objects.create(
        kind=kind, division=division, year=year, month=month, title=document.title + document.subtitle,
        issuer=document.issuer, issued_by=user if getattr(user, "pk", None) else None,
        snapshot_version=selectors.snapshots_state()[1], computed_at=computed,
        ruleset_version=str(load_rules()["version"]), catalogue_version=load_catalogue().version,
        sha256=" ".join(f"{fmt}:{hashlib.sha256(files[fmt]).hexdigest()}" for fmt in FORMATS), **files,
    )


def issued_for(user, action: str = VIEW):
    """The issued reports a user may see (the stored record's region, not the request, decides)."""
    return IssuedReport.objects.filter(scope_q(IssuedReport, user, action)).defer(*FORMATS)


def file_of(user, pk: int, fmt: str) -> tuple[IssuedReport, bytes]:
    """The stored file of an issued report, if the user's scope covers the report's region."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    report = IssuedReport.objects.filter(scope_q(IssuedReport, user, VIEW)).only(
        "pk", "kind", "division", "year", "month", "title", fmt).filter(pk=pk).first()
    if report is None:
        raise IssuedReport.DoesNotExist
    return report, bytes(getattr(report, fmt))


# --------------------------------------------------------------------------- drafts (generated on schedule)

DRAFT_KIND = "monitoring.briefing_draft"


def _covers(user, code: str) -> bool:
    if user.is_superuser:
        return True
    division = getattr(user, "division_id", None)
    return bool(division) and str(code).startswith(region_prefix(division))


def drafts_for(user, limit: int = 10) -> list:
    """The briefing drafts the schedule generated (``jobs.briefing_draft``) for regions the user's scope
    covers, newest first. A draft is a job's result file; it is not issued."""
    from xinzhi.jobs.models import Job

    out = []
    for job in (Job.objects.filter(kind=DRAFT_KIND, status=Job.Status.SUCCEEDED).exclude(result_file="")
                .order_by("-finished_at", "-pk")[:200]):
        code = (job.params.get("draft") or {}).get("division")
        if code and _covers(user, code):
            out.append(job)
            if len(out) >= limit:
                break
    return out


def draft_file(user, pk: int) -> tuple[str, bytes]:
    """A draft's DOCX, if the user's scope covers its region (the stored record decides)."""
    from xinzhi.jobs.models import Job
    from xinzhi.jobs.services import result_path

    job = Job.objects.filter(pk=pk, kind=DRAFT_KIND, status=Job.Status.SUCCEEDED).first()
    code = (job.params.get("draft") or {}).get("division") if job else None
    path = result_path(job) if code and _covers(user, code) else None
    if path is None:
        raise Job.DoesNotExist
    return job.result_name, path.read_bytes()
