"""Monthly indicator computation (seed tasks 1, 15, 16) — pure, columnar, no Django models.

Entry point: ``compute_period(facts, year, month, targets=None, catalogue=None)``. ``Facts`` holds
plain Polars frames (easy to fill from SQL with ``xinzhi.core.bulk.read_frame``). For one period the
engine returns one row per indicator × region for the province, every city, every county, every
415X cluster and every high-tech category the indicator's definition applies to (``levels`` in
``data/indicators.toml``).

Rules (docs/monitoring.md):
* YTD values are the cumulative filings of month N (1–N月累计), never a sum of months.
* Regions are derived from county codes by prefix (GB/T 2260): city = first 4 digits + "00",
  province = first 2 digits + "0000"; cities and the province are never read from the facts.
* Year-on-year change of enterprise statistics is on a comparable basis (同口径): this year's
  above-scale set against the same enterprises' filings for the same month last year.
* Projection (shared/domain/ratings.md): the same month last year's YTD-to-full-year ratio applied
  to this year's YTD; for ratios, to numerator and denominator separately.

Every step is a Polars join / group_by; the only Python loops run over catalogue entries and the
five region levels, never over data rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import polars as pl

from xinzhi.policy.params import ParameterTree
from xinzhi.policy.validity import holders, recognition_date_expr

from .catalogue import Catalogue, Indicator, load_catalogue, monitoring_parameters

AMOUNT_FIELDS = ("output_value", "value_added", "revenue", "rd_expense", "new_product_output")
VERSIONS = ("cur", "cmp", "ly", "lyf")  # this year, comparable last year, published last year, last full year
SIDES = ("num", "den")
REGION_LEVELS = ("province", "city", "county")
ACTIVE_INSTITUTION_STATUSES = ("recognised", "warned")


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month: counts and statuses of period (year, month) are as of this date."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class Facts:
    """The fact frames the engine reads. Any frame may be ``None`` (its indicators yield no data).

    Columns:
    * ``monthly_stats``: enterprise_id, division_code (county), year, month, output_value, value_added,
      revenue, rd_expense, new_product_output, employees — year-to-date cumulative, in 元
    * ``enterprise_years``: enterprise_id, year, above_scale
    * ``enterprises``: enterprise_id, division_code, industry_code
    * ``high_tech``: industry_code, category_code (class membership of the default scheme)
    * ``clusters``: industry_code, cluster_code (prefixes expanded to classes)
    * ``project_progress``: project_id, division_code, is_high_tech, year, month, ytd_completed
    * ``region_investment``: division_code, year, month, ytd_fixed_asset_investment
    * ``certifications``: enterprise_id, program, year, issued_on (optional; the certificate date),
      expires_on (optional; an early end) — a recognition counts from its issue date, else 31 December
      of its year (``xinzhi.policy.validity.recognition_date_expr``)
    * ``rd_institutions``: enterprise_id, level, recognised_year, status, recognised_on (optional date;
      without it an institution counts from 31 December of its recognition year)
    * ``divisions``: division_code — counties to report even when they have no facts (optional)
    * ``programme_records``: division_code, kind (the indicator's ``source``: new_product_projects,
      excellent_products, technology_achievements), on (the date it counts: approval / publication) —
      from ``xinzhi.programs.selectors.programme_records``
    * ``st_projects``: division_code, on (approval date), involved, led — provincial major S&T projects with
      the flags defined in ``xinzhi.programs.shares``
    """

    monthly_stats: pl.DataFrame | None = None
    enterprise_years: pl.DataFrame | None = None
    enterprises: pl.DataFrame | None = None
    high_tech: pl.DataFrame | None = None
    clusters: pl.DataFrame | None = None
    project_progress: pl.DataFrame | None = None
    region_investment: pl.DataFrame | None = None
    certifications: pl.DataFrame | None = None
    rd_institutions: pl.DataFrame | None = None
    divisions: pl.DataFrame | None = None
    programme_records: pl.DataFrame | None = None
    st_projects: pl.DataFrame | None = None

    def normalised(self) -> Facts:
        """Columns cast to the types the engine expects.

        SQL hands back integer codes, 0/1 flags and, for an empty result, untyped (Null) columns;
        enterprise ids are unified to one type across frames so joins line up.
        """
        frames = {f.name: getattr(self, f.name) for f in fields(self)}
        id_types = {
            df.schema["enterprise_id"]
            for df in frames.values()
            if df is not None and "enterprise_id" in df.columns and df.schema["enterprise_id"] != pl.Null
        }
        id_type = id_types.pop() if len(id_types) == 1 else (pl.String if id_types else pl.Int64)
        out = {}
        for name, df in frames.items():
            if df is not None:
                casts = [
                    pl.col(c).cast(id_type) if c == "enterprise_id" else _cast(c, df.schema[c])
                    for c in df.columns
                    if c == "enterprise_id" or (c in COLUMN_TYPES and df.schema[c] != COLUMN_TYPES[c])
                ]
                df = df.with_columns(casts) if casts else df
            out[name] = df
        return Facts(**out)


def _cast(column: str, current: pl.DataType) -> pl.Expr:
    """One column to its engine type; dates come from SQLite as ISO text (``2025-11-28``)."""
    wanted = COLUMN_TYPES[column]
    if wanted == pl.Date and current == pl.String:
        return pl.col(column).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    if wanted == pl.Date and current == pl.Datetime:
        return pl.col(column).dt.date()
    return pl.col(column).cast(wanted)


COLUMN_TYPES: dict[str, pl.DataType] = {
    **{c: pl.String for c in ("division_code", "industry_code", "category_code", "cluster_code", "program", "level", "status",
                              "kind")},
    **{c: pl.Boolean for c in ("above_scale", "is_high_tech", "involved", "led")},
    **{c: pl.Int64 for c in ("year", "month", "recognised_year")},
    **{c: pl.Float64 for c in (*AMOUNT_FIELDS, "employees", "ytd_completed", "ytd_fixed_asset_investment")},
    **{c: pl.Date for c in ("issued_on", "expires_on", "recognised_on", "on")},
}


# ------------------------------------------------------------------------------------------------
# Region and group expansion
# ------------------------------------------------------------------------------------------------


def city_of(code: pl.Expr) -> pl.Expr:
    return pl.concat_str([code.str.slice(0, 4), pl.lit("00")])


def province_of(code: pl.Expr) -> pl.Expr:
    return pl.concat_str([code.str.slice(0, 2), pl.lit("0000")])


def _expand(panel: pl.LazyFrame, facts: Facts, value_cols: list[str]) -> pl.LazyFrame:
    """One row per (input row × group it counts in): county, city, province, cluster, category."""
    has_industry = "industry_code" in panel.collect_schema().names()
    base = panel.select(["division_code", *(["industry_code"] if has_industry else []), *value_cols])
    parts = [
        base.select(pl.lit("county").alias("region_level"), pl.col("division_code").alias("region"), *value_cols),
        base.select(pl.lit("city").alias("region_level"), city_of(pl.col("division_code")).alias("region"), *value_cols),
        base.select(
            pl.lit("province").alias("region_level"), province_of(pl.col("division_code")).alias("region"), *value_cols
        ),
    ]
    if has_industry:
        for level, frame, col in (("cluster", facts.clusters, "cluster_code"), ("category", facts.high_tech, "category_code")):
            if frame is None:
                continue
            membership = frame.lazy().select("industry_code", pl.col(col).alias("region")).unique()
            parts.append(
                base.join(membership, on="industry_code", how="inner").select(
                    pl.lit(level).alias("region_level"), "region", *value_cols
                )
            )
    return pl.concat(parts, how="vertical_relaxed")


def _group(panel: pl.DataFrame, facts: Facts, value_cols: list[str]) -> pl.DataFrame:
    """Sums per region and group, in two stages: first per county × industry class (which collapses
    the enterprise rows to a few thousand), then that small frame is expanded to every level."""
    if not value_cols:
        return pl.DataFrame(schema={"region_level": pl.String, "region": pl.String})
    keys = ["division_code", *(["industry_code"] if "industry_code" in panel.columns else [])]
    counts = [f"{c}__n" for c in value_cols]
    # a sum and a count of non-null inputs per column; a sum over no data is null, not zero
    cells = panel.lazy().group_by(keys).agg(
        [pl.col(c).sum() for c in value_cols] + [pl.col(c).count().alias(n) for c, n in zip(value_cols, counts, strict=True)]
    )
    expanded = _expand(cells, facts, value_cols + counts)
    grouped = expanded.group_by(["region_level", "region"]).agg([pl.col(c).sum() for c in value_cols + counts])
    return grouped.with_columns(
        [pl.when(pl.col(n) > 0).then(pl.col(c)).otherwise(None).alias(c) for c, n in zip(value_cols, counts, strict=True)]
    ).drop(counts).collect()


def _component_col(ind: Indicator, side: str, version: str) -> str:
    return f"{ind.id}__{side}__{version}"


# ------------------------------------------------------------------------------------------------
# Per-row component expressions (numerator / denominator of each indicator, per version)
# ------------------------------------------------------------------------------------------------


def _filter_mask(filters: list[str], suffix: str) -> pl.Expr:
    """Mask for the catalogue's filter names. ``above_scale`` is the panel itself (built from it)."""
    mask = pl.lit(True)
    for name in filters:
        if name == "above_scale":
            continue
        if name == "high_tech":
            mask = mask & pl.col("is_high_tech")
        elif name == "rd_positive":
            mask = mask & (pl.col(f"rd_expense{suffix}") > 0)
        elif name in ("hte_valid", "has_rd_institution"):
            mask = mask & pl.col(name)
        else:
            raise ValueError(f"unknown filter {name!r}")
    return mask


