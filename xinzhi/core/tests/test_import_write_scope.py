"""Issue 12 item 1: an import row is in the importing user's scope only if the STORED record is.

The county written in the file decides only for new records; moving a stored record to another
region is a province action (province staff, superuser, or the shell operator without ``--user``),
written with an audit entry naming the old and the new region.
"""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import, get_kind, kind_names, preview_import
from xinzhi.core.imports.registry import register
from xinzhi.core.imports.spec import ImportKind
from xinzhi.core.region_moves import move_to_region
from xinzhi.core.tests.helpers import code, make_enterprise, write_csv
from xinzhi.enterprises.models import Enterprise
from xinzhi.enterprises.tests.test_enterprise_import import HEADER as REGISTER_HEADER
from xinzhi.enterprises.tests.test_monthly_import import HEADER as MONTHLY_HEADER
from xinzhi.enterprises.tests.test_monthly_import import row as monthly_row
from xinzhi.investment.models import InvestmentProject
from xinzhi.investment.tests.test_investment_import import HEADER as PROJECT_HEADER
from xinzhi.investment.tests.test_investment_import import REGION_HEADER

pytestmark = pytest.mark.django_db

NINGBO = "330203"  # 宁波市海曙区
XIHU = "330106"  # 杭州市西湖区
MOVE_REASON = "不能迁移"


@pytest.fixture
def xihu():
    return User.objects.create(username="xihu", role=Role.COUNTY_STAFF, division_id=XIHU)


@pytest.fixture
def province():
    return User.objects.create(username="prov", role=Role.PROVINCE_STAFF, division_id="330000")


def register_row(uscc: str, county: str, name: str = "宁波某公司") -> list[object]:
    return [uscc, name, county, "3973", "2015-03-18", "民营", "否", 2025, "是"]


def project_row(county: str, code_: str = "2501-330203-04-01-000001", period: str = "2025-03") -> list[object]:
    return [code_, "海曙集成电路项目", county, "3973", "是", 5000, "在建", 2025, period, 100, "否"]


def errors(outcome) -> list[tuple[int, str, str]]:
    return [(i.row, i.field, i.reason_zh) for i in outcome.result.errors]


def test_county_staff_cannot_take_over_another_regions_enterprise(tmp_path, xihu):
    """The reproduction: xihu changes a Ningbo firm's county to 330106 in a register file."""
    firm = make_enterprise(NINGBO, 1, name="宁波某公司")
    path = write_csv(tmp_path / "e.csv", REGISTER_HEADER, [register_row(firm.uscc, XIHU)])
    outcome = commit_import("enterprises", path, user=xihu)
    assert not outcome.committed
    (row, field, reason), = errors(outcome)
    assert (row, field) == (2, "县（市、区）代码")
    assert "宁波市海曙区" in reason and "不在您的管辖范围内" in reason
    firm.refresh_from_db()
    assert firm.division_id == NINGBO


def test_county_staff_cannot_move_its_own_enterprise_away(tmp_path, xihu):
    firm = make_enterprise(XIHU, 2, name="西湖某公司")
    path = write_csv(tmp_path / "e.csv", REGISTER_HEADER, [register_row(firm.uscc, NINGBO, "西湖某公司")])
    outcome = preview_import("enterprises", path, user=xihu)
    (row, field, reason), = errors(outcome)
    assert field == "县（市、区）代码" and MOVE_REASON in reason and "省级" in reason
    assert "西湖区" in reason and "海曙区" in reason


def test_city_staff_cannot_move_between_its_own_counties(tmp_path):
    hangzhou = User.objects.create(username="hz", role=Role.CITY_STAFF, division_id="330100")
    firm = make_enterprise(XIHU, 3)
    path = write_csv(tmp_path / "e.csv", REGISTER_HEADER, [register_row(firm.uscc, "330105", "企业3")])
    assert MOVE_REASON in errors(preview_import("enterprises", path, user=hangzhou))[0][2]


def test_new_records_take_the_county_of_the_file(tmp_path, xihu):
    path = write_csv(tmp_path / "e.csv", REGISTER_HEADER, [register_row(code(XIHU, 7), XIHU, "新企业"),
                                                          register_row(code(NINGBO, 8), NINGBO, "新宁波企业")])
    outcome = preview_import("enterprises", path, user=xihu)
    assert [(r, f) for r, f, _ in errors(outcome)] == [(3, "县（市、区）代码")]


