"""Register operations: status changes (动态管理), annual data, notices, recognition, coverage and counts.

Status transitions follow policy_criteria.md §7.2 (tech centres: 警告; 不合格 → 撤销; 暂缓评价 on
application) and §9 (innovation centres: 不合格 → one-year rectification, then adjustment). Downgrade steps
are :data:`models.DOWNGRADE_TO` (UNVERIFIED ladder).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from xinzhi.core.scope import region_prefix
from xinzhi.enterprises.models import EnterpriseYear, MonthlyStat
from xinzhi.regions.models import Division

from . import criteria as criteria_module
from . import targets as target_source
from .models import (
    DOWNGRADE_TO,
    AnnualData,
    InstitutionLevel,
    InstitutionStatus,
    Notice,
    NoticeKind,
    Platform,
    RDInstitution,
    StatusChange,
)

S = InstitutionStatus
CHAIN_FILE = criteria_module.CRITERIA_FILE.parent / "chain.toml"

#: allowed status transitions (revoked is final: a revoked unit re-enters only by a new recognition)
TRANSITIONS: dict[str, set[str]] = {
    S.CREATING: {S.RECOGNISED, S.WARNED, S.REVOKED},
    S.RECOGNISED: {S.WARNED, S.DOWNGRADED, S.REVOKED},
    S.WARNED: {S.RECOGNISED, S.DOWNGRADED, S.REVOKED, S.WARNED},
    S.DOWNGRADED: {S.RECOGNISED, S.WARNED, S.REVOKED, S.DOWNGRADED},  # failing again at the lower level
    S.REVOKED: set(),
}


class TransitionError(ValueError):
    """A status change the rules do not allow (the message says why, in Chinese)."""


Subject = RDInstitution | Platform


def _subject_fields(subject: Subject) -> dict[str, Any]:
    if isinstance(subject, RDInstitution):
        return {"institution": subject, "division_id": subject.enterprise.division_id, "enterprise_id": subject.enterprise_id}
    return {"platform": subject, "division_id": subject.division_id, "enterprise_id": subject.lead_enterprise_id}


@transaction.atomic
def change_status(
    subject: Subject, to_status: str, reason: str, actor=None, on: datetime.date | None = None, submission=None,
    to_level: str | None = None,
) -> StatusChange:
    """Move an institution to ``to_status`` (and optionally a new level), recording the step."""
    if not reason.strip():
        raise TransitionError("状态变更须说明理由")
    if to_status not in TRANSITIONS.get(subject.status, set()):
        raise TransitionError(
            f"不能从“{S(subject.status).label}”变更为“{S(to_status).label}”"
            + ("（已撤销的机构须重新认定）" if subject.status == S.REVOKED else "")
        )
    from_level = getattr(subject, "level", "")
    change = StatusChange.objects.create(
        **_subject_fields(subject), from_status=subject.status, to_status=to_status, from_level=from_level,
        to_level=to_level or "", changed_on=on or datetime.date.today(), reason=reason, actor=actor,
        submission=submission,
    )
    subject.status = to_status
    update = ["status"]
    if to_level:
        subject.level = to_level
        update.append("level")
    subject.save(update_fields=update)
    return change


def issue_notice(
    kind: str, title: str, body: str, *, subject: Subject | None = None, enterprise=None, actor=None, submission=None,
    on: datetime.date | None = None,
) -> Notice:
    """A notice to the enterprise (with or without an institution, e.g. a rejected application)."""
    if subject is not None:
        where = _subject_fields(subject)
    else:
        where = {"division_id": enterprise.division_id, "enterprise_id": enterprise.pk}
    return Notice.objects.create(
        **where, kind=kind, title=title, body=body, issued_on=on or datetime.date.today(), issued_by=actor,
        submission=submission,
    )


def record_annual_data(subject: Subject, year: int, values: Mapping[str, Any]) -> AnnualData:
    """Create or update the institution's record for ``year`` (unknown keys are refused)."""
    unknown = set(values) - set(AnnualData.DATA_FIELDS)
    if unknown:
        raise ValueError(f"未知的年度数据字段：{sorted(unknown)}")
    fields = _subject_fields(subject)
    key = {k: v for k, v in fields.items() if k in ("institution", "platform")}
    row, _ = AnnualData.objects.update_or_create(
        **key, year=year, defaults={"division_id": fields["division_id"], "enterprise_id": fields["enterprise_id"], **values},
    )
    return row