def _side_expr(side: Mapping, suffix: str, present: pl.Expr) -> pl.Expr:
    """Per-row contribution; null where the row has no filing in this version (so a group with none is null)."""
    mask = _filter_mask(list(side.get("filters", [])), suffix)
    if side.get("agg", "sum") == "count":
        value = mask.cast(pl.Int64)
    else:
        value = pl.when(mask).then(pl.col(f"{side['field']}{suffix}")).otherwise(0)
    return pl.when(present).then(value)


def _sides(ind: Indicator) -> list[tuple[str, Mapping]]:
    out = [("num", ind.numerator)]
    if ind.kind == "ratio":
        out.append(("den", ind.denominator))
    return out


def _components(indicators: list[Indicator], version: str, suffix: str = "", present: pl.Expr | None = None) -> list[pl.Expr]:
    present = pl.lit(True) if present is None else present
    return [
        _side_expr(side, suffix, present).alias(_component_col(ind, name, version))
        for ind in indicators
        for name, side in _sides(ind)
    ]


def _cols(indicators: list[Indicator], version: str) -> list[str]:
    return [_component_col(ind, name, version) for ind in indicators for name, _ in _sides(ind)]


# ------------------------------------------------------------------------------------------------
# Sources
# ------------------------------------------------------------------------------------------------


