"""Render the sample briefing to DOCX, PDF and XLSX and read every file back (no database needed)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from xinzhi.reports import (
    CONTENT_TYPES,
    Cell,
    Chart,
    Column,
    Document,
    Paragraph,
    Series,
    Table,
    render,
    render_bytes,
)
from xinzhi.reports.charts import chart_png
from xinzhi.reports.document import RATING_FILLS
from xinzhi.reports.examples import sample_briefing
from xinzhi.reports.formatting import excel_number_format, format_number, text_width

SAMPLE_STRINGS = ["2025年全省高新技术产业运行监测数据简报", "一、总体情况", "杭州市", "丽水市", "浙江省经济和信息化厅"]


@pytest.fixture(scope="module")
def sample() -> Document:
    return sample_briefing()


@pytest.fixture(scope="module")
def files(sample: Document, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    paths = {}
    for fmt in ("docx", "pdf", "xlsx"):
        paths[fmt] = out / "sub" / f"sample.{fmt}"
        render(sample, fmt, paths[fmt])
    return paths


# --------------------------------------------------------------------------- DOCX


def test_docx_text_tables_fonts_and_image(files: dict[str, Path]) -> None:
    word = docx.Document(str(files["docx"]))
    texts = [p.text for p in word.paragraphs]
    assert "2025年全省高新技术产业运行监测数据简报" in texts
    assert "一、总体情况" in texts
    assert any("3456.7亿元，同比增长8.2%" in t for t in texts)
    assert any(t.startswith("表1 各设区市高新技术产业运行评价") for t in texts)
    assert any(t.startswith("图1 全省高新技术产业增加值及增速") for t in texts)
    assert "注：评级按增加值增速与全省平均水平比较确定：红色为领先，黄色为较好，蓝色为一般，灰色为落后。" in texts

    data = next(t for t in word.tables if t.rows[0].cells[0].text == "设区市")
    assert [c.text.replace("\n", "") for c in data.rows[0].cells] == [
        "设区市", "高新技术产业增加值（亿元）", "同比增速（%）", "评级", "高新技术企业数（家）"]
    assert [c.text for c in data.rows[1].cells] == ["杭州市", "3,120.5", "+13.2", "红", "1,200"]
    assert data.rows[-1].cells[0].text == "全省"
    header_flags = data.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    assert header_flags, "header row must repeat on every page"
    fill = data.rows[1].cells[3]._tc.xpath("./w:tcPr/w:shd/@w:fill")
    assert fill == [RATING_FILLS["红"].lstrip("#")]

    normal = word.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert word.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert word.styles["XZ Title"].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert word.styles["Normal"].font.size.pt == 16
    assert word.styles["XZ Title"].font.size.pt == 22

    section = word.sections[0]
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "第" in footer_xml

    assert len(word.inline_shapes) == 2
    pngs = [p for p in word.part.package.parts if p.partname.endswith(".png")]
    assert pngs and all(p.blob.startswith(b"\x89PNG") for p in pngs)


def test_docx_font_table_declares_fallbacks(files: dict[str, Path]) -> None:
    with zipfile.ZipFile(files["docx"]) as z:
        font_table = z.read("word/fontTable.xml").decode()
    assert 'w:name="仿宋_GB2312"' in font_table and 'w:altName w:val="仿宋"' in font_table


# --------------------------------------------------------------------------- PDF


def test_pdf_text_is_chinese_and_font_is_noto(files: dict[str, Path]) -> None:
    reader = PdfReader(str(files["pdf"]))
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    compact = re.sub(r"\s+", "", text)
    for s in SAMPLE_STRINGS + ["各设区市高新技术产业运行评价", "第1页", "3,120.5", "+13.2"]:
        assert s in compact, s
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("NotoSansSC-Regular" in f for f in fonts), fonts
    assert any("NotoSansSC-Bold" in f for f in fonts), fonts
    assert reader.metadata.title == "2025年全省高新技术产业运行监测数据简报"


def test_pdf_embeds_charts_as_images(files: dict[str, Path]) -> None:
    reader = PdfReader(str(files["pdf"]))
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == 2
    assert all(img.image.width > 1000 for img in images)


def test_long_table_repeats_header_on_every_page(tmp_path: Path) -> None:
    rows = [[f"第{i}县", i * 1.5, Cell("黄" if i % 2 else "蓝", fill="黄" if i % 2 else "蓝")] for i in range(120)]
    doc = Document(title="长表测试", blocks=[Table([Column("县（市、区）"), Column("数值", unit="亿元", decimals=1),
                                                 Column("评级")], rows, caption="县域一览")])
    render(doc, "pdf", tmp_path / "long.pdf")
    pages = PdfReader(str(tmp_path / "long.pdf")).pages
    assert len(pages) >= 3
    for page in pages:
        assert "县（市、区）" in page.extract_text().replace(" ", "")


# --------------------------------------------------------------------------- XLSX


def test_xlsx_sheets_values_and_charts(files: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(files["xlsx"])
    assert book.sheetnames[:2] == ["概览", "设区市评价"]
    assert any(name.startswith("图1 ") for name in book.sheetnames)

    cover = book["概览"]
    cover_text = [str(c.value) for row in cover.iter_rows() for c in row if c.value is not None]
    assert cover_text[0] == "2025年全省高新技术产业运行监测数据简报"
    assert "高新技术产业增加值" in cover_text and 3456.7 in [c.value for row in cover.iter_rows() for c in row]
    assert any("一季度，全省规模以上高新技术产业增加值3456.7亿元" in t for t in cover_text)

    sheet = book["设区市评价"]
    assert [c.value for c in sheet[2]] == ["设区市", "高新技术产业增加值（亿元）", "同比增速（%）", "评级",
                                          "高新技术企业数（家）"]
    assert [c.value for c in sheet[3]] == ["杭州市", 3120.5, 13.2, "红", 1200]
    assert sheet["B3"].number_format == "#,##0.0"
    assert sheet["C3"].number_format == "+#,##0.0;-#,##0.0;#,##0.0"
    assert sheet["D3"].fill.fgColor.rgb.endswith(RATING_FILLS["红"].lstrip("#"))
    assert sheet.freeze_panes == "B3"
    assert sheet.column_dimensions["B"].width >= text_width("高新技术产业增加值（亿元）") * 0.5

    chart_sheets = [book[n] for n in book.sheetnames if n.startswith("图")]
    assert len(chart_sheets) == 2
    assert all(len(ws._charts) == 1 for ws in chart_sheets)
    assert [c.value for c in chart_sheets[0]["A"][2:4]] == ["1—2月", "3月"]


# --------------------------------------------------------------------------- charts, API, determinism


def test_chart_png_is_a_real_image(sample: Document) -> None:
    for chart in sample.charts():
        png = chart_png(chart)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", png[16:24])
        assert width > 1000 and height > 500
        assert len(png) > 20_000


@pytest.mark.parametrize("kind", ["line", "bar", "barh", "combo"])
def test_every_chart_kind_renders(kind: str) -> None:
    chart = Chart(kind, f"{kind}图", ["甲", "乙", "丙"],
                  [Series("产值", [1.0, None, 3.5], unit="亿元"), Series("增速", [2.0, -1.0, 0.5], unit="%")],
                  show_values=True)
    assert chart_png(chart).startswith(b"\x89PNG")
    for fmt in ("docx", "pdf", "xlsx"):
        assert render_bytes(Document(title="图表", blocks=[chart]), fmt)


def test_rendering_is_deterministic(sample: Document) -> None:
    for fmt in ("docx", "pdf", "xlsx"):
        assert render_bytes(sample, fmt) == render_bytes(sample_briefing(), fmt), fmt


def test_render_to_stream_and_dispatch_errors(sample: Document) -> None:
    buf = io.BytesIO()
    render(sample, "xlsx", buf)
    assert buf.getvalue().startswith(b"PK")
    assert set(CONTENT_TYPES) == {"docx", "pdf", "xlsx"}
    with pytest.raises(ValueError, match="unknown report format"):
        render_bytes(sample, "odt")


def test_model_validation() -> None:
    with pytest.raises(ValueError):
        Table([Column("a"), Column("b")], [["only one"]])
    with pytest.raises(ValueError):
        Cell(1, fill="紫")
    with pytest.raises(ValueError):
        Chart("pie", "饼图", ["a"], [Series("s", [1])])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Chart("line", "折线", ["a", "b"], [Series("s", [1])])


def test_number_formats_agree_between_text_and_excel() -> None:
    assert format_number(1234.56, 1) == "1,234.6"
    assert format_number(8.2, 1, signed=True) == "+8.2"
    assert format_number(-0.04, 1, signed=True) == "0.0"
    assert format_number(1200) == "1,200"
    assert excel_number_format(Column("x", decimals=2, thousands=False)) == "0.00"
    assert Paragraph(["a", "b"]).plain == "ab"
