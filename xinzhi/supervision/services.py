"""Domain operations of work coordination: the ledger (load the year's default ledger, add, split), monthly
progress, the colour of each task as of a date, and the 督办 workflow. Every write checks the stored
record's scope and is audited (django-auditlog, registered in ``apps.py``)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from xinzhi.accounts.permissions import require
from xinzhi.core.scope import region_prefix
from xinzhi.regions.models import Division

from . import rules
from .models import Attachment, NoticeStatus, ProgressReport, SupervisionNotice, Task, TaskGroup, TaskSource

DATA = Path(__file__).with_name("data")
PROVINCE_CODE = "330000"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


# --------------------------------------------------------------------------- the ledger

def ledger_file(year: int) -> Path:
    return DATA / f"ledger_{year}.toml"


def read_default_ledger(year: int) -> dict:
    """The year's default ledger as shipped (``data/ledger_<year>.toml``); ``ValueError`` if there is none."""
    path = ledger_file(year)
    if not path.exists():
        raise ValueError(f"没有{year}年度的默认任务清单")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = set(TaskGroup.values)
    for i, t in enumerate(data["tasks"], 1):
        for key in ("number", "title", "text", "group"):
            if not str(t.get(key, "")).strip():
                raise ValueError(f"默认任务清单第{i}项缺少字段 {key}")
        if t["group"] not in groups:
            raise ValueError(f"默认任务清单第{i}项的工作组 {t['group']} 不存在")
    return data


@transaction.atomic
def load_default_ledger(user, year: int) -> int:
    """Create the province's tasks of the year from the default ledger; tasks already there are kept as they
    are (so province staff's edits survive). Returns the number created."""
    require(user, "supervision.task.edit")
    if user.role != "province_staff" and not user.is_superuser:
        raise PermissionDenied("只有省级工作人员可以载入年度任务清单")
    data = read_default_ledger(year)
    existing = set(Task.objects.filter(year=year, division_id=PROVINCE_CODE).values_list("number", flat=True))
    start, deadline = dt.date(year, 1, 1), data["default_deadline"]
    created = 0
    for t in data["tasks"]:
        if t["number"] in existing:
            continue
        Task.objects.create(  # one by one: a few dozen rows, each audited
            year=year, number=t["number"], title=t["title"], text=t["text"], group=t["group"],
            lead_department=t.get("lead", data["default_lead"]), co_departments="、".join(t.get("co_departments", [])),
            division_id=PROVINCE_CODE, start_date=start, deadline=t.get("deadline", deadline),
            milestones=[{"date": m["date"].isoformat(), "text": m["text"]} for m in t.get("milestones", [])],
            indicators=list(t.get("indicators", [])), source=TaskSource.SEED, created_by=user,
        )
        created += 1
    return created


def _check_below(user, division: Division) -> None:
    """A task may be split only to a region below the user's own (province → city/county, city → its counties)."""
    if user.is_superuser and user.role == "province_staff":
        return
    prefix = region_prefix(user.division_id)
    if division.code == user.division_id or not division.code.startswith(prefix):
        raise PermissionDenied("只能分解到本级以下的地区")


@transaction.atomic
def split_task(user, parent: Task, division_code: str, text: str = "", deadline: dt.date | None = None,
               responsible_person: str = "") -> Task:
    """Split a task to a city or county (分解下达): a child task of the same number for that region."""
    require(user, "supervision.task.edit")
    if not Task.objects.restrict(user, "change").filter(pk=parent.pk).exists():
        raise PermissionDenied("该任务不在您的管理范围内")
    division = Division.objects.filter(code=division_code).first()
    if division is None or division.level not in ("city", "county"):
        raise ValidationError("请选择设区市或县（市、区）")
    _check_below(user, division)
    if not division.code.startswith(region_prefix(parent.division_id)) or division.code == parent.division_id:
        raise ValidationError("只能分解到上级任务责任地区的下级")
    if Task.objects.filter(year=parent.year, division=division, number=parent.number).exists():
        raise ValidationError(f"该任务已分解到{division.name}")
    deadline = deadline or parent.deadline
    if deadline > parent.deadline:
        raise ValidationError("分解任务的完成时限不能晚于上级任务")
    return Task.objects.create(
        year=parent.year, number=parent.number, title=parent.title, text=text.strip() or parent.text,
        group=parent.group, lead_department=parent.lead_department, co_departments=parent.co_departments,
        responsible_person=responsible_person.strip(), division=division, start_date=parent.start_date,
        deadline=deadline, milestones=parent.milestones, indicators=parent.indicators, parent=parent,
        source=TaskSource.SPLIT, created_by=user,
    )