def _above_scale(facts: Facts, year: int) -> pl.DataFrame:
    ey = facts.enterprise_years
    return ey.filter((pl.col("year") == year) & pl.col("above_scale")).select("enterprise_id").unique()


def _with_industry(panel: pl.DataFrame, facts: Facts) -> pl.DataFrame:
    """Attach the enterprise's industry class and whether it is a high-tech industry class."""
    if facts.enterprises is None:
        return panel.with_columns(industry_code=pl.lit(None, pl.String), is_high_tech=pl.lit(False))
    ent = facts.enterprises.select("enterprise_id", "industry_code")
    panel = panel.join(ent, on="enterprise_id", how="left")
    ht = facts.high_tech.select("industry_code").unique() if facts.high_tech is not None else None
    if ht is None:
        return panel.with_columns(is_high_tech=pl.lit(False))
    return panel.with_columns(is_high_tech=pl.col("industry_code").is_in(ht["industry_code"].implode()).fill_null(False))


def _filings(facts: Facts, year: int, month: int) -> pl.DataFrame:
    """The above-scale set's cumulative filings for one month (the published basis)."""
    ms = facts.monthly_stats.filter((pl.col("year") == year) & (pl.col("month") == month))
    return ms.join(_above_scale(facts, year), on="enterprise_id", how="semi").select(
        "enterprise_id", "division_code", *AMOUNT_FIELDS
    )


def _monthly_stats_source(facts: Facts, indicators: list[Indicator], year: int, month: int) -> pl.DataFrame:
    """Components from the monthly filings.

    ``cur``: this year's above-scale set, month N. ``cmp``: the same enterprises' filings for month N
    last year (comparable basis; an enterprise with no filing then contributes nothing, and
    enterprises that left the set are not in it). ``ly`` / ``lyf``: last year's above-scale set at
    month N / month 12, for the published last-year value and the projection ratio.
    """
    last = facts.monthly_stats.filter((pl.col("year") == year - 1) & (pl.col("month") == month)).select(
        "enterprise_id", *[pl.col(f).alias(f"{f}_cmp") for f in AMOUNT_FIELDS], pl.lit(True).alias("_present_cmp")
    )
    cur = _with_industry(_filings(facts, year, month).join(last, on="enterprise_id", how="left"), facts)
    cur = cur.with_columns(
        _components(indicators, "cur")
        + _components(indicators, "cmp", "_cmp", pl.col("_present_cmp").fill_null(False))
    )
    grouped = _group(cur, facts, _cols(indicators, "cur") + _cols(indicators, "cmp"))
    for version, m in (("ly", month), ("lyf", 12)):
        panel = _with_industry(_filings(facts, year - 1, m), facts).with_columns(_components(indicators, version))
        grouped = _join_groups(grouped, _group(panel, facts, _cols(indicators, version)))
    return grouped


def _enterprise_year_panel(facts: Facts, year: int, on: dt.date, params: ParameterTree) -> pl.DataFrame:
    """Above-scale enterprises of a year with their county, class, HTE and R&D-institution flags as of ``on``.

    ``hte_valid``: holds a valid HTE certificate on ``on`` (``xinzhi.policy.validity``, the one definition).
    ``has_rd_institution``: an active institution recognised on or before ``on``.
    """
    ids = _above_scale(facts, year)
    ent = facts.enterprises.select("enterprise_id", "division_code")
    panel = _with_industry(ids.join(ent, on="enterprise_id", how="inner"), facts)
    certs = facts.certifications
    if certs is not None:
        hte = holders(certs, on, params)
        panel = panel.with_columns(hte_valid=pl.col("enterprise_id").is_in(hte["enterprise_id"].implode()))
    else:
        panel = panel.with_columns(hte_valid=pl.lit(None, pl.Boolean))
    inst = facts.rd_institutions
    if inst is not None:
        dated = inst.with_columns(_on=_institution_date_of(inst))
        active = dated.filter(
            (pl.col("_on") <= on) & pl.col("status").is_in(ACTIVE_INSTITUTION_STATUSES)
        ).select("enterprise_id").unique()
        panel = panel.with_columns(has_rd_institution=pl.col("enterprise_id").is_in(active["enterprise_id"].implode()))
    else:
        panel = panel.with_columns(has_rd_institution=pl.lit(None, pl.Boolean))
    return panel


def _institution_date_of(frame: pl.DataFrame) -> pl.Expr:
    fallback = pl.date(pl.col("recognised_year"), 12, 31)
    return pl.coalesce(pl.col("recognised_on"), fallback) if "recognised_on" in frame.columns else fallback


