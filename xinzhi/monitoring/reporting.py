"""The data briefing (数据简报) and the operation report (运行报告) of high-tech industry (seed task 15).

Content only: this module turns one month's rated results into an ``xinzhi.reports.Document``; the
renderers write DOCX / PDF / XLSX. The prose is written the way a 经信厅 数据简报 / 运行报告 reads —
overall situation, leading and lagging regions named with their values, the red and yellow list,
存在问题 and 下一步工作建议 — by ``narrative.py`` from the rated table. Every number in the text is one
of the table's ``*_text`` columns and the tables print the same numbers (real numbers in XLSX, parsed
from those texts), so text and tables cannot disagree (tested). Trend charts read the stored monthly
snapshots up to the report's month.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import polars as pl

from xinzhi.investment import report_section as investment_projects
from xinzhi.regions.models import Division
from xinzhi.reports import (
    Cell,
    Chart,
    Column,
    Document,
    Heading,
    KeyFigure,
    KeyFigures,
    Note,
    Paragraph,
    Run,
    Series,
    Table,
)

from . import narrative as text
from . import selectors
from .catalogue import DATA_DIR, load_catalogue
from .display import period_label
from .models import EarlyWarning, IndicatorValue
from .services import compute

RATING_FILL = {"blue": "蓝", "yellow": "黄", "red": "红", "grey": "灰"}
RATING_ZH = {"blue": "蓝", "yellow": "黄", "red": "红", "grey": "灰", None: "—", "": "—"}
COUNT_ROWS = ["hte_recognitions", "new_hte", "new_tech_sme", "new_advanced_service", "new_national_tech_centre",
              "new_provincial_tech_centre", "new_provincial_key_institute", "new_provincial_institute"]
DATA_NOTE = (
    "规上工业指标为1—N月累计数，同比按可比口径（本年规上企业与其上年同期）计算；高新技术产业按平台默认口径"
    "（浙江省高新技术产业替代口径）统计；认定数按证书（认定）日期计至本月末。红黄蓝：蓝为达到或快于序时进度，"
    "黄为稍慢（提醒），红为明显滞后（警示），灰为无数据；各地对照本地区分解目标评价。"
)
SOURCE = "新质平台监测"


# ------------------------------------------------------------------------------------------------
# Data files: issuing departments, next-step wording
# ------------------------------------------------------------------------------------------------


def _toml(name: str) -> dict:
    with open(Path(DATA_DIR) / name, "rb") as fh:
        return tomllib.load(fh)


def issuer(division: Division) -> str:
    """The department that issues a region's reports (data/issuers.toml): the province's 经信厅, each
    city's and county's own bureau."""
    data = _toml("issuers.toml")
    if division.code in data.get("override", {}):
        return data["override"][division.code]
    city = ""
    if division.level == "county" and division.parent_id:
        city = Division.objects.filter(code=division.parent_id).values_list("name", flat=True).first() or ""
    return data["default"][division.level].format(name=division.name, city=city)


def _templates() -> dict[str, str]:
    return _toml("suggestions.toml")


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------


def _names() -> dict[str, str]:
    return dict(Division.objects.values_list("code", "name"))


def _row(rated: pl.DataFrame, indicator: str, region: str) -> dict | None:
    rows = rated.filter((pl.col("indicator") == indicator) & (pl.col("region") == region)).to_dicts()
    return rows[0] if rows else None


def _number(display: str | None) -> float | None:
    """The printed number as a real number (the table shows exactly the text the prose uses)."""
    if not display:
        return None
    return float(display.replace(",", "").replace("+", ""))


def _value_cell(row: dict | None, with_fill: bool = False) -> Cell:
    if row is None or row.get("value") is None:
        return Cell(None)
    fill = RATING_FILL.get(row.get("rating")) if with_fill else None
    return Cell(_number(row.get("value_text")), fill=fill, decimals=row.get("display_precision"))


def _yoy_cell(row: dict | None) -> Cell:
    if row is None or not row.get("yoy_text"):
        return Cell(None)
    decimals = row.get("precision") if row["kind"] in ("ratio", "relative") else 1
    return Cell(_number(row["yoy_text"]), decimals=decimals, signed=True)


def _rating_cell(row: dict | None) -> Cell | str:
    rating = (row or {}).get("rating")
    return Cell(RATING_ZH[rating], fill=RATING_FILL.get(rating)) if rating else "—"


def _where(division: Division) -> str:
    return "全省" if division.level == "province" else division.name


def _period_title(year: int, month: int) -> str:
    """2025年1—6月; January alone reads 2025年1月."""
    return f"{year}年{period_label(month)}"


def _children(division: Division) -> list[str]:
    return [d.code for d in selectors.children_of(division) if d.code != division.code]


def _child_noun(division: Division) -> str:
    return "设区市" if division.level == "province" else "县（市、区）"


# ------------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------------


def key_table(rated: pl.DataFrame, region: str, caption: str, sheet: str, reasons: bool = True) -> Table:
    """The five targets of the region: value, change, its own target, rating (and the reason)."""
    rows = []
    for ind in selectors.KEY_INDICATORS:
        r = _row(rated, ind, region)
        if r is None:
            continue
        line = [r["name_zh"], _value_cell(r), _yoy_cell(r), r.get("target_text") or "—", _rating_cell(r)]
        if reasons:
            line.append(r.get("rating_reason") or "—")
        rows.append(line)
    columns = [Column("指标", width=24), Column("1—N月累计", unit="%", align="right"),
               Column("同比", unit="百分点", align="right", signed=True), Column("年度目标", align="right"),
               Column("评级", align="center")]
    if reasons:
        columns.append(Column("评价说明", width=34))
    return Table(columns=columns, rows=rows, caption=caption, source=SOURCE, sheet_name=sheet)


def count_table(rated: pl.DataFrame, region: str, caption: str) -> Table:
    """Recognitions of the year as of the month end: the HTE total and 其中首次认定, the other counts."""
    rows = []
    for ind in COUNT_ROWS:
        r = _row(rated, ind, region)
        if r is None:
            continue
        name = "其中：首次认定（计入新认定目标）" if ind == "new_hte" else r["name_zh"]
        target = _number(r.get("target_value_text")) if r.get("target") is not None else None
        progress = _number(r.get("progress_text"))
        rows.append([name, _value_cell(r), _yoy_cell(r), target, progress, _rating_cell(r),
                     r.get("rating_reason") or "—"])
    return Table(
        columns=[Column("指标", width=24), Column("1—N月累计", unit="个", decimals=0),
                 Column("同比", unit="%", decimals=1, signed=True), Column("年度目标", unit="个", decimals=0),
                 Column("完成进度", unit="%", decimals=1), Column("评级", align="center"), Column("评价说明", width=30)],
        rows=rows, caption=caption, source=SOURCE, sheet_name="认定数",
    )


TABLE_LABELS = {"ht_va_share": "增加值占比", "ht_investment_growth": "投资增速", "ht_investment_share": "投资占比",
                "rd_intensity": "研发费用占比", "new_product_rate": "新产品产值率"}


def region_table(rated: pl.DataFrame, region: str, children: list[str], names: dict, caption: str,
                 sheet: str = "分地区", changes: bool = False, source: str = SOURCE) -> Table:
    """The region itself, its own targets, then its cities (counties): the five values, each shaded with
    its rating (a 评级 column beside it, or — ``changes`` — the change since last year beside it)."""
    cols = [Column("地区", width=10)]
    for ind in selectors.KEY_INDICATORS:
        label = TABLE_LABELS.get(ind, ind)
        # with changes (the briefing) the units are in the caption: 值为%，同比为百分点
        cols.append(Column(label, unit="" if changes else "%", align="right"))  # labels: 高新技术产业… (caption)
        cols.append(Column("同比", align="right", signed=True) if changes else Column("评级", align="center"))
    rows = []
    for code in [region, *children]:
        line: list = [names.get(code, code)]
        for ind in selectors.KEY_INDICATORS:
            r = _row(rated, ind, code)
            line += [_value_cell(r, with_fill=changes), _yoy_cell(r) if changes else _rating_cell(r)]
        rows.append(line)
        if code == region and changes:
            targets: list = ["目标"]
            for ind in selectors.KEY_INDICATORS:
                r = _row(rated, ind, code)
                target = (r or {}).get("target_text") or "—"
                if (r or {}).get("comparator") == "faster_than":
                    target = "快于面上"  # the work plan's words; the prose names the indicator
                targets += [target, "—"]
            rows.append(targets)
    return Table(columns=cols, rows=rows, caption=caption, source=source, sheet_name=sheet, small=True)


def ranking_table(rated: pl.DataFrame, indicator: str, regions: list[str], names: dict) -> Table:
    rows = []
    found = [r for r in (_row(rated, indicator, c) for c in regions) if r is not None]
    for r in sorted(found, key=lambda r: (r.get("rank") or 999, r["region"])):
        rows.append([r.get("rank"), names.get(r["region"], r["region"]), _value_cell(r), _yoy_cell(r),
                     r.get("level_reason") or ""])
    title = found[0]["name_zh"] if found else indicator
    short = found[0]["short_zh"] if found else indicator
    return Table(
        columns=[Column("排名", align="center", decimals=0), Column("地区"), Column(title, unit="%"),
                 Column("同比", unit="百分点", signed=True), Column("同级比较", width=40)],
        rows=rows, caption=f"{title}排名", sheet_name=f"排名-{short}"[:31],
    )


def investment_table(rated: pl.DataFrame, regions: list[str], names: dict) -> Table:
    rows = []
    for code in regions:
        inv, growth, share, fai = (_row(rated, i, code) for i in
                                   ("ht_investment", "ht_investment_growth", "ht_investment_share", "fai_growth"))
        rows.append([names.get(code, code), _value_cell(inv), _value_cell(growth), _value_cell(fai),
                     _value_cell(share), _rating_cell(share)])
    return Table(
        columns=[Column("地区"), Column("高新技术产业投资", unit="亿元"), Column("增速", unit="%", signed=True),
                 Column("固定资产投资增速", unit="%", signed=True), Column("占固定资产投资比重", unit="%"),
                 Column("评级", align="center")],
        rows=rows, caption="高新技术产业投资情况", sheet_name="投资",
    )


def warnings_table(division: Division, year: int, month: int, names: dict, limit: int = 40) -> Table | None:
    from xinzhi.core.scope import region_prefix

    short = {ind.id: ind.short_zh for ind in load_catalogue()}
    qs = EarlyWarning.objects.filter(year=year, month=month, scope_code__startswith=region_prefix(division.code))
    rows = [[names.get(w.region, w.region), short.get(w.indicator, w.indicator),
             Cell(RATING_ZH[w.rating], fill=RATING_FILL.get(w.rating)), w.message] for w in qs.order_by("id")[:limit]]
    if not rows:
        return None
    return Table(columns=[Column("地区"), Column("指标", width=16), Column("评级", align="center"),
                          Column("预警说明", width=52)],
                 rows=rows, caption=f"预警清单（前{limit}项）" if len(rows) == limit else "预警清单", sheet_name="预警")


def trend_chart(indicator: str, region: str, year: int, month: int, title: str, unit: str = "%") -> Chart:
    """This year's and last year's 1—N月 values, month 1 to the report's month (never beyond it)."""
    def series(y: int) -> list[float | None]:
        values: list[float | None] = [None] * month
        qs = IndicatorValue.objects.filter(indicator=indicator, region=region, year=y, month__lte=month)
        for m, value in qs.values_list("month", "value"):
            values[m - 1] = None if value is None else round(value, 2)
        return values

    categories = [f"{m}月" if m == 1 else f"1—{m}月" for m in range(1, month + 1)]
    return Chart(kind="line", title=title, categories=categories, decimals=2,
                 series=[Series(f"{year}年", series(year), unit=unit), Series(f"{year - 1}年", series(year - 1), unit=unit)])