@transaction.atomic
def recognise(
    enterprise, level: str, name: str, on: datetime.date | None = None, actor=None, submission=None, reason: str = "",
    field: str = "", cluster=None,
) -> RDInstitution:
    """Create the recognised R&D institution, dated ``on`` (the decision day; its year is the recognition
    year — a decision in April 2026 on 2025 data is a 2026 recognition)."""
    on = on or datetime.date.today()
    institution = RDInstitution.objects.create(
        enterprise=enterprise, name=name, level=level, recognised_year=on.year, recognised_on=on, status=S.CREATING,
        field=field, cluster=cluster, next_evaluation_year=on.year + 1,
    )
    change_status(institution, S.RECOGNISED, reason or f"经评审认定为{InstitutionLevel(level).label}", actor,
                  on=on, submission=submission)
    issue_notice(NoticeKind.RECOGNITION, f"关于认定{name}为{InstitutionLevel(level).label}的通知",
                 reason or "经企业申报、专家评审和省级审定，予以认定。", subject=institution, actor=actor,
                 submission=submission, on=on)
    return institution


ACTION_NOTICE = {
    "warn": (NoticeKind.WARNING, "予以警告，下一年度复评"),
    "downgrade": (NoticeKind.DOWNGRADE, "予以降级"),
    "revoke": (NoticeKind.REVOCATION, "撤销资格"),
    "rectify": (NoticeKind.WARNING, "限期一年整改，下一年度复核"),
}


@transaction.atomic
def apply_result(subject: Subject, action: str, grade: str, year: int, reasons: str, actor=None, submission=None) -> str:
    """Drive status from an evaluation result (动态管理). Returns what happened, in Chinese.

    ``confirm`` keeps (or restores) 已认定; ``warn`` and ``rectify`` → 预警 and re-evaluation next year;
    ``downgrade`` → one level down (降级; 撤销 when there is no lower level); ``revoke`` → 撤销.
    """
    if subject.status == S.REVOKED:
        raise TransitionError("已撤销，评价结果不再改变其状态（已撤销的机构须重新认定）")
    subject.next_evaluation_year = year + 1
    subject.save(update_fields=["next_evaluation_year"])
    reasons = (reasons or "").strip().rstrip("。；;")
    text = f"{year}年度评价结果：{grade}" + (f"。{reasons}" if reasons else "")
    if action == "confirm":
        if subject.status in (S.WARNED, S.DOWNGRADED, S.CREATING):
            change_status(subject, S.RECOGNISED, text, actor, submission=submission)
        issue_notice(NoticeKind.GRADE, f"{subject.name}{year}年度评价结果", text, subject=subject, actor=actor,
                     submission=submission)
        return f"评为{grade}，保持认定"
    kind, verb = ACTION_NOTICE[action]
    if action in ("warn", "rectify"):
        change_status(subject, S.WARNED, f"{text}；{verb}", actor, submission=submission)
    elif action == "downgrade":
        lower = DOWNGRADE_TO.get(getattr(subject, "level", None))
        if lower is None:
            action, (kind, verb) = "revoke", ACTION_NOTICE["revoke"]
            change_status(subject, S.REVOKED, f"{text}；无更低级别，撤销资格", actor, submission=submission)
        else:
            change_status(subject, S.DOWNGRADED, f"{text}；降为{InstitutionLevel(lower).label}", actor,
                          submission=submission, to_level=lower)
            verb = f"降为{InstitutionLevel(lower).label}"
    else:
        change_status(subject, S.REVOKED, f"{text}；{verb}", actor, submission=submission)
        subject.next_evaluation_year = None
        subject.save(update_fields=["next_evaluation_year"])
    issue_notice(kind, f"{subject.name}{year}年度评价结果及处理", f"{text}；{verb}。", subject=subject, actor=actor,
                 submission=submission)
    return f"评为{grade}，{verb}"


# --- recognition facts ---------------------------------------------------------------------------