def _enterprise_years_source(
    facts: Facts, indicators: list[Indicator], year: int, month: int, params: ParameterTree
) -> pl.DataFrame:
    """Annual register shares (HTE share, R&D-institution coverage).

    The above-scale set is the year's; the statuses are as of the period's month end (``cur``) and the
    same day last year (``ly``, last year's set). ``cmp`` = ``ly``; there is no projection (``lyf`` null).
    """
    grouped = None
    for version, y in (("cur", year), ("ly", year - 1)):
        panel = _enterprise_year_panel(facts, y, month_end(y, month), params)
        panel = panel.with_columns(_components(indicators, version))
        g = _group(panel, facts, _cols(indicators, version))
        grouped = g if grouped is None else _join_groups(grouped, g)
    return _copy_version(grouped, indicators, "ly", "cmp")


def _count_source(
    facts: Facts, indicators: list[Indicator], year: int, month: int, registry: str, params: ParameterTree | None = None
) -> pl.DataFrame:
    """Recognitions counted from a registry as of the period's month end, by the enterprise's county.

    A recognition counts on its date (certificate issue date / recognition date; without one, 31
    December of its year): ``cur`` counts the dates from 1 January to the month end of the period, ``ly``
    the same span last year, ``lyf`` all of last year (so counts project, and last year's cumulative
    share ``ly / lyf`` is the seasonal schedule). ``first_time`` in an indicator's ``count`` keeps only
    an enterprise's first recognition in the programme (首次认定; the others are re-recognitions).
    """
    if registry == "certifications":
        frame = facts.certifications
        for col, dtype in (("issued_on", pl.Date), ("year", pl.Int64)):
            if col not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype).alias(col))
        frame = frame.with_columns(_on=recognition_date_expr())
        first = pl.col("_on") == pl.col("_on").min().over(["enterprise_id", "program"])
        frame = frame.with_columns(_first=first.fill_null(False))
        key, value_of = "program", lambda ind: ind.count["program"]
    else:
        frame = facts.rd_institutions.filter(pl.col("status") != "revoked")
        frame = frame.with_columns(_on=_institution_date_of(frame), _first=pl.lit(True))
        key, value_of = "level", lambda ind: ind.count["level"]
    ent = facts.enterprises.select("enterprise_id", "division_code")
    panel = _with_industry(frame.join(ent, on="enterprise_id", how="inner"), facts)
    spans = {
        "cur": (dt.date(year, 1, 1), month_end(year, month)),
        "ly": (dt.date(year - 1, 1, 1), month_end(year - 1, month)),
        "lyf": (dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)),
    }
    exprs = []
    for ind in indicators:
        match = pl.col(key) == value_of(ind)
        if (ind.count or {}).get("first_time"):
            match = match & pl.col("_first")
        for version, (start, end) in spans.items():
            exprs.append(
                (match & pl.col("_on").is_between(start, end)).fill_null(False).cast(pl.Int64)
                .alias(_component_col(ind, "num", version))
            )
    panel = panel.with_columns(exprs)
    cols = [c for v in spans for c in _cols(indicators, v)]
    return _copy_version(_group(panel, facts, cols), indicators, "ly", "cmp")


def _spans(year: int, month: int) -> dict[str, tuple[dt.date, dt.date]]:
    """``cur``: 1 January to the period's month end; ``ly``: the same span last year; ``lyf``: all last year."""
    return {
        "cur": (dt.date(year, 1, 1), month_end(year, month)),
        "ly": (dt.date(year - 1, 1, 1), month_end(year - 1, month)),
        "lyf": (dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)),
    }


def _programme_count_source(
    facts: Facts, indicators: list[Indicator], year: int, month: int, params: ParameterTree | None = None
) -> pl.DataFrame:
    """Programme events counted on their date (new-product approvals, excellent products, advanced
    achievements; ``xinzhi.programs.selectors.programme_records``), by county, as of the period's month end."""
    panel = facts.programme_records
    exprs = [
        ((pl.col("kind") == ind.source) & pl.col("on").is_between(start, end)).fill_null(False).cast(pl.Int64)
        .alias(_component_col(ind, "num", version))
        for ind in indicators for version, (start, end) in _spans(year, month).items()
    ]
    cols = [c for v in ("cur", "ly", "lyf") for c in _cols(indicators, v)]
    return _copy_version(_group(panel.with_columns(exprs), facts, cols), indicators, "ly", "cmp")


def _st_projects_source(
    facts: Facts, indicators: list[Indicator], year: int, month: int, params: ParameterTree | None = None
) -> pl.DataFrame:
    """Shares of provincial major S&T projects approved in the year up to the month end whose flag
    (``numerator.flag``: involved / led, defined in ``xinzhi.programs.shares``) holds."""
    panel = facts.st_projects
    exprs = []
    for ind in indicators:
        for version, (start, end) in _spans(year, month).items():
            inside = pl.col("on").is_between(start, end).fill_null(False)
            exprs.append((inside & pl.col(ind.numerator["flag"])).cast(pl.Int64).alias(_component_col(ind, "num", version)))
            exprs.append(inside.cast(pl.Int64).alias(_component_col(ind, "den", version)))
    cols = [c for v in ("cur", "ly", "lyf") for c in _cols(indicators, v)]
    return _copy_version(_group(panel.with_columns(exprs), facts, cols), indicators, "ly", "cmp")


