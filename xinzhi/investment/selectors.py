"""Reads of the project workspace: the filtered list (page, export, API) — always through ``restrict``."""

from __future__ import annotations

import datetime

import polars as pl
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from xinzhi.core.bulk import read_frame
from xinzhi.reports.listing import Col

from .models import AnnualPlan, InvestmentProject, ProjectProgress, SupervisionProblem

FILTERS = ("q", "stage", "division", "cluster", "major", "high_tech")


def filtered_projects(user, params: dict):
    """Projects the user may see, filtered by the list's parameters (unknown values are ignored)."""
    qs = InvestmentProject.objects.restrict(user)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q) | Q(responsible_unit__contains=q))
    if params.get("stage"):
        qs = qs.filter(stage=params["stage"])
    division = (params.get("division") or "").strip()
    if division.isdigit() and len(division) == 6:
        from xinzhi.core.scope import region_prefix

        qs = qs.filter(division__code__startswith=region_prefix(division))
    if params.get("cluster"):
        qs = qs.filter(cluster_id=params["cluster"])
    if params.get("major") in ("1", "true"):
        qs = qs.filter(is_major=True)
    if params.get("high_tech") in ("1", "true"):
        qs = qs.filter(is_high_tech=True)
    return qs


def _yes_no(flag: bool) -> str:
    return "是" if flag else "否"


#: the project list's columns (reports.listing): the page shows eight, the export every one
LIST_COLUMNS = (
    Col("code", "项目代码", lambda p: p.code, order=("code",)),
    Col("name", "项目名称", lambda p: p.name, order=("name",), link=lambda p: reverse("investment:detail", args=[p.pk]),
        text=lambda p: f"{p.name}（{_('重大')}）" if p.is_major else p.name),
    Col("division", "县（市、区）", lambda p: p.division.name, order=("division_id",)),
    Col("industry", "行业代码", lambda p: p.industry_id, shown=False),
    Col("stage", "阶段", lambda p: p.get_stage_display(), order=("stage",)),
    Col("high_tech", "高新技术产业", lambda p: _yes_no(p.is_high_tech), shown=False),
    Col("major", "省重大项目", lambda p: _yes_no(p.is_major), shown=False),
    Col("dual", "两重两新候选", lambda p: _yes_no(p.dual_candidate), shown=False),
    Col("planned_total", "计划总投资", lambda p: p.planned_total, order=("planned_total",), money=True, decimals=2),
    Col("planned_start", "计划开工", lambda p: p.planned_start, order=("planned_start",)),
    Col("planned_completion", "计划竣工", lambda p: p.planned_completion, order=("planned_completion",)),
    Col("actual_start", "实际开工日期", lambda p: p.actual_start, shown=False),
    Col("actual_completion", "实际竣工日期", lambda p: p.actual_completion, shown=False),
    Col("cluster", "415X集群", lambda p: p.cluster.name if p.cluster_id else None, order=("cluster_id",)),
    Col("unit", "责任单位", lambda p: p.responsible_unit, shown=False),
    Col("person", "责任人", lambda p: p.responsible_person, shown=False),
)


# --------------------------------------------------------------------------- warnings and tracking

DATE_COLUMNS = ("planned_start", "planned_completion", "actual_start", "actual_completion")


def _frame(qs, fields: list[str]) -> pl.DataFrame:
    """The rows of a (restricted) queryset as a Polars frame, read in SQL — no model objects."""
    sql, params = qs.values_list(*fields).query.sql_with_params()
    frame = read_frame(sql, params)
    frame = frame.rename(dict(zip(frame.columns, fields, strict=True)))
    if frame.height == 0:
        frame = pl.DataFrame({f: [] for f in fields})
    return frame


def _as_date(frame: pl.DataFrame, columns) -> pl.DataFrame:
    """SQLite gives ISO text, PostgreSQL dates: the same ``pl.Date`` column either way."""
    return frame.with_columns([
        (pl.col(c).cast(pl.String).str.to_date("%Y-%m-%d", strict=False) if frame.schema[c] != pl.Date
         else pl.col(c)) for c in columns])


def latest_period(user) -> datetime.date | None:
    """The last day of the latest month with progress in the user's scope (the default 'as of')."""
    row = (ProjectProgress.objects.restrict(user).order_by("-year", "-month").values_list("year", "month").first())
    if row is None:
        return None
    year, month = row
    return datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)


