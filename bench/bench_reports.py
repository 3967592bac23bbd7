"""Benchmark: render a full operation report (运行报告, ~12 pages) as DOCX, PDF and XLSX.

Standalone (no Django): ``python bench/bench_reports.py`` from the repository root. The document has a
key-indicator table, an 11-city rating table, a 90-county table, 4 trend charts and several pages of text.
Each format is timed cold (first render in the process, chart PNGs and fonts not yet cached) and warm
(median of further runs); the reference is writing the same tables as CSV and the text as plain text, measured
in the same run. Goal from the issue: DOCX + PDF of a full operation report in under 10 s. Prints, never
asserts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xinzhi.reports import (  # noqa: E402
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
    render_bytes,
)

CITIES = ["杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市"]
MONTHS = [f"{m}月" if m > 2 else "1—2月" for m in range(2, 13)]
RATINGS = ["红", "黄", "蓝", "灰"]
TEXT = ("今年以来，全省上下深入贯彻落实省委、省政府关于加快发展新质生产力的决策部署，聚焦“415X”先进制造业集群建设，"
        "强化高新技术产业监测调度，推动创新链产业链资金链人才链深度融合，高新技术产业保持稳中有进、进中向好的发展态势，"
        "对全省工业经济增长的支撑作用进一步增强。")
WARM_RUNS = 3


def _rating(growth: float) -> str:
    return RATINGS[0] if growth >= 10 else RATINGS[1] if growth >= 7 else RATINGS[2] if growth >= 4 else RATINGS[3]


def build_report(rng: random.Random) -> Document:
    """A realistic operation report: the sizes of the issue's 运行报告."""
    indicators = Table(
        [Column("指标"), Column("本月", decimals=1), Column("累计", decimals=1),
         Column("同比增速", unit="%", decimals=1, signed=True), Column("单位", align="center")],
        [[name, rng.uniform(100, 900), rng.uniform(1000, 9000), rng.uniform(-3, 15), unit]
         for name, unit in [("高新技术产业增加值", "亿元"), ("高新技术产业投资", "亿元"), ("营业收入", "亿元"),
                            ("利润总额", "亿元"), ("研发费用", "亿元"), ("新产品产值", "亿元"),
                            ("出口交货值", "亿元"), ("从业人员", "万人"), ("高新技术企业数", "千家"),
                            ("科技型中小企业数", "千家")]],
        caption="高新技术产业主要指标", source="浙江省统计局", sheet_name="主要指标")
    city_rows = []
    for city in CITIES:
        growth = rng.uniform(-2, 16)
        rating = _rating(growth)
        city_rows.append([city, rng.uniform(300, 3000), growth, rng.uniform(40, 75), rng.randint(800, 12000),
                          Cell(rating, fill=rating)])
    cities = Table(
        [Column("设区市"), Column("增加值", unit="亿元", decimals=1), Column("增速", unit="%", decimals=1, signed=True),
         Column("占规上工业比重", unit="%", decimals=1), Column("高新技术企业", unit="家"), Column("评级", align="center")],
        city_rows, caption="各设区市高新技术产业运行评价", source="省经信厅高新技术产业监测平台", sheet_name="设区市评价")
    county_rows = []
    for i in range(90):
        growth = rng.uniform(-6, 20)
        rating = _rating(growth)
        county_rows.append([CITIES[i % 11], f"样本县{i + 1:02d}", rng.uniform(10, 600), growth, rng.uniform(20, 85),
                            rng.randint(20, 1500), rng.uniform(0.5, 6.5), Cell(rating, fill=rating)])
    counties = Table(
        [Column("设区市"), Column("县（市、区）"), Column("增加值", unit="亿元", decimals=1),
         Column("增速", unit="%", decimals=1, signed=True), Column("占比", unit="%", decimals=1),
         Column("高企数", unit="家"), Column("研发强度", unit="%", decimals=2), Column("评级", align="center")],
        county_rows, caption="90个县（市、区）高新技术产业运行情况", source="省经信厅高新技术产业监测平台",
        sheet_name="县域一览")

    def trend(title: str, unit: str, kind: str = "line") -> Chart:
        series = [Series("2025年", [rng.uniform(5, 12) for _ in MONTHS], unit=unit),
                  Series("2024年", [rng.uniform(4, 10) for _ in MONTHS], unit=unit)]
        if kind == "combo":
            series = [Series("增加值", [rng.uniform(600, 1000) for _ in MONTHS], unit="亿元"),
                      Series("增速", [rng.uniform(5, 12) for _ in MONTHS], unit="%")]
        return Chart(kind, title, MONTHS, series, source="浙江省统计局")  # type: ignore[arg-type]

    charts = [trend("高新技术产业增加值及增速", "%", "combo"), trend("高新技术产业投资增速", "%"),
              trend("研发费用增速", "%", "bar"),
              Chart("barh", "各设区市增加值增速", CITIES, [Series("增速", [r[2] for r in city_rows], unit="%")],
                    show_values=True)]
    blocks = [
        Heading(1, "一、总体运行情况"), Paragraph(TEXT * 2), Paragraph([Run("增加值稳步增长。", bold=True), TEXT]),
        KeyFigures([KeyFigure("增加值", 8123.4, "亿元", "同比增长8.6%", 1), KeyFigure("投资增速", 12.1, "%", "", 1),
                    KeyFigure("研发费用", 1234.5, "亿元", "", 1), KeyFigure("高新技术企业", 41230, "家", "")],
                   title="核心指标"),
        indicators, charts[0], Paragraph(TEXT * 3),
        Heading(1, "二、分地区运行情况"), Paragraph(TEXT * 2), cities,
        Note("评级依据增加值增速：红色≥10%，黄色7%—10%，蓝色4%—7%，灰色<4%。"), charts[3], Paragraph(TEXT * 2),
        Heading(1, "三、分行业运行情况"), Heading(2, "（一）投资"), Paragraph(TEXT * 3), charts[1],
        Heading(2, "（二）研发投入"), Paragraph(TEXT * 3), charts[2],
        Heading(1, "四、存在问题"), *[Paragraph(TEXT * 2) for _ in range(3)],
        Heading(1, "五、下一步工作"), *[Paragraph(TEXT * 2) for _ in range(3)],
        PageBreak(), Heading(1, "附表"), counties,
    ]
    return Document(title="2025年1—12月全省高新技术产业运行报告", subtitle="（高新技术产业运行监测）",
                    issuer="浙江省经济和信息化厅", date=dt.date(2026, 1, 20), blocks=blocks)


