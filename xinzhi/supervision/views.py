"""Pages of work coordination: the ledger, a task (progress, splits, 督办), the notices. Thin: reads go through
``restrict``, writes through ``services`` (which check the stored record's scope)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.core.downloads import attachment as download
from xinzhi.core.params import date_param, int_param, text_param, year_param
from xinzhi.core.scope import region_prefix
from xinzhi.regions.models import Division
from xinzhi.reports.listing import Listing

from . import lists, rules, services
from .models import Attachment, NoticeStatus, ProgressReport, SupervisionNotice, Task, TaskGroup


def _as_of(request) -> dt.date:
    """The as-of date of a page (``?as_of=YYYY-MM-DD``, default today); malformed → 400 in Chinese."""
    return date_param(request.GET, "as_of", timezone.localdate())


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(f"{m}" for ms in exc.message_dict.values() for m in ms)
    return "；".join(exc.messages)


def _year(request) -> int:
    return year_param(request.GET, "year", timezone.localdate().year)


@capability_required("supervision.view")
def ledger(request):
    user = request.user
    as_of, year = _as_of(request), _year(request)
    params = {k: text_param(request.GET, k, max_length=100) for k in ("q", "group", "region", "colour")}
    qs = Task.objects.restrict(user).filter(year=year).select_related("division", "parent")
    if params["q"]:
        qs = qs.filter(Q(title__contains=params["q"]) | Q(text__contains=params["q"]) | Q(number=params["q"]))
    if params["group"]:
        qs = qs.filter(group=params["group"])
    if params["region"]:
        qs = qs.filter(division__code__startswith=region_prefix(params["region"]))
    qs = qs.annotate(notice_count=Count("notices"))
    lights = {r.task.pk: r for r in services.light_rows(qs.order_by("division_id", "id"), as_of)}
    counts = services.colour_counts(list(lights.values()))
    if params["colour"]:  # the light is computed (as of a date), not stored: narrow to the matching tasks' keys
        lights = {pk: r for pk, r in lights.items() if r.light.colour == params["colour"]}
        qs = qs.filter(pk__in=list(lights))
    badges = services.indicator_badges(user, [r.task for r in lights.values()], as_of)
    listing = Listing(request, lists.ledger_columns(lights, badges), qs, default=("division_id", "id"),
                      title="任务清单", empty="没有符合条件的任务", per_page=100)
    if listing.wants_export:
        return listing.export(f"{year}年度任务清单-{as_of.isoformat()}")
    regions = Division.objects.filter(code__startswith=region_prefix(user.division_id or "330000")).exclude(
        level="county" if user.role == "province_staff" else "").order_by("code")
    return render(request, "supervision/ledger.html", {
        "table": listing.table(), "page": listing.page, "counts": counts, "as_of": as_of, "year": year, "applied": params,
        "groups": TaskGroup.choices, "colours": list(rules.LABELS.items()), "regions": regions,
        "can_edit": can(user, "supervision.task.edit"), "open_notices": services.open_notices(user)[:20],
        "has_default": services.ledger_file(year).exists(),
        "params": rules.load_parameters(),
    })


@capability_required("supervision.task.edit")
@require_POST
def load_ledger(request):
    try:
        year = int(request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    try:
        created = services.load_default_ledger(request.user, year)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已载入%(year)s年度默认任务清单，新增%(count)s项任务") % {"year": year, "count": created})
    return redirect(f"{reverse_ledger()}?year={year}")


def reverse_ledger() -> str:
    from django.urls import reverse

    return reverse("supervision:ledger")


@capability_required("supervision.task.edit")
@require_POST
def create_task(request):
    p = request.POST
    try:
        year = int(p.get("year") or 0)
        deadline = dt.date.fromisoformat(p.get("deadline") or "")
    except ValueError:
        messages.error(request, _("未保存：年度或完成时限格式有误"))
        return redirect(reverse_ledger())
    try:
        task = services.create_task(
            request.user, year=year, number=p.get("number", ""), title=p.get("title", ""), text=p.get("text", ""),
            group=p.get("group", ""), lead_department=p.get("lead_department", ""), deadline=deadline,
            co_departments=p.get("co_departments", ""), responsible_person=p.get("responsible_person", ""),
        )
    except ValidationError as exc:
        messages.error(request, _("未保存：") + _errors(exc))
        return redirect(reverse_ledger())
    messages.success(request, _("已新增任务"))
    return redirect("supervision:task", task.pk)


@capability_required("supervision.view")
def task_detail(request, pk: int):
    user = request.user
    task = get_object_or_404(Task.objects.restrict(user).select_related("division", "parent"), pk=pk)
    as_of = _as_of(request)
    row = services.light_rows(Task.objects.filter(pk=task.pk), as_of)[0]
    splits = services.light_rows(task.splits.filter(pk__in=Task.objects.restrict(user).values("pk"))
                                 .select_related("division").order_by("division_id"), as_of)
    reports = ProgressReport.objects.restrict(user).filter(task=task).select_related("reported_by").prefetch_related(
        "attachments")
    notices = SupervisionNotice.objects.restrict(user).filter(task=task).select_related("division")
    change = Task.objects.restrict(user, "change").filter(pk=task.pk).exists()
    split_regions = []
    if change and can(user, "supervision.task.edit"):
        taken = set(task.splits.values_list("division_id", flat=True))
        level = "city" if task.division.level == "province" else "county"
        split_regions = [d for d in Division.objects.filter(code__startswith=region_prefix(task.division_id), level__in=(
            (level, "county") if user.role == "province_staff" else ("county",))).order_by("code") if d.code not in taken]
    today = timezone.localdate()
    return render(request, "supervision/task.html", {
        "task": task, "row": row, "splits": splits, "reports": reports, "notices": notices, "as_of": as_of,
        "indicators": services.indicator_ratings(user, task, as_of),
        "can_split": bool(split_regions), "split_regions": split_regions, "groups": TaskGroup.choices,
        "can_edit": change and bool(can(user, "supervision.task.edit")),
        "milestone_text": "\n".join(f"{m.get('date', '')} {m.get('text', '')}" for m in task.milestones),
        "can_report": change and bool(can(user, "supervision.progress.report", task)) and task.completed_on is None,
        "can_issue": change and bool(can(user, "supervision.notice.issue")),
        "notice_targets": [task.division] + [s.task.division for s in splits],
        "this_month": today.month, "this_year": today.year,
        "months": range(1, 13),
    })


def _milestones(raw: str) -> list[dict]:
    """One milestone a line: ``YYYY-MM-DD 内容``."""
    out = []
    for line in raw.splitlines():
        line = line.strip()
        if line:
            day, _, text = line.partition(" ")
            out.append({"date": day.strip(), "text": text.strip()})
    return out


@capability_required("supervision.task.edit")
@require_POST
def edit_task(request, pk: int):
    p = request.POST
    try:
        deadline = dt.date.fromisoformat(p.get("deadline") or "")
    except ValueError:
        messages.error(request, _("未保存：完成时限格式应为YYYY-MM-DD"))
        return redirect("supervision:task", pk)
    fields = {k: p.get(k, "") for k in ("title", "text", "group", "lead_department", "co_departments",
                                         "responsible_person")}
    try:
        services.update_task(request.user, pk, deadline=deadline, milestones=_milestones(p.get("milestones", "")),
                             **fields)
    except ValidationError as exc:
        messages.error(request, _("未保存：") + _errors(exc))
    else:
        messages.success(request, _("已保存修改"))
    return redirect("supervision:task", pk)


@capability_required("supervision.task.edit")
@require_POST
def split_task(request, pk: int):
    parent = get_object_or_404(Task.objects.restrict(request.user, "change"), pk=pk)
    deadline = None
    if request.POST.get("deadline"):
        try:
            deadline = dt.date.fromisoformat(request.POST["deadline"])
        except ValueError:
            messages.error(request, _("未保存：完成时限格式应为YYYY-MM-DD"))
            return redirect("supervision:task", pk)
    try:
        child = services.split_task(request.user, parent, request.POST.get("division", ""),
                                    text=request.POST.get("text", ""), deadline=deadline,
                                    responsible_person=request.POST.get("responsible_person", ""))
    except ValidationError as exc:
        messages.error(request, _("未分解：") + _errors(exc))
        return redirect("supervision:task", pk)
    messages.success(request, _("已分解到%(region)s") % {"region": child.division.name})
    return redirect("supervision:task", pk)


@capability_required("supervision.progress.report")
@require_POST
def report_progress(request, pk: int):
    task = get_object_or_404(Task.objects.restrict(request.user, "change"), pk=pk)
    p = request.POST
    try:
        year, month, percent = int(p.get("year") or 0), int(p.get("month") or 0), int(p.get("percent") or -1)
    except ValueError:
        messages.error(request, _("未报送：年月和完成进度须为整数"))
        return redirect("supervision:task", pk)
    try:
        services.report_progress(request.user, task, year=year, month=month, percent=percent, done=p.get("done", ""),
                                 problems=p.get("problems", ""), next_steps=p.get("next_steps", ""),
                                 completed=p.get("completed") == "on", files=request.FILES.getlist("attachments"))
    except ValidationError as exc:
        messages.error(request, _("未报送：") + _errors(exc))
    else:
        messages.success(request, _("已报送%(year)s年%(month)s月进展") % {"year": year, "month": month})
    return redirect("supervision:task", pk)


#: content types an attachment is served with; anything else goes out as a plain binary download
SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg", "application/zip", "application/msword",
              "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@capability_required("supervision.view")
def attachment(request, pk: int):
    item = get_object_or_404(Attachment.objects.restrict(request.user), pk=pk)
    content_type = item.content_type if item.content_type in SAFE_TYPES else "application/octet-stream"
    response = download(HttpResponse(bytes(item.data), content_type=content_type), item.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required("supervision.view")
def outputs(request):
    """The monthly completion bulletin (DOCX/PDF) and the half-year summary (XLSX) of the user's region:
    a form, and the file when a format is asked for (computed on the fly, nothing stored)."""
    from xinzhi.reports import CONTENT_TYPES, render_bytes

    from . import outputs as out

    user = request.user
    division = Division.objects.get(code=user.division_id or services.PROVINCE_CODE)
    today = timezone.localdate()
    kind, fmt = text_param(request.GET, "kind", None, 20), text_param(request.GET, "format", None, 10)
    if kind is None:
        return render(request, "supervision/outputs.html", {
            "division": division, "years": range(today.year, today.year - 3, -1), "months": range(1, 13),
            "this_year": today.year, "last_month": (today.month - 2) % 12 + 1,
        })
    year = year_param(request.GET, "year", today.year)
    try:
        if kind == "bulletin" and fmt in ("docx", "pdf"):
            month = int_param(request.GET, "month", 0, 1, 12)
            document, name = out.monthly_bulletin(user, division, year, month), f"{year}年{month}月任务推进情况通报"
        elif kind == "half_year" and fmt in ("xlsx", "docx"):
            half = int_param(request.GET, "half", 0, 1, 2)
            document = out.half_year_summary(user, division, year, half)
            name = f"{year}年{'上半年' if half == 1 else '全年'}任务推进情况汇总表"
        else:
            raise ValueError
    except ValueError:
        raise Http404(_("未知的输出类型、格式或期别")) from None
    response = HttpResponse(render_bytes(document, fmt), content_type=CONTENT_TYPES[fmt])
    return download(response, f"{division.name}{name}.{fmt}")


@capability_required("supervision.notice.issue")
@require_POST
def issue_notice(request, pk: int):
    task = get_object_or_404(Task.objects.restrict(request.user, "change"), pk=pk)
    try:
        due = dt.date.fromisoformat(request.POST.get("due_date") or "")
    except ValueError:
        messages.error(request, _("未下发：反馈时限格式应为YYYY-MM-DD"))
        return redirect("supervision:task", pk)
    try:
        services.issue_notice(request.user, task, division_code=request.POST.get("division", ""),
                              subject=request.POST.get("subject", ""), requirement=request.POST.get("requirement", ""),
                              due_date=due)
    except ValidationError as exc:
        messages.error(request, _("未下发：") + _errors(exc))
    else:
        messages.success(request, _("已下发督办"))
    return redirect("supervision:task", pk)


@capability_required("supervision.view")
def notices(request):
    user = request.user
    status = text_param(request.GET, "status", max_length=20)
    qs = SupervisionNotice.objects.restrict(user).select_related("task", "division")
    if status:
        qs = qs.filter(status=status)
    return render(request, "supervision/notices.html", {
        "notices": qs[:500], "statuses": NoticeStatus.choices, "status": status,
        "mine": services.open_notices(user), "today": timezone.localdate(),
    })


@capability_required("supervision.view")
@require_POST
def notice_action(request, pk: int):
    action, user = request.POST.get("action"), request.user
    try:
        if action == "acknowledge":
            services.acknowledge_notice(user, pk)
            messages.success(request, _("已签收"))
        elif action == "answer":
            services.answer_notice(user, pk, request.POST.get("answer", ""))
            messages.success(request, _("已反馈办理情况"))
        elif action in ("close", "return"):
            services.review_notice(user, pk, accept=action == "close", note=request.POST.get("review_note", ""))
            messages.success(request, _("已办结") if action == "close" else _("已退回重办"))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _("未办理：") + _errors(exc))
    except PermissionDenied:
        raise
    target = request.POST.get("next") or ""
    return redirect(target if target.startswith("/supervision/") else "supervision:notices")


# --------------------------------------------------------------------------- activities (task 10)

def _int(raw, default=0) -> int:
    raw = (raw or "").strip().replace(",", "")
    return int(raw) if raw else default


@capability_required("supervision.view")
def activities(request):
    from .models import Activity, ActivityKind

    user = request.user
    as_of, year = _as_of(request), _year(request)
    if request.method == "POST":
        if not can(user, "supervision.activity.edit"):
            raise PermissionDenied(_("无权录入科技创新活动"))
        p = request.POST
        try:
            fields = {"held_on": dt.date.fromisoformat(p.get("held_on") or ""), "title": p.get("title", ""),
                      "kind": p.get("kind", ""), "organiser": p.get("organiser", ""), "chain": p.get("chain", ""),
                      "participants": _int(p.get("participants")), "enterprises": _int(p.get("enterprises")),
                      "agreements": _int(p.get("agreements")), "problems_posted": _int(p.get("problems_posted")),
                      "outcome": p.get("outcome", ""), "division_code": p.get("division") or user.division_id}
        except ValueError:
            messages.error(request, _("未保存：日期格式应为YYYY-MM-DD，人数和项目数须为整数"))
            return redirect("supervision:activities")
        try:
            services.record_activity(user, **fields)
        except ValidationError as exc:
            messages.error(request, _("未保存：") + _errors(exc))
        else:
            messages.success(request, _("已录入活动"))
        return redirect("supervision:activities")
    rows, names = services.activity_coverage(user, year, as_of)
    kind = text_param(request.GET, "kind", max_length=20)
    listing = Activity.objects.restrict(user).filter(held_on__year=year).select_related("division")
    if kind:
        listing = listing.filter(kind=kind)
    from . import coverage

    return render(request, "supervision/activities.html", {
        "rows": [{"code": r.code, "name": names[r.code], "cells": r.cells, "missed": r.missed} for r in rows],
        "gaps": len(coverage.gaps(rows)), "year": year, "as_of": as_of, "kinds": ActivityKind.choices, "kind": kind,
        "activities": listing[:100], "months": range(1, 13), "can_edit": can(user, "supervision.activity.edit"),
        "regions": Division.objects.filter(code__startswith=region_prefix(user.division_id or "330000")).order_by("code"),
    })


# --------------------------------------------------------------------------- typical cases

@capability_required("supervision.view")
def cases(request):
    from .models import CaseStatus, CaseTheme

    user = request.user
    if request.method == "POST":
        if not can(user, "supervision.case.submit"):
            raise PermissionDenied(_("无权报送典型案例"))
        try:
            case = services.submit_case(user, **{k: request.POST.get(k, "") for k in services.CASE_FIELDS})
        except ValidationError as exc:
            messages.error(request, _("未报送：") + _errors(exc))
            return redirect("supervision:cases")
        messages.success(request, _("已报送案例，待省级遴选"))
        return redirect("supervision:case", case.pk)
    params = {k: text_param(request.GET, k, max_length=100) for k in ("q", "theme", "status")}
    qs = services.visible_cases(user).select_related("division")
    if params["q"]:
        q = params["q"]
        qs = qs.filter(Q(title__contains=q) | Q(measures__contains=q) | Q(results__contains=q) | Q(problem__contains=q))
    if params["theme"]:
        qs = qs.filter(theme=params["theme"])
    if params["status"]:
        qs = qs.filter(status=params["status"])
    return render(request, "supervision/cases.html", {
        "cases": qs[:300], "applied": params, "themes": CaseTheme.choices, "statuses": CaseStatus.choices,
        "can_submit": can(user, "supervision.case.submit"),
    })


@capability_required("supervision.view")
def case_detail(request, pk: int):
    from .models import CaseTheme

    user = request.user
    case = get_object_or_404(services.visible_cases(user).select_related("division"), pk=pk)
    if request.method == "POST":
        edits = {k: request.POST[k] for k in services.CASE_FIELDS if k in request.POST}
        try:
            services.review_case(user, case.pk, request.POST.get("action", ""), note=request.POST.get("review_note", ""),
                                 edits=edits or None)
        except ValidationError as exc:
            messages.error(request, _("未办理：") + _errors(exc))
        else:
            messages.success(request, _("已更新案例状态"))
        return redirect("supervision:case", case.pk)
    return render(request, "supervision/case.html", {
        "case": case, "themes": CaseTheme.choices,
        "can_review": can(user, "supervision.case.publish") and case.status in ("submitted", "selected"),
    })


# --------------------------------------------------------------------------- R&D reserve funds, post-subsidies

@capability_required("supervision.view")
def funds(request):
    from xinzhi.enterprises.models import Enterprise

    from .models import FundKind, RDFundRecord

    user = request.user
    if request.method == "POST":
        p = request.POST
        enterprise = Enterprise.objects.restrict(user, "change").filter(uscc=(p.get("uscc") or "").strip()).first()
        if enterprise is None:
            messages.error(request, _("未保存：统一社会信用代码不存在，或该企业不在本地区"))
            return redirect("supervision:funds")
        try:
            paid_on = dt.date.fromisoformat(p["paid_on"]) if p.get("paid_on") else None
            year, amount = _int(p.get("year")), _int(p.get("amount"))
        except ValueError:
            messages.error(request, _("未保存：年度、金额须为整数，拨付日期格式应为YYYY-MM-DD"))
            return redirect("supervision:funds")
        try:
            services.record_fund(user, enterprise, kind=p.get("kind", ""), year=year, amount=amount,
                                 basis=p.get("basis", ""), paid_on=paid_on)
        except ValidationError as exc:
            messages.error(request, _("未保存：") + _errors(exc))
        else:
            messages.success(request, _("已登记"))
        return redirect("supervision:funds")
    year = year_param(request.GET, "year")
    records = RDFundRecord.objects.restrict(user).select_related("enterprise", "division")
    if year:
        records = records.filter(year=year)
    subsidy_year = year_param(request.GET, "subsidy_year", timezone.localdate().year - 1)
    unclaimed, subsidy_rules = services.unclaimed_subsidies(user, subsidy_year)
    return render(request, "supervision/funds.html", {
        "unclaimed": unclaimed, "subsidy_rules": subsidy_rules, "subsidy_year": subsidy_year,
        "summary": services.fund_summary(user, year), "records": records[:300], "year": year,
        "kinds": FundKind.choices, "can_edit": can(user, "supervision.funds.edit"), "this_year": timezone.localdate().year,
    })


# --------------------------------------------------------------------------- notice board

@capability_required("supervision.view")
def board(request):
    user = request.user
    if request.method == "POST":
        if not can(user, "supervision.board.post"):
            raise PermissionDenied(_("无权发布信息"))
        try:
            services.post_board(user, request.POST.get("title", ""), request.POST.get("body", ""))
        except ValidationError as exc:
            messages.error(request, _("未发布：") + _errors(exc))
        else:
            messages.success(request, _("已发布"))
        return redirect("supervision:board")
    return render(request, "supervision/board.html", {
        "posts": services.board_for(user).select_related("division", "posted_by")[:200],
        "can_post": can(user, "supervision.board.post"),
    })