def key_figures(rated: pl.DataFrame, region: str) -> KeyFigures:
    items = []
    for ind in [*selectors.KEY_INDICATORS, "hte_recognitions"]:
        r = _row(rated, ind, region)
        if r is None or r.get("value") is None:
            continue
        note = f"同比{r['yoy_text']}{r['yoy_unit']}" if r.get("yoy_text") else ""
        items.append(KeyFigure(r["short_zh"], _number(r["value_text"]), r.get("display_unit") or "", note,
                               decimals=r.get("display_precision")))
    return KeyFigures(items, title="核心指标", per_row=3)


# ------------------------------------------------------------------------------------------------
# Prose
# ------------------------------------------------------------------------------------------------


def hte_sentence(rated: pl.DataFrame, region: str, names: dict) -> str | None:
    """1—12月，全省认定高新技术企业8,293个，其中首次认定4,923个（计入新认定目标），完成年度目标（5,000个）的98.5%。"""
    total, first = _row(rated, "hte_recognitions", region), _row(rated, "new_hte", region)
    if total is None or first is None or total.get("value") is None:
        return None
    where = text.region_name(total, names)
    out = (f"{period_label(int(total['month']))}，{where}认定高新技术企业{total['value_text']}个，"
           f"其中首次认定{first['value_text']}个（计入新认定目标）")
    if first.get("target") is not None and first.get("progress_text"):
        out += f"，完成年度目标（{first['target_text']}）的{first['progress_text']}%"
    return out + "。"


