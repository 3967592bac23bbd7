"""The monthly bulletin (DOCX/PDF) and the half-year summary (XLSX): real files, read back."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document as Docx
from openpyxl import load_workbook

from xinzhi.accounts.models import Role, User
from xinzhi.regions.models import Division
from xinzhi.supervision import outputs, services
from xinzhi.supervision.models import ProgressReport, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    province = User.objects.create(username="p1", role=Role.PROVINCE_STAFF, division_id="330000")
    hangzhou = User.objects.create(username="c1", role=Role.CITY_STAFF, division_id="330100")
    services.load_default_ledger(province, 2025)
    t4 = Task.objects.get(year=2025, division_id="330000", number="4")
    hz = services.split_task(province, t4, "330100")
    services.report_progress(hangzhou, hz, year=2025, month=6, percent=40, done="新认定高企800家",
                             problems="申报质量待提高", next_steps="开展辅导")
    services.report_progress(province, t4, year=2025, month=6, percent=100, done="全部完成", completed=True)
    # as if filed in time: Hangzhou on 3 July 2025, the province on 4 July (completed that day)
    ProgressReport.objects.filter(task=hz).update(reported_at=dt.datetime(2025, 7, 3, 10, tzinfo=dt.UTC))
    ProgressReport.objects.filter(task=t4).update(reported_at=dt.datetime(2025, 7, 4, 10, tzinfo=dt.UTC))
    Task.objects.filter(pk=t4.pk).update(completed_on=dt.date(2025, 7, 4))
    return province, hangzhou


def _docx_text(data: bytes) -> str:
    doc = Docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)


def test_bulletin_counts_lights_and_names_the_month_progress(world):
    province, hangzhou = world
    doc = outputs.monthly_bulletin(province, Division.objects.get(code="330000"), 2025, 6)
    from xinzhi.reports import render_bytes

    text = _docx_text(render_bytes(doc, "docx"))
    assert "浙江省2025年6月重点任务推进情况通报" in text
    # as of 5 July 2025: task 4 done; Hangzhou's 40 % is 10.7 points behind the 50.7 % schedule → yellow;
    # the other 15 tasks have reported nothing for six due months → red (stalled)
    assert "共有任务17项（其中分解下达1项），6月进展已报送2项。已完成1项，正常推进0项，临近期限0项，滞后1项，逾期或停滞15项" in text
    assert "新认定高企800家" in text and "存在问题：申报质量待提高" in text
    assert "浙江省经济和信息化厅" in text
    # a month earlier nothing was filed yet
    may = _docx_text(render_bytes(outputs.monthly_bulletin(province, Division.objects.get(code="330000"), 2025, 5),
                                  "docx"))
    assert "5月进展已报送0项" in may
    city = outputs.monthly_bulletin(hangzhou, Division.objects.get(code="330100"), 2025, 6)
    city_text = _docx_text(render_bytes(city, "docx"))
    assert "共有任务1项" in city_text and "杭州市经济和信息化局" in city_text
    assert render_bytes(doc, "pdf")[:4] == b"%PDF"


def test_half_year_summary_xlsx_has_the_exchange_columns(world, client):
    province, hangzhou = world
    client.force_login(province)
    response = client.get("/supervision/outputs/?kind=half_year&format=xlsx&year=2025&half=2")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["汇总表"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header_row = next(i for i, r in enumerate(values) if r and r[0] == "序号")
    header = values[header_row]
    assert header[:8] == ["序号", "重点任务", "目标任务", "工作进展", "存在问题", "下步计划", "牵头及配合单位", "责任地区"]
    rows = values[header_row + 1:]
    assert len([r for r in rows if r[0]]) == 17
    hz = next(r for r in rows if r[7] == "杭州市")
    assert hz[3] == "新认定高企800家" and hz[4] == "申报质量待提高" and hz[8] == 40
    assert next(r for r in rows if r[0] == "4" and r[7] == "浙江省")[9] == "已完成"
    client.force_login(hangzhou)
    city = load_workbook(io.BytesIO(client.get(
        "/supervision/outputs/?kind=half_year&format=xlsx&year=2025&half=2").content))["汇总表"]
    assert sum(1 for r in city.iter_rows(values_only=True) if r[0] == "4") == 1
    assert client.get("/supervision/outputs/?kind=bulletin&format=xlsx&year=2025&month=6").status_code == 404
    assert client.get("/supervision/outputs/").status_code == 200
