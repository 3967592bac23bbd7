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


# ------------------------------------------------------------------------------------------------
# The department's briefing prose: overall situation, leading and lagging regions, the red and yellow
# list, problems and next steps. Every number is a ``*_text`` of the rated table (the same numbers the
# report's tables print); region names come from ``names``.
# ------------------------------------------------------------------------------------------------

COLOUR_ZH = {"blue": "蓝色", "yellow": "黄色", "red": "红色", "grey": "灰色"}
ORDINALS = "一二三四五六七八九十"


def _rows(rated: pl.DataFrame, indicators: Iterable[str], regions: Iterable[str]) -> dict[tuple[str, str], dict]:
    inds, regs = list(indicators), list(regions)
    frame = rated.filter(pl.col("indicator").is_in(inds) & pl.col("region").is_in(regs))
    return {(r["indicator"], r["region"]): r for r in frame.iter_rows(named=True)}


def _value(row: Mapping[str, Any]) -> str:
    return f"{row['value_text']}{row['display_unit']}"


def against(row: Mapping[str, Any], gaps: bool = True) -> str | None:
    """The comparison with the region's own target, in words: 低于年度目标（超过67.5%）0.1个百分点; without
    ``gaps`` only the direction and the target (低于年度目标（超过67.5%）), for a text whose table has no gaps."""
    if row.get("target") is None or row.get("value") is None:
        return None
    target = row.get("target_text") or ""
    if not gaps and row["kind"] not in ("count", "amount"):
        gap = row.get("gap_text")
        if row.get("comparator") == "faster_than":
            same = gap is not None and gap.strip("0.") == ""
            return f"与{target[2:]}持平" if same else f"{'快于' if row['gap'] > 0 else '慢于'}{target[2:]}"
        if gap is not None and gap.strip("0.") == "":
            return f"与年度目标（{target}）持平"
        met = row.get("rating") == "blue"
        if row.get("comparator") == "about" and met:
            return f"达到年度目标（{target}）"
        return f"{'高于' if row['gap'] > 0 else '低于'}年度目标（{target}）"
    if row["kind"] in ("count", "amount"):
        return f"完成年度目标（{target}）的{row['progress_text']}%" if row.get("progress_text") else None
    gap = row.get("gap_text")
    if row.get("comparator") == "faster_than":
        if gap is None or gap.strip("0.") == "":
            return f"与{row.get('ref_short_zh') or '对比指标'}持平"
        return f"{'快于' if row['gap'] > 0 else '慢于'}{row.get('ref_short_zh') or '对比指标'}{gap}个百分点"
    if gap is not None and gap.strip("0.") == "":
        return f"与年度目标（{target}）持平"
    if row.get("comparator") == "about":
        return f"{'高于' if row['gap'] > 0 else '低于'}年度目标（{target}）{gap}个百分点"
    return f"{'高于' if row['gap'] > 0 else '低于'}年度目标（{target}）{gap}个百分点"


def indicator_clause(row: Mapping[str, Any], gaps: bool = True, short: bool = False) -> str:
    """高新技术产业增加值占规上工业比重67.4%，同比下降0.1个百分点，低于年度目标（超过67.5%）0.1个百分点
    (``short``: the short name, 高新技术产业增加值占比67.4%…)."""
    name = row["short_zh"] if short else row["name_zh"]
    if row.get("value") is None:
        return f"{name}暂无数据"
    parts = [f"{name}{'' if short else '为' if row['kind'] in ('ratio', 'relative') else ''}{_value(row)}"]
    change = _change(row)
    if row["kind"] == "relative" and row.get("yoy") is not None and row.get("yoy_text"):
        change = f"比上年同期{'提高' if row['yoy'] > 0 else '回落'}{unsigned(row['yoy_text'])}个百分点"
        if unsigned(row["yoy_text"]).strip("0.") == "":
            change = "与上年同期持平"
    if change:
        parts.append(change)
    if (versus := against(row, gaps)) is not None:
        parts.append(versus)
    return "，".join(parts)


def overall(
    rated: pl.DataFrame, region: str, indicators: list[str], names: Mapping[str, str], gaps: bool = True,
    short: bool = False,
) -> str:
    """一、总体情况: the region's indicators in one paragraph, then how many met their targets."""
    rows = _rows(rated, indicators, [region])
    present = [rows[(i, region)] for i in indicators if (i, region) in rows]
    if not present:
        return ""
    label = period_label(int(present[0]["month"]))
    where = region_name(present[0], names)
    clauses = [indicator_clause(r, gaps, short) for r in present]
    text = f"{label}，{where}" + "；".join(clauses) + "。"
    rated_rows = [r for r in present if r.get("rating") in COLOUR_ZH and r["rating"] != "grey"]
    if rated_rows:
        counts = {c: sum(r["rating"] == c for r in rated_rows) for c in ("blue", "yellow", "red")}
        parts = [f"{COLOUR_ZH[c]}{n}项" for c, n in counts.items() if n]
        text += f"{len(rated_rows)}项有年度目标的指标中，" + "、".join(parts) + "。"
    return text


