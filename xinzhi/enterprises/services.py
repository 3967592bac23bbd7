"""Domain operations on the enterprise register and monthly filings."""

from __future__ import annotations

import re

import polars as pl
from django.db.models import Q, QuerySet

from xinzhi.core.scope import region_prefix

from .models import Enterprise, MonthlyStat

YTD_COLUMNS = MonthlyStat.AMOUNT_FIELDS
#: what may begin a unified social credit code (digits and capital letters, no I/O/S/V/Z)
USCC_PREFIX = re.compile(r"[0-9A-Za-z]{1,18}")
MAX_QUERY_LENGTH = 100


def monthly_increments(
    frame: pl.DataFrame, values: tuple[str, ...] | list[str] | None = None, group: str = "enterprise_id"
) -> pl.DataFrame:
    """Single-month values from year-to-date cumulative ones (1–N月累计 → 当月).

    January's value is its YTD value; month m's is YTD(m) − YTD(m−1) within the same enterprise and
    year. When month m−1 is missing the increment is null (it cannot be known), not YTD(m).
    Returns ``frame`` sorted by group/year/month with each value column replaced by its increment.
    """
    values = [v for v in (values or YTD_COLUMNS) if v in frame.columns]
    by = [group, "year"]
    ordered = frame.sort([group, "year", "month"])
    prev_month = pl.col("month").shift(1).over(by)
    consecutive = prev_month == pl.col("month") - 1
    return ordered.with_columns(
        pl.when(pl.col("month") == 1)
        .then(pl.col(v))
        .when(consecutive)
        .then(pl.col(v) - pl.col(v).shift(1).over(by))
        .otherwise(None)
        .alias(v)
        for v in values
    )


def search_enterprises(
    user, q: str | None = None, division: str | None = None, industry: str | None = None
) -> QuerySet[Enterprise]:
    """The register as ``user`` may see it, filtered.

    ``q`` matches a name fragment or a USCC prefix; ``division`` and ``industry`` are code prefixes
    (``3301`` or ``330100`` = every county of 杭州市, ``39`` = every class of 计算机、通信和其他电子设备制造业).
    """
    qs = Enterprise.objects.restrict(user)
    if q and q.strip():
        text = q.strip()[:MAX_QUERY_LENGTH]
        match = Q(name__fragment=text)  # a trigram index serves it on PostgreSQL (core.lookups)
        if USCC_PREFIX.fullmatch(text):
            match |= Q(uscc__startswith=text.upper())
        qs = qs.filter(match)
    if division and division.strip():
        # a full code means everything under it: 330100 (杭州市) → prefix 3301
        code = division.strip()
        qs = qs.filter(division__code__startswith=region_prefix(code) if len(code) == 6 else code)
    if industry and industry.strip():
        qs = qs.filter(industry__code__startswith=industry.strip().upper())
    return qs.order_by("uscc")