def _investment_panel(facts: Facts, year: int, month: int) -> pl.DataFrame:
    """County totals for one month: high-tech project investment and total fixed-asset investment."""
    parts = []
    if facts.project_progress is not None:
        pp = facts.project_progress.filter(
            (pl.col("year") == year) & (pl.col("month") == month) & pl.col("is_high_tech")
        )
        parts.append(pp.group_by("division_code").agg(pl.col("ytd_completed").sum().alias("ht_investment")))
    if facts.region_investment is not None:
        ri = facts.region_investment.filter((pl.col("year") == year) & (pl.col("month") == month))
        parts.append(
            ri.group_by("division_code").agg(pl.col("ytd_fixed_asset_investment").sum().alias("fixed_asset_investment"))
        )
    out = pl.DataFrame(schema={"division_code": pl.String})
    for part in parts:
        out = out.join(part, on="division_code", how="full", coalesce=True)
    for col in ("ht_investment", "fixed_asset_investment"):
        if col not in out.columns:
            out = out.with_columns(pl.lit(None, pl.Int64).alias(col))
    if facts.project_progress is not None and facts.region_investment is not None:
        # a county that reports total investment but no high-tech project has invested 0 in high tech
        out = out.with_columns(
            pl.when(pl.col("fixed_asset_investment").is_not_null())
            .then(pl.col("ht_investment").fill_null(0))
            .otherwise(pl.col("ht_investment"))
        )
    return out


def _investment_source(
    facts: Facts, indicators: list[Indicator], year: int, month: int, params: ParameterTree | None = None
) -> pl.DataFrame:
    """Investment totals are compared as published (project statistics have no enterprise panel).

    One coverage for both sides of a ratio: a county counts in the numerator and the denominator only
    when it reports both (high-tech investment of a county whose fixed-asset investment is missing is
    left out of the share). ``missing`` counts, per region, the counties without a figure this period
    (listed counties with no report at all included), so the reason can say the value is partial.
    """
    grouped = None
    divisions = facts.divisions.select("division_code").unique() if facts.divisions is not None else None
    for version, (y, m) in (("cur", (year, month)), ("ly", (year - 1, month)), ("lyf", (year - 1, 12))):
        panel = _investment_panel(facts, y, m)
        if version == "cur" and divisions is not None:
            panel = divisions.join(panel, on="division_code", how="left")
        exprs = []
        for ind in indicators:
            sides = _sides(ind)
            both = pl.all_horizontal([pl.col(side["field"]).is_not_null() for _, side in sides])
            exprs += [
                pl.when(both).then(pl.col(side["field"])).alias(_component_col(ind, name, version))
                for name, side in sides
            ]
            if version == "cur":
                exprs.append((~both).cast(pl.Int64).alias(f"{ind.id}__missing"))
        cols = _cols(indicators, version) + ([f"{ind.id}__missing" for ind in indicators] if version == "cur" else [])
        g = _group(panel.with_columns(exprs), facts, cols)
        grouped = g if grouped is None else _join_groups(grouped, g)
    return _copy_version(grouped, indicators, "ly", "cmp")