def leaders_and_laggards(
    rated: pl.DataFrame, indicator: str, regions: list[str], names: Mapping[str, str], n: int = 3
) -> str | None:
    """高新技术产业增加值占比居前的是杭州市（73.5%）、嘉兴市（69.0%）、台州市（69.0%），居后的是…"""
    rows = [r for r in _rows(rated, [indicator], regions).values() if r.get("value") is not None and r.get("rank")]
    if len(rows) < 2:
        return None
    rows.sort(key=lambda r: (r["rank"], r["region"]))
    k = min(n, len(rows) // 2)
    top, bottom = rows[:k], rows[-k:][::-1]

    def listing(part: list[dict]) -> str:
        return "、".join(f"{names.get(r['region'], r['region'])}（{_value(r)}）" for r in part)

    return f"{rows[0]['short_zh']}居前的是{listing(top)}，居后的是{listing(bottom)}"


def red_yellow(rated: pl.DataFrame, regions: list[str], indicators: list[str], names: Mapping[str, str]) -> dict:
    """The regions rated red and yellow, per colour: ``{"red": [(region name, indicator short name), …], …}``."""
    rows = _rows(rated, indicators, regions)
    out: dict[str, list[tuple[str, str]]] = {"red": [], "yellow": []}
    for ind in indicators:
        for code in regions:
            r = rows.get((ind, code))
            if r and r.get("rating") in out:
                out[r["rating"]].append((names.get(code, code), r["short_zh"]))
    return out


def red_yellow_text(
    lists: Mapping[str, list[tuple[str, str]]], every: int | None = None, noun: str = "地区", brief: bool = False
) -> str:
    """红色警示：舟山市（高新技术产业投资增速）；黄色提醒：杭州市、宁波市（高新技术产业增加值占比）。
    When all ``every`` regions share a colour on an indicator: 各设区市均列入（…）. ``brief`` (the one-page
    briefing) names the red ones and counts the yellow ones (黄色提醒12项，见表1)."""
    parts = []
    for colour, word in (("red", "红色警示"), ("yellow", "黄色提醒")):
        items = lists.get(colour) or []
        if not items:
            parts.append(f"{word}：无")
            continue
        if brief and colour == "yellow":
            parts.append(f"{word}{len(items)}项（见表1底色）")
            continue
        by_indicator: dict[str, list[str]] = {}
        for region, short in items:
            by_indicator.setdefault(short, []).append(region)
        parts.append(f"{word}：" + "；".join(
            f"各{noun}均列入（{short}）" if every and len(regs) == every > 1 else f"{'、'.join(regs)}（{short}）"
            for short, regs in by_indicator.items()))
    return "；".join(parts) + "。"


def problems(
    rated: pl.DataFrame, region: str, regions: list[str], indicators: list[str], names: Mapping[str, str],
    gaps: bool = True,
) -> list[str]:
    """存在问题, from the ratings and gaps: the region's indicators rated yellow or red (with the gap),
    the indicators where lower-level regions are red, and data not reported."""
    rows = _rows(rated, indicators, [region, *regions])
    out = []
    for ind in indicators:
        r = rows.get((ind, region))
        if r and r.get("rating") in ("yellow", "red") and (versus := against(r, gaps)):
            out.append(f"{r['short_zh']}{_value(r)}，{versus}")
    lists = red_yellow(rated, regions, indicators, names)
    by_indicator: dict[str, list[str]] = {}
    for name, short in lists["red"]:
        by_indicator.setdefault(short, []).append(name)
    for short, regs in by_indicator.items():
        out.append(f"{'、'.join(regs)}{short}评级为红色，明显滞后")
    own = rows.get(("ht_investment_share", region))
    if own and own.get("coverage_missing"):
        missing = [names.get(c, c) for c in regions if (rows.get(("ht_investment_share", c)) or {}).get("value") is None]
        who = "、".join(missing) if missing else "部分县（市、区）"
        out.append(f"{who}固定资产投资数据未报送，高新技术产业投资占比未计入")
    return out


def suggestions(
    rated: pl.DataFrame, region: str, regions: list[str], indicators: list[str], names: Mapping[str, str],
    templates: Mapping[str, str], most: int = 6,
) -> list[str]:
    """下一步工作建议, one per indicator that needs work (the region rated yellow/red, or some lower-level
    regions red/yellow), naming the regions concerned; wording from ``templates`` (data/suggestions.toml)."""
    rows = _rows(rated, indicators, [region, *regions])
    out = []
    for ind in indicators:
        own = rows.get((ind, region))
        behind = [names.get(c, c) for c in regions if (rows.get((ind, c)) or {}).get("rating") in ("red", "yellow")]
        if not behind and not (own and own.get("rating") in ("red", "yellow")):
            continue
        template = templates.get(ind) or templates.get("default", "")
        if not template:
            continue
        who = ("、".join(behind[:most]) + ("等地" if len(behind) > most else "") if behind
               else region_name(own or {"region_level": "province", "region": region}, names))
        out.append(template.format(regions=who))
    if not out and templates.get("steady"):
        out.append(templates["steady"])
    return out


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals: 一 … 十, 十一, 二十三."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else ORDINALS[tens - 1]) + "十" if tens else "") + (ORDINALS[ones - 1] if ones else "")


def numbered(items: list[str]) -> str:
    """一是……；二是……。"""
    return "；".join(f"{chinese_number(i + 1)}是{t}" for i, t in enumerate(items)) + "。" if items else ""
