"""Issue 12 item 10: a failed import leaves a trace — a failed ImportBatch with a Chinese reason and the
traceback in the log — and never shows a raw traceback on the page or the command line."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import, preview_import
from xinzhi.core.models import ImportBatch
from xinzhi.core.tests.helpers import code, make_enterprise, write_csv
from xinzhi.enterprises.imports import EnterprisesKind, MonthlyStatsKind
from xinzhi.enterprises.models import Enterprise, MonthlyStat
from xinzhi.enterprises.tests.test_enterprise_import import HEADER as REGISTER_HEADER
from xinzhi.enterprises.tests.test_monthly_import import HEADER, row

pytestmark = pytest.mark.django_db


def test_a_nul_byte_is_a_row_error_not_a_crash(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(("\n".join([",".join(REGISTER_HEADER),
                                 f"{code('330106', 1)},西湖\x00一号,330106,3973,2015-03-18,民营,否,2025,是",
                                 f"{code('330106', 2)},西湖二号,330106,3973,2015-03-18,民营,否,2025,是"])).encode())
    outcome = commit_import("enterprises", path)
    assert not outcome.committed and not outcome.failed
    assert [(i.row, i.field) for i in outcome.result.errors] == [(2, "企业名称")]
    assert "空字符" in outcome.result.errors[0].reason_zh
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize("exc, reason", [
    (RuntimeError("boom"), "导入时发生意外错误，未导入任何数据；错误已记入服务器日志"),
    (IntegrityError("duplicate key value violates unique constraint"), "冲突"),
    (MemoryError(), "内存不足"),
])
def test_an_unexpected_failure_is_a_failed_batch_with_a_chinese_reason(tmp_path, monkeypatch, caplog, exc, reason):
    firm = make_enterprise("330106", 1)

    def fail(self, diff, batch, actor):
        MonthlyStat.objects.create(enterprise=firm, division_id="330106", year=2025, month=3, output_value=1,
                                   value_added=1, revenue=1, rd_expense=0, new_product_output=0, employees=1)
        raise exc

    monkeypatch.setattr(MonthlyStatsKind, "write", fail)
    with caplog.at_level(logging.ERROR, logger="xinzhi.core.imports.engine"):
        outcome = commit_import("monthly-stats", write_csv(tmp_path / "m.csv", HEADER, [row(firm.uscc)]))
    assert outcome.failed and not outcome.committed
    assert reason in outcome.result.errors[0].reason_zh
    assert MonthlyStat.objects.count() == 0  # the partial write was rolled back
    batch = ImportBatch.objects.get(status="failed")
    assert batch.get_status_display() == "导入失败" and reason in batch.errors_sample[0]["reason"]
    assert ImportBatch.objects.filter(status="committed").count() == 0
    record, = [r for r in caplog.records if r.name == "xinzhi.core.imports.engine"]
    assert record.exc_info is not None  # the traceback is in the log, for the operators


def test_a_failure_while_reading_is_recorded_too(tmp_path, monkeypatch):
    import xinzhi.core.imports.engine as engine

    monkeypatch.setattr(engine, "map_headers", lambda *a: (_ for _ in ()).throw(ValueError("bad")))
    outcome = preview_import("monthly-stats", write_csv(tmp_path / "m.csv", HEADER, [row(code("330106", 1))]))
    assert outcome.failed and ImportBatch.objects.get().status == "failed"


def test_the_command_line_shows_the_reason_not_a_traceback(tmp_path, monkeypatch, capsys):
    firm = make_enterprise("330106", 1)
    monkeypatch.setattr(MonthlyStatsKind, "write", lambda *a: (_ for _ in ()).throw(KeyError("enterprise_id")))
    with pytest.raises(CommandError) as raised:
        call_command("import", "monthly-stats", str(write_csv(tmp_path / "m.csv", HEADER, [row(firm.uscc)])),
                     "--commit")
    assert raised.value.returncode == 1
    assert str(raised.value) == "导入时发生意外错误，未导入任何数据；错误已记入服务器日志"
    out = capsys.readouterr().out
    assert "导入失败，未写入任何数据" in out and "Traceback" not in out and "KeyError" not in out


def test_the_page_shows_the_reason_not_a_server_error(client, tmp_path, monkeypatch):
    staff = User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106")
    client.force_login(staff)
    with open(write_csv(tmp_path / "e.csv", REGISTER_HEADER, [[code("330106", 1), "西湖一号", "330106", "3973",
                                                               None, None, None, None, None]]), "rb") as fh:
        page = client.post("/imports/preview/", {"kind": "enterprises", "file": fh})
    monkeypatch.setattr(EnterprisesKind, "write", lambda *a: (_ for _ in ()).throw(ZeroDivisionError()))
    response = client.post("/imports/commit/", {"token": page.context["token"]}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "导入失败：导入时发生意外错误，未导入任何数据" in body and "ZeroDivisionError" not in body
    assert Enterprise.objects.count() == 0
