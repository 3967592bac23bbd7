"""The data briefing (数据简报) and the operation report (运行报告) of high-tech industry (seed task 15).

Content only: this module turns one month's rated results into an ``xinzhi.reports.Document``; the
renderers write DOCX / PDF / XLSX. Every number in the text comes from the same rated frame as the
tables (narrative.py), so text and tables cannot disagree. Trend charts read the stored monthly
snapshots of this year and last year.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

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
    Series,
    Table,
)

from . import selectors
from .display import period_label
from .models import EarlyWarning, IndicatorValue
from .narrative import narrative
from .services import compute

RATING_FILL = {"blue": "蓝", "yellow": "黄", "red": "红", "grey": "灰"}
RATING_ZH = {"blue": "蓝", "yellow": "黄", "red": "红", "grey": "灰", None: "—", "": "—"}
MONTHS = [f"{m}月" for m in range(1, 13)]
ISSUER = "浙江省经济和信息化厅"
DATA_NOTE = (
    "数据说明：规上工业指标为1—N月累计数，同比按可比口径（本年规上企业与其上年同期）计算；高新技术产业按平台"
    "默认口径（浙江省高新技术产业替代口径，见平台文档）统计；红黄蓝评价规则见平台文档，评级依据随表注明。"
)


def _names() -> dict[str, str]:
    return dict(Division.objects.values_list("code", "name"))


def _row(rated: pl.DataFrame, indicator: str, region: str) -> dict | None:
    rows = rated.filter((pl.col("indicator") == indicator) & (pl.col("region") == region)).to_dicts()
    return rows[0] if rows else None


def _cell_value(row: dict | None) -> float | None:
    if row is None or row.get("value") is None:
        return None
    return row["value"] / (row.get("display_scale") or 1.0)


def _rating_cell(row: dict | None) -> Cell | str:
    rating = (row or {}).get("rating")
    return Cell(RATING_ZH[rating], fill=RATING_FILL.get(rating)) if rating else "—"


def _key_table(rated: pl.DataFrame, region: str, indicators: list[str], caption: str) -> Table:
    rows = []
    for ind in indicators:
        r = _row(rated, ind, region)
        if r is None:
            continue
        rows.append([
            r["name_zh"], r.get("display_unit") or r["unit"], r.get("value_text") or "—", r.get("yoy_text") or "—",
            r.get("target_value_text") or "—", _rating_cell(r), r.get("rating_reason") or "—",
        ])
    return Table(
        columns=[Column("指标", width=26), Column("单位", align="center"), Column("1—N月累计", align="right"),
                 Column("同比", align="right"), Column("年度目标", align="right"), Column("评级", align="center"),
                 Column("评价说明", width=40)],
        rows=rows, caption=caption, source="新质平台监测", sheet_name="主要指标",
    )


def _region_table(rated: pl.DataFrame, regions: list[str], names: dict, caption: str) -> Table:
    cols = [Column("地区", width=10)]
    for ind in selectors.KEY_INDICATORS:
        r = rated.filter(pl.col("indicator") == ind).head(1).to_dicts()
        label = r[0]["short_zh"] if r else ind
        cols += [Column(label, unit="%", decimals=2 if ind == "rd_intensity" else 1), Column("评级", align="center")]
    rows = []
    for code in regions:
        line: list = [names.get(code, code)]
        for ind in selectors.KEY_INDICATORS:
            r = _row(rated, ind, code)
            line += [_cell_value(r), _rating_cell(r)]
        rows.append(line)
    return Table(columns=cols, rows=rows, caption=caption, source="新质平台监测", sheet_name="红黄蓝分地区")


def _ranking_table(rated: pl.DataFrame, indicator: str, regions: list[str], names: dict) -> Table:
    rows = []
    for r in sorted((_row(rated, indicator, c) for c in regions), key=lambda r: (r or {}).get("rank") or 999):
        if r is None:
            continue
        rows.append([r.get("rank"), names.get(r["region"], r["region"]), _cell_value(r), r.get("yoy"),
                     r.get("level_reason") or ""])
    first = _row(rated, indicator, regions[0]) if regions else None
    title = first["name_zh"] if first else indicator
    return Table(
        columns=[Column("排名", align="center"), Column("地区"), Column(title, unit="%", decimals=2),
                 Column("同比", unit="百分点", decimals=2, signed=True), Column("横向比较", width=40)],
        rows=rows, caption=f"{title}排名", sheet_name="排名",
    )


def _trend_chart(indicator: str, region: str, year: int, title: str) -> Chart:
    def series(y: int) -> list[float | None]:
        values = [None] * 12
        qs = IndicatorValue.objects.filter(indicator=indicator, region=region, year=y).values_list("month", "value")
        for month, value in qs:
            values[month - 1] = None if value is None else round(value, 2)
        return values

    return Chart(kind="line", title=title, categories=MONTHS, decimals=2,
                 series=[Series(f"{year}年", series(year), unit="%"), Series(f"{year - 1}年", series(year - 1), unit="%")])


def _investment_table(rated: pl.DataFrame, regions: list[str], names: dict) -> Table:
    rows = []
    for code in regions:
        inv, growth, share = (_row(rated, i, code) for i in ("ht_investment", "ht_investment_growth", "ht_investment_share"))
        fai = _row(rated, "fai_growth", code)
        rows.append([
            names.get(code, code),
            None if not inv or inv.get("value") is None else inv["value"] / 1e8,
            (growth or {}).get("value"), (fai or {}).get("value"), (share or {}).get("value"), _rating_cell(share),
        ])
    return Table(
        columns=[Column("地区"), Column("高新技术产业投资", unit="亿元", decimals=1), Column("增速", unit="%", decimals=1, signed=True),
                 Column("固定资产投资增速", unit="%", decimals=1, signed=True), Column("占固定资产投资比重", unit="%", decimals=1),
                 Column("评级", align="center")],
        rows=rows, caption="高新技术产业投资情况", sheet_name="投资",
    )


def _warnings_table(division: Division, year: int, month: int, names: dict) -> Table | Paragraph:
    from xinzhi.core.scope import region_prefix

    qs = EarlyWarning.objects.filter(year=year, month=month, scope_code__startswith=region_prefix(division.code))
    rows = [[names.get(w.region, w.region), Cell(RATING_ZH[w.rating], fill=RATING_FILL.get(w.rating)), w.message]
            for w in qs.order_by("id")[:40]]
    if not rows:
        return Paragraph("本期无预警事项。")
    return Table(columns=[Column("地区"), Column("评级", align="center"), Column("预警说明", width=60)], rows=rows,
                 caption="预警清单（前40项）", sheet_name="预警")


def _titles(division: Division, year: int, month: int) -> tuple[str, str]:
    where = "全省" if division.level == "province" else division.name
    return where, f"{year}年{period_label(month)}"


def _key_figures(rated: pl.DataFrame, region: str) -> KeyFigures:
    items = []
    for ind in selectors.KEY_INDICATORS + ["new_hte"]:
        r = _row(rated, ind, region)
        if r is None or r.get("value") is None:
            continue
        note = f"同比{r['yoy_text']}{r['yoy_unit']}" if r.get("yoy_text") else ""
        items.append(KeyFigure(r["short_zh"], r["value_text"], r.get("display_unit") or "", note))
    return KeyFigures(items, title="核心指标", per_row=3)


def briefing(division: Division, year: int, month: int) -> Document:
    """One page: key figures, the sentences, the region table."""
    rated = compute(year, month)
    names = _names()
    where, when = _titles(division, year, month)
    children = [d.code for d in selectors.children_of(division) if d.code != division.code]
    blocks = [
        KeyFigures(_key_figures(rated, division.code).items, title="核心指标", per_row=3),
        Paragraph("".join(narrative(rated, division.code, selectors.KEY_INDICATORS, names | {"330000": "全省"}))),
    ]
    if children:
        blocks.append(_region_table(rated, children, names, "分地区主要指标及红黄蓝评价"))
    blocks.append(Note(DATA_NOTE))
    return Document(title=f"{where}高新技术产业运行数据简报", subtitle=f"（{when}）", masthead="高新技术产业运行监测",
                    issuer=ISSUER,
                    issue=f"{year}年第{month}期", date=dt.date.today(), blocks=blocks)


def operation_report(division: Division, year: int, month: int) -> Document:
    """The multi-section operation report."""
    rated = compute(year, month)
    names = _names() | {"330000": "全省"}
    where, when = _titles(division, year, month)
    children = [d.code for d in selectors.children_of(division) if d.code != division.code]
    sentences = narrative(rated, division.code, selectors.KEY_INDICATORS, names)
    count_sentences = narrative(rated, division.code, ["new_hte", "new_tech_sme", "new_provincial_tech_centre",
                                                       "new_provincial_institute"], names)
    blocks = [
        Heading(1, "一、总体情况"),
        *[Paragraph(s) for s in sentences],
        _key_figures(rated, division.code),
        Heading(1, "二、主要指标完成情况"),
        _key_table(rated, division.code, selectors.KEY_INDICATORS, "五项年度目标完成情况"),
        _key_table(rated, division.code, selectors.COUNT_INDICATORS, "计数类目标完成情况"),
        *[Paragraph(s) for s in count_sentences],
    ]
    if children:
        blocks += [
            Heading(1, "三、分地区情况"),
            Paragraph("下表列示各地主要指标及红黄蓝评价（蓝：达到或快于序时进度；黄：稍慢，提醒；红：明显滞后，警示；灰：无数据）。"),
            _region_table(rated, children, names, "分地区主要指标及红黄蓝评价"),
            _ranking_table(rated, "ht_va_share", children, names),
            _ranking_table(rated, "rd_intensity", children, names),
        ]
    blocks += [
        Heading(1, "四、运行走势"),
        _trend_chart("ht_va_share", division.code, year, "高新技术产业增加值占规上工业比重（1—N月累计）"),
        _trend_chart("rd_intensity", division.code, year, "规上工业企业研发费用占营业收入比重（1—N月累计）"),
        _trend_chart("new_product_rate", division.code, year, "规上工业企业新产品产值率（1—N月累计）"),
        Heading(1, "五、高新技术产业投资"),
        *[Paragraph(s) for s in narrative(rated, division.code, ["ht_investment_growth", "ht_investment_share"], names)],
        _investment_table(rated, [division.code, *children], names),
        Heading(1, "六、预警事项"),
        _warnings_table(division, year, month, names),
        Note(DATA_NOTE),
    ]
    return Document(title=f"{where}高新技术产业运行报告", subtitle=f"（{when}）", issuer=ISSUER, date=dt.date.today(),
                    blocks=blocks)


def build(kind: str, division: Division, year: int, month: int) -> Document:
    if kind == "briefing":
        return briefing(division, year, month)
    if kind == "operation":
        return operation_report(division, year, month)
    raise ValueError(f"未知报告类型“{kind}”，应为 briefing 或 operation")
