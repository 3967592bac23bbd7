"""Finding the register's enterprise for each row of a published list (recognition lists, institution and
platform registers): by the unified social credit code, else by the exact name — for import kinds.

The rule, one place for every list kind:

* the USCC is in the register → that enterprise (a different name is a warning: the list is right about
  the code, the name may have changed);
* otherwise the exact name (after trimming spaces) names exactly one enterprise → that enterprise, with
  a **warning** on the row, so the preview shows every name match for review before the commit;
* the name names several enterprises → an error (the row cannot be placed);
* nothing matches → the row is reported (a warning, or an error when ``unmatched="error"``) and carries
  no enterprise; list kinds skip such rows — the enterprise is imported into the register first.

Columnar: two joins over the whole frame, no loop over rows.
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports.parsing import issues_where


def register_frame() -> pl.DataFrame:
    frame = read_frame("SELECT id, uscc, name, division_code FROM enterprises_enterprise")
    return frame.select(pl.col("id").cast(pl.Int64), pl.col("uscc").cast(pl.String), pl.col("name").cast(pl.String),
                        pl.col("division_code").cast(pl.String))


def match_enterprises(
    frame: pl.DataFrame, uscc: str, name: str, uscc_header: str, name_header: str, prefix: str = "",
    unmatched: str = "warning", what: str = "企业",
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Add ``{prefix}enterprise_id``, ``{prefix}division_code`` and ``{prefix}match`` ("uscc" | "name" | None)
    to ``frame`` and return the review issues (see the module docstring)."""
    ent_id, div, how = f"{prefix}enterprise_id", f"{prefix}division_code", f"{prefix}match"
    reg = register_frame()
    code = pl.col(uscc) if uscc in frame.columns else pl.lit(None, dtype=pl.String)
    text = (pl.col(name) if name in frame.columns else pl.lit(None, dtype=pl.String)).str.strip_chars()
    work = frame.with_columns(code.alias("_m_uscc"), text.alias("_m_name"))
    by_code = reg.select(pl.col("uscc").alias("_m_uscc"), pl.col("id").alias("_c_id"), pl.col("name").alias("_c_name"),
                         pl.col("division_code").alias("_c_div"))
    names = reg.group_by("name").agg(pl.len().alias("_n_count"), pl.col("id").first().alias("_n_id"),
                                     pl.col("uscc").first().alias("_n_uscc"),
                                     pl.col("division_code").first().alias("_n_div")).rename({"name": "_m_name"})
    work = work.join(by_code, on="_m_uscc", how="left").join(names, on="_m_name", how="left")
    by_name = pl.col("_c_id").is_null() & (pl.col("_n_count") == 1)
    work = work.with_columns(
        pl.coalesce(pl.col("_c_id"), pl.when(by_name).then(pl.col("_n_id"))).alias(ent_id),
        pl.coalesce(pl.col("_c_div"), pl.when(by_name).then(pl.col("_n_div"))).alias(div),
        pl.when(pl.col("_c_id").is_not_null()).then(pl.lit("uscc")).when(by_name).then(pl.lit("name")).alias(how),
    )
    named = pl.col("_m_name").is_not_null()
    issues = [
        issues_where(work, pl.col("_c_id").is_not_null() & named & (pl.col("_c_name") != pl.col("_m_name")), name_header,
                     pl.format("名称与企业库中的“{}”不一致，已按统一社会信用代码匹配，请核对", pl.col("_c_name")),
                     "warning"),
        issues_where(work, by_name, name_header,
                     pl.format(f"未按统一社会信用代码找到{what}，按名称匹配到企业库中的“{{}}”（{{}}），请核对后再导入",
                               pl.col("_m_name"), pl.col("_n_uscc")), "warning"),
        issues_where(work, pl.col("_c_id").is_null() & (pl.col("_n_count") > 1), name_header,
                     pl.format(f"企业库中有{{}}家企业名为“{{}}”，无法确定是哪一家，请填写{what}的统一社会信用代码",
                               pl.col("_n_count"), pl.col("_m_name"))),
        issues_where(work, pl.col(ent_id).is_null() & pl.col("_n_count").is_null() & (named | pl.col("_m_uscc").is_not_null()),
                     uscc_header if uscc in frame.columns else name_header,
                     pl.format(f"{what}“{{}}”不在企业库中" + ("，本行不导入（请先通过“企业名录”导入该企业）"
                                                          if unmatched == "warning" else ""),
                               pl.coalesce(pl.col("_m_name"), pl.col("_m_uscc"))),
                     unmatched),
    ]
    work = work.drop([c for c in work.columns if c.startswith(("_m_", "_c_", "_n_"))])
    return work, issues