def enterprise_facts(enterprise, year: int, declared: Mapping[str, Any] | None = None) -> tuple[dict, dict]:
    """The facts the recognition criteria read, and where each came from.

    Revenue and R&D expense are the statistical filing of ``year`` (the latest month's 1–N月累计, i.e.
    the annual figure when December was filed); staff, equipment, floor area and patents are what the
    enterprise declared; held levels come from the register.
    """
    facts: dict[str, Any] = {}
    sources: dict[str, str] = {}
    stat = (MonthlyStat.objects.filter(enterprise=enterprise, year=year).order_by("-month")
            .values("month", "revenue", "rd_expense").first())
    if stat:
        facts.update(revenue=stat["revenue"], rd_expense=stat["rd_expense"])
        if stat["revenue"]:
            facts["rd_intensity"] = Decimal(stat["rd_expense"]) * 100 / Decimal(stat["revenue"])
        for k in ("revenue", "rd_expense", "rd_intensity"):
            sources[k] = f"{year}年1—{stat['month']}月统计报表"
    for key, value in (declared or {}).items():
        if value in (None, ""):
            continue
        if key in ("revenue", "rd_expense") and key in facts:
            continue  # statistics win over declarations
        facts[key] = Decimal(str(value))
        sources[key] = "企业申报"
    held = RDInstitution.objects.filter(enterprise=enterprise).exclude(status=S.REVOKED)
    facts["holds_level"] = sorted(set(held.values_list("level", flat=True)))
    sources["holds_level"] = "研发机构库"
    first = held.filter(level=InstitutionLevel.PROVINCIAL_TECH_CENTRE).order_by("recognised_year").first()
    facts["years_as_provincial_tech_centre"] = (year - first.recognised_year) if first else 0
    sources["years_as_provincial_tech_centre"] = "研发机构库"
    return facts, sources


def check_recognition(enterprise, level: str, year: int, declared: Mapping[str, Any] | None = None) -> list[dict]:
    facts, sources = enterprise_facts(enterprise, year, declared)
    return criteria_module.check(level, facts, sources)


# --- coverage and counts (seed task 5) -----------------------------------------------------------


def _active_institution(year: int):
    return RDInstitution.objects.filter(
        enterprise_id=OuterRef("enterprise_id"), recognised_year__lte=year,
    ).exclude(status=S.REVOKED)


def coverage(user, year: int, by: str = "city", month: int | None = None) -> list[dict[str, Any]]:
    """R&D-institution and R&D-activity coverage of above-scale industrial enterprises (SQL aggregates).

    ``by``: ``city`` (4-digit code prefix), ``county`` (6) or ``industry`` (2-digit industry division).
    Denominator: ``EnterpriseYear(year, above_scale=True)`` through ``restrict(user)``; institution: any
    non-revoked R&D institution recognised by ``year``; R&D activity: R&D expense > 0 in the latest month
    filed for ``year`` (or ``month``).
    """
    if month is None:
        month = (MonthlyStat.objects.filter(year=year).order_by("-month").values_list("month", flat=True).first()) or 12
    key = {
        "city": Substr("enterprise__division__code", 1, 4),
        "county": Substr("enterprise__division__code", 1, 6),
        "industry": Substr("enterprise__industry__code", 1, 2),
    }[by]
    rows = (
        EnterpriseYear.objects.restrict(user).filter(year=year, above_scale=True)
        .annotate(
            has_inst=Exists(_active_institution(year)),
            has_rd=Exists(MonthlyStat.objects.filter(enterprise_id=OuterRef("enterprise_id"), year=year, month=month,
                                                     rd_expense__gt=0)),
        )
        .annotate(key=key).values("key")
        .annotate(total=Count("id"), with_institution=Count("id", filter=Q(has_inst=True)),
                  with_rd=Count("id", filter=Q(has_rd=True)))
        .order_by("key")
    )
    if by == "industry":
        from xinzhi.industries.models import IndustryCode

        names = dict(IndustryCode.objects.filter(level="division").values_list("code", "name"))
    else:
        names = {code[: 4 if by == "city" else 6]: name for code, name in
                 Division.objects.filter(level=by).values_list("code", "name")}
    out = []
    for r in rows:
        total = r["total"]
        out.append({
            **r, "name": names.get(r["key"], r["key"]),
            "institution_coverage": round(100 * r["with_institution"] / total, 2) if total else None,
            "rd_coverage": round(100 * r["with_rd"] / total, 2) if total else None,
        })
    return out


