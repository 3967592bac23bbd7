"""Chinese sentences for data briefings (数据简报) written from the rated table (seed task 15).

Every number in a sentence is one of the table's ``*_text`` columns (display.py), so the narrative and
the table cannot disagree. Sentences follow the style of provincial releases, e.g.
"1—6月，全省高新技术产业增加值占规上工业比重为67.8%，同比提高1.2个百分点，高于年度目标0.3个百分点。"
Building a sentence loops over the few rows of the rated table (presentation), never over facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from .display import period_label, unsigned

PROVINCE_NAME = "全省"


def region_name(row: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    names = names or {}
    if row["region_level"] == "province":
        return names.get(row["region"], PROVINCE_NAME)
    return names.get(row["region"], row["region"])


def _change(row: Mapping[str, Any]) -> str | None:
    """同比提高1.2个百分点 / 同比增长12.3% / 同比下降… (None when there is no last-year value)."""
    yoy, text = row.get("yoy"), unsigned(row.get("yoy_text"))
    if yoy is None or text is None:
        return None
    if row["kind"] in ("ratio", "relative"):
        if text.strip("0.") == "":
            return "与上年同期持平"
        word = "提高" if yoy > 0 else "下降"
        return f"同比{word}{text}个百分点"
    if text.strip("0.") == "":
        return "与上年同期持平"
    return f"同比{'增长' if yoy > 0 else '下降'}{text}%"


def _against_target(row: Mapping[str, Any]) -> str | None:
    """高于年度目标0.3个百分点 / 完成年度目标的52.0%…; None without a target or a value."""
    if row.get("target") is None or row.get("value") is None:
        return None
    if row["kind"] in ("count", "amount"):
        return row.get("rating_reason")
    gap_text = _gap_text(row)
    comparator = row.get("comparator")
    if comparator == "faster_than":
        if gap_text is None:
            return None
        word = "快于" if row["gap"] > 0 else "慢于"
        return f"{word}{row.get('ref_short_zh') or '对比指标'}{gap_text}个百分点"
    if comparator == "about":
        return f"与年度目标（{row.get('target_value_text')}%左右）相差{gap_text}个百分点"
    if gap_text is not None and gap_text.strip("0.") == "":
        return "与年度目标持平"
    word = "高于" if row["gap"] > 0 else "低于"
    return f"{word}年度目标{gap_text}个百分点"


def _gap_text(row: Mapping[str, Any]) -> str | None:
    return row.get("gap_text")


def sentence(row: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """One sentence for one indicator × region row of ``ratings.rate``'s output."""
    label = period_label(int(row["month"]))
    where = region_name(row, names)
    if row.get("value") is None:
        return f"{label}，{where}{row['name_zh']}暂无数据。"
    unit = row["display_unit"]
    if row["kind"] == "relative":
        head = f"{label}，{where}{row['name_zh']}为{row['value_text']}%"
        parts = [head]
        if row.get("yoy_text") is not None and row.get("yoy") is not None:
            parts.append(f"比上年同期{'提高' if row['yoy'] > 0 else '回落'}{unsigned(row['yoy_text'])}个百分点")
    else:
        verb = "为" if row["kind"] == "ratio" else ""
        parts = [f"{label}，{where}{row['name_zh']}{verb}{row['value_text']}{unit}"]
        if (change := _change(row)) is not None:
            parts.append(change)
    if (target := _against_target(row)) is not None:
        parts.append(target)
    return "，".join(parts) + "。"


def narrative(
    rated: pl.DataFrame,
    region: str,
    indicators: Iterable[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """Sentences for one region, in catalogue order (``indicators`` selects and orders them)."""
    rows = rated.filter(pl.col("region") == region)
    if indicators is not None:
        order = list(indicators)
        rows = rows.filter(pl.col("indicator").is_in(order)).sort(
            pl.col("indicator").replace_strict({k: i for i, k in enumerate(order)}, return_dtype=pl.Int64)
        )
    return [sentence(row, names) for row in rows.iter_rows(named=True)]
