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
#: the monitoring ratings (红黄蓝) as users read them
RATING_ZH = {"blue": "蓝", "yellow": "黄", "red": "红", "grey": "灰"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


# --------------------------------------------------------------------------- input limits

MAX_COUNT = 10_000_000  # a plausibility limit of the platform (core.inputs), not an official figure


def length_errors(model, fields: dict) -> dict[str, str]:
    """Text longer than the model's column allows: refused with the field's name, never a database error."""
    errors = {}
    for key, value in fields.items():
        try:
            field = model._meta.get_field(key)
        except Exception:  # noqa: BLE001 - not a model field (e.g. division_code)
            continue
        if isinstance(value, str) and getattr(field, "max_length", None) and len(value.strip()) > field.max_length:
            errors[key] = f"{field.verbose_name}不能超过{field.max_length}个字符"
    return errors


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
    return len(create_default_ledger(year, user))


def create_default_ledger(year: int, user=None) -> list[Task]:
    """The default ledger's tasks not yet in the province's ledger, created one by one (audited)."""
    data = read_default_ledger(year)
    existing = set(Task.objects.filter(year=year, division_id=PROVINCE_CODE).values_list("number", flat=True))
    start, deadline = dt.date(year, 1, 1), data["default_deadline"]
    created = []
    for t in data["tasks"]:
        if t["number"] in existing:
            continue
        created.append(Task.objects.create(  # a few dozen rows, each audited
            year=year, number=t["number"], title=t["title"], text=t["text"], group=t["group"],
            lead_department=t.get("lead", data["default_lead"]), co_departments="、".join(t.get("co_departments", [])),
            division_id=PROVINCE_CODE, start_date=start, deadline=t.get("deadline", deadline),
            milestones=[{"date": m["date"].isoformat(), "text": m["text"]} for m in t.get("milestones", [])],
            indicators=list(t.get("indicators", [])), source=TaskSource.SEED, created_by=user,
        ))
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
    if len(responsible_person.strip()) > 50:
        raise ValidationError({"responsible_person": "责任人不能超过50个字符"})
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
    errors.update(length_errors(Task, {"number": number, "title": title, "lead_department": lead_department,
                                       "co_departments": co_departments, "responsible_person": responsible_person}))
    if errors:
        raise ValidationError(errors)
    return Task.objects.create(
        year=year, number=number.strip(), title=title.strip(), text=text.strip(), group=group,
        lead_department=lead_department.strip(), co_departments=co_departments.strip(),
        responsible_person=responsible_person.strip(), division_id=division_code, start_date=dt.date(year, 1, 1),
        deadline=deadline, created_by=user,
    )


EDITABLE = ("title", "text", "group", "lead_department", "co_departments", "responsible_person", "deadline",
            "milestones")


@transaction.atomic
def update_task(user, task_id: int, **fields) -> Task:
    """Edit a task of the user's region (e.g. confirm the default ledger's lead unit, deadline, milestones);
    scope is checked on the stored record, the change is audited. A split's deadline stays within its
    parent's; a parent's deadline cannot move before its splits'."""
    require(user, "supervision.task.edit")
    task = Task.objects.restrict(user, "change").filter(pk=task_id).select_related("parent").first()
    if task is None:
        raise PermissionDenied("该任务不在您的管理范围内")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"不能修改：{'、'.join(sorted(unknown))}")
    errors = {}
    for key in ("title", "text", "lead_department"):
        if key in fields and not str(fields[key]).strip():
            errors[key] = "不能为空"
    if "group" in fields and fields["group"] not in TaskGroup.values:
        errors["group"] = "请选择专班工作组"
    errors.update(length_errors(Task, fields))
    deadline = fields.get("deadline", task.deadline)
    if deadline.year != task.year:
        errors["deadline"] = "完成时限须在任务年度内"
    elif task.parent is not None and deadline > task.parent.deadline:
        errors["deadline"] = "分解任务的完成时限不能晚于上级任务"
    elif task.splits.filter(deadline__gt=deadline).exists():
        errors["deadline"] = "不能早于已分解任务的完成时限"
    for i, m in enumerate(fields.get("milestones") or [], 1):
        try:
            day = dt.date.fromisoformat(str(m.get("date", "")))
        except ValueError:
            errors["milestones"] = f"第{i}个节点的日期格式应为YYYY-MM-DD"
            break
        if not str(m.get("text", "")).strip() or day.year != task.year:
            errors["milestones"] = f"第{i}个节点须有内容，日期须在任务年度内"
            break
    if errors:
        raise ValidationError(errors)
    for key, value in fields.items():
        setattr(task, key, value.strip() if isinstance(value, str) else value)
    task.save()
    return task


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
    elif due_date.year > 2100:
        errors["due_date"] = "反馈时限须在2100年以前"
    errors.update(length_errors(SupervisionNotice, {"subject": subject}))
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

