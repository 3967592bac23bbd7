"""Monitoring benchmark: one full month (all indicators × province, cities, counties, clusters, categories).

Data: the full demo dataset generated in memory (≈ 62,000 enterprises, 1.36 M monthly filings), and the
same replicated 8× (≈ 500,000 enterprises, national scale). No database is involved in the timed part:
the engine gets the facts as frames, as ``monitoring.sources`` would hand them over.

References, measured in the same run, both reading the facts exported to Parquet (all months; the queries
select, join and filter themselves):
* a **DuckDB** query and a **Polars** lazy query computing the five target ratios (high-tech VA share,
  R&D intensity, new-product rate, high-tech investment share, high-tech investment growth) for the
  province, the cities and the counties: the value, the comparable last-year value (this year's
  above-scale set against its own filings a year earlier; for investment the published totals, one set
  of counties for both sides of the share) and the year-on-year change — the engine's definitions,
  cross-checked equal;
* the older like-for-like Polars query (three ratios, plus published last year and projection).
The goal: the engine's full catalogue within 2× the DuckDB query.

Also: the operation report (DOCX + PDF) for the province on the small demo in a scratch database.
Figures are printed, never asserted. Run: ``make bench`` or ``python bench/run.py monitoring``.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")
os.environ["XINZHI_VAR_DIR"] = tempfile.mkdtemp(prefix="xinzhi-bench-monitoring-")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

import polars as pl  # noqa: E402
from django.core.management import call_command  # noqa: E402

YEAR, MONTH = 2025, 6


def facts_from(frames, high_tech: pl.DataFrame, clusters: pl.DataFrame, divisions: pl.DataFrame):
    from xinzhi.monitoring.engine import Facts

    months = (pl.col("year") == YEAR) & (pl.col("month") == MONTH) | (pl.col("year") == YEAR - 1) & pl.col("month").is_in([MONTH, 12])
    inv_months = months | (pl.col("year") == YEAR - 2) & (pl.col("month") == MONTH)
    projects = frames.projects.select(pl.col("id").alias("project_id"), "division_code", "is_high_tech")
    return Facts(
        monthly_stats=frames.monthly.filter(months).drop("is_revision"),
        enterprise_years=frames.enterprise_years.filter(pl.col("year").is_in([YEAR, YEAR - 1])),
        enterprises=frames.enterprises.select(pl.col("id").alias("enterprise_id"), "division_code", "industry_code"),
        high_tech=high_tech, clusters=clusters,
        project_progress=frames.progress.filter(inv_months).join(projects, on="project_id").drop("is_revision"),
        region_investment=frames.region_investment.filter(inv_months).drop("is_revision"),
        certifications=frames.certifications.select("enterprise_id", "program", "year", "issued_on", "expires_on"),
        rd_institutions=frames.institutions.select("enterprise_id", "level", "recognised_year", "status"),
        divisions=divisions,
    )


def replicate(facts, times: int):
    """The same economy ``times`` over: enterprise and project ids shifted, counties unchanged."""
    from dataclasses import replace

    def many(frame: pl.DataFrame | None, id_cols: list[str], step: int) -> pl.DataFrame | None:
        if frame is None:
            return None
        parts = [frame.with_columns([pl.col(c) + k * step for c in id_cols]) for k in range(times)]
        return pl.concat(parts)

    step = int(facts.enterprises["enterprise_id"].max()) + 1
    pstep = int(facts.project_progress["project_id"].max()) + 1
    return replace(
        facts,
        monthly_stats=many(facts.monthly_stats, ["enterprise_id"], step),
        enterprise_years=many(facts.enterprise_years, ["enterprise_id"], step),
        enterprises=many(facts.enterprises, ["enterprise_id"], step),
        project_progress=many(facts.project_progress, ["project_id"], pstep),
        region_investment=facts.region_investment.with_columns(pl.col("ytd_fixed_asset_investment") * times),
        certifications=many(facts.certifications, ["enterprise_id"], step),
        rd_institutions=many(facts.rd_institutions, ["enterprise_id"], step),
    )


def hand_written_reference(parquet_dir: Path) -> tuple[float, pl.DataFrame]:
    """Province / city / county values of the five target ratios in one lazy Polars query."""
    started = time.perf_counter()
    ms = pl.scan_parquet(parquet_dir / "monthly.parquet").filter((pl.col("year") == YEAR) & (pl.col("month") == MONTH))
    above = pl.scan_parquet(parquet_dir / "years.parquet").filter((pl.col("year") == YEAR) & pl.col("above_scale"))
    ent = pl.scan_parquet(parquet_dir / "enterprises.parquet")
    ht = pl.scan_parquet(parquet_dir / "high_tech.parquet").select("industry_code", pl.lit(True).alias("ht"))
    base = (
        ms.join(above.select("enterprise_id"), on="enterprise_id", how="semi")
        .join(ent.select("enterprise_id", "industry_code"), on="enterprise_id")
        .join(ht, on="industry_code", how="left")
        .with_columns(ht_va=pl.when(pl.col("ht")).then(pl.col("value_added")).otherwise(0))
    )
    sums = [pl.sum(c) for c in ("ht_va", "value_added", "rd_expense", "revenue", "new_product_output", "output_value")]
    levels = []
    for level, key in (("province", pl.lit("330000")), ("city", pl.col("division_code").str.slice(0, 4) + "00"),
                       ("county", pl.col("division_code"))):
        levels.append(base.with_columns(region=key).group_by("region").agg(sums).with_columns(level=pl.lit(level)))
    out = pl.concat(levels).with_columns(
        ht_va_share=100 * pl.col("ht_va") / pl.col("value_added"),
        rd_intensity=100 * pl.col("rd_expense") / pl.col("revenue"),
        new_product_rate=100 * pl.col("new_product_output") / pl.col("output_value"),
    ).collect()
    return time.perf_counter() - started, out


def like_for_like_reference(parquet_dir: Path) -> tuple[float, pl.DataFrame]:
    """The same values the engine gives for three ratios at province / city / county level, in one
    lazy Polars query: this year's YTD ratio; the comparable-basis last-year ratio (this year's
    above-scale set, their own filings a year earlier) and the change in percentage points; the
    published last-year ratio (last year's set); and the projected year-end ratio (numerator and
    denominator each scaled by last year's December-to-month-N ratio, as ratings.md says)."""
    started = time.perf_counter()
    ms = pl.scan_parquet(parquet_dir / "monthly.parquet")
    years = pl.scan_parquet(parquet_dir / "years.parquet")
    ent = pl.scan_parquet(parquet_dir / "enterprises.parquet").select("enterprise_id", "industry_code")
    ht = pl.scan_parquet(parquet_dir / "high_tech.parquet").select("industry_code", pl.lit(True).alias("ht")).unique()
    fields = ["value_added", "rd_expense", "revenue", "new_product_output", "output_value"]

    def above(year: int) -> pl.LazyFrame:
        return years.filter((pl.col("year") == year) & pl.col("above_scale")).select("enterprise_id")

    def filings(year: int, month: int, members: pl.LazyFrame, suffix: str) -> pl.LazyFrame:
        return (ms.filter((pl.col("year") == year) & (pl.col("month") == month)).join(members, on="enterprise_id", how="semi")
                .join(ent, on="enterprise_id").join(ht, on="industry_code", how="left")
                .with_columns(pl.when(pl.col("ht").fill_null(False)).then(pl.col("value_added")).otherwise(0).alias("ht_va"))
                .select("enterprise_id", "division_code", *[pl.col(f).alias(f + suffix) for f in [*fields, "ht_va"]]))

    cur = filings(YEAR, MONTH, above(YEAR), "")
    cmp = filings(YEAR - 1, MONTH, above(YEAR), "_cmp").drop("division_code")
    panel = cur.join(cmp, on="enterprise_id", how="left")
    ly = filings(YEAR - 1, MONTH, above(YEAR - 1), "_ly")
    lyf = filings(YEAR - 1, 12, above(YEAR - 1), "_lyf")
    cols = [*fields, "ht_va"]

    def by_level(frame: pl.LazyFrame, names: list[str]) -> pl.LazyFrame:
        parts = []
        for level, key in (("province", pl.lit("330000")), ("city", pl.col("division_code").str.slice(0, 4) + "00"),
                           ("county", pl.col("division_code"))):
            parts.append(frame.with_columns(region=key).group_by("region").agg([pl.sum(n) for n in names])
                         .with_columns(level=pl.lit(level)))
        return pl.concat(parts)

    out = (
        by_level(panel, cols + [c + "_cmp" for c in cols])
        .join(by_level(ly, [c + "_ly" for c in cols]), on=["level", "region"], how="left")
        .join(by_level(lyf, [c + "_lyf" for c in cols]), on=["level", "region"], how="left")
    )
    ratios = {"ht_va_share": ("ht_va", "value_added"), "rd_intensity": ("rd_expense", "revenue"),
              "new_product_rate": ("new_product_output", "output_value")}
    exprs = []
    for name, (num, den) in ratios.items():
        exprs += [
            (100 * pl.col(num) / pl.col(den)).alias(name),
            (100 * pl.col(num + "_cmp") / pl.col(den + "_cmp")).alias(name + "_ly"),
            (100 * pl.col(num + "_ly") / pl.col(den + "_ly")).alias(name + "_published_ly"),
            (100 * (pl.col(num).cast(pl.Float64) * pl.col(num + "_lyf") / pl.col(num + "_ly"))
             / (pl.col(den).cast(pl.Float64) * pl.col(den + "_lyf") / pl.col(den + "_ly"))).alias(name + "_projected"),
        ]
    out = out.with_columns(exprs).with_columns(
        [(pl.col(n) - pl.col(n + "_ly")).alias(n + "_yoy") for n in ratios]
    ).collect()
    return time.perf_counter() - started, out


FIVE = ("ht_va_share", "rd_intensity", "new_product_rate", "ht_investment_share", "ht_investment_growth")


def export_parquet(frames, high_tech: pl.DataFrame, out: Path) -> None:
    """The facts as a warehouse would hold them: every month, one file per table."""
    frames.monthly.drop("is_revision").write_parquet(out / "monthly_all.parquet")
    frames.enterprise_years.write_parquet(out / "years_all.parquet")
    frames.enterprises.select(pl.col("id").alias("enterprise_id"), "division_code", "industry_code").write_parquet(
        out / "enterprises_all.parquet")
    high_tech.select("industry_code").unique().write_parquet(out / "high_tech_classes.parquet")
    frames.progress.drop("is_revision").write_parquet(out / "progress_all.parquet")
    frames.projects.select(pl.col("id").alias("project_id"), "division_code", "is_high_tech").write_parquet(
        out / "projects_all.parquet")
    frames.region_investment.drop("is_revision").write_parquet(out / "region_investment_all.parquet")


DUCKDB_SQL = """
WITH ht AS (SELECT DISTINCT industry_code FROM '{d}/high_tech_classes.parquet'),
ent AS (SELECT e.enterprise_id, e.industry_code IN (SELECT industry_code FROM ht) AS is_ht
        FROM '{d}/enterprises_all.parquet' e),
above AS (SELECT enterprise_id FROM '{d}/years_all.parquet' WHERE year = {y} AND above_scale),
cur AS (SELECT m.* FROM '{d}/monthly_all.parquet' m SEMI JOIN above USING (enterprise_id)
        WHERE m.year = {y} AND m.month = {m}),
prev AS (SELECT enterprise_id, value_added, rd_expense, revenue, new_product_output, output_value
         FROM '{d}/monthly_all.parquet' WHERE year = {y} - 1 AND month = {m}),
panel AS (
  SELECT c.division_code AS county, substr(c.division_code, 1, 4) || '00' AS city, '330000' AS province,
         CASE WHEN ent.is_ht THEN c.value_added ELSE 0 END AS ht_va, c.value_added AS va,
         c.rd_expense AS rd, c.revenue AS rev, c.new_product_output AS npo, c.output_value AS ov,
         CASE WHEN ent.is_ht THEN p.value_added ELSE 0 END AS ht_va_l, p.value_added AS va_l,
         p.rd_expense AS rd_l, p.revenue AS rev_l, p.new_product_output AS npo_l, p.output_value AS ov_l
  FROM cur c JOIN ent USING (enterprise_id) LEFT JOIN prev p USING (enterprise_id)),
stats AS (
  SELECT COALESCE(county, city, province) AS region,
         CASE WHEN county IS NOT NULL THEN 'county' WHEN city IS NOT NULL THEN 'city' ELSE 'province' END AS lvl,
         100 * sum(ht_va) / sum(va) AS ht_va_share, 100 * sum(ht_va_l) / sum(va_l) AS ht_va_share_ly,
         100 * sum(rd) / sum(rev) AS rd_intensity, 100 * sum(rd_l) / sum(rev_l) AS rd_intensity_ly,
         100 * sum(npo) / sum(ov) AS new_product_rate, 100 * sum(npo_l) / sum(ov_l) AS new_product_rate_ly
  FROM panel GROUP BY GROUPING SETS ((province), (province, city), (province, city, county))),
htp AS (SELECT p.year, j.division_code AS county, sum(p.ytd_completed) AS ht
        FROM '{d}/progress_all.parquet' p JOIN '{d}/projects_all.parquet' j USING (project_id)
        WHERE j.is_high_tech AND p.month = {m} AND p.year BETWEEN {y} - 2 AND {y} GROUP BY ALL),
fai AS (SELECT year, division_code AS county, sum(ytd_fixed_asset_investment) AS fai
        FROM '{d}/region_investment_all.parquet' WHERE month = {m} AND year BETWEEN {y} - 2 AND {y} GROUP BY ALL),
counties AS (SELECT DISTINCT county FROM htp UNION SELECT DISTINCT county FROM fai),
inv AS (
  SELECT c.county, substr(c.county, 1, 4) || '00' AS city, '330000' AS province,
         -- one coverage: a county counts in the share only where it reports fixed-asset investment
         CASE WHEN f0.fai IS NOT NULL THEN coalesce(h0.ht, 0) END AS sh_num, f0.fai AS sh_den,
         CASE WHEN f1.fai IS NOT NULL THEN coalesce(h1.ht, 0) END AS sh_num_l, f1.fai AS sh_den_l,
         -- a county reporting fixed-asset investment but no high-tech project invested 0 in high tech
         CASE WHEN f0.fai IS NOT NULL THEN coalesce(h0.ht, 0) ELSE h0.ht END AS ht0,
         CASE WHEN f1.fai IS NOT NULL THEN coalesce(h1.ht, 0) ELSE h1.ht END AS ht1,
         CASE WHEN f2.fai IS NOT NULL THEN coalesce(h2.ht, 0) ELSE h2.ht END AS ht2
  FROM counties c
  LEFT JOIN htp h0 ON h0.county = c.county AND h0.year = {y}
  LEFT JOIN htp h1 ON h1.county = c.county AND h1.year = {y} - 1
  LEFT JOIN htp h2 ON h2.county = c.county AND h2.year = {y} - 2
  LEFT JOIN fai f0 ON f0.county = c.county AND f0.year = {y}
  LEFT JOIN fai f1 ON f1.county = c.county AND f1.year = {y} - 1
  LEFT JOIN fai f2 ON f2.county = c.county AND f2.year = {y} - 2),
invs AS (
  SELECT COALESCE(county, city, province) AS region,
         100 * sum(sh_num) / sum(sh_den) AS ht_investment_share, 100 * sum(sh_num_l) / sum(sh_den_l) AS ht_investment_share_ly,
         100 * (sum(ht0) / nullif(sum(ht1), 0) - 1) AS ht_investment_growth,
         100 * (sum(ht1) / nullif(sum(ht2), 0) - 1) AS ht_investment_growth_ly
  FROM inv GROUP BY GROUPING SETS ((province), (province, city), (province, city, county)))
SELECT s.lvl, s.region, s.ht_va_share, s.ht_va_share_ly, s.ht_va_share - s.ht_va_share_ly AS ht_va_share_yoy,
       s.rd_intensity, s.rd_intensity_ly, s.rd_intensity - s.rd_intensity_ly AS rd_intensity_yoy,
       s.new_product_rate, s.new_product_rate_ly, s.new_product_rate - s.new_product_rate_ly AS new_product_rate_yoy,
       i.ht_investment_share, i.ht_investment_share_ly, i.ht_investment_share - i.ht_investment_share_ly AS ht_investment_share_yoy,
       i.ht_investment_growth, i.ht_investment_growth_ly, i.ht_investment_growth - i.ht_investment_growth_ly AS ht_investment_growth_yoy
FROM stats s LEFT JOIN invs i USING (region)
"""


def duckdb_reference(con, parquet_dir: Path) -> tuple[float, pl.DataFrame]:
    """The five ratios (value, comparable last year, YoY) × province/cities/counties in one DuckDB query."""
    started = time.perf_counter()
    cursor = con.execute(DUCKDB_SQL.format(d=parquet_dir, y=YEAR, m=MONTH))
    rows = cursor.fetchall()  # ≈ 100 regions: converting them is negligible (and needs no pyarrow)
    out = pl.DataFrame(rows, schema=[c[0] for c in cursor.description], orient="row")
    return time.perf_counter() - started, out


def polars_reference(parquet_dir: Path) -> tuple[float, pl.DataFrame]:
    """The same five ratios as one Polars lazy query over the same Parquet files."""
    started = time.perf_counter()
    d = parquet_dir
    ms = pl.scan_parquet(d / "monthly_all.parquet")
    ht = pl.scan_parquet(d / "high_tech_classes.parquet").with_columns(is_ht=pl.lit(True))
    ent = pl.scan_parquet(d / "enterprises_all.parquet").select("enterprise_id", "industry_code").join(
        ht, on="industry_code", how="left").select("enterprise_id", pl.col("is_ht").fill_null(False))
    above = pl.scan_parquet(d / "years_all.parquet").filter((pl.col("year") == YEAR) & pl.col("above_scale"))
    fields = ["value_added", "rd_expense", "revenue", "new_product_output", "output_value"]
    cur = ms.filter((pl.col("year") == YEAR) & (pl.col("month") == MONTH)).join(
        above.select("enterprise_id"), on="enterprise_id", how="semi")
    prev = ms.filter((pl.col("year") == YEAR - 1) & (pl.col("month") == MONTH)).select(
        "enterprise_id", *[pl.col(f).alias(f + "_l") for f in fields])
    panel = cur.join(ent, on="enterprise_id").join(prev, on="enterprise_id", how="left").with_columns(
        ht_va=pl.when(pl.col("is_ht")).then(pl.col("value_added")).otherwise(0),
        ht_va_l=pl.when(pl.col("is_ht")).then(pl.col("value_added_l")).otherwise(0),
    )
    sums = [pl.sum(c) for c in ("ht_va", "value_added", "rd_expense", "revenue", "new_product_output", "output_value",
                                "ht_va_l", "value_added_l", "rd_expense_l", "revenue_l", "new_product_output_l",
                                "output_value_l")]
    pp = pl.scan_parquet(d / "progress_all.parquet").filter(
        (pl.col("month") == MONTH) & pl.col("year").is_between(YEAR - 2, YEAR)).join(
        pl.scan_parquet(d / "projects_all.parquet").filter(pl.col("is_high_tech")), on="project_id")
    years = (YEAR, YEAR - 1, YEAR - 2)

    def by_year(frame: pl.LazyFrame, col: str, name: str) -> pl.LazyFrame:
        """One column per year: the county's sum, null where it has no row that year."""
        return frame.group_by("division_code").agg([
            pl.when(pl.col("year").eq(y).any()).then(pl.col(col).filter(pl.col("year") == y).sum()).alias(f"{name}{k}")
            for k, y in enumerate(years)])

    htp = by_year(pp, "ytd_completed", "ht")
    fai = by_year(pl.scan_parquet(d / "region_investment_all.parquet").filter(
        (pl.col("month") == MONTH) & pl.col("year").is_between(YEAR - 2, YEAR)), "ytd_fixed_asset_investment", "fai")
    inv = htp.join(fai, on="division_code", how="full", coalesce=True).with_columns(
        # a county reporting fixed-asset investment but no high-tech project invested 0 in high tech
        [pl.when(pl.col(f"fai{k}").is_not_null()).then(pl.col(f"ht{k}").fill_null(0)).otherwise(pl.col(f"ht{k}"))
         .alias(f"ht{k}") for k in range(3)]
    ).with_columns(
        # one coverage for the share: only counties with fixed-asset investment, on both sides
        sh0=pl.when(pl.col("fai0").is_not_null()).then(pl.col("ht0")),
        sh1=pl.when(pl.col("fai1").is_not_null()).then(pl.col("ht1")),
    )
    parts = []
    for level, key in (("province", pl.lit("330000")), ("city", pl.col("division_code").str.slice(0, 4) + "00"),
                       ("county", pl.col("division_code"))):
        st = panel.with_columns(region=key).group_by("region").agg(sums)
        iv = inv.with_columns(region=key).group_by("region").agg(
            [pl.sum(c) for c in ("sh0", "fai0", "sh1", "fai1", "ht0", "ht1", "ht2")])
        parts.append(st.join(iv, on="region", how="left").with_columns(lvl=pl.lit(level)))
    def ratio(num: str, den: str) -> pl.Expr:  # a sum over no data is 0 in Polars: no denominator, no value
        return pl.when(pl.col(den) > 0).then(100 * pl.col(num) / pl.col(den))

    def growth(now: str, before: str) -> pl.Expr:
        return pl.when(pl.col(before) > 0).then(100 * (pl.col(now) / pl.col(before) - 1))

    out = pl.concat(parts).with_columns(
        ht_va_share=ratio("ht_va", "value_added"), ht_va_share_ly=ratio("ht_va_l", "value_added_l"),
        rd_intensity=ratio("rd_expense", "revenue"), rd_intensity_ly=ratio("rd_expense_l", "revenue_l"),
        new_product_rate=ratio("new_product_output", "output_value"),
        new_product_rate_ly=ratio("new_product_output_l", "output_value_l"),
        ht_investment_share=ratio("sh0", "fai0"), ht_investment_share_ly=ratio("sh1", "fai1"),
        ht_investment_growth=growth("ht0", "ht1"), ht_investment_growth_ly=growth("ht1", "ht2"),
    ).with_columns([(pl.col(n) - pl.col(n + "_ly")).alias(n + "_yoy") for n in FIVE]).collect()
    return time.perf_counter() - started, out


def cross_check(engine: pl.DataFrame, reference: pl.DataFrame) -> float:
    """Largest absolute difference between the engine and a reference over the five ratios × 3 columns."""
    worst = 0.0
    for ind in FIVE:
        e = engine.filter((pl.col("indicator") == ind) & pl.col("region_level").is_in(["province", "city", "county"]))
        e = e.select("region", pl.col("value").alias("v"), pl.col("last_year_value").alias("l"), pl.col("yoy").alias("y"))
        r = reference.select("region", pl.col(ind).alias("rv"), pl.col(ind + "_ly").alias("rl"), pl.col(ind + "_yoy").alias("ry"))
        j = e.join(r, on="region", how="inner")
        for a, b in (("v", "rv"), ("l", "rl"), ("y", "ry")):
            diff = j.select((pl.col(a) - pl.col(b)).abs().max()).item()
            both_null = j.filter(pl.col(a).is_null() != pl.col(b).is_null()).height
            if both_null:
                return float("inf")
            worst = max(worst, diff or 0.0)
    return worst


def three_ratio_catalogue():
    """The catalogue cut down to the reference's three ratios at province / city / county level."""
    import tomllib

    from xinzhi.monitoring.catalogue import DATA_DIR, parse_catalogue

    with open(DATA_DIR / "indicators.toml", "rb") as fh:
        data = tomllib.load(fh)
    keep = ("ht_va_share", "rd_intensity", "new_product_rate")
    data["indicators"] = {k: {**v, "levels": ["province", "city", "county"]} for k, v in data["indicators"].items() if k in keep}
    return parse_catalogue(data)


def timed(func, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    from xinzhi.demo.generator import generate
    from xinzhi.demo.loader import read_reference
    from xinzhi.industries.services import cluster_class_frame, high_tech_class_frame
    from xinzhi.monitoring.engine import compute_period
    from xinzhi.monitoring.ratings import rate
    from xinzhi.regions.models import Division

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    started = time.perf_counter()
    frames = generate(read_reference(), "full", 2025)
    print(f"full demo generated in memory: {frames.enterprises.height:,} enterprises, "
          f"{frames.monthly.height:,} monthly filings ({time.perf_counter() - started:.1f}s)")
    high_tech = high_tech_class_frame().select("industry_code", "category_code")
    divisions = pl.DataFrame({"division_code": list(Division.objects.filter(level="county").values_list("code", flat=True))})
    facts = facts_from(frames, high_tech, cluster_class_frame(), divisions)

    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        facts.monthly_stats.write_parquet(tmp / "monthly.parquet")
        facts.enterprise_years.write_parquet(tmp / "years.parquet")
        facts.enterprises.write_parquet(tmp / "enterprises.parquet")
        high_tech.write_parquet(tmp / "high_tech.parquet")
        export_parquet(frames, high_tech, tmp)
        ref_time, ref = min((hand_written_reference(tmp) for _ in range(3)), key=lambda r: r[0])
        lfl_time, lfl = min((like_for_like_reference(tmp) for _ in range(3)), key=lambda r: r[0])
        con = duckdb.connect()
        duck_time, duck = min((duckdb_reference(con, tmp) for _ in range(5)), key=lambda r: r[0])
        pol_time, pol = min((polars_reference(tmp) for _ in range(5)), key=lambda r: r[0])
    full_time, full = timed(lambda: compute_period(facts, YEAR, MONTH), repeat=5)
    rate_time, _ = timed(lambda: rate(full), repeat=3)
    print("five target ratios × province/cities/counties — value, comparable last year, YoY — from Parquet "
          f"(DuckDB {duckdb.__version__}, Polars {pl.__version__}):")
    print(f"  DuckDB query:  {duck_time:.3f}s for {duck.height} regions (cross-check vs engine: max |Δ| = "
          f"{cross_check(full, duck):.2e})")
    print(f"  Polars query:  {pol_time:.3f}s for {pol.height} regions (cross-check vs engine: max |Δ| = "
          f"{cross_check(full, pol):.2e})")
    print(f"  engine, full catalogue ({full.height:,} indicator × group rows): {full_time:.3f}s; + ratings "
          f"{rate_time:.3f}s = {full_time + rate_time:.3f}s (goal < 1 s)")
    print(f"  ratio engine (full catalogue) / DuckDB: {full_time / duck_time:.2f}×  (goal ≤ 2×); "
          f"/ Polars: {full_time / pol_time:.2f}×")
    subset = three_ratio_catalogue()
    sub_time, sub = timed(lambda: compute_period(facts, YEAR, MONTH, catalogue=subset))
    print("like for like: 3 ratios × province/city/county — value, comparable-basis last year, YoY, published "
          "last year, projected year-end:")
    print(f"  engine (catalogue cut to those 3 indicators): {sub_time:.3f}s for {sub.height} rows")
    print(f"  hand-written Polars query from Parquet:       {lfl_time:.3f}s for {lfl.height} rows")
    print(f"  ratio engine / reference: {sub_time / lfl_time:.2f}×  (goal ≤ 2×)")
    eng = sub.filter((pl.col("indicator") == "rd_intensity") & (pl.col("region") == "330100")).to_dicts()[0]
    hand = lfl.filter(pl.col("region") == "330100").to_dicts()[0]
    print(f"  cross-check Hangzhou R&D intensity: engine {eng['value']:.4f}% (YoY {eng['yoy']:+.4f} pp, "
          f"projected {eng['projected']:.4f}%) vs reference {hand['rd_intensity']:.4f}% "
          f"(YoY {hand['rd_intensity_yoy']:+.4f} pp, projected {hand['rd_intensity_projected']:.4f}%)")

    for label, f in (("full demo (1×)", facts), ("8× demo (national scale)", replicate(facts, 8))):
        engine_time, frame = timed(lambda f=f: compute_period(f, YEAR, MONTH))
        rate_time, rated = timed(lambda frame=frame: rate(frame))
        n_ent = f.enterprises.height
        print(f"{label}: {n_ent:,} enterprises, {f.monthly_stats.height:,} filing rows in the month's facts")
        print(f"  engine compute_period: {engine_time:.3f}s for {frame.height:,} indicator × region rows")
        print(f"  ratings (rate):        {rate_time:.3f}s")
        print(f"  engine + ratings:      {engine_time + rate_time:.3f}s")
        if f is facts:
            print(f"  a narrower reference (3 ratios, this year only, no YoY) takes {ref_time:.3f}s: "
                  f"the full catalogue is {engine_time / ref_time:.1f}× that")
            check = frame.filter((pl.col("indicator") == "rd_intensity") & (pl.col("region") == "330000"))["value"][0]
            mine = ref.filter(pl.col("level") == "province")["rd_intensity"][0]
            print(f"  cross-check province R&D intensity: engine {check:.4f}% vs reference {mine:.4f}%")

    # the operation report, end to end on the small demo (scratch database)
    call_command("demo", scale="small", seed=2025, verbosity=0, stdout=io.StringIO())
    from xinzhi.monitoring import reporting, services
    from xinzhi.reports import render

    services.refresh(YEAR, MONTH)
    province = Division.objects.get(level="province")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        document = reporting.build("operation", province, YEAR, MONTH)
        built = time.perf_counter() - started
        render(document, "docx", Path(tmp) / "r.docx")
        docx_done = time.perf_counter() - started
        render(document, "pdf", Path(tmp) / "r.pdf")
        total = time.perf_counter() - started
    print(f"operation report (province, small demo): build {built:.2f}s, +DOCX {docx_done - built:.2f}s, "
          f"+PDF {total - docx_done:.2f}s, total {total:.2f}s (goal < 10 s)")


if __name__ == "__main__":
    main()