def _join_groups(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    return a.join(b, on=["region_level", "region"], how="full", coalesce=True)


def _copy_version(grouped: pl.DataFrame, indicators: list[Indicator], src: str, dst: str) -> pl.DataFrame:
    return grouped.with_columns(
        [pl.col(_component_col(ind, s, src)).alias(_component_col(ind, s, dst)) for ind in indicators for s, _ in _sides(ind)]
    )


FILTER_NEEDS = {"high_tech": "high_tech", "hte_valid": "certifications", "has_rd_institution": "rd_institutions"}
SOURCE_NEEDS = {
    "monthly_stats": ("monthly_stats", "enterprise_years"),
    "enterprise_years": ("enterprise_years", "enterprises"),
    "certifications": ("certifications", "enterprises"),
    "rd_institutions": ("rd_institutions", "enterprises"),
    "new_product_projects": ("programme_records",),
    "excellent_products": ("programme_records",),
    "technology_achievements": ("programme_records",),
    "st_projects": ("st_projects",),
}


def _ready(facts: Facts, ind: Indicator) -> bool:
    """Whether every frame the indicator's definition reads is present (else: no data, never zero)."""
    if not ind.available:
        return False
    if ind.kind == "relative":
        return True
    if ind.source == "investment":
        fields_used = {side["field"] for _, side in _sides(ind)}
        frames = {"ht_investment": facts.project_progress, "fixed_asset_investment": facts.region_investment}
        return all(frames[f] is not None for f in fields_used)
    if ind.source not in SOURCE_NEEDS:
        return False
    needs = list(SOURCE_NEEDS[ind.source])
    for _, side in _sides(ind):
        needs += [FILTER_NEEDS[f] for f in (side or {}).get("filters", []) if f in FILTER_NEEDS]
    return all(getattr(facts, n) is not None for n in needs)


SOURCES = {
    "monthly_stats": lambda f, i, y, m, p: _monthly_stats_source(f, i, y, m),
    "enterprise_years": _enterprise_years_source,
    "investment": _investment_source,
    "certifications": lambda f, i, y, m, p: _count_source(f, i, y, m, "certifications", p),
    "rd_institutions": lambda f, i, y, m, p: _count_source(f, i, y, m, "rd_institutions", p),
    "new_product_projects": _programme_count_source,
    "excellent_products": _programme_count_source,
    "technology_achievements": _programme_count_source,
    "st_projects": _st_projects_source,
}


# ------------------------------------------------------------------------------------------------
# From components to values
# ------------------------------------------------------------------------------------------------


def _long(grouped: pl.DataFrame, indicators: list[Indicator]) -> pl.DataFrame:
    """Wide component columns → one row per indicator × group with num_*/den_* columns."""
    frames = []
    for ind in indicators:
        cols = []
        for side in SIDES:
            for v in VERSIONS:
                name = _component_col(ind, side, v)
                src = pl.col(name) if name in grouped.columns else pl.lit(None)
                cols.append(src.cast(pl.Float64).alias(f"{side}_{v}"))
        missing = f"{ind.id}__missing"
        cols.append((pl.col(missing) if missing in grouped.columns else pl.lit(None)).cast(pl.Int64).alias("coverage_missing"))
        frames.append(grouped.select(pl.lit(ind.id).alias("indicator"), "region_level", "region", *cols))
    return pl.concat(frames, how="vertical_relaxed") if frames else _empty_components()


def _empty_components() -> pl.DataFrame:
    schema = {"indicator": pl.String, "region_level": pl.String, "region": pl.String}
    schema |= {f"{s}_{v}": pl.Float64 for s in SIDES for v in VERSIONS}
    schema |= {"coverage_missing": pl.Int64}
    return pl.DataFrame(schema=schema)


def _universe(facts: Facts) -> pl.DataFrame:
    """Every group a row is reported for: counties seen anywhere, their cities and province, clusters, categories."""
    codes = [
        getattr(facts, n).select("division_code")
        for n in ("divisions", "enterprises", "monthly_stats", "project_progress", "region_investment")
        if getattr(facts, n) is not None
    ]
    county = (
        pl.concat(codes, how="vertical_relaxed").unique().drop_nulls()
        if codes
        else pl.DataFrame(schema={"division_code": pl.String})
    )
    parts = [
        county.select(pl.lit("county").alias("region_level"), pl.col("division_code").alias("region")),
        county.select(pl.lit("city").alias("region_level"), city_of(pl.col("division_code")).alias("region")),
        county.select(pl.lit("province").alias("region_level"), province_of(pl.col("division_code")).alias("region")),
    ]
    if facts.clusters is not None:
        parts.append(facts.clusters.select(pl.lit("cluster").alias("region_level"), pl.col("cluster_code").alias("region")))
    if facts.high_tech is not None:
        parts.append(
            facts.high_tech.select(pl.lit("category").alias("region_level"), pl.col("category_code").alias("region"))
        )
    return pl.concat(parts, how="vertical_relaxed").unique()


def _grid(catalogue: Catalogue, indicators: list[Indicator], universe: pl.DataFrame) -> pl.DataFrame:
    levels = pl.DataFrame(
        [(ind.id, level) for ind in indicators for level in ind.levels],
        schema=["indicator", "region_level"],
        orient="row",
    )
    return levels.join(universe, on="region_level", how="inner")


def _values(frame: pl.DataFrame) -> pl.DataFrame:
    """value, comparable last-year value, published last-year value, yoy and projection."""
    ratio = pl.col("kind") == "ratio"

    def level(v: str) -> pl.Expr:
        num, den = pl.col(f"num_{v}"), pl.col(f"den_{v}")
        return pl.when(ratio).then(pl.when(den > 0).then(num / den * pl.col("scale"))).otherwise(num)

    growth_num = pl.when(pl.col("num_ly") > 0).then(pl.col("num_lyf") / pl.col("num_ly"))
    growth_den = pl.when(pl.col("den_ly") > 0).then(pl.col("den_lyf") / pl.col("den_ly"))
    proj_num = pl.col("num_cur") * growth_num
    proj_den = pl.col("den_cur") * growth_den
    projected = pl.when(ratio).then(
        pl.when(proj_den > 0).then(proj_num / proj_den * pl.col("scale"))
    ).otherwise(proj_num)
    # counts recognised in batches: last year's share of the year's recognitions made by month N
    seasonal = pl.when((pl.col("kind") == "count") & (pl.col("num_lyf") > 0)).then(pl.col("num_ly") / pl.col("num_lyf"))
    out = frame.with_columns(
        value=level("cur"),
        last_year_value=level("cmp"),
        last_year_published=level("ly"),
        projected=projected,
        last_year_full=pl.col("num_lyf"),
        seasonal_elapsed=seasonal,
    )
    return out.with_columns(yoy=_yoy(pl.col("value"), pl.col("last_year_value"), ratio))


def _yoy(value: pl.Expr, last: pl.Expr, in_points: pl.Expr) -> pl.Expr:
    """Change in percentage points for ratios, growth in % for amounts and counts."""
    return pl.when(in_points).then(value - last).otherwise(pl.when(last > 0).then((value / last - 1) * 100))


def _base(
    facts: Facts, catalogue: Catalogue, indicators: list[Indicator], year: int, month: int, params: ParameterTree
) -> pl.DataFrame:
    """Values of the non-relative indicators in ``indicators`` for one period."""
    by_source: dict[str, list[Indicator]] = {}
    for ind in indicators:
        if ind.kind != "relative" and _ready(facts, ind):
            by_source.setdefault(ind.source, []).append(_resolved(ind, year, month, params))
    longs = [_long(SOURCES[src](facts, inds, year, month, params), inds) for src, inds in by_source.items()]
    computed = pl.concat(longs, how="vertical_relaxed") if longs else _empty_components()
    grid = _grid(catalogue, [i for i in indicators if i.kind != "relative"], _universe(facts))
    frame = grid.join(computed, on=["indicator", "region_level", "region"], how="left")
    attrs = _attrs(catalogue, facts)
    frame = frame.join(attrs, on="indicator", how="left")
    # a registry that exists and lists nothing for a region has counted zero, not "no data"
    zero = (pl.col("kind") == "count") & pl.col("computed")
    frame = frame.with_columns([pl.when(zero).then(pl.col(c).fill_null(0)).otherwise(pl.col(c)) for c in ("num_cur", "num_cmp", "num_ly")])
    return _values(frame)


def _resolved(ind: Indicator, year: int, month: int, params: ParameterTree) -> Indicator:
    """The indicator with its dated choices applied for the period: ``count.basis`` names a parameter
    (e.g. ``monitoring.new_hte_target_basis``) whose value in force at the month end says whether the
    count is of first recognitions only (``first_time``) or of all recognitions (``all``)."""
    basis = (ind.count or {}).get("basis")
    if not basis:
        return ind
    value = str(params.get(basis).at(month_end(year, month)).value)
    if value not in ("first_time", "all"):
        raise ValueError(f"{basis}: expected first_time or all, got {value!r}")
    return replace(ind, count={**ind.count, "first_time": value == "first_time"})


def _attrs(catalogue: Catalogue, facts: Facts) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (ind.id, ind.kind, ind.scale, _ready(facts, ind))
            for ind in catalogue
        ],
        schema={"indicator": pl.String, "kind": pl.String, "scale": pl.Float64, "computed": pl.Boolean},
        orient="row",
    )