def indicator_badges(user, tasks: list[Task], as_of: dt.date) -> dict[int, list[dict]]:
    """For the ledger: per task, the latest rating of each linked indicator for the task's region as of the
    month of ``as_of`` — one query over the monitoring snapshots for every task at once."""
    from xinzhi.monitoring.catalogue import load_catalogue
    from xinzhi.monitoring.models import IndicatorValue

    codes = {c for t in tasks for c in t.indicators}
    if not codes:
        return {}
    regions = {t.division_id for t in tasks if t.indicators}
    values = (IndicatorValue.objects.restrict(user).filter(indicator__in=codes, region__in=regions)
              .filter(Q(year__lt=as_of.year) | Q(year=as_of.year, month__lte=as_of.month))
              .order_by("indicator", "region", "-year", "-month").values_list("indicator", "region", "rating"))
    latest: dict[tuple[str, str], str] = {}
    for indicator, region, rating in values:
        latest.setdefault((indicator, region), rating)
    catalogue = load_catalogue()
    out: dict[int, list[dict]] = {}
    for t in tasks:
        badges = []
        for code in t.indicators:
            rating = latest.get((code, t.division_id))
            if rating:
                ind = catalogue.indicators.get(code)
                badges.append({"name": (ind.short_zh or ind.name_zh) if ind else code, "rating": rating,
                               "label": RATING_ZH.get(rating, "")})
        if badges:
            out[t.pk] = badges
    return out


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
        row = {"code": code, "name": ind.short_zh or ind.name_zh if ind else code, **(latest.get(code) or {})}
        row["rating_label"] = RATING_ZH.get(row.get("rating") or "", "")
        out.append(row)
    return out


# --------------------------------------------------------------------------- activities (task 10)

def _in_region(user, division_code: str) -> None:
    if user.is_superuser and user.role == "province_staff":
        return
    if not user.division_id or not str(division_code).startswith(region_prefix(user.division_id)):
        raise PermissionDenied("只能为本地区及下级地区录入")


def validate_activity(fields: dict) -> dict[str, str]:
    from .models import Activity, ActivityKind

    errors = {}
    for key, label in (("title", "活动名称"), ("organiser", "主办单位")):
        if not str(fields.get(key) or "").strip():
            errors[key] = f"请填写{label}"
    if fields.get("kind") not in ActivityKind.values:
        errors["kind"] = "请选择活动类型"
    if not isinstance(fields.get("held_on"), dt.date):
        errors["held_on"] = "举办日期格式应为YYYY-MM-DD"
    elif fields["held_on"] > timezone.localdate():
        errors["held_on"] = "不能录入尚未举办的活动"
    for key in ("participants", "enterprises", "agreements", "problems_posted"):
        value = fields.get(key) or 0
        if not isinstance(value, int) or value < 0 or value > MAX_COUNT:
            errors[key] = f"须为0至{MAX_COUNT}之间的整数"
    errors.update(length_errors(Activity, fields))
    return errors


@transaction.atomic
def record_activity(user, **fields):
    from .models import Activity

    require(user, "supervision.activity.edit")
    division_code = fields.pop("division_code", None) or user.division_id
    _in_region(user, division_code)
    if not Division.objects.filter(code=division_code).exists():
        raise ValidationError({"division": "地区代码不存在"})
    errors = validate_activity(fields)
    if errors:
        raise ValidationError(errors)
    return Activity.objects.create(division_id=division_code, created_by=user,
                                   **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()})


