"""Briefing and operation report on the small demo: real DOCX/PDF/XLSX, read back — and opened in LibreOffice.

What a 经信厅 reader checks: the text says what the tables say (every number in the prose is a table number),
the one-page briefing is one A4 page (PDF and DOCX as an office suite lays it out), tables keep their
widths in LibreOffice, trend charts stop at the report's month, each region's report names its own
issuing department, XLSX numbers are numbers, issued reports come back byte for byte.
"""

import io
import re
from collections import Counter

import openpyxl
import pytest
from django.core.management import call_command
from docx import Document as DocxDocument
from docx.oxml.ns import qn
from pypdf import PdfReader

from xinzhi.demo.testing import small_demo
from xinzhi.monitoring import reporting, services
from xinzhi.monitoring.models import IndicatorValue
from xinzhi.regions.models import Division
from xinzhi.reports import render_bytes
from xinzhi.reports.tests.office import libreoffice_pdf, pdf_lines, pdf_pages, stacked_characters

pytestmark = pytest.mark.django_db

MONTHS = [(2024, 12), *[(2025, m) for m in range(1, 8)]]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=11, months=[(2024, 12)]) as users:
        services.allocate_default_targets(2025)
        for year, month in MONTHS[1:]:
            services.refresh(year, month)
        yield users


def division(code: str) -> Division:
    return Division.objects.get(code=code)


def docx_of(document) -> DocxDocument:
    return DocxDocument(io.BytesIO(render_bytes(document, "docx")))


def table_texts(doc: DocxDocument) -> list[str]:
    return [cell.text for table in doc.tables for row in table.rows for cell in row.cells]


PERIOD = re.compile(r"\d{4}年|1—\d{1,2}月|\d{1,2}月|“415X”|415X|表\d+")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
# rating counts, checked against the table's fills in test_rating_counts_in_the_text_are_the_tables
COUNTS = re.compile(r"(蓝色|黄色|红色)(\d+)项|黄色提醒(\d+)项|\d+项有年度目标")


def prose_numbers(doc: DocxDocument, document) -> list[tuple[str, str]]:
    """Numbers of the body text (title, masthead, dates and notes left out), period words removed, each with
    the text around it."""
    skip = {document.title, document.subtitle, document.issue, document.masthead}
    texts = [p.text for p in doc.paragraphs if p.text and p.text not in skip and not p.text.startswith("注：")
             and document.issuer not in p.text and not re.match(r"^[表图]\d", p.text)
             and not p.text.startswith("资料来源")]
    body = COUNTS.sub("", PERIOD.sub("", "\n".join(texts)))
    return [(m.group(), body[max(0, m.start() - 20):m.end() + 5]) for m in NUMBER.finditer(body)]


@pytest.mark.parametrize("kind,code", [("briefing", "330000"), ("briefing", "330100"), ("briefing", "330106"),
                                       ("operation", "330000"), ("operation", "330100")])
def test_every_number_in_the_text_is_a_table_number(demo, kind, code):
    document = reporting.build(kind, division(code), 2025, 6)
    doc = docx_of(document)
    in_tables = {n.replace("+", "").replace("-", "") for t in table_texts(doc) for n in NUMBER.findall(t)}
    numbers = prose_numbers(doc, document)
    assert len(numbers) > 10
    missing = [(n, around) for n, around in numbers if n not in in_tables]
    assert not missing, f"numbers in the text that no table shows: {missing}"


def test_rating_counts_in_the_text_are_the_tables(demo):
    """“5项有年度目标的指标中，蓝色4项、黄色1项” counts the region row's fills of the briefing table."""
    document = reporting.build("briefing", division("330000"), 2025, 6)
    table = document.tables()[0]
    province = table.cells()[0]
    fills = Counter(c.fill for c in province[1::2] if c.fill)
    text = "".join(p.plain for p in document.blocks if hasattr(p, "plain"))
    for colour, word in (("蓝", "蓝色"), ("黄", "黄色"), ("红", "红色")):
        said = re.search(f"指标中，[^。]*?{word}(\\d+)项", text)
        assert (int(said.group(1)) if said else 0) == fills.get(colour, 0), (word, text)
    assert int(re.search(r"(\d+)项有年度目标", text).group(1)) == sum(fills.values())
    yellow = re.search(r"黄色提醒(\d+)项", text)
    if yellow:
        cells = [c for row in table.cells()[2:] for c in row[1::2]]
        assert int(yellow.group(1)) == sum(c.fill == "黄" for c in cells)