def _investment_sentence(rated: pl.DataFrame, division: Division, month: int) -> str:
    """1—12月，全省高新技术产业投资8,009.48亿元，同比增长12.2%，快于固定资产投资增速8.4个百分点；…占比…。"""
    amount, growth, share = (_row(rated, i, division.code) for i in
                             ("ht_investment", "ht_investment_growth", "ht_investment_share"))
    parts = []
    if amount is not None:
        clause = text.indicator_clause(amount)
        if growth is not None and (versus := text.against(growth)) is not None:
            clause += "，" + versus
        parts.append(clause)
    if share is not None:
        parts.append(text.indicator_clause(share))
    return f"{period_label(month)}，{_where(division)}" + "；".join(parts) + "。" if parts else "本期暂无投资数据。"


def _situation(rated: pl.DataFrame, division: Division, children: list[str], names: dict, n: int = 3,
               indicators: tuple[str, ...] = ("ht_va_share", "rd_intensity", "new_product_rate"),
               brief: bool = False) -> list[str]:
    """各地情况: leading and lagging regions (named, with values), then the red and yellow list."""
    if not children:
        return []
    noun = _child_noun(division)
    parts = [p for ind in indicators if (p := text.leaders_and_laggards(rated, ind, children, names, n)) is not None]
    sentence = f"从各{noun}看，" + "；".join(parts) + "。" if parts else ""
    # the briefing lists the five targets (its table's fills); the report the recognitions too
    listed = selectors.KEY_INDICATORS if brief else [*selectors.KEY_INDICATORS, "new_hte", "new_tech_sme"]
    lists = text.red_yellow(rated, children, listed, names)
    listing = text.red_yellow_text(lists, every=len(children), noun=noun, brief=brief)
    return [sentence, ("五项年度目标中，" if brief else "") + listing]