def coverage_units(user) -> list[Division]:
    """Whose months are checked: the cities for the province, a city and its counties for a city, a county itself."""
    code = user.division_id or PROVINCE_CODE
    division = Division.objects.get(code=code)
    if division.level == "province":
        return list(Division.objects.filter(level="city").order_by("code"))
    if division.level == "city":
        return [division, *Division.objects.filter(parent_id=code, level="county").order_by("code")]
    return [division]


def activity_coverage(user, year: int, as_of: dt.date):
    """Activities per unit and month (SQL aggregates) and the 月月有 check as of ``as_of``."""
    from django.db.models import Count
    from django.db.models.functions import ExtractMonth, Substr

    from . import coverage
    from .models import Activity

    units = coverage_units(user)
    qs = Activity.objects.restrict(user).filter(held_on__year=year, held_on__lte=as_of)
    counts: dict[tuple[str, int], int] = {}
    by_city = (qs.annotate(city=Substr("division_id", 1, 4), m=ExtractMonth("held_on"))
               .values("city", "m").annotate(n=Count("id")))
    for row in by_city:
        counts[(row["city"] + "00", row["m"])] = row["n"]
    if any(u.level == "county" for u in units):
        for row in qs.annotate(m=ExtractMonth("held_on")).values("division_id", "m").annotate(n=Count("id")):
            if row["division_id"][4:] != "00":
                counts[(row["division_id"], row["m"])] = counts.get((row["division_id"], row["m"]), 0) + row["n"]
    rows = coverage.coverage(counts, [u.code for u in units], year, as_of)
    names = {u.code: u.name for u in units}
    return rows, names


# --------------------------------------------------------------------------- typical cases

CASE_FIELDS = ("title", "theme", "task_number", "problem", "measures", "results", "replicability")


def _case_errors(fields: dict) -> dict[str, str]:
    from .models import CaseTheme, TypicalCase

    errors = {}
    for key, label in (("title", "标题"), ("problem", "背景与问题"), ("measures", "主要做法"), ("results", "取得成效")):
        if not str(fields.get(key) or "").strip():
            errors[key] = f"请填写{label}"
    if fields.get("theme") not in CaseTheme.values:
        errors["theme"] = "请选择主题"
    errors.update(length_errors(TypicalCase, fields))
    return errors


@transaction.atomic
def submit_case(user, **fields):
    from .models import TypicalCase

    require(user, "supervision.case.submit")
    errors = _case_errors(fields)
    if errors:
        raise ValidationError(errors)
    return TypicalCase.objects.create(division_id=user.division_id, submitted_by=user,
                                      **{k: str(fields.get(k) or "").strip() for k in CASE_FIELDS})


@transaction.atomic
def review_case(user, case_id: int, action: str, note: str = "", edits: dict | None = None):
    """Province staff select (with edits), decline or publish a case; a published case is shared with all."""
    from .models import CaseStatus, TypicalCase

    require(user, "supervision.case.publish")
    case = TypicalCase.objects.restrict(user, "change").filter(pk=case_id).first()
    if case is None:
        raise PermissionDenied("该案例不在您的管理范围内")
    allowed = {"select": (CaseStatus.SUBMITTED, CaseStatus.SELECTED), "decline": (CaseStatus.SUBMITTED, CaseStatus.SELECTED),
               "publish": (CaseStatus.SELECTED,)}
    if action not in allowed:
        raise ValidationError("未知操作")
    if case.status not in allowed[action]:
        raise ValidationError("当前状态下不能执行该操作（发布前须先入选）")
    if edits:
        merged = {k: edits.get(k, getattr(case, k)) for k in CASE_FIELDS}
        errors = _case_errors(merged)
        if errors:
            raise ValidationError(errors)
        for k, v in merged.items():
            setattr(case, k, str(v or "").strip())
    case.review_note = note.strip() or case.review_note
    case.status = {"select": CaseStatus.SELECTED, "decline": CaseStatus.DECLINED, "publish": CaseStatus.PUBLISHED}[action]
    if action == "publish":
        case.published_at = timezone.now()
    case.save()
    return case