def recognised_by(as_of: datetime.date) -> Q:
    """Recognised on or before ``as_of``: by the recognition date; an undated (legacy) row counts as
    recognised on 31 December of its recognition year. The one definition the counts use (monitoring's
    source applies the same rule: an undated row falls in month 12)."""
    last_undated_year = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
    return Q(recognised_on__lte=as_of) | Q(recognised_on=None, recognised_year__lte=last_undated_year)


def recognised_in(year: int, as_of: datetime.date) -> Q:
    """New recognitions of ``year`` up to ``as_of`` (新认定, the target basis)."""
    return recognised_by(min(as_of, datetime.date(year, 12, 31))) & (
        Q(recognised_on__year=year) | Q(recognised_on=None, recognised_year=year))


def default_as_of(year: int, today: datetime.date | None = None) -> datetime.date:
    """The year's end, or today while the year runs."""
    today = today or datetime.date.today()
    return min(today, datetime.date(year, 12, 31))


def user_region(user) -> str:
    """The division a user's pages compare with targets: the province for province-wide users."""
    division = getattr(user, "division_id", None)
    return "330000" if getattr(user, "is_superuser", False) or not division else division


def counts_vs_targets(user, year: int | None = None, as_of: datetime.date | None = None) -> dict[str, Any]:
    """Institution counts by level in the user's region — stock (not revoked, recognised by ``as_of``)
    and new recognitions of ``year`` up to ``as_of`` — against the region's own target for the year.

    The seed's 5 / 130 / 60 / 220 are new recognitions (``targets.toml: basis = "new"``); a city or county
    compares with its allocated target (from monitoring, :mod:`.targets`), never the province's."""
    config = criteria_module.load_targets()
    year = year or int(config["year"])
    as_of = as_of or default_as_of(year)
    rows = (
        RDInstitution.objects.restrict(user).filter(recognised_by(as_of)).exclude(status=S.REVOKED)
        .values("level")
        .annotate(stock=Count("id"), new=Count("id", filter=recognised_in(year, as_of)))
    )
    by_level = {r["level"]: r for r in rows}
    basis = config.get("basis", "new")
    region = user_region(user)
    indicators = config.get("indicators", {})
    targets = target_source.targets_for(list(indicators.values()), region, year)
    levels = []
    for level in InstitutionLevel:
        indicator = indicators.get(level.value)
        target = targets.get(indicator) if indicator else None
        r = by_level.get(level.value, {"stock": 0, "new": 0})
        actual = r["new"] if basis == "new" else r["stock"]
        levels.append({
            "level": level.value, "label": level.label, "stock": r["stock"], "new": r["new"],
            "target": None if target is None else round(target),
            "progress": round(100 * actual / target, 1) if target else None,
        })
    return {"year": year, "as_of": as_of.isoformat(), "basis": basis, "region": region,
            "region_name": Division.objects.filter(code=region).values_list("name", flat=True).first() or region,
            "reference": config.get("reference", ""), "levels": levels}


# --- the cultivation chain (seed task 5) -----------------------------------------------------------


def load_chain() -> dict[str, Any]:
    return criteria_module._load(str(CHAIN_FILE), CHAIN_FILE.stat().st_mtime)


