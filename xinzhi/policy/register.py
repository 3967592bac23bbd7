"""The register run: one row per enterprise and programme for the lists (应享尽享, the cultivation pool,
the counts, the advanced-manufacturing candidates), from the same engine and the same templates as an
enterprise's answer.

Per row: ``eligible``, ``score``, ``failed`` (the short labels of the conditions not met), ``gap_text``
(the gap sentences of :mod:`xinzhi.policy.explain`, rendered over the column), the gaps the pool is ranked
by (``gap_amount`` yuan, ``gap_staff``, ``gap_points``: the sums over the failed conditions that can be
closed), ``near`` (not eligible, and every condition it fails can be closed by spending, hiring or
improving), ``holds_pkg`` (tax incentives: False only where the package says it does not claim a
positive benefit) and ``benefit`` (yuan, rounded down).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from . import engine
from .explain import gap_expr
from .params import ParameterTree, ParameterView, load_parameters
from .programmes import REGISTRY, TAX, Programme

LONG_COLUMNS = ("program", "eligible", "score", "failed", "gap_text", "gap_amount", "gap_staff", "gap_points", "near",
                "holds_pkg", "benefit")
UNIT_GAP_COLUMN = {"fen": "gap_amount", "persons": "gap_staff", "points": "gap_points"}
NEAR_PREFIX = "高新技术企业认定："


def outputs() -> list[str]:
    """The engine columns the lists read (the rest of each programme's columns is never computed)."""
    cols: list[str] = []
    for p in REGISTRY:
        cols.append(f"{p.key}.eligible")
        if p.period:
            cols.append(f"{p.key}.in_force")
        for c in p.conditions:
            cols += [c.name, f"{c.name}.gap"] if c.kind.has_gap else [c.name]
        if p.benefit_column:
            cols.append(p.benefit_column)
    cols += ["hte.score", "hte.score_max", "hte.score_gap_max", "hte.score_complete", "hte.rd_tier",
             "hte.years_missing", "tech_sme.score", "tech_sme.no_incidents.num"]
    return list(dict.fromkeys(cols))


def screen_all(frame: pl.DataFrame, year: int, tree: ParameterTree | None = None) -> pl.DataFrame:
    """Every programme's columns the lists need, for every row (wide; the frame's columns kept)."""
    return engine.run(frame, year, tree or load_parameters(), outputs=[c for c in outputs()])


def _present(frame: pl.DataFrame, name: str) -> bool:
    return name in frame.columns


def _programme_rows(p: Programme, wide: pl.DataFrame, v: ParameterView, keep: list[str]) -> pl.DataFrame:
    conds = [c for c in p.conditions if c.applies(v) and _present(wide, c.name)]
    eligible = pl.col(f"{p.key}.eligible")
    in_force = pl.col(f"{p.key}.in_force") if p.period else pl.lit(True)
    failed = [pl.when(pl.col(c.name) == False).then(pl.lit(c.short)) for c in conds]  # noqa: E712
    gaps = [g for c in conds if (g := gap_expr(c, v)) is not None]
    closable = [c for c in conds if c.closable]
    hard = [pl.col(c.name).fill_null(True) for c in conds if not c.closable]
    some_closable_fails = pl.any_horizontal([pl.col(c.name) == False for c in closable]) if closable \
        else pl.lit(False)  # noqa: E712
    near = (eligible == False) & in_force & (pl.all_horizontal(hard) if hard else pl.lit(True)) \
        & some_closable_fails  # noqa: E712
    amounts = {}
    for unit, column in UNIT_GAP_COLUMN.items():
        parts = [pl.when(pl.col(c.name) == False).then(pl.col(f"{c.name}.gap").cast(pl.Int64))  # noqa: E712
                 for c in closable if c.kind.unit == unit]
        total = pl.sum_horizontal(parts) if parts else pl.lit(None, dtype=pl.Int64)
        if unit == "fen":
            total = (total + 99) // 100  # yuan, rounded up
        amounts[column] = pl.when(near & (total > 0)).then(total).otherwise(pl.lit(None, dtype=pl.Int64))
    score = pl.col(f"{p.key}.score") if _present(wide, f"{p.key}.score") else pl.lit(None, dtype=pl.Int64)
    benefit = pl.lit(None, dtype=pl.Int64)
    if p.benefit_column:
        benefit = pl.when(eligible.fill_null(False)).then(pl.col(p.benefit_column).cast(pl.Int64) // 100)
    holds = pl.lit(None, dtype=pl.Boolean)
    if p.claims_flag:
        positive = pl.col(p.benefit_column).fill_null(0) > 0
        holds = pl.when(near).then(pl.lit(False)).when(~(eligible.fill_null(False) & positive)).then(pl.lit(True)) \
            .otherwise(pl.col(p.claims_flag).fill_null(True))
    return wide.select(
        *keep, program=pl.lit(p.key), eligible=pl.when(in_force).then(eligible).otherwise(pl.lit(False)),
        score=score.cast(pl.Int64), failed=pl.concat_str(failed, separator="、", ignore_nulls=True) if failed else pl.lit(""),
        gap_text=pl.concat_str(gaps, separator="；", ignore_nulls=True) if gaps else pl.lit(""),
        **amounts, near=near.fill_null(False), holds_pkg=holds, benefit=benefit,
    )


def long_results(wide: pl.DataFrame, year: int, tree: ParameterTree | None = None) -> pl.DataFrame:
    """One row per enterprise and programme (see the module docstring); ``wide`` from :func:`screen_all`."""
    tree = tree or load_parameters()
    ctx = engine.Context(year, date(year, 12, 31))
    vs = engine.views(tree, ctx)
    keep = [c for c in ("enterprise_id", "division_code") if c in wide.columns]
    parts = {p.key: _programme_rows(p, wide, vs[p.basis], keep) for p in REGISTRY}
    # a programme near through another (the HTE rate while HTE recognition is near): that one's gap
    for p in REGISTRY:
        if p.near_via:
            via, own = parts[p.near_via], parts[p.key]
            near = ~own["eligible"].fill_null(False) & via["near"]
            own = own.with_columns(
                near=near,
                gap_text=pl.when(near & (via["gap_text"] != "")).then(
                    pl.concat_str([own["gap_text"], pl.lit("；" + NEAR_PREFIX), via["gap_text"]]))
                .otherwise(own["gap_text"]),
                **{c: pl.when(near).then(via[c]).otherwise(own[c]) for c in UNIT_GAP_COLUMN.values()},
                holds_pkg=pl.when(near).then(pl.lit(False)).otherwise(own["holds_pkg"]),
            )
            parts[p.key] = own
    out = pl.concat(list(parts.values()), how="vertical_relaxed")
    return out.with_columns(pl.col("gap_text").fill_null(""), pl.col("failed").fill_null(""),
                            pl.col("near").fill_null(False))


__all__ = ["TAX", "long_results", "outputs", "screen_all"]
