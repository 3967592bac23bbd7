"""Demo data of the cultivation app (run by ``xinzhi demo`` after the register demo).

* report-once packages for 2024 and 2025 for every above-scale firm-year of the demo register,
  generated vectorised (:mod:`xinzhi.cultivation.generate`) from the December MonthlyStat figures
  and written with ``insert_frame``;
* one bulk screening of 2025 (so the 应享尽享 list and the cultivation pool are not empty);
* demo reviewers (science / finance / tax at 西湖区 and 杭州市) and advanced-manufacturing list
  proposals in every step (pending, confirmed, rejected, published);
* one sampling draw of 2025 (seeded with the demo seed).

Deterministic for the seed.
"""

from __future__ import annotations

import time
from typing import Any

import polars as pl
from django.db import connection, transaction

from xinzhi.accounts.models import Department, Role, User
from xinzhi.core.bulk import insert_frame, read_frame
from xinzhi.core.imports.diff import _now_text

from .generate import generate_packages
from .models import (
    AnnualPackage,
    ListConfirmation,
    ListEntry,
    SamplingDraw,
    SamplingItem,
    ScreeningResult,
    ScreeningRun,
)

YEARS = (2024, 2025)
REVIEWERS = [  # username, role, division, department, name
    ("xihu_science", Role.COUNTY_STAFF, "330106", Department.SCIENCE, "西湖区科技局 审核员"),
    ("xihu_finance", Role.COUNTY_STAFF, "330106", Department.FINANCE, "西湖区财政局 审核员"),
    ("xihu_tax", Role.COUNTY_STAFF, "330106", Department.TAX, "西湖区税务局 审核员"),
    ("hangzhou_science", Role.CITY_STAFF, "330100", Department.SCIENCE, "杭州市科技局 审核员"),
    ("hangzhou_finance", Role.CITY_STAFF, "330100", Department.FINANCE, "杭州市财政局 审核员"),
    ("hangzhou_tax", Role.CITY_STAFF, "330100", Department.TAX, "杭州市税务局 审核员"),
]


def firm_years() -> pl.DataFrame:
    """Above-scale firm-years with their December statistics, register facts and HTE certificate."""
    from xinzhi.industries.services import high_tech_class_frame  # noqa: PLC0415

    stats = read_frame("SELECT enterprise_id, year, revenue, rd_expense, employees FROM enterprises_monthlystat "
                       "WHERE month = 12 AND year BETWEEN %s AND %s", [min(YEARS) - 1, max(YEARS)])
    if stats.height == 0:
        return pl.DataFrame()
    stats = stats.select([pl.col(c).cast(pl.Int64) for c in stats.columns])
    register = read_frame("SELECT id AS enterprise_id, uscc, name, industry_code, registered_on "
                          "FROM enterprises_enterprise")
    register = register.select(pl.col("enterprise_id").cast(pl.Int64), pl.col("uscc").cast(pl.String),
                               pl.col("name").cast(pl.String), pl.col("industry_code").cast(pl.String),
                               pl.col("registered_on").cast(pl.String).str.slice(0, 10).str.to_date(strict=False))
    high_tech = set(high_tech_class_frame()["industry_code"].to_list())
    certs = read_frame("SELECT enterprise_id, issued_on FROM cultivation_certification WHERE program = 'hte' "
                       "AND issued_on IS NOT NULL")
    certs = certs.select(pl.col("enterprise_id").cast(pl.Int64),
                         pl.col("issued_on").cast(pl.String).str.slice(0, 10).str.to_date(strict=False))
    parts = []
    for year in YEARS:
        cur = stats.filter(pl.col("year") == year)
        prev = stats.filter(pl.col("year") == year - 1).select(
            "enterprise_id", prev_revenue=pl.col("revenue"), prev_rd_expense=pl.col("rd_expense"))
        issue = certs.filter(pl.col("issued_on").dt.year() <= year).group_by("enterprise_id").agg(
            hte_issue=pl.col("issued_on").max())
        parts.append(cur.join(prev, on="enterprise_id", how="left").join(issue, on="enterprise_id", how="left"))
    firms = pl.concat(parts).join(register, on="enterprise_id").with_columns(
        high_tech=pl.col("industry_code").is_in(sorted(high_tech)))
    return firms