@transaction.atomic
def create_task(user, *, year: int, number: str, title: str, text: str, group: str, lead_department: str,
                deadline: dt.date, co_departments: str = "", responsible_person: str = "",
                division_code: str | None = None) -> Task:
    """Add a task to the ledger of the user's own region."""
    require(user, "supervision.task.edit")
    division_code = division_code or user.division_id
    if not str(division_code).startswith(region_prefix(user.division_id)):
        raise PermissionDenied("只能为本地区添加任务")
    errors = {}
    if not number.strip():
        errors["number"] = "请填写序号"
    if not title.strip():
        errors["title"] = "请填写任务名称"
    if not text.strip():
        errors["text"] = "请填写任务内容"
    if group not in TaskGroup.values:
        errors["group"] = "请选择专班工作组"
    if not lead_department.strip():
        errors["lead_department"] = "请填写牵头单位"
    if deadline.year != year:
        errors["deadline"] = "完成时限须在任务年度内"
    if Task.objects.filter(year=year, division_id=division_code, number=number.strip()).exists():
        errors["number"] = f"{year}年已有序号为{number.strip()}的任务"
    if errors:
        raise ValidationError(errors)
    return Task.objects.create(
        year=year, number=number.strip(), title=title.strip(), text=text.strip(), group=group,
        lead_department=lead_department.strip(), co_departments=co_departments.strip(),
        responsible_person=responsible_person.strip(), division_id=division_code, start_date=dt.date(year, 1, 1),
        deadline=deadline, created_by=user,
    )


# --------------------------------------------------------------------------- colours as of a date

@dataclass(frozen=True)
class TaskRow:
    task: Task
    light: rules.Light
    last_period: str | None
    percent: int | None


def with_latest_report(qs, as_of: dt.date):
    """Annotate each task with its latest progress report filed on or before ``as_of`` (one query)."""
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    latest = ProgressReport.objects.filter(task=OuterRef("pk"), reported_at__lt=end).order_by("-year", "-month", "-id")
    return qs.annotate(
        last_year=Subquery(latest.values("year")[:1]), last_month=Subquery(latest.values("month")[:1]),
        last_percent=Subquery(latest.values("percent")[:1]),
    )


def light_rows(qs, as_of: dt.date, params: rules.Parameters | None = None) -> list[TaskRow]:
    params = params or rules.load_parameters()
    out = []
    for task in with_latest_report(qs, as_of):
        last = (task.last_year, task.last_month) if task.last_year else None
        facts = rules.TaskFacts(start=task.start_date, deadline=task.deadline, completed_on=task.completed_on,
                                last_report=last, percent=task.last_percent)
        out.append(TaskRow(task, rules.evaluate(facts, as_of, params),
                           f"{last[0]}-{last[1]:02d}" if last else None, task.last_percent))
    return out


def colour_counts(rows: list[TaskRow]) -> dict[str, int]:
    counts = dict.fromkeys(rules.SEVERITY, 0)
    for r in rows:
        counts[r.light.colour] += 1
    return counts


# --------------------------------------------------------------------------- monthly progress

@transaction.atomic
def report_progress(user, task: Task, *, year: int, month: int, percent: int, done: str, problems: str = "",
                    next_steps: str = "", completed: bool = False, files=()) -> ProgressReport:
    """The responsible region reports a month's progress (one report per task and month)."""
    require(user, "supervision.progress.report", task)
    if not Task.objects.restrict(user, "change").filter(pk=task.pk).exists():
        raise PermissionDenied("该任务不在您的管理范围内")
    errors = {}
    today = timezone.localdate()
    if not 1 <= month <= 12:
        errors["month"] = "月份须在1至12之间"
    elif (year, month) > (today.year, today.month):
        errors["month"] = "不能报送未来月份的进展"
    elif year != task.year:
        errors["month"] = f"只能报送{task.year}年度的进展"
    if not 0 <= percent <= 100:
        errors["percent"] = "完成进度须在0至100之间"
    if completed and percent != 100:
        errors["percent"] = "任务已完成时完成进度须为100"
    if not done.strip():
        errors["done"] = "请填写已完成工作"
    if ProgressReport.objects.filter(task=task, year=year, month=month).exists():
        errors["month"] = f"{year}年{month}月的进展已报送"
    for f in files:
        if f.size > MAX_ATTACHMENT_BYTES:
            errors["attachments"] = f"附件“{f.name}”超过10MB"
    if errors:
        raise ValidationError(errors)
    report = ProgressReport.objects.create(
        task=task, year=year, month=month, percent=percent, done=done.strip(), problems=problems.strip(),
        next_steps=next_steps.strip(), completed=completed, reported_by=user,
    )
    for f in files:
        Attachment.objects.create(report=report, name=f.name[:200], content_type=f.content_type or "application/octet-stream",
                                  size=f.size, data=f.read())
    if completed and task.completed_on is None:
        task.completed_on = today
        task.save(update_fields=["completed_on"])
    return report


# --------------------------------------------------------------------------- 督办