def _relative(
    facts: Facts, catalogue: Catalogue, base: pl.DataFrame, relatives: list[Indicator], year: int, month: int,
    params: ParameterTree,
) -> pl.DataFrame:
    """Growth-rate indicators: this year's growth of ``growth_of``; last year's growth as its base."""
    if not relatives:
        return base.clear()
    refs = pl.DataFrame(
        [(ind.id, ind.growth_of) for ind in relatives], schema=["indicator", "growth_of"], orient="row"
    )
    bases = [catalogue[i.growth_of] for i in relatives]
    prev = _base(facts, catalogue, bases, year - 1, month, params).select(
        pl.col("indicator").alias("growth_of"), "region_level", "region", pl.col("yoy").alias("last_year_value")
    )
    cur = base.select(
        pl.col("indicator").alias("growth_of"),
        "region_level",
        "region",
        pl.col("yoy").alias("value"),
        pl.col("last_year_published").alias("_ly_pub"),
        pl.col("projected").alias("_proj"),
        pl.col("last_year_full").alias("_lyf"),
    )
    out = (
        refs.join(cur, on="growth_of", how="inner")
        .join(prev, on=["growth_of", "region_level", "region"], how="left")
        .with_columns(
            projected=pl.when(pl.col("_lyf") > 0).then((pl.col("_proj") / pl.col("_lyf") - 1) * 100),
            last_year_published=pl.col("last_year_value"),
        )
    )
    out = out.join(_attrs(catalogue, facts), on="indicator", how="left").with_columns(
        yoy=pl.col("value") - pl.col("last_year_value")
    )
    levels = _grid(catalogue, relatives, out.select("region_level", "region").unique())
    return levels.join(out.drop("growth_of", "_ly_pub", "_proj", "_lyf"), on=["indicator", "region_level", "region"], how="left")


# ------------------------------------------------------------------------------------------------
# Targets, progress, ranks
# ------------------------------------------------------------------------------------------------


def targets_frame(targets: pl.DataFrame | Mapping | None) -> pl.DataFrame:
    """Normalise the targets input to ``indicator, region, target``.

    Accepts a frame (``indicator`` and ``region`` or ``division_code``, ``target``) or a mapping
    ``{indicator: {division_code: target}}``.
    """
    schema = {"indicator": pl.String, "region": pl.String, "target": pl.Float64}
    if targets is None:
        return pl.DataFrame(schema=schema)
    if isinstance(targets, pl.DataFrame):
        df = targets.rename({"division_code": "region"}) if "division_code" in targets.columns else targets
        return df.select(pl.col("indicator").cast(pl.String), pl.col("region").cast(pl.String), pl.col("target").cast(pl.Float64))
    rows = [(ind, str(code), float(t)) for ind, per in targets.items() for code, t in per.items() if t is not None]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _with_targets(frame: pl.DataFrame, catalogue: Catalogue, targets, year: int, month: int) -> pl.DataFrame:
    """Attach target, comparator, gap, progress and time elapsed.

    The catalogue's target is the province's and applies to the province row in the target's year;
    ``targets`` adds or overrides per region. "faster_than" targets take the referenced indicator's
    value of the same region and period, for every region (快于面上 decomposes naturally).
    """
    cat = catalogue.frame().select("indicator", "comparator", "target_value", "target_indicator", "target_year")
    frame = frame.join(cat, on="indicator", how="left")
    given = targets_frame(targets).rename({"target": "_given"})
    frame = frame.join(given, on=["indicator", "region"], how="left")
    refs = frame.select(
        pl.col("indicator").alias("target_indicator"), "region_level", "region", pl.col("value").alias("_ref")
    )
    frame = frame.join(refs, on=["target_indicator", "region_level", "region"], how="left")
    in_year = pl.col("target_year") == year
    default = pl.when(
        in_year & (pl.col("region_level") == "province") & (pl.col("comparator") != "faster_than")
    ).then(pl.col("target_value"))
    target = (
        pl.when(pl.col("comparator") == "faster_than")
        .then(pl.when(in_year & pl.col("region_level").is_in(REGION_LEVELS)).then(pl.col("_ref")))
        .otherwise(pl.coalesce(pl.col("_given"), default))
    )
    frame = frame.with_columns(target=target).with_columns(
        comparator=pl.when(pl.col("target").is_not_null()).then(
            pl.coalesce(pl.col("comparator"), pl.lit(">="))
        ),
        gap=pl.col("value") - pl.col("target"),
        progress=pl.when(pl.col("kind").is_in(["count", "amount"]) & (pl.col("target") > 0)).then(
            pl.col("value") / pl.col("target")
        ),
        time_elapsed=pl.lit(month / 12),
    )
    return frame.drop("_given", "_ref", "target_value", "target_indicator", "target_year")