def reference(doc: Document) -> bytes:
    """The floor: the same tables as CSV and the text as plain text, in memory."""
    out = io.StringIO()
    writer = csv.writer(out)
    for block in doc.blocks:
        if isinstance(block, Table):
            writer.writerow([c.title for c in block.columns])
            writer.writerows([[cell.value for cell in row] for row in block.cells()])
        elif isinstance(block, Paragraph | Heading | Note):
            out.write(getattr(block, "plain", getattr(block, "text", "")) + "\n")
        elif isinstance(block, Chart):
            writer.writerows([[s.name, *s.values] for s in block.series])
    return out.getvalue().encode()


def timed(fn: Callable[[], bytes]) -> tuple[float, bytes]:
    start = time.perf_counter()
    data = fn()
    return time.perf_counter() - start, data


def pdf_pages(data: bytes) -> int | str:
    try:
        from pypdf import PdfReader
    except ImportError:  # pypdf is a dev dependency
        return "?"
    return len(PdfReader(io.BytesIO(data)).pages)


def main() -> int:
    doc = build_report(random.Random(20250420))
    ref_runs = [timed(lambda: reference(doc))[0] for _ in range(20)]
    ref = statistics.median(ref_runs)
    print(f"reference (tables → CSV, text → plain, in memory): {ref * 1000:.2f} ms")
    cold: dict[str, float] = {}
    warm: dict[str, float] = {}
    sizes: dict[str, int] = {}
    pdf = b""
    for fmt in ("docx", "pdf", "xlsx"):  # cold: first render in this process, in the order a user asks
        cold[fmt], data = timed(lambda f=fmt: render_bytes(doc, f))
        sizes[fmt] = len(data)
        pdf = data if fmt == "pdf" else pdf
    for fmt in ("docx", "pdf", "xlsx"):
        warm[fmt] = statistics.median(timed(lambda f=fmt: render_bytes(doc, f))[0] for _ in range(WARM_RUNS))
    print(f"document: {len(doc.blocks)} blocks, PDF {pdf_pages(pdf)} pages, 90-county + 11-city + indicator tables, "
          f"{len(doc.charts())} charts")
    for fmt in ("docx", "pdf", "xlsx"):
        print(f"{fmt:>4}: cold {cold[fmt]:6.2f} s  warm {warm[fmt]:6.2f} s  ({sizes[fmt] / 1024:,.0f} KiB)  "
              f"warm/reference ×{warm[fmt] / ref:,.0f}")
    both_cold = cold["docx"] + cold["pdf"]
    both_warm = warm["docx"] + warm["pdf"]
    print(f"DOCX + PDF: cold {both_cold:.2f} s, warm {both_warm:.2f} s (goal < 10 s: "
          f"{'met' if both_cold < 10 else 'NOT met'}); ×{both_warm / ref:,.0f} the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