def _problems_and_steps(rated: pl.DataFrame, division: Division, children: list[str], names: dict,
                        gaps: bool = True, limit: int | None = None, most: int = 6) -> tuple[str, str]:
    indicators = [*selectors.KEY_INDICATORS, "new_hte", "new_tech_sme"]
    problems = text.problems(rated, division.code, children, indicators, names, gaps)[:limit]
    steps = text.suggestions(rated, division.code, children, indicators, names, _templates(), most)[:limit]
    return (text.numbered(problems) if problems else "各项指标运行总体平稳，未发现明显滞后。"), text.numbered(steps)


# ------------------------------------------------------------------------------------------------
# Documents
# ------------------------------------------------------------------------------------------------


def briefing(division: Division, year: int, month: int, on: dt.date | None = None) -> Document:
    """The one-page data briefing (数据简报, A4): four short parts of prose and the one table every number
    in them comes from (the region's values, changes and targets, and its cities' or counties' values)."""
    rated = compute(year, month)
    names = _names() | {"330000": "全省"}
    children = _children(division)
    region = division.code
    situation = _situation(rated, division, children, names, n=2, indicators=("ht_va_share",), brief=True)
    problems, steps = _problems_and_steps(rated, division, children, names, gaps=False, limit=2, most=3)
    blocks = [
        Paragraph([Run("一、总体情况。", bold=True),
                   text.overall(rated, region, selectors.KEY_INDICATORS, names, gaps=False, short=True)]),
    ]
    if situation:
        blocks.append(Paragraph([Run("二、各地情况。", bold=True), *situation]))
    blocks += [
        Paragraph([Run(("三、" if situation else "二、") + "存在问题。", bold=True), problems]),
        Paragraph([Run(("四、" if situation else "三、") + "下一步工作建议。", bold=True), steps]),
        region_table(rated, region, children, names,
                     f"{_where(division)}{'及各' + _child_noun(division) if children else ''}主要指标"
                     "（%；同比：百分点；底色为红黄蓝评级）", changes=True, source=""),
        Note("1—N月累计，同比按可比口径；对照本地区分解目标评价。资料来源：新质平台监测。"),
    ]
    return Document(title=f"{_where(division)}高新技术产业运行数据简报", subtitle=f"（{_period_title(year, month)}）",
                    masthead="高新技术产业运行监测", issuer=issuer(division), issue=f"{year}年第{month}期",
                    date=on or dt.date.today(), blocks=blocks, compact=True)


