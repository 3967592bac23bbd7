"""Briefing and operation report on the small demo: real DOCX/PDF/XLSX, text numbers = table numbers."""

import io

import pytest
from django.core.management import call_command
from docx import Document as DocxDocument
from pypdf import PdfReader

from xinzhi.demo.testing import small_demo
from xinzhi.monitoring import reporting
from xinzhi.monitoring.models import IndicatorValue
from xinzhi.regions.models import Division

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=11, months=[(2025, 6)]) as users:
        yield users


def test_operation_report_text_matches_its_table(demo, tmp_path):
    call_command("report", period="2025-06", kind="operation", format="docx", output=str(tmp_path / "r.docx"))
    doc = DocxDocument(str(tmp_path / "r.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    stored = IndicatorValue.objects.get(indicator="rd_intensity", region="330000", year=2025, month=6)
    sentence = next(p for p in text.splitlines() if "研发费用占营业收入比重为" in p)
    assert f"为{stored.value_text}%" in sentence
    table_values = {row.cells[0].text: row.cells[2].text for t in doc.tables for row in t.rows}
    assert table_values["规上工业企业研发费用占营业收入比重"] == stored.value_text
    assert any("杭州市" == row.cells[0].text for t in doc.tables for row in t.rows)


def test_pdf_and_xlsx_render_chinese(demo, tmp_path):
    for fmt in ("pdf", "xlsx"):
        call_command("report", period="2025-06", kind="briefing", format=fmt, output=str(tmp_path / f"b.{fmt}"))
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(str(tmp_path / "b.pdf")).pages)
    assert "高新技术产业运行数据简报" in text and "杭州市" in text
    import openpyxl

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
