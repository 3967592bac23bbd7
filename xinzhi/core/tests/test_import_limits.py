"""Issue 12 item 13: upload size is bounded — files over the row or size limit are refused with a clear
Chinese message, before they are parsed; large files are read from disk, not held whole in Python.
(The memory itself is measured by bench/bench_upload_memory.py.)"""

from __future__ import annotations

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import ReadError, preview_import, read_table, reading
from xinzhi.core.imports.exports import write_file
from xinzhi.core.imports.registry import get_kind
from xinzhi.core.models import ImportBatch
from xinzhi.core.tests.helpers import code, write_csv, write_xlsx
from xinzhi.enterprises.tests.test_enterprise_import import HEADER

pytestmark = pytest.mark.django_db


def rows(n: int) -> list[list[object]]:
    return [[code("330106", i), f"企业{i}", "330106", "3973", None, None, None, None, None] for i in range(1, n + 1)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_a_file_over_the_row_limit_is_refused(tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    path = tmp_path / f"e.{fmt}"
    if fmt == "csv":
        write_csv(path, HEADER, rows(6))
    elif fmt == "xlsx":
        write_xlsx(path, HEADER, rows(6))
    else:
        import polars as pl

        write_file(get_kind("enterprises"), pl.DataFrame(rows(6), schema=HEADER, orient="row"), "parquet", path)
    with pytest.raises(ReadError, match="文件超过5行数据，请拆分为多个文件分批导入"):
        read_table(path)
    outcome = preview_import("enterprises", path)
    assert [i.reason_zh for i in outcome.result.errors] == ["文件超过5行数据，请拆分为多个文件分批导入"]
    assert ImportBatch.objects.get().status == "previewed" and not outcome.failed
    path.unlink()
    (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"ok.{'csv' if fmt == 'csv' else 'xlsx'}", HEADER, rows(5))
    assert read_table(tmp_path / f"ok.{'csv' if fmt == 'csv' else 'xlsx'}").frame.height == 5


def test_utf16_and_gbk_csv_are_read_block_by_block(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "BLOCK", 7)  # tiny blocks: characters split across them still decode
    for encoding in ("utf-16", "gb18030", "utf-8-sig"):
        path = write_csv(tmp_path / f"{encoding}.csv", HEADER, rows(3), encoding=encoding)
        table = read_table(path)
        assert table.frame.columns == HEADER and table.frame["企业名称"].to_list() == ["企业1", "企业2", "企业3"]
        assert table.sha256 == read_table(path.read_bytes(), "x.csv").sha256


def test_an_empty_file_is_a_clear_error(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"  \n\n")
    with pytest.raises(ReadError, match="文件为空"):
        read_table(tmp_path / "e.csv")


@pytest.fixture
def staff(client):
    user = User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106")
    client.force_login(user)
    return user


def test_the_page_refuses_an_oversized_upload_before_reading_it(client, staff, tmp_path, monkeypatch):
    from xinzhi.web import import_views as views

    monkeypatch.setattr(views, "MAX_UPLOAD_BYTES", 2**20)
    path = write_csv(tmp_path / "big.csv", HEADER, rows(30_000))
    assert path.stat().st_size > 2**20 + 2**16
    with open(path, "rb") as fh:
        response = client.post("/imports/preview/", {"kind": "enterprises", "file": fh}, follow=True)
    body = response.content.decode()
    assert "文件超过1MB，请拆分为多个文件分批导入（每个文件不超过1MB、500,000行）" in body
    assert ImportBatch.objects.count() == 0  # neither parsed nor stored


def test_the_page_refuses_an_upload_over_the_row_limit(client, staff, tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 10)
    with open(write_csv(tmp_path / "e.csv", HEADER, rows(11)), "rb") as fh:
        page = client.post("/imports/preview/", {"kind": "enterprises", "file": fh})
    assert "文件超过10行数据，请拆分为多个文件分批导入" in page.content.decode()
    assert "确认导入" not in page.content.decode()
