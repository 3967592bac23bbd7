"""A small sample document (数据简报) showing every block type; used by the tests and as an API example.

``python -m xinzhi.reports.examples OUT_DIR`` writes the sample as DOCX, PDF and XLSX.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from .document import (
    Cell,
    Chart,
    Column,
    Document,
    Heading,
    KeyFigure,
    KeyFigures,
    Note,
    PageBreak,
    Paragraph,
    Run,
    Series,
    Table,
)

CITIES = ["杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市"]
MONTHS = ["1—2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"]


def _city_rows() -> list[list]:
    rows = []
    ratings = ["红", "红", "黄", "蓝", "黄", "蓝", "黄", "灰", "蓝", "黄", "灰"]
    for i, (city, rating) in enumerate(zip(CITIES, ratings, strict=True)):
        value = round(3120.5 / (i + 1) + 37.25 * i, 1)
        growth = round(12.4 - 1.3 * i + (0.8 if i % 3 == 0 else -0.4), 1)
        rows.append([city, value, growth, Cell(rating, fill=rating), 1200 - 97 * i])
    return rows


def sample_briefing() -> Document:
    """A data briefing with Chinese text, key figures, a rated table, a combo chart and a note."""
    rows = _city_rows()
    table = Table(
        columns=[
            Column("设区市", width=10),
            Column("高新技术产业增加值", unit="亿元", decimals=1),
            Column("同比增速", unit="%", decimals=1, signed=True),
            Column("评级", align="center"),
            Column("高新技术企业数", unit="家"),
        ],
        rows=rows + [[Cell("全省", bold=True), Cell(12345.6, bold=True), Cell(8.2, bold=True), "—",
                      Cell(9876, bold=True)]],
        caption="各设区市高新技术产业运行评价",
        source="浙江省统计局、省经信厅高新技术产业监测平台",
        sheet_name="设区市评价",
    )
    chart = Chart(
        kind="combo",
        title="全省高新技术产业增加值及增速",
        categories=MONTHS,
        series=[
            Series("增加值", [1010.5, 612.3, 640.8, 655.1, 702.4, 690.0, 688.7, 710.2, 720.9, 735.5, 780.1],
                   unit="亿元"),
            Series("同比增速", [6.8, 7.1, 7.5, 7.9, 8.3, 8.1, 7.8, 8.0, 8.4, 8.6, 8.2], unit="%"),
        ],
        source="浙江省统计局",
    )
    trend = Chart(
        kind="line",
        title="十一个设区市增速对比",
        categories=CITIES,
        series=[Series("2024年", [r[2] - 1.1 for r in rows], unit="%"), Series("2025年", [r[2] for r in rows], unit="%")],
        show_values=False,
    )
    return Document(
        title="2025年全省高新技术产业运行监测数据简报",
        subtitle="（第一季度）",
        masthead="高新技术产业运行监测",
        issue="2025年第3期",
        issuer="浙江省经济和信息化厅",
        date=dt.date(2025, 4, 20),
        blocks=[
            Heading(1, "一、总体情况"),
            Paragraph(["一季度，全省规模以上高新技术产业增加值", Run("3456.7亿元，同比增长8.2%", bold=True),
                       "，增速高于规上工业1.6个百分点，占规上工业增加值比重达66.3%，对规上工业增长的贡献率为"
                       "78.9%。数字经济核心产业、装备制造业协同发力，产业结构持续优化。"]),
            KeyFigures([
                KeyFigure("高新技术产业增加值", 3456.7, "亿元", "同比增长8.2%", decimals=1),
                KeyFigure("占规上工业比重", 66.3, "%", "较上年同期提高1.2个百分点", decimals=1),
                ("高新技术企业", 41230, "家", "新增认定3120家"),
                ("研发费用", "1,024.5", "亿元", "同比增长12.7%"),
            ], title="核心指标"),
            Heading(2, "（一）分地区情况"),
            Paragraph("杭州、宁波两市增速领跑全省，衢州、丽水增速低于全省平均水平，需重点关注。"),
            table,
            Note("评级按增加值增速与全省平均水平比较确定：红色为领先，黄色为较好，蓝色为一般，灰色为落后。"),
            Heading(2, "（二）月度走势"),
            chart,
            PageBreak(),
            Heading(1, "二、下一步工作建议"),
            Heading(3, "1. 强化监测预警"),
            Paragraph("对增速连续两个月低于全省平均水平的地区开展专项调度，及时研判苗头性、倾向性问题。"),
            trend,
            Heading(4, "（1）加大企业培育力度"),
            Paragraph("深入实施高新技术企业“微成长、小升规、高变强”梯度培育行动。"),
        ],
    )


def main(argv: list[str]) -> int:
    from .render import render

    out = Path(argv[1] if len(argv) > 1 else ".")
    doc = sample_briefing()
    for fmt in ("docx", "pdf", "xlsx"):
        path = out / f"sample.{fmt}"
        render(doc, fmt, path)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