def project_frame(user, as_of: datetime.date) -> pl.DataFrame:
    """The input of ``warnings.evaluate`` / ``warnings.rates`` for the projects the user may see."""
    return _project_frame(lambda model: model.objects.restrict(user), as_of)


def region_project_frame(division_code: str, as_of: datetime.date) -> pl.DataFrame:
    """The same for every project of a region (for a report issued for that region, not for a user)."""
    from xinzhi.core.scope import region_prefix

    prefix = region_prefix(division_code)
    return _project_frame(lambda model: model.objects.filter(**{f"{model.scope_region_field}__startswith": prefix}),
                          as_of)


def _project_frame(rows, as_of: datetime.date) -> pl.DataFrame:
    from . import warnings

    year, month = warnings.period_of(as_of)
    projects = rows(InvestmentProject)
    base = _as_date(_frame(projects, ["id", "code", "name", "division_id", "cluster_id", "industry_id", "stage",
                                      "is_major", *DATE_COLUMNS]), DATE_COLUMNS)
    base = base.with_columns(pl.col("id").cast(pl.Int64), pl.col("division_id").cast(pl.String),
                             pl.col("cluster_id").cast(pl.String), pl.col("stage").cast(pl.String),
                             pl.col("industry_id").cast(pl.String))
    base = base.join(high_tech_categories(), on="industry_id", how="left")
    plans = _frame(rows(AnnualPlan).filter(year=year), ["project_id", "planned_investment"])
    ytd = _frame(rows(ProjectProgress).filter(year=year, month__lte=month), ["project_id", "month", "ytd_completed"])
    last = _frame(rows(ProjectProgress).filter(Q(year__lt=year) | Q(year=year, month__lte=month))
                  .values("project_id").annotate(last=Max(F("year") * 12 + F("month") - 1)), ["project_id", "last"])
    problems = _frame(
        rows(SupervisionProblem).filter(deadline__lt=as_of, visit__visited_on__lte=as_of)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=as_of))
        .values("visit__project_id").annotate(n=Count("id")), ["visit__project_id", "n"])
    i64 = pl.Int64
    out = (
        base.join(plans.select(pl.col("project_id").cast(i64).alias("id"),
                               pl.col("planned_investment").cast(i64).alias("annual_plan")), on="id", how="left")
        .join(ytd.with_columns(pl.col("project_id", "month", "ytd_completed").cast(i64)).sort("month")
              .group_by("project_id").agg(pl.col("ytd_completed").last())
              .rename({"project_id": "id"}), on="id", how="left")
        .join(last.select(pl.col("project_id").cast(i64).alias("id"), pl.col("last").cast(i64).alias("last_report")),
              on="id", how="left")
        .join(problems.select(pl.col("visit__project_id").cast(i64).alias("id"),
                              pl.col("n").cast(i64).alias("overdue_problems")), on="id", how="left")
        .with_columns(pl.col("overdue_problems").fill_null(0), city_id=pl.col("division_id").str.slice(0, 4) + "00")
    )
    return out


def division_names() -> dict[str, str]:
    from xinzhi.regions.models import Division

    return dict(Division.objects.values_list("code", "name"))


def plan_actual_curve(user, as_of: datetime.date) -> dict[str, list]:
    """Planned vs actual for the year of ``as_of`` (万元), for projects with an annual plan that year: the plan's
    time-elapsed line (Σ plan × month ÷ 12) for 12 months, and Σ 1–N月累计完成投资 up to the period's month."""
    from django.db.models import Sum

    from . import warnings

    year, month = warnings.period_of(as_of)
    planned = AnnualPlan.objects.restrict(user).filter(year=year).aggregate(s=Sum("planned_investment"))["s"] or 0
    rows = dict(ProjectProgress.objects.restrict(user)
                .filter(year=year, month__lte=month, project__annual_plans__year=year)
                .values("month").annotate(s=Sum("ytd_completed")).values_list("month", "s"))
    return {"plan": [round(planned * m / 12 / 10000) for m in range(1, 13)],
            "actual": [round(rows[m] / 10000) if m in rows else None for m in range(1, 13)]}


def high_tech_categories() -> pl.DataFrame:
    """Industry class → high-tech category name of the monitoring's default scheme (one category per class)."""
    from xinzhi.industries.models import HighTechIndustry

    frame = _frame(HighTechIndustry.objects.filter(category__scheme__is_default=True).order_by("category__code"),
                   ["industry_id", "category__name"])
    return (frame.select(pl.col("industry_id").cast(pl.String), pl.col("category__name").cast(pl.String)
                         .alias("category")).unique("industry_id", keep="first"))