def test_briefing_reads_like_the_departments(demo):
    """Overall situation, leading and lagging cities named with values, red/yellow list, problems, next steps."""
    document = reporting.build("briefing", division("330000"), 2025, 6)
    text = "\n".join(p.plain for p in document.blocks if hasattr(p, "plain"))
    for part in ("一、总体情况。", "二、各地情况。", "三、存在问题。", "四、下一步工作建议。", "居前的是", "居后的是",
                 "红色警示", "黄色提醒"):
        assert part in text
    rated = services.compute(2025, 6)
    first = rated.filter((rated["indicator"] == "ht_va_share") & (rated["rank"] == 1) & (rated["region_level"] == "city"))
    name = Division.objects.get(code=first["region"][0]).name
    assert f"{name}（{first['value_text'][0]}%）" in text


def test_briefing_fits_one_a4_page_in_pdf_and_in_libreoffice(demo):
    busiest = max(Division.objects.filter(level="city"), key=lambda d: d.children.count())
    for code in ("330000", busiest.code, "330106"):
        document = reporting.build("briefing", division(code), 2025, 6)
        assert pdf_pages(render_bytes(document, "pdf")) == 1, code
        assert pdf_pages(libreoffice_pdf(render_bytes(document, "docx"))) == 1, code


def test_operation_report_keeps_its_layout_in_libreoffice(demo):
    """Tables carry their widths on the grid: LibreOffice lays the report out in as many pages as the PDF
    and no column stacks its text one character per line (old: 11 pages → 16, headers 一/字/一/行)."""
    document = reporting.build("operation", division("330000"), 2025, 6)
    docx = render_bytes(document, "docx")
    word = DocxDocument(io.BytesIO(docx))
    for table in word.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert abs(sum(grid) - 156 * 56.7) < 60, grid  # 156 mm type area, in twips
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    own = pdf_pages(render_bytes(document, "pdf"))
    office = libreoffice_pdf(docx)
    assert pdf_pages(office) <= own + 1
    lines = pdf_lines(office)
    single = [i for i, line in enumerate(lines) if len(line) == 1 and ord(line) > 0x2E80 and line not in "红黄蓝灰—"]
    assert stacked_characters(office) <= 2 and not any(b == a + 1 for a, b in zip(single, single[1:], strict=False)), \
        [lines[i - 1:i + 2] for i in single]


def test_pdf_never_wraps_inside_a_number(demo):
    """“0.10” printed as “0.1 / 0” or “100.0” as “100. / 0” in narrow cells: every figure of every table
    appears whole on one line of the PDF."""
    for kind in ("operation", "briefing"):
        document = reporting.build(kind, division("330000"), 2025, 6)
        lines = pdf_lines(render_bytes(document, "pdf"))
        text = "\n".join(lines)
        figures = {n for t in table_texts(docx_of(document)) for n in re.findall(r"[+-]?\d[\d,]*\.\d+", t)}
        assert figures
        broken = [f for f in figures if f not in text]
        assert not broken, broken


def test_trend_charts_stop_at_the_reports_month(demo):
    assert IndicatorValue.objects.filter(year=2025, month=7).exists()  # a later month is stored
    document = reporting.build("operation", division("330000"), 2025, 6)
    for chart in document.charts():
        assert chart.categories == ["1月", "1—2月", "1—3月", "1—4月", "1—5月", "1—6月"]
        assert all(len(s.values) == 6 for s in chart.series)
        assert chart.series[0].values[-1] is not None


def test_each_region_names_its_own_issuing_department(demo):
    assert reporting.build("briefing", division("330000"), 2025, 6).issuer == "浙江省经济和信息化厅"
    hangzhou = reporting.build("briefing", division("330100"), 2025, 6)
    assert hangzhou.issuer == "杭州市经济和信息化局"
    assert any("杭州市经济和信息化局" in p.text for p in docx_of(hangzhou).paragraphs)
    assert reporting.build("operation", division("330106"), 2025, 6).issuer == "西湖区经济和信息化局"


def test_xlsx_numbers_are_numbers_sheets_distinct_and_printable(demo):
    document = reporting.build("operation", division("330000"), 2025, 6)
    book = openpyxl.load_workbook(io.BytesIO(render_bytes(document, "xlsx")))
    names = book.sheetnames
    assert len(set(names)) == len(names) and not any(re.search(r"\(\d+\)$", n) for n in names), names
    key = book["五项目标"]
    header = [c.value for c in key[2]]
    col = header.index("1—N月累计（%）")
    values = [row[col].value for row in key.iter_rows(min_row=3) if row[0].value and row[col].value is not None]
    assert values and all(isinstance(v, int | float) for v in values), values
    stored = IndicatorValue.objects.get(indicator="rd_intensity", region="330000", year=2025, month=6)
    assert float(stored.value_text) in values
    charts = [ws for ws in book.worksheets if ws._charts]
    assert len(charts) == 3
    for ws in charts:
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.paperSize == 9