def _packages(seed: int) -> int:
    firms = firm_years()
    if firms.height == 0:
        return 0
    generated = generate_packages(firms, seed)
    division = read_frame("SELECT id AS enterprise_id, division_code FROM enterprises_enterprise").select(
        pl.col("enterprise_id").cast(pl.Int64), pl.col("division_code").cast(pl.String))
    rows = generated.join(division, on="enterprise_id").select(
        "enterprise_id", "division_code", pl.col("year").cast(pl.Int64), version=pl.lit(1, dtype=pl.Int64),
        is_current=pl.lit(True), data=pl.col("data"), status=pl.lit("valid"), errors=pl.lit("[]"),
        source=pl.lit("demo"), created_at=pl.lit(_now_text()))
    insert_frame(AnnualPackage._meta.db_table, rows)
    return rows.height


def _reviewers() -> dict[str, User]:
    from xinzhi.accounts.services import DEMO_PASSWORD  # noqa: PLC0415

    users = {}
    for username, role, division, department, full_name in REVIEWERS:
        user, _ = User.objects.get_or_create(username=username)
        user.role, user.division_id, user.department, user.full_name = role, division, department, full_name
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[username] = user
    return users


def _list_entries(reviewers: dict[str, User]) -> int:
    from .services import am_list  # noqa: PLC0415

    proposer = User.objects.filter(username="xihu").first()
    province = User.objects.filter(username="province").first()
    if proposer is None or province is None:
        return 0
    prefix, level = "xihu", proposer
    candidates = list(am_list.candidates(proposer, 2025).values_list("enterprise_id", flat=True)[:6])
    if len(candidates) < 4:
        level = User.objects.filter(username="hangzhou").first() or proposer
        prefix = "hangzhou"
        candidates = list(am_list.candidates(level, 2025).values_list("enterprise_id", flat=True)[:6])
    if not candidates:
        return 0
    entries = am_list.propose(level, candidates, 2025, "符合先进制造业企业条件（全库筛查）")
    science, finance, tax = (reviewers[f"{prefix}_{d}"] for d in ("science", "finance", "tax"))
    for i, entry in enumerate(entries):
        if i in (0, 1):  # fully confirmed; the first is then published
            for user in (science, finance, tax):
                am_list.decide(user, entry, "confirm")
        elif i == 2:  # rejected by tax
            am_list.decide(science, entry, "confirm")
            am_list.decide(tax, entry, "reject", "经核实，制造业销售额占比未超过50%")
        elif i == 3:  # waiting for finance and tax
            am_list.decide(science, entry, "confirm")
    if len(entries) >= 1:
        first = entries[0]
        first.refresh_from_db()
        from django.utils import timezone  # noqa: PLC0415

        first.status, first.published_by, first.published_at = "published", province, timezone.now()
        first.save(update_fields=["status", "published_by", "published_at"])
    return len(entries)


def load(scale: str, seed: int, log: Any = None) -> dict[str, int]:
    from .services import sampling, screening  # noqa: PLC0415

    started = time.perf_counter()
    with transaction.atomic():
        packages = _packages(seed)
    if log:
        log(f"年度数据包 {packages} 份（{time.perf_counter() - started:.1f}s）")
    run = screening.run_screening(2025)
    if log:
        log(f"全库筛查 2025：{run.enterprise_count} 家，{run.duration_ms} ms")
    reviewers = _reviewers()
    entries = _list_entries(reviewers)
    province = User.objects.filter(username="province").first()
    items = 0
    if province is not None:
        draw = sampling.create_draw(province, 2025, 60 if scale == "small" else 300, seed=seed)
        items = draw.items.count()
    return {"annual_packages": packages, "screening_results": run.result_count, "am_list_entries": entries,
            "sampling_items": items}


def clear() -> None:
    with connection.cursor() as cursor:
        for model in (SamplingItem, SamplingDraw, ListConfirmation, ListEntry, ScreeningResult, ScreeningRun,
                      AnnualPackage):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
