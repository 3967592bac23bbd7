"""Enterprise-involved and enterprise-led shares of major provincial S&T projects — pure, columnar (Polars).

Definitions (programmes.md §2.1–2.2; the implementation opinion on the five-step model, 2027 targets
"企业牵头或参与 ≥ 80%", "其中企业主导（企业排名前三）≥ 70%"; the counting formulas are inferred there):

* a project is **enterprise-involved** when any of its undertaking units is an enterprise;
* it is **enterprise-led** when an enterprise holds a rank ≤ ``led_top_ranks`` (3) in the ordered list of
  units. Ranks as recorded: two units tied at rank 3 are both "in the top three";
* a project with no units recorded counts in the denominator and in neither numerator (flagged
  ``no_units`` so the page can list it);
* units outside the province count like any other (the opinion counts the project's units, not where
  they sit; ``count_outside_province = false`` in the parameters leaves them out — unverified either way);
* tracked national projects (``programme == "national"``) are not provincial projects and are left out;
* each share = count / all provincial projects approved (立项) in the span, as of a date.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

NATIONAL = "national"


def project_flags(projects: pl.DataFrame, units: pl.DataFrame, led_top_ranks: int = 3,
                  count_outside_province: bool = True) -> pl.DataFrame:
    """One row per project with ``involved``, ``led`` and ``no_units``.

    ``projects``: project_id, programme, approved_on (date), division_code (+ anything else, kept).
    ``units``: project_id, rank, kind (``enterprise`` / ``university`` / ``institute`` / ``other``), in_province.
    """
    u = units
    if not count_outside_province:
        u = u.filter(pl.col("in_province"))
    is_ent = pl.col("kind") == "enterprise"
    flags = u.group_by("project_id").agg(
        involved=is_ent.any(),
        led=(is_ent & (pl.col("rank") <= led_top_ranks)).any(),
        units=pl.len(),
    )
    out = projects.join(flags, on="project_id", how="left")
    return out.with_columns(
        involved=pl.col("involved").fill_null(False),
        led=pl.col("led").fill_null(False),
        no_units=pl.col("units").is_null(),
    ).drop("units")


def shares(flags: pl.DataFrame, start: dt.date, end: dt.date, by: list[str] | None = None) -> pl.DataFrame:
    """Projects approved from ``start`` to ``end`` (inclusive), per group ``by`` (e.g. ``["year"]``,
    ``["programme"]``, ``["city"]``): ``projects``, ``involved``, ``led`` and the two shares in %
    (null when there is no project)."""
    data = flags.filter((pl.col("programme") != NATIONAL) & pl.col("approved_on").is_between(start, end))
    code = pl.col("division_code").cast(pl.String)
    data = data.with_columns(
        year=pl.col("approved_on").dt.year(),
        city=pl.concat_str([code.str.slice(0, 4), pl.lit("00")]),
        province=pl.concat_str([code.str.slice(0, 2), pl.lit("0000")]),
    )
    keys = by or ["province"]
    out = data.group_by(keys).agg(
        projects=pl.len().cast(pl.Int64),
        involved=pl.col("involved").sum().cast(pl.Int64),
        led=pl.col("led").sum().cast(pl.Int64),
        no_units=pl.col("no_units").sum().cast(pl.Int64),
    )
    return out.with_columns(
        involved_share=pl.when(pl.col("projects") > 0).then(pl.col("involved") / pl.col("projects") * 100),
        led_share=pl.when(pl.col("projects") > 0).then(pl.col("led") / pl.col("projects") * 100),
    ).sort(keys)
