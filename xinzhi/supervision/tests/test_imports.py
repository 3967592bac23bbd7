"""Ledger and activity imports through the framework: preview, commit, per-row errors, scope, idempotence."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.tests.helpers import write_csv, write_xlsx
from xinzhi.supervision import services
from xinzhi.supervision.models import Activity, Task

pytestmark = pytest.mark.django_db

TASKS = ["年度", "序号", "任务名称", "任务内容", "工作组", "牵头单位", "配合单位", "责任人", "地区代码", "完成时限"]
ACTS = ["地区代码", "举办日期", "活动名称", "活动类型", "主办单位", "产业链", "参加人数", "参加企业数", "签约项目数",
        "发布技术难题数", "活动成效"]


@pytest.fixture
def province():
    user = User.objects.create(username="p1", role=Role.PROVINCE_STAFF, division_id="330000")
    services.load_default_ledger(user, 2025)
    return user


def test_task_rows_become_splits_of_the_tasks_above(tmp_path, province):
    hangzhou = User.objects.create(username="c1", role=Role.CITY_STAFF, division_id="330100")
    rows = [
        [2025, "4", "扩面提质科技企业", "杭州新认定高企1500家", "现代化产业体系组", "杭州市经信局", "杭州市科技局", "张三", "330100", "2025-12-31"],
        [2025, "4", "扩面提质科技企业", "西湖区新认定高企200家", "", "西湖区经信局", "", "", "330106", "2025-11-30"],
        [2025, "H1", "杭州自定任务", "市级任务", "总体组", "杭州市经信局", "", "", "330100", "2025-09-30"],
    ]
    path = write_xlsx(tmp_path / "tasks.xlsx", TASKS, rows)
    outcome = commit_import("supervision-tasks", path, user=hangzhou)
    assert outcome.committed, [str(i) for i in outcome.result.errors]
    assert outcome.result.counts["new"] == 3
    hz = Task.objects.get(year=2025, division_id="330100", number="4")
    xihu = Task.objects.get(year=2025, division_id="330106", number="4")
    province_task = Task.objects.get(year=2025, division_id="330000", number="4")
    assert hz.parent_id == province_task.pk and xihu.parent_id == province_task.pk  # in one file: parent above it
    assert hz.co_department_list == ["杭州市科技局"] and xihu.group == "industry" and hz.source == "import"
    assert Task.objects.get(number="H1").parent_id is None and hz.created_by == hangzhou
    assert commit_import("supervision-tasks", path, user=hangzhou).result.counts["unchanged"] == 3
    rows[0][3] = "杭州新认定高企1600家"
    commit_import("supervision-tasks", write_xlsx(tmp_path / "t2.xlsx", TASKS, rows), user=hangzhou)
    hz.refresh_from_db()
    assert hz.text == "杭州新认定高企1600家"
    assert LogEntry.objects.get_for_model(Task).filter(object_id=hz.pk).count() == 1
    # a second file for Xihu: now Hangzhou's task is its nearest parent
    commit_import("supervision-tasks", write_csv(tmp_path / "t3.csv", TASKS, [
        [2025, "5", "增强企业创新能力", "x", "", "西湖区经信局", "", "", "330106", "2025-12-31"]]), user=province)
    assert Task.objects.get(division_id="330106", number="5").parent.division_id == "330000"
    assert export_kind("supervision-tasks", None, "xlsx", tmp_path / "out.xlsx") == 16 + 4
    write_template("supervision-tasks", "xlsx", tmp_path / "template.xlsx")


def test_task_errors_name_row_field_and_reason_and_scope(tmp_path, province):
    ningbo = User.objects.create(username="c2", role=Role.CITY_STAFF, division_id="330200")
    rows = [
        [2025, "4", "t", "x", "不存在的组", "l", "", "", "330100", "2025-12-31"],
        [2025, "5", "t", "x", "", "l", "", "", "339999", "2026-01-31"],
        [2025, "6", "t", "x", "", "l", "", "", "330200", "2025-12-31"],
        [2025, "6", "t", "x", "", "l", "", "", "330200", "2025-12-31"],
    ]
    outcome = preview_import("supervision-tasks", write_csv(tmp_path / "bad.csv", TASKS, rows), user=ningbo)
    messages = {str(i) for i in outcome.result.errors}
    assert "第2行【地区代码】“330100”（杭州市）不在您的管辖范围内，无权导入" in messages
    assert any(m.startswith("第2行【工作组】") for m in messages)
    assert "第3行【地区代码】地区代码“339999”不存在" in messages
    assert "第3行【完成时限】完成时限须在任务年度内" in messages
    assert "第5行【序号】与第4行重复（同一地区同一年度的序号只能出现一次）" in messages
    assert not commit_import("supervision-tasks", write_csv(tmp_path / "bad.csv", TASKS, rows), user=ningbo).committed
    assert not Task.objects.filter(division_id="330200").exists()  # atomic: nothing written


def test_activities_import_feeds_the_calendar(tmp_path, province):
    import datetime as dt

    xihu = User.objects.create(username="x1", role=Role.COUNTY_STAFF, division_id="330106")
    rows = [
        ["330106", "2025-01-18", "西湖区路演", "路演", "西湖区经信局", "", 80, 20, 3, 5, "签约3项"],
        ["330106", "2025-02-20", "西湖区对接会", "“十链百场万企”对接", "西湖区经信局", "智能装备", "", "", "", "", ""],
        ["330106", "2099-01-01", "未来活动", "论坛", "x", "", "", "", "", "", ""],
        ["330108", "2025-02-20", "滨江活动", "论坛", "x", "", -1, "", "", "", ""],
    ]
    bad = preview_import("supervision-activities", write_csv(tmp_path / "a.csv", ACTS, rows), user=xihu)
    messages = {str(i) for i in bad.result.errors}
    assert "第4行【举办日期】不能导入尚未举办的活动" in messages
    assert "第5行【参加人数】不能为负数" in messages
    assert any(m.startswith("第5行【地区代码】") and "不在您的管辖范围内" in m for m in messages)
    outcome = commit_import("supervision-activities", write_csv(tmp_path / "a2.csv", ACTS, rows[:2]), user=xihu)
    assert outcome.committed and outcome.result.counts["new"] == 2
    first = Activity.objects.get(title="西湖区路演")
    assert (first.kind, first.participants, first.agreements, first.outcome) == ("roadshow", 80, 3, "签约3项")
    assert Activity.objects.get(title="西湖区对接会").enterprises == 0
    rows_cov, _ = services.activity_coverage(province, 2025, dt.date(2025, 3, 10))
    hz = next(r for r in rows_cov if r.code == "330100")
    assert hz.missed == [] and hz.cells[0][1] == 1
    assert commit_import("supervision-activities", write_csv(tmp_path / "a3.csv", ACTS, rows[:2]),
                         user=xihu).result.counts["unchanged"] == 2