def test_key_figure_cards_stay_together(demo):
    document = reporting.build("operation", division("330000"), 2025, 6)
    word = docx_of(document)
    cards = next(t for t in word.tables if "同比" in t.rows[0].cells[0].text and len(t.columns) == 3)
    for row in cards.rows:
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    for row in cards.rows[:-1]:
        assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(render_bytes(document, "pdf"))).pages]
    labels = [f.label for f in document.blocks[2].figures]
    assert any(all(label in "".join(p.split()) for label in labels) for p in pages), labels


def test_january_reads_as_one_month(demo, client):
    document = reporting.build("briefing", division("330000"), 2025, 1)
    assert document.subtitle == "（2025年1月）" and "1—1月" not in document.subtitle
    client.force_login(demo["province"])
    page = client.get("/monitoring/?period=2025-01").content.decode()
    assert "2025年1月" in page and "1—1月" not in page
    response = client.get("/monitoring/reports/?kind=briefing&period=2025-01&format=docx")
    assert "2025%E5%B9%B41%E6%9C%88" in response["Content-Disposition"]  # 2025年1月, RFC 5987


def test_operation_report_text_matches_its_table(demo, tmp_path):
    call_command("report", period="2025-06", kind="operation", format="docx", output=str(tmp_path / "r.docx"))
    doc = DocxDocument(str(tmp_path / "r.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    stored = IndicatorValue.objects.get(indicator="rd_intensity", region="330000", year=2025, month=6)
    sentence = next(p for p in text.splitlines() if "研发费用占营业收入比重为" in p)
    assert f"为{stored.value_text}%" in sentence
    table_values = {row.cells[0].text: row.cells[1].text for t in doc.tables for row in t.rows}
    assert table_values["规上工业企业研发费用占营业收入比重"] == stored.value_text
    assert any("杭州市" == row.cells[0].text for t in doc.tables for row in t.rows)


def test_pdf_and_xlsx_render_chinese(demo, tmp_path):
    for fmt in ("pdf", "xlsx"):
        call_command("report", period="2025-06", kind="briefing", format=fmt, output=str(tmp_path / f"b.{fmt}"))
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(str(tmp_path / "b.pdf")).pages)
    assert "高新技术产业运行数据简报" in text and "杭州市" in text
    book = openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert any("杭州市" in str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r if c.value)


def test_city_report_covers_its_counties(demo):
    document = reporting.build("operation", Division.objects.get(code="330100"), 2025, 6)
    assert document.title.startswith("杭州市") and document.subtitle == "（2025年1—6月）"


def test_reports_page_downloads_for_staff_only(client, demo):
    client.force_login(demo["hangzhou"])
    response = client.get("/monitoring/reports/?kind=briefing&period=2025-06&format=docx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert "杭州市" in "\n".join(p.text for p in DocxDocument(io.BytesIO(response.content)).paragraphs)
    client.force_login(demo["enterprise"])
    assert client.get("/monitoring/reports/?kind=briefing&period=2025-06&format=docx").status_code == 403


def test_issued_reports_are_archived_and_downloaded_as_issued(client, demo):
    from xinzhi.monitoring.models import IssuedReport

    client.force_login(demo["hangzhou"])
    response = client.post("/monitoring/reports/", {"kind": "briefing", "period": "2025-06"})
    assert response.status_code == 302
    issued = IssuedReport.objects.get(division_id="330100", kind="briefing")
    assert issued.issued_by == demo["hangzhou"] and issued.ruleset_version and issued.snapshot_version
    assert issued.computed_at is not None and issued.issuer == "杭州市经济和信息化局"
    page = client.get("/monitoring/reports/").content.decode()
    assert issued.title in page and "签发人" in page
    first = {fmt: client.get(f"/monitoring/reports/issued/{issued.pk}.{fmt}").content for fmt in ("docx", "pdf", "xlsx")}
    assert first["docx"] == bytes(issued.docx) and first["pdf"][:5] == b"%PDF-"
    # the data change and the month is recomputed: the issued files do not
    from xinzhi.monitoring.models import Target

    Target.objects.filter(indicator="rd_intensity", division_id="330100", year=2025).update(value=9.99)
    services.refresh(2025, 6)
    again = {fmt: client.get(f"/monitoring/reports/issued/{issued.pk}.{fmt}").content for fmt in ("docx", "pdf", "xlsx")}
    assert again == first
    assert reporting.build("briefing", division("330100"), 2025, 6, issued.issued_at.date()) is not None
    # scope is checked on the stored record; leaders read but do not issue
    client.force_login(demo["xihu"])
    assert client.get(f"/monitoring/reports/issued/{issued.pk}.pdf").status_code == 404
    client.force_login(demo["province"])
    assert client.get(f"/monitoring/reports/issued/{issued.pk}.pdf").status_code == 200
    client.force_login(demo["leader"])
    assert client.post("/monitoring/reports/", {"kind": "briefing", "period": "2025-06"}).status_code == 403
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(issued).exists()