def cultivation_chain(user, step: int = 0, year: int | None = None, region: str | None = None) -> dict[str, Any]:
    """Holders of a level who meet, or nearly meet, the next level's criteria, with their gaps, in the user's
    scope (and ``region``, a division code): the rows, and counts by city (or county inside a city).

    Facts: the year's statistics (latest month filed: revenue, R&D expense) and the institution's annual
    data of the year (staff, equipment, floor area, patents); held levels from the register."""
    import polars as pl

    from . import chain as chain_module

    config = load_chain()
    steps = config["steps"]
    spec = steps[step]
    year = year or datetime.date.today().year - 1
    checks = criteria_module.load_criteria().get(spec["to"], {}).get("checks", [])
    candidates = RDInstitution.objects.restrict(user).filter(level=spec["from"]).exclude(status=S.REVOKED)
    if region:
        candidates = candidates.filter(enterprise__division__code__startswith=region_prefix(region))
    holders = RDInstitution.objects.filter(level=spec["to"]).exclude(status=S.REVOKED).values("enterprise_id")
    rows = list(candidates.exclude(enterprise_id__in=holders).order_by("id").values(
        "id", "name", "enterprise_id", "enterprise__name", "enterprise__division_id"))
    empty = {"step": step, "steps": steps, "spec": spec, "year": year, "rows": [], "by_region": [],
             "near_share": config["near_share"], "checks": checks, "totals": {"candidates": 0, "met": 0, "near": 0}}
    if not rows:
        return empty
    frame = pl.DataFrame(rows).rename({"enterprise__name": "enterprise", "enterprise__division_id": "division"})
    ents = frame["enterprise_id"].to_list()
    stats = pl.DataFrame(list(MonthlyStat.objects.filter(enterprise_id__in=ents, year=year)
                              .values("enterprise_id", "month", "revenue", "rd_expense")),
                         schema={"enterprise_id": pl.Int64, "month": pl.Int64, "revenue": pl.Int64, "rd_expense": pl.Int64})
    stats = stats.sort("month").group_by("enterprise_id").last().drop("month")
    annual_fields = ["rd_staff", "equipment_value", "rd_floor_area", "invention_patents", "conversions"]
    annual = pl.DataFrame(list(AnnualData.objects.filter(institution_id__in=frame["id"].to_list(), year=year)
                               .values("institution_id", *annual_fields)),
                          schema={"institution_id": pl.Int64, **dict.fromkeys(annual_fields, pl.Int64)})
    held = pl.DataFrame(list(RDInstitution.objects.filter(enterprise_id__in=ents).exclude(status=S.REVOKED)
                             .values("enterprise_id", "level", "recognised_year")),
                        schema={"enterprise_id": pl.Int64, "level": pl.String, "recognised_year": pl.Int64})
    levels = held.group_by("enterprise_id").agg(
        pl.col("level").unique().sort().alias("holds_level"),
        (year - pl.col("recognised_year").filter(pl.col("level") == InstitutionLevel.PROVINCIAL_TECH_CENTRE).min())
        .fill_null(0).alias("years_as_provincial_tech_centre"))
    frame = (frame.join(stats, on="enterprise_id", how="left")
             .join(annual, left_on="id", right_on="institution_id", how="left")
             .join(levels, on="enterprise_id", how="left")
             .with_columns(rd_intensity=pl.when(pl.col("revenue") > 0)
                           .then(pl.col("rd_expense").cast(pl.Float64) * 100 / pl.col("revenue"))))
    assessed = chain_module.assess(frame, checks, float(config["near_share"]))
    names = dict(Division.objects.filter(level__in=["city", "county"]).values_list("code", "name"))
    own = region or (getattr(user, "division_id", None) if not getattr(user, "is_superuser", False) else None)
    by_city = not own or len(region_prefix(own)) <= 2
    cities = {code[:4]: name for code, name in names.items() if code.endswith("00")}
    assessed = assessed.with_columns(
        city=pl.col("division").str.slice(0, 4).replace_strict(cities, default=pl.col("division")),
        county=pl.col("division").replace_strict(names, default=pl.col("division")),
    )
    key = "city" if by_city else "county"
    summary = (assessed.group_by(key).agg(candidates=pl.len(), met=pl.col("met").sum(), near=pl.col("near").sum())
               .sort(key).rename({key: "region"}))
    shown = assessed.filter(pl.col("met") | pl.col("near")).sort(["met", "near", "division", "id"],
                                                                   descending=[True, True, False, False])
    return {**empty, "rows": shown.select("id", "name", "enterprise_id", "enterprise", "city", "county", "met", "near",
                                          "failed", "gaps").to_dicts(),
            "by_region": summary.to_dicts(), "region_level": key,
            "totals": {"candidates": assessed.height, "met": int(assessed["met"].sum()),
                       "near": int(assessed["near"].sum())}}



PILOT_SCHEME_FILE = criteria_module.CRITERIA_FILE.parent / "pilot_platform.toml"


def load_pilot_scheme() -> dict[str, Any]:
    """The pilot-scale platforms' scheme file (who builds, where, standards, support, evaluation)."""
    return criteria_module._load(str(PILOT_SCHEME_FILE), PILOT_SCHEME_FILE.stat().st_mtime)