def test_unchanged_rows_of_own_records_still_import(tmp_path, xihu):
    firm = make_enterprise(XIHU, 4, name="企业4")
    path = write_csv(tmp_path / "e.csv", REGISTER_HEADER, [register_row(firm.uscc, XIHU, "企业4改名")])
    outcome = commit_import("enterprises", path, user=xihu)
    assert outcome.committed and outcome.result.counts["changed"] == 1


def test_province_staff_moves_an_enterprise_with_an_audit_entry_naming_both_regions(tmp_path, province):
    firm = make_enterprise(NINGBO, 5, name="宁波某公司")
    path = write_csv(tmp_path / "e.csv", REGISTER_HEADER, [register_row(firm.uscc, XIHU)])
    outcome = commit_import("enterprises", path, user=province)
    assert outcome.committed, outcome.result.errors
    firm.refresh_from_db()
    assert firm.division_id == XIHU
    move = LogEntry.objects.get(object_pk=str(firm.pk), content_type__model="enterprise",
                                additional_data__region_move__isnull=False)
    assert move.actor == province
    assert move.changes == {"division": [NINGBO, XIHU]}
    assert move.additional_data["region_move"] == {"from": NINGBO, "from_name": "宁波市海曙区",
                                                   "to": XIHU, "to_name": "杭州市西湖区"}
    assert move.additional_data["import_batch"] == outcome.batch.pk


def test_investment_project_cannot_be_moved_by_county_staff(tmp_path, xihu):
    """The second reproduction: a project moved from 海曙区 to 西湖区 by its new county."""
    assert commit_import("investment", write_csv(tmp_path / "a.csv", PROJECT_HEADER, [project_row(NINGBO)])).committed
    outcome = commit_import("investment", write_csv(tmp_path / "b.csv", PROJECT_HEADER,
                                                    [project_row(XIHU, period="2025-04")]), user=xihu)
    assert not outcome.committed
    (row, field, reason), = errors(outcome)
    assert field == "县代码" and "宁波市海曙区" in reason
    assert InvestmentProject.objects.get().division_id == NINGBO


def test_investment_project_moved_by_province(tmp_path, province):
    commit_import("investment", write_csv(tmp_path / "a.csv", PROJECT_HEADER, [project_row(NINGBO)]))
    outcome = commit_import("investment", write_csv(tmp_path / "b.csv", PROJECT_HEADER, [project_row(XIHU)]),
                            user=province)
    assert outcome.committed, outcome.result.errors
    project = InvestmentProject.objects.get()
    assert project.division_id == XIHU
    assert LogEntry.objects.filter(object_pk=str(project.pk), additional_data__region_move__to=XIHU).count() == 1


def test_monthly_and_package_rows_follow_the_stored_enterprise(tmp_path, xihu):
    firm = make_enterprise(NINGBO, 6)
    path = write_csv(tmp_path / "m.csv", MONTHLY_HEADER, [monthly_row(firm.uscc)])
    assert "宁波市海曙区" in errors(preview_import("monthly-stats", path, user=xihu))[0][2]


def test_region_investment_is_keyed_by_its_county(tmp_path, xihu):
    path = write_csv(tmp_path / "r.csv", REGION_HEADER, [[NINGBO, "2025-03", 100, "否"], [XIHU, "2025-03", 100, "否"]])
    assert [r for r, _, _ in errors(preview_import("region-investment", path, user=xihu))] == [2]


def test_every_registered_kind_declares_how_to_find_its_stored_region():
    for name in kind_names():
        assert get_kind(name).record_region is not None, name

    class Forgetful(ImportKind):
        name = "forgetful"
        label_zh = "忘了声明"
        columns = ()
        file_key = ()

    with pytest.raises(TypeError, match="record_region"):
        register(Forgetful())


# -- the service forms and APIs share ------------------------------------------------------------
def test_move_service_is_a_province_action(xihu, province):
    firm = make_enterprise(NINGBO, 11)
    with pytest.raises(PermissionDenied):
        move_to_region(firm, XIHU, xihu)
    mine = make_enterprise(XIHU, 12)
    with pytest.raises(PermissionDenied):
        move_to_region(mine, NINGBO, xihu)
    with pytest.raises(ValidationError):
        move_to_region(firm, "330200", province)  # a city, not a county
    assert move_to_region(firm, XIHU, province) is True
    firm.refresh_from_db()
    assert firm.division_id == XIHU
    entry = LogEntry.objects.get(object_pk=str(firm.pk), additional_data__region_move__isnull=False)
    assert entry.changes == {"division": [NINGBO, XIHU]} and entry.actor == province
    assert move_to_region(firm, XIHU, province) is False  # nothing to move
    assert Enterprise.objects.get(pk=firm.pk).division_id == XIHU