def visible_cases(user):
    """Cases of the user's region and below in any state, and every published case (the shared library)."""
    from .models import CaseStatus, TypicalCase

    if user.role not in ("province_staff", "city_staff", "county_staff", "leader") and not user.is_superuser:
        return TypicalCase.objects.none()
    return TypicalCase.objects.filter(Q(pk__in=TypicalCase.objects.restrict(user).values("pk"))
                                      | Q(status=CaseStatus.PUBLISHED))


# --------------------------------------------------------------------------- R&D reserve funds, post-subsidies

@transaction.atomic
def record_fund(user, enterprise, *, kind: str, year: int, amount: int, basis: str, paid_on: dt.date | None = None):
    from .models import FundKind, RDFundRecord

    require(user, "supervision.funds.edit", enterprise)
    errors = {}
    if kind not in FundKind.values:
        errors["kind"] = "请选择类型（研发准备金或研发投入后补助）"
    if not 2000 <= year <= timezone.localdate().year:
        errors["year"] = "年度须在2000年至今年之间"
    if not isinstance(amount, int) or amount <= 0 or amount > 10**15:
        errors["amount"] = "金额须为正整数（元），且不超过10^15元"
    if len(basis.strip()) > 300:
        errors["basis"] = "依据不能超过300个字符"
    if not basis.strip():
        errors["basis"] = "请填写依据（政策文件或制度名称）"
    if kind == FundKind.RESERVE and paid_on is not None:
        errors["paid_on"] = "研发准备金不填拨付日期"
    if RDFundRecord.objects.filter(enterprise=enterprise, kind=kind, year=year, basis=basis.strip()).exists():
        errors["year"] = f"该企业{year}年已有同一依据的记录"
    if errors:
        raise ValidationError(errors)
    return RDFundRecord.objects.create(enterprise=enterprise, division_id=enterprise.division_id, kind=kind, year=year,
                                       amount=amount, basis=basis.strip(), paid_on=paid_on, created_by=user)


def fund_summary(user, year: int | None = None) -> list[dict]:
    """Counts of enterprises and amounts by city, year and kind (one SQL aggregate)."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Substr

    from .models import FundKind, RDFundRecord

    qs = RDFundRecord.objects.restrict(user)
    if year:
        qs = qs.filter(year=year)
    rows = (qs.annotate(city=Substr("division_id", 1, 4)).values("city", "year", "kind")
            .annotate(enterprises=Count("enterprise", distinct=True), amount=Sum("amount")).order_by("year", "city"))
    names = dict(Division.objects.filter(level="city").values_list("code", "name"))
    table: dict[tuple[int, str], dict] = {}
    for r in rows:
        key = (r["year"], r["city"] + "00")
        entry = table.setdefault(key, {"year": r["year"], "city": key[1], "city_name": names.get(key[1], key[1]),
                                       "reserve_enterprises": 0, "reserve_amount": 0,
                                       "subsidy_enterprises": 0, "subsidy_amount": 0})
        prefix = "reserve" if r["kind"] == FundKind.RESERVE else "subsidy"
        entry[f"{prefix}_enterprises"] += r["enterprises"]
        entry[f"{prefix}_amount"] += r["amount"]
    return list(table.values())


# --------------------------------------------------------------------------- notice board

def _ancestors(code: str) -> list[str]:
    out = []
    if code and not code.endswith("0000"):
        out.append(code[:2] + "0000")
        if not code.endswith("00"):
            out.append(code[:4] + "00")
    return out


def board_for(user):
    """Posts of the user's region and below (``restrict``) and of the regions above it."""
    from .models import BoardPost

    if user.role not in ("province_staff", "city_staff", "county_staff", "leader") and not user.is_superuser:
        return BoardPost.objects.none()
    return BoardPost.objects.filter(Q(pk__in=BoardPost.objects.restrict(user).values("pk"))
                                    | Q(division_id__in=_ancestors(user.division_id or "")))


