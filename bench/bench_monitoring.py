"""Monitoring benchmark: one full month (all indicators × province, cities, counties, clusters, categories).

Data: the full demo dataset generated in memory (≈ 62,000 enterprises, 1.36 M monthly filings), and the
same replicated 8× (≈ 500,000 enterprises, national scale). No database is involved in the timed part:
the engine gets the facts as frames, as ``monitoring.sources`` would hand them over.

Reference, measured in the same run: a single hand-written Polars query computing the five target
ratios for the province, cities and counties from the same facts exported to Parquet (what a careful
analyst would write by hand, without comparable-basis YoY, projections, ranks or ratings).

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
        certifications=frames.certifications.select("enterprise_id", "program", "year"),
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

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        facts.monthly_stats.write_parquet(tmp / "monthly.parquet")
        facts.enterprise_years.write_parquet(tmp / "years.parquet")
        facts.enterprises.write_parquet(tmp / "enterprises.parquet")
        high_tech.write_parquet(tmp / "high_tech.parquet")
        ref_time, ref = min((hand_written_reference(tmp) for _ in range(3)), key=lambda r: r[0])
        lfl_time, lfl = min((like_for_like_reference(tmp) for _ in range(3)), key=lambda r: r[0])
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
