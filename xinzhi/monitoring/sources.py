"""Facts for the engine, read from the database as columnar frames (one SQL query per fact table).

Only the months the engine needs are read: the period itself, the same month last year and last
December (for the projection), so a month on the full demo reads ≈ 170,000 filing rows, not 1.4 M.
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import copy_frame, read_frame
from xinzhi.cultivation.models import Certification
from xinzhi.enterprises.models import Enterprise, EnterpriseYear, MonthlyStat
from xinzhi.industries.services import cluster_class_frame, high_tech_class_frame
from xinzhi.investment.models import InvestmentProject, ProjectProgress, RegionInvestment
from xinzhi.platforms.models import RDInstitution
from xinzhi.programs.selectors import programme_records, st_project_facts
from xinzhi.regions.models import Division

from .engine import Facts


def _months_clause(year: int, month: int, years_back: int = 1) -> tuple[str, list[int]]:
    """This month, the same month of earlier years (``years_back``) and last December."""
    clause = "((year = %s AND month = %s) OR (year = %s AND month = 12)"
    params = [year, month, year - 1]
    for back in range(1, years_back + 1):
        clause += " OR (year = %s AND month = %s)"
        params += [year - back, month]
    return clause + ")", params


def _recognition_month(frame: pl.DataFrame) -> pl.DataFrame:
    """Institutions are counted as of the month of their recognition date (the engine's ``month`` column);
    an undated (legacy) row counts in December of its recognition year — platforms.services.recognised_by."""
    on = pl.col("recognised_on").cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    return frame.with_columns(month=on.dt.month().cast(pl.Int64).fill_null(12)).drop("recognised_on")


def load_facts(year: int, month: int) -> Facts:
    when, params = _months_clause(year, month)
    # growth indicators compare last year's growth too, so investment reads two years back
    inv_when, inv_params = _months_clause(year, month, years_back=2)
    ms, ent, ey = MonthlyStat._meta.db_table, Enterprise._meta.db_table, EnterpriseYear._meta.db_table
    pp, proj, ri = ProjectProgress._meta.db_table, InvestmentProject._meta.db_table, RegionInvestment._meta.db_table
    return Facts(
        # the three large reads (the month's filings, the register, its years) by COPY on PostgreSQL
        monthly_stats=copy_frame(
            f"SELECT enterprise_id, division_code, year, month, output_value, value_added, revenue, rd_expense, "
            f"new_product_output, employees FROM {ms} WHERE {when}", params,
        ),
        enterprise_years=copy_frame(
            f"SELECT enterprise_id, year, above_scale FROM {ey} WHERE year IN (%s, %s)", [year, year - 1]
        ),
        enterprises=copy_frame(f"SELECT id AS enterprise_id, division_code, industry_code FROM {ent}"),
        high_tech=high_tech_class_frame().select("industry_code", "category_code"),
        clusters=cluster_class_frame(),
        project_progress=read_frame(
            f"SELECT p.project_id, j.division_code, j.is_high_tech, p.year, p.month, p.ytd_completed "
            f"FROM {pp} p JOIN {proj} j ON j.id = p.project_id WHERE {inv_when.replace('year', 'p.year').replace('month', 'p.month')}",
            inv_params,
        ),
        region_investment=read_frame(
            f"SELECT division_code, year, month, ytd_fixed_asset_investment FROM {ri} WHERE {inv_when}", inv_params
        ),
        certifications=read_frame(
            f"SELECT enterprise_id, program, year, issued_on, expires_on FROM {Certification._meta.db_table} "
            f"WHERE year <= %s", [year]
        ),
        rd_institutions=_recognition_month(read_frame(
            f"SELECT enterprise_id, level, recognised_year, recognised_on, status FROM {RDInstitution._meta.db_table} "
            f"WHERE recognised_year <= %s", [year],
        )),
        divisions=read_frame(f"SELECT code AS division_code FROM {Division._meta.db_table} WHERE level = 'county'"),
        programme_records=programme_records(year),
        st_projects=st_project_facts(year),
    )
