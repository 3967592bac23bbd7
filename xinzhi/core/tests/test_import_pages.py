"""Imports in the browser (server side): template, upload, preview with Chinese errors, confirm, cancel."""

import io

import openpyxl
import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core.models import ImportBatch
from xinzhi.core.tests.helpers import make_enterprise, write_xlsx
from xinzhi.enterprises.models import MonthlyStat
from xinzhi.enterprises.tests.test_monthly_import import HEADER, row
from xinzhi.monitoring.models import IndicatorValue

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106")


def upload(client, path, kind="monthly-stats"):
    with open(path, "rb") as fh:
        return client.post("/imports/preview/", {"kind": kind, "file": fh})


def test_template_download_has_the_import_headers(client, staff):
    client.force_login(staff)
    response = client.get("/imports/template/monthly-stats/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    headers = [c.value for c in book.worksheets[0][1]]
    assert headers[0] == "统一社会信用代码" and "期别" in headers and any(str(h).startswith("营业收入") for h in headers)


def test_bad_row_shows_chinese_error_and_writes_nothing(client, staff, tmp_path):
    enterprises = [make_enterprise("330106", i) for i in range(1, 4)]
    rows = [row(e.uscc) for e in enterprises]
    rows[1][0] = rows[1][0][:-1] + ("0" if rows[1][0][-1] != "0" else "1")  # break the check character
    client.force_login(staff)
    page = upload(client, write_xlsx(tmp_path / "bad.xlsx", HEADER, rows))
    body = page.content.decode()
    assert "统一社会信用代码校验位错误" in body and "确认导入" not in body
    assert page.context["counts"]["errors"] == 1 and page.context["issues"][0]["row"] == 3
    token = page.context["token"]
    client.post("/imports/cancel/", {"token": token})
    assert MonthlyStat.objects.count() == 0
    assert ImportBatch.objects.filter(status="previewed").count() == 1


def test_clean_file_commits_after_confirmation_and_refreshes_monitoring(client, staff, tmp_path,
                                                                       django_capture_on_commit_callbacks):
    enterprises = [make_enterprise("330106", i) for i in range(1, 4)]
    client.force_login(staff)
    page = upload(client, write_xlsx(tmp_path / "ok.xlsx", HEADER, [row(e.uscc) for e in enterprises]))
    assert page.context["counts"]["new"] == 3 and MonthlyStat.objects.count() == 0  # preview writes nothing
    with django_capture_on_commit_callbacks() as after_commit:  # the recomputation waits for the commit
        response = client.post("/imports/commit/", {"token": page.context["token"]}, follow=True)
    assert "新增3行" in response.content.decode()
    assert MonthlyStat.objects.filter(year=2025, month=3).count() == 3
    # committed, not yet recomputed: the month is marked and staff pages say so
    assert "监测结果待更新：2025年1—3月" in client.get("/imports/").content.decode()
    for callback in after_commit:
        callback()
    assert IndicatorValue.objects.filter(year=2025, month=3, region="330106").exists()
    assert "监测结果待更新" not in client.get("/imports/").content.decode()
    # the same confirmation cannot be replayed
    assert client.post("/imports/commit/", {"token": page.context["token"]}).status_code == 404


def test_out_of_scope_rows_are_rejected_for_a_county_user(client, staff, tmp_path):
    other = make_enterprise("330212", 9)  # Ningbo
    client.force_login(staff)
    page = upload(client, write_xlsx(tmp_path / "other.xlsx", HEADER, [row(other.uscc)]))
    assert page.context["counts"]["errors"] == 1


def test_only_staff_may_import(client):
    for role, division in (("leader", "330000"), ("expert", None)):
        user = User.objects.create(username=role, role=role, division_id=division)
        client.force_login(user)
        assert client.get("/imports/").status_code == 403


def test_each_error_shows_the_value_the_file_holds_and_the_list_downloads_as_xlsx(client, staff, tmp_path):
    from xinzhi.core.tests.helpers import write_csv

    enterprises = [make_enterprise("330106", i) for i in range(1, 4)]
    rows = [row(e.uscc) for e in enterprises]
    rows[0][2] = "十二万"  # not a number (a parse error: the file's own text is shown)
    rows[1][0] = "9.13301020137831E+017"  # an all-digit code re-saved by a spreadsheet program
    client.force_login(staff)
    page = upload(client, write_csv(tmp_path / "resaved.csv", HEADER, rows))
    issues = {(i["row"], i["field"]): i for i in page.context["issues"]}
    assert issues[(2, "工业总产值")]["value"] == "十二万"
    sci = issues[(3, "统一社会信用代码")]
    assert sci["value"] == "9.13301020137831E+017"
    assert "科学计数法" in sci["reason"] and "文本" in sci["reason"]
    body = page.content.decode()
    assert "十二万" in body and "文件中的值" in body
    # the whole list, as an xlsx file, for the pending upload of this session only
    download = client.get(f"/imports/issues/{page.context['token']}.xlsx")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.content))["问题清单"]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert ["行", "列", "文件中的值", "问题", "级别"] in values
    assert any(r[:3] == [3, "统一社会信用代码", "9.13301020137831E+017"] for r in values)
    other = User.objects.create(username="y", role=Role.COUNTY_STAFF, division_id="330106")
    client.force_login(other)
    assert client.get(f"/imports/issues/{page.context['token']}.xlsx").status_code == 404


def test_no_import_kind_shows_a_file_name_or_a_code_path_to_its_users():
    """The template's instructions, labels and column help are read by bureau staff: they point to the
    platform's own help pages, never to a repository file (``docs/….md``)."""
    import re

    from xinzhi.core.imports.registry import get_kind, kind_names

    for name in kind_names():
        kind = get_kind(name)
        shown = [kind.label_zh, kind.instructions_zh, *(c.header for c in kind.columns), *(c.help_zh for c in kind.columns),
                 *(c.example for c in kind.columns), *(label for c in kind.columns for label in c.choices.values())]
        for text in shown:
            assert not re.search(r"\.md\b|docs/|\.py\b", text or ""), (name, text)