def _peer_key() -> pl.Expr:
    """Cities rank among cities and counties among counties of the same province."""
    return pl.when(pl.col("region_level").is_in(["city", "county"])).then(
        pl.concat_str([pl.col("region_level"), pl.lit(":"), pl.col("region").str.slice(0, 2)])
    ).otherwise(pl.col("region_level"))


def rank_frame(
    frame: pl.DataFrame, precision: pl.Expr, direction: pl.Expr, scale: pl.Expr | None = None
) -> pl.DataFrame:
    """Competition ranks (1, 1, 3) within peer groups, on the values as shown.

    A value is ranked as it is published: divided by its display scale (元 → 亿元) and rounded (四舍五入)
    to ``precision`` decimals. Equal shown values share a rank; different shown values never do.
    The province has no peers (rank null).
    """
    from .display import published

    scale = pl.lit(1.0) if scale is None else scale
    work = frame.with_columns(_peer=_peer_key(), _dec=precision.cast(pl.Int64))
    shown = published(pl.col("value") / scale, "_dec")
    key = pl.when(direction == "lower").then(-shown).otherwise(shown)
    ranked = pl.when(pl.col("value").is_not_null() & (pl.col("region_level") != "province")).then(key)
    work = work.with_columns(rank=ranked.rank("min", descending=True).over(["indicator", "_peer"]).cast(pl.Int64))
    peers = (
        work.filter(pl.col("region_level") != "province")
        .group_by(["indicator", "_peer"])
        .agg(peer_count=pl.col("value").count(), peer_mean=pl.col("value").mean())
    )
    return work.join(peers, on=["indicator", "_peer"], how="left", maintain_order="left").drop("_peer", "_dec")


OUTPUT_COLUMNS = [
    "indicator", "region", "region_level", "period", "year", "month", "kind", "unit", "value",
    "last_year_value", "last_year_published", "yoy", "yoy_unit", "target", "comparator", "gap", "progress",
    "time_elapsed", "seasonal_elapsed", "projected", "rank", "peer_count", "peer_mean", "precision", "direction",
    "available", "coverage_missing",
]


def compute_period(
    facts: Facts,
    year: int,
    month: int,
    targets: pl.DataFrame | Mapping | None = None,
    catalogue: Catalogue | None = None,
    parameters: ParameterTree | None = None,
) -> pl.DataFrame:
    """All indicators × groups for the period ``year``-``month`` (see the module docstring).

    ``parameters``: the dated parameters (policy and monitoring, ``catalogue.monitoring_parameters``):
    the HTE certificate's validity, which recognitions count toward a target.
    """
    if not 1 <= month <= 12:
        raise ValueError("month must be 1–12")
    catalogue = catalogue or load_catalogue()
    params = parameters or monitoring_parameters()
    facts = facts.normalised()
    indicators = list(catalogue)
    base = _base(facts, catalogue, indicators, year, month, params)
    relatives = [i for i in indicators if i.kind == "relative"]
    frame = pl.concat([base, _relative(facts, catalogue, base, relatives, year, month, params)], how="diagonal_relaxed")
    frame = _with_targets(frame, catalogue, targets, year, month)
    attrs = catalogue.frame().select("indicator", "unit", "precision", "direction", "available", "display_scale",
                                     "display_precision")
    frame = frame.drop([c for c in ("available",) if c in frame.columns]).join(attrs, on="indicator", how="left")
    frame = rank_frame(frame, pl.col("display_precision"), pl.col("direction"), pl.col("display_scale"))
    frame = frame.with_columns(
        period=pl.lit(f"{year:04d}-{month:02d}"),
        year=pl.lit(year),
        month=pl.lit(month),
        yoy_unit=pl.when(pl.col("kind").is_in(["ratio", "relative"])).then(pl.lit("百分点")).otherwise(pl.lit("%")),
        available=pl.col("available") & pl.col("computed").fill_null(False),
    )
    order = {lvl: i for i, lvl in enumerate(("province", "city", "county", "cluster", "category"))}
    ind_order = {ind.id: i for i, ind in enumerate(indicators)}
    return frame.select(OUTPUT_COLUMNS).sort(
        pl.col("indicator").replace_strict(ind_order, return_dtype=pl.Int64),
        pl.col("region_level").replace_strict(order, return_dtype=pl.Int64),
        "region",
    )