@transaction.atomic
def post_board(user, title: str, body: str):
    from .models import BoardPost

    require(user, "supervision.board.post")
    errors = {}
    if not title.strip():
        errors["title"] = "请填写标题"
    if not body.strip():
        errors["body"] = "请填写内容"
    errors.update(length_errors(BoardPost, {"title": title}))
    if errors:
        raise ValidationError(errors)
    return BoardPost.objects.create(division_id=user.division_id, title=title.strip(), body=body.strip(), posted_by=user)


# --------------------------------------------------------------------------- 应享尽享: local post-subsidies

def unclaimed_subsidies(user, year: int) -> tuple[list[dict], list[dict]]:
    """Enterprises in the user's scope that meet a local post-subsidy rule for ``year`` (R&D expense of the
    December filing, qualifications on 31 December) and have no post-subsidy recorded for that year.
    Returns (rows, rules). Columnar: three restricted queries into Polars, the rules in ``subsidy``."""
    import polars as pl

    from xinzhi.cultivation.models import Certification
    from xinzhi.enterprises.models import Enterprise, EnterpriseYear, MonthlyStat
    from xinzhi.policy.params import load_parameters
    from xinzhi.policy.validity import holders

    from . import subsidy
    from .models import FundKind, RDFundRecord

    rules = subsidy.load_rules()
    stats = pl.DataFrame(list(MonthlyStat.objects.restrict(user).filter(month=12, year__in=(year - 1, year))
                              .values("enterprise_id", "year", "rd_expense", "revenue")),
                         schema={"enterprise_id": pl.Int64, "year": pl.Int64, "rd_expense": pl.Int64,
                                 "revenue": pl.Int64})
    if stats.height == 0:
        return [], rules
    this = stats.filter(pl.col("year") == year).select("enterprise_id", pl.col("rd_expense").alias("rd"), "revenue")
    last = stats.filter(pl.col("year") == year - 1).select("enterprise_id", pl.col("rd_expense").alias("rd_last"))
    ids = this["enterprise_id"].to_list()
    enterprises = pl.DataFrame(list(Enterprise.objects.restrict(user).filter(pk__in=ids)
                                    .values("id", "name", "division_id")),
                               schema={"id": pl.Int64, "name": pl.String, "division_id": pl.String}).rename(
        {"id": "enterprise_id", "division_id": "division_code"})
    above = set(EnterpriseYear.objects.restrict(user).filter(year=year, above_scale=True, enterprise_id__in=ids)
                .values_list("enterprise_id", flat=True))
    certs = pl.DataFrame(list(Certification.objects.restrict(user).filter(enterprise_id__in=ids, program__in=(
        "hte", "tech_sme")).values("enterprise_id", "program", "year", "issued_on", "expires_on")),
        schema={"enterprise_id": pl.Int64, "program": pl.String, "year": pl.Int64, "issued_on": pl.Date,
                "expires_on": pl.Date})
    hte = holders(certs, dt.date(year, 12, 31), load_parameters())["enterprise_id"]
    tech_sme = certs.filter((pl.col("program") == "tech_sme") & (pl.col("year") == year))["enterprise_id"]
    frame = (this.join(last, on="enterprise_id", how="left").join(enterprises, on="enterprise_id", how="inner")
             .with_columns(pl.col("enterprise_id").is_in(list(above)).alias("above_scale"),
                           pl.col("enterprise_id").is_in(hte.implode()).alias("hte"),
                           pl.col("enterprise_id").is_in(tech_sme.implode()).alias("tech_sme")))
    met = subsidy.eligible(frame, rules)
    covered = set(RDFundRecord.objects.restrict(user).filter(kind=FundKind.POST_SUBSIDY, year=year)
                  .values_list("enterprise_id", flat=True))
    met = met.filter(~pl.col("enterprise_id").is_in(list(covered)))
    names = dict(Division.objects.values_list("code", "name"))
    by_rule = {r["id"]: r for r in rules}
    out = met.join(frame.select("enterprise_id", "name", "division_code", "rd", "rd_last"), on="enterprise_id")
    rows = [{**r, "division_name": names.get(r["division_code"], ""), "rule": by_rule[r["rule_id"]]}
            for r in out.sort(["division_code", "estimate"], descending=[False, True]).to_dicts()]
    return rows, rules
