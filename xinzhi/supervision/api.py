"""JSON API of work coordination — mounted at ``/api/v1/supervision``: the ledger with each task's colour as of
a date, progress reports, 督办 notices (list, issue, acknowledge, answer, review). Reads go through
``restrict(request.auth)``; writes through ``services`` (capability and stored-record scope)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from xinzhi.accounts.permissions import require

from . import services
from .models import ProgressReport, SupervisionNotice, Task

router = Router(tags=["工作督办"])


MAX_ID = 2**63 - 1


def _bounded(year: int | None = None, as_of: dt.date | None = None) -> None:
    """Years and dates the platform knows (1990–2100): anything else is a 422, never a server error."""
    if year is not None and not 1990 <= year <= 2100:
        raise HttpError(422, "year 须在 1990—2100 之间")
    if as_of is not None and not 1990 <= as_of.year <= 2100:
        raise HttpError(422, "as_of 须在 1990—2100 年之间")


def _id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise HttpError(404, "未找到，或不在您的查看范围内")
    return value


def _invalid(exc: ValidationError):
    detail = "；".join(m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms)
    raise HttpError(422, detail)


class TaskOut(Schema):
    id: int
    year: int
    number: str
    title: str
    text: str
    group: str
    group_label: str
    lead_department: str
    co_departments: list[str]
    responsible_person: str
    division_code: str
    division_name: str
    deadline: dt.date
    milestones: list[dict]
    indicators: list[str]
    parent_id: int | None
    completed_on: dt.date | None
    colour: str
    colour_label: str
    reasons: list[str]
    schedule_percent: float | None
    last_report: str | None
    last_percent: int | None
    as_of: dt.date


def _task_out(row: services.TaskRow, as_of: dt.date) -> dict:
    t = row.task
    return {
        "id": t.pk, "year": t.year, "number": t.number, "title": t.title, "text": t.text, "group": t.group,
        "group_label": t.get_group_display(), "lead_department": t.lead_department,
        "co_departments": t.co_department_list, "responsible_person": t.responsible_person,
        "division_code": t.division_id, "division_name": t.division.name, "deadline": t.deadline,
        "milestones": t.milestones, "indicators": t.indicators, "parent_id": t.parent_id,
        "completed_on": t.completed_on, "colour": row.light.colour, "colour_label": row.light.label,
        "reasons": list(row.light.reasons), "schedule_percent": row.light.schedule, "last_report": row.last_period,
        "last_percent": row.percent, "as_of": as_of,
    }


@router.get("/tasks", response=list[TaskOut], summary="任务清单（含截至某日的亮灯）")
def list_tasks(request, year: int | None = None, group: str | None = None, colour: str | None = None,
               as_of: dt.date | None = None):
    require(request.auth, "supervision.view")
    _bounded(year, as_of)
    as_of = as_of or timezone.localdate()
    qs = Task.objects.restrict(request.auth).filter(year=year or as_of.year).select_related("division")
    if group:
        qs = qs.filter(group=group)
    rows = services.light_rows(qs.order_by("division_id", "id"), as_of)
    return [_task_out(r, as_of) for r in rows if not colour or r.light.colour == colour]


@router.get("/tasks/{task_id}", response=TaskOut, summary="任务详情")
def get_task(request, task_id: int, as_of: dt.date | None = None):
    require(request.auth, "supervision.view")
    _bounded(None, as_of)
    as_of = as_of or timezone.localdate()
    task = get_object_or_404(Task.objects.restrict(request.auth), pk=_id(task_id))
    return _task_out(services.light_rows(Task.objects.filter(pk=task.pk).select_related("division"), as_of)[0], as_of)


class ProgressOut(Schema):
    id: int
    task_id: int
    year: int
    month: int
    percent: int
    done: str
    problems: str
    next_steps: str
    completed: bool
    reported_at: dt.datetime
    attachments: list[str]

    @staticmethod
    def resolve_attachments(obj) -> list[str]:
        return [a.name for a in obj.attachments.all()]


class ProgressIn(Schema):
    year: int
    month: int
    percent: int
    done: str
    problems: str = ""
    next_steps: str = ""
    completed: bool = False


@router.get("/tasks/{task_id}/progress", response=list[ProgressOut], summary="任务月度进展")
def list_progress(request, task_id: int):
    require(request.auth, "supervision.view")
    task = get_object_or_404(Task.objects.restrict(request.auth), pk=_id(task_id))
    return ProgressReport.objects.restrict(request.auth).filter(task=task).prefetch_related("attachments")


@router.post("/tasks/{task_id}/progress", response={201: ProgressOut}, summary="报送月度进展")
def post_progress(request, task_id: int, payload: ProgressIn):
    task = get_object_or_404(Task.objects.restrict(request.auth, "change"), pk=_id(task_id))
    try:
        report = services.report_progress(request.auth, task, **payload.dict())
    except ValidationError as exc:
        _invalid(exc)
    return Status(201, report)


class NoticeOut(Schema):
    id: int
    task_id: int
    division_code: str
    subject: str
    requirement: str
    due_date: dt.date
    status: str
    status_label: str
    issued_at: dt.datetime
    acknowledged_at: dt.datetime | None
    answer: str
    answered_at: dt.datetime | None
    review_note: str
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_division_code(obj) -> str:
        return obj.division_id

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class NoticeIn(Schema):
    task_id: int
    division_code: str
    subject: str
    requirement: str
    due_date: dt.date


class AnswerIn(Schema):
    answer: str


class ReviewIn(Schema):
    accept: bool
    note: str = ""


@router.get("/notices", response=list[NoticeOut], summary="督办列表")
def list_notices(request, status: str | None = None, task_id: int | None = None):
    require(request.auth, "supervision.view")
    qs = SupervisionNotice.objects.restrict(request.auth)
    if status:
        qs = qs.filter(status=status)
    if task_id:
        qs = qs.filter(task_id=_id(task_id))
    return qs[:1000]


@router.post("/notices", response={201: NoticeOut}, summary="下发督办")
def post_notice(request, payload: NoticeIn):
    require(request.auth, "supervision.notice.issue")
    task = get_object_or_404(Task.objects.restrict(request.auth, "change"), pk=_id(payload.task_id))
    try:
        notice = services.issue_notice(request.auth, task, division_code=payload.division_code,
                                       subject=payload.subject, requirement=payload.requirement,
                                       due_date=payload.due_date)
    except ValidationError as exc:
        _invalid(exc)
    return Status(201, notice)


@router.post("/notices/{notice_id}/acknowledge", response=NoticeOut, summary="签收督办")
def acknowledge(request, notice_id: int):
    try:
        return services.acknowledge_notice(request.auth, _id(notice_id))
    except ValidationError as exc:
        _invalid(exc)


@router.post("/notices/{notice_id}/answer", response=NoticeOut, summary="反馈督办办理情况")
def answer(request, notice_id: int, payload: AnswerIn):
    try:
        return services.answer_notice(request.auth, _id(notice_id), payload.answer)
    except ValidationError as exc:
        _invalid(exc)


@router.post("/notices/{notice_id}/review", response=NoticeOut, summary="审核督办（办结或退回）")
def review(request, notice_id: int, payload: ReviewIn):
    try:
        return services.review_notice(request.auth, _id(notice_id), accept=payload.accept, note=payload.note)
    except ValidationError as exc:
        _invalid(exc)


# --------------------------------------------------------------------------- activities, cases, funds, board

class ActivityOut(Schema):
    id: int
    division_code: str
    held_on: dt.date
    title: str
    kind: str
    kind_label: str
    organiser: str
    chain: str
    participants: int
    enterprises: int
    agreements: int
    problems_posted: int
    outcome: str

    @staticmethod
    def resolve_division_code(obj) -> str:
        return obj.division_id

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class ActivityIn(Schema):
    division_code: str | None = None
    held_on: dt.date
    title: str
    kind: str
    organiser: str
    chain: str = ""
    participants: int = 0
    enterprises: int = 0
    agreements: int = 0
    problems_posted: int = 0
    outcome: str = ""


class CoverageOut(Schema):
    code: str
    name: str
    counts: list[int]
    states: list[str]
    missed_months: list[int]


@router.get("/activities", response=list[ActivityOut], summary="科技创新活动")
def list_activities(request, year: int | None = None, kind: str | None = None):
    from .models import Activity

    require(request.auth, "supervision.view")
    _bounded(year)
    qs = Activity.objects.restrict(request.auth).filter(held_on__year=year or timezone.localdate().year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs[:2000]


@router.post("/activities", response={201: ActivityOut}, summary="录入科技创新活动")
def post_activity(request, payload: ActivityIn):
    try:
        return Status(201, services.record_activity(request.auth, **payload.dict()))
    except ValidationError as exc:
        _invalid(exc)


@router.get("/activities/coverage", response=list[CoverageOut], summary="“月月有”检查（截至某日）")
def activity_coverage(request, year: int | None = None, as_of: dt.date | None = None):
    require(request.auth, "supervision.view")
    _bounded(year, as_of)
    as_of = as_of or timezone.localdate()
    rows, names = services.activity_coverage(request.auth, year or as_of.year, as_of)
    return [{"code": r.code, "name": names[r.code], "counts": [n for _, n, _ in r.cells],
             "states": [s for _, _, s in r.cells], "missed_months": r.missed} for r in rows]


class CaseOut(Schema):
    id: int
    division_code: str
    title: str
    theme: str
    theme_label: str
    task_number: str
    problem: str
    measures: str
    results: str
    replicability: str
    status: str
    submitted_at: dt.datetime
    published_at: dt.datetime | None

    @staticmethod
    def resolve_division_code(obj) -> str:
        return obj.division_id

    @staticmethod
    def resolve_theme_label(obj) -> str:
        return obj.get_theme_display()


class CaseIn(Schema):
    title: str
    theme: str
    task_number: str = ""
    problem: str
    measures: str
    results: str
    replicability: str = ""


@router.get("/cases", response=list[CaseOut], summary="典型案例（本地区及下级的案例和全部已发布案例）")
def list_cases(request, theme: str | None = None, q: str | None = None, status: str | None = None):
    from django.db.models import Q

    require(request.auth, "supervision.view")
    qs = services.visible_cases(request.auth)
    if theme:
        qs = qs.filter(theme=theme)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(measures__contains=q) | Q(results__contains=q))
    return qs[:1000]


@router.post("/cases", response={201: CaseOut}, summary="报送典型案例")
def post_case(request, payload: CaseIn):
    try:
        return Status(201, services.submit_case(request.auth, **payload.dict()))
    except ValidationError as exc:
        _invalid(exc)


class FundSummaryOut(Schema):
    year: int
    city: str
    city_name: str
    reserve_enterprises: int
    reserve_amount: int
    subsidy_enterprises: int
    subsidy_amount: int


@router.get("/funds/summary", response=list[FundSummaryOut], summary="研发准备金与后补助：按设区市、年度的企业数和金额（元）")
def fund_summary(request, year: int | None = None):
    require(request.auth, "supervision.view")
    _bounded(year)
    return services.fund_summary(request.auth, year)