def operation_report(division: Division, year: int, month: int, on: dt.date | None = None) -> Document:
    """The multi-section operation report (运行报告)."""
    rated = compute(year, month)
    names = _names() | {"330000": "全省"}
    children = _children(division)
    region = division.code
    noun = _child_noun(division)
    situation = _situation(rated, division, children, names)
    problems, steps = _problems_and_steps(rated, division, children, names, limit=6)
    counts = [text.indicator_clause(r) for ind in COUNT_ROWS[2:]
              if (r := _row(rated, ind, region)) is not None and r.get("target") is not None]
    blocks = [
        Heading(1, "一、总体情况"),
        Paragraph(text.overall(rated, region, selectors.KEY_INDICATORS, names)),
        key_figures(rated, region),
        Heading(1, "二、主要指标完成情况"),
        key_table(rated, region, "五项年度目标完成情况", "五项目标"),
    ]
    if (hte := hte_sentence(rated, region, names)) is not None:
        blocks.append(Paragraph(hte))
    if counts:
        blocks.append(Paragraph(f"{period_label(month)}，" + "；".join(counts) + "。"))
    blocks.append(count_table(rated, region, "认定数及目标完成情况（计至本月末）"))
    section = 3
    if children:
        blocks += [
            Heading(1, "三、分地区情况"),
            *[Paragraph(s) for s in situation if s],
            region_table(rated, region, children, names,
                         f"各{noun}高新技术产业主要指标（%；同比：百分点；底色为红黄蓝评级）", changes=True),
            ranking_table(rated, "ht_va_share", children, names),
            ranking_table(rated, "rd_intensity", children, names),
        ]
        section = 4
    ordinal = text.ORDINALS
    blocks += [
        Heading(1, f"{ordinal[section - 1]}、运行走势"),
        trend_chart("ht_va_share", region, year, month, "高新技术产业增加值占规上工业比重"),
        trend_chart("rd_intensity", region, year, month, "规上工业企业研发费用占营业收入比重"),
        trend_chart("new_product_rate", region, year, month, "规上工业企业新产品产值率"),
        Heading(1, f"{ordinal[section]}、高新技术产业投资"),
        Paragraph(_investment_sentence(rated, division, month)),
        investment_table(rated, [region, *children], names),
        *investment_projects.blocks(region, year, month),
        Heading(1, f"{ordinal[section + 1]}、预警事项"),
    ]
    warnings = warnings_table(division, year, month, names)
    blocks.append(warnings if warnings is not None else Paragraph("本期无预警事项。"))
    blocks += [
        Heading(1, f"{ordinal[section + 2]}、存在问题"),
        Paragraph(problems),
        Heading(1, f"{ordinal[section + 3]}、下一步工作建议"),
        Paragraph(steps),
        Note(DATA_NOTE),
    ]
    return Document(title=f"{_where(division)}高新技术产业运行报告", subtitle=f"（{_period_title(year, month)}）",
                    issuer=issuer(division), date=on or dt.date.today(), blocks=blocks)


def build(kind: str, division: Division, year: int, month: int, on: dt.date | None = None) -> Document:
    if kind == "briefing":
        return briefing(division, year, month, on)
    if kind == "operation":
        return operation_report(division, year, month, on)
    raise ValueError(f"未知报告类型“{kind}”，应为 briefing 或 operation")