def _stored_notice(user, notice_id: int, action: str = "change") -> SupervisionNotice:
    notice = SupervisionNotice.objects.restrict(user, action).filter(pk=notice_id).select_related("task").first()
    if notice is None:
        raise PermissionDenied("该督办不在您的办理范围内")
    return notice


@transaction.atomic
def issue_notice(user, task: Task, *, division_code: str, subject: str, requirement: str,
                 due_date: dt.date) -> SupervisionNotice:
    """Province staff issue a 督办 notice on a task to its responsible region or a region it was split to."""
    require(user, "supervision.notice.issue")
    if not Task.objects.restrict(user, "change").filter(pk=task.pk).exists():
        raise PermissionDenied("该任务不在您的管理范围内")
    allowed = {task.division_id} | set(task.splits.values_list("division_id", flat=True))
    errors = {}
    if division_code not in allowed:
        errors["division"] = "督办对象须为该任务的责任地区或分解到的地区"
    if not subject.strip():
        errors["subject"] = "请填写督办事项"
    if not requirement.strip():
        errors["requirement"] = "请填写督办要求"
    if due_date < timezone.localdate():
        errors["due_date"] = "反馈时限不能早于今天"
    if errors:
        raise ValidationError(errors)
    return SupervisionNotice.objects.create(
        task=task, division_id=division_code, subject=subject.strip(), requirement=requirement.strip(),
        due_date=due_date, issued_by=user,
    )


@transaction.atomic
def acknowledge_notice(user, notice_id: int) -> SupervisionNotice:
    notice = _stored_notice(user, notice_id)
    require(user, "supervision.notice.answer", notice)
    if notice.status != NoticeStatus.ISSUED:
        raise ValidationError("该督办已签收")
    notice.status, notice.acknowledged_by, notice.acknowledged_at = NoticeStatus.ACKNOWLEDGED, user, timezone.now()
    notice.save()
    return notice


@transaction.atomic
def answer_notice(user, notice_id: int, answer: str) -> SupervisionNotice:
    """The receiver reports back (反馈); a notice returned for rework may be answered again."""
    notice = _stored_notice(user, notice_id)
    require(user, "supervision.notice.answer", notice)
    if notice.status not in (NoticeStatus.ACKNOWLEDGED, NoticeStatus.RETURNED):
        raise ValidationError("请先签收督办，已反馈或已办结的督办不能再反馈")
    if not answer.strip():
        raise ValidationError({"answer": "请填写办理情况"})
    notice.status, notice.answer = NoticeStatus.ANSWERED, answer.strip()
    notice.answered_by, notice.answered_at = user, timezone.now()
    notice.save()
    return notice


@transaction.atomic
def review_notice(user, notice_id: int, *, accept: bool, note: str = "") -> SupervisionNotice:
    """Province staff close the notice (办结) or return it for rework (退回, with a reason)."""
    require(user, "supervision.notice.issue")
    notice = _stored_notice(user, notice_id)
    if notice.status != NoticeStatus.ANSWERED:
        raise ValidationError("只有已反馈的督办可以审核")
    if not accept and not note.strip():
        raise ValidationError({"review_note": "退回时请说明理由"})
    notice.review_note = note.strip()
    if accept:
        notice.status, notice.closed_at = NoticeStatus.CLOSED, timezone.now()
    else:
        notice.status = NoticeStatus.RETURNED
    notice.save()
    return notice


def open_notices(user):
    """Notices addressed to the user's own region and not yet answered."""
    return SupervisionNotice.objects.restrict(user).filter(
        division_id=user.division_id, status__in=(NoticeStatus.ISSUED, NoticeStatus.ACKNOWLEDGED, NoticeStatus.RETURNED),
    ).select_related("task")




# --------------------------------------------------------------------------- linked indicators

def indicator_ratings(user, task: Task, as_of: dt.date) -> list[dict]:
    """The latest rating (红黄蓝) of each indicator the task is measured by, for the task's region, as of the
    month of ``as_of`` (the monitoring snapshots; nothing is computed here)."""
    from xinzhi.monitoring.catalogue import load_catalogue
    from xinzhi.monitoring.models import IndicatorValue

    if not task.indicators:
        return []
    catalogue = load_catalogue()
    values = (IndicatorValue.objects.restrict(user)
              .filter(indicator__in=task.indicators, region=task.division_id)
              .filter(Q(year__lt=as_of.year) | Q(year=as_of.year, month__lte=as_of.month))
              .order_by("indicator", "-year", "-month")
              .values("indicator", "year", "month", "rating", "value_text", "display_unit", "rating_reason"))
    latest: dict[str, dict] = {}
    for v in values:
        latest.setdefault(v["indicator"], v)
    out = []
    for code in task.indicators:
        ind = catalogue.indicators.get(code)
        out.append({"code": code, "name": ind.short_zh or ind.name_zh if ind else code, **(latest.get(code) or {})})
    return out
