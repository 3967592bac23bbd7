"""Import kind ``scenario-applications`` (应用场景对接记录): the products applied to a scenario and their progress,
replayed through the services' step rules — new rows, forward moves with their steps, refusals (backwards, a
skipped step, a rewritten date, a closed or past-deadline scenario), scope on the scenario's county, atomic
commit, idempotent re-import and the export round trip."""

import datetime as dt

import pytest
from auditlog.models import LogEntry

from xinzhi.core.imports import commit_import, kind_names, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.tests.helpers import write_csv
from xinzhi.programs import match_imports
from xinzhi.programs import scenario_services as svc
from xinzhi.programs import scenarios as S
from xinzhi.programs.models import ScenarioMatch, ScenarioStep

D = dt.date
KIND = "scenario-applications"
HEAD = ["县代码", "场景名称", "开放日期", "统一社会信用代码", "企业名称", "产品（技术）名称", "状态", "报名日期", "对接日期",
        "试用日期", "落地日期", "未采用日期", "说明"]


@pytest.fixture
def scenario(world):
    return svc.open_scenario(world["county"], {
        "name": "智慧病房场景", "provider": "西湖区人民医院", "provider_kind": "hospital", "division": "330106",
        "field": "智慧医疗", "need": "物资配送", "opened_on": D(2025, 3, 1), "deadline": D(2025, 5, 31)}, D(2025, 3, 1))


def _row(world, who, product, state, applied, talk="", trial="", land="", decline="", note=""):
    e = world[who]
    return ["330106", "智慧病房场景", "2025-03-01", e.uscc, e.name, product, state, applied, talk, trial, land, decline, note]


def _rows(world):
    return [_row(world, "a", "光纤应变传感器", "已报名", "2025-04-01"),
            _row(world, "c", "铸件视觉检测", "试用中", "2025-04-02", "2025-04-10", "2025-05-01"),
            _row(world, "a", "巡检机器人", "未采用", "2025-04-03", "2025-04-11", decline="2025-04-20", note="精度不达标")]


def _errors(tmp_path, world, rows, user="province", name="bad.csv"):
    result = preview_import(KIND, write_csv(tmp_path / name, HEAD, rows), user=world[user]).result
    return {(e.row, e.field, e.reason_zh) for e in result.errors}


def _steps(match):
    return [(s.action, s.from_state, s.to_state, s.on, s.note) for s in ScenarioStep.objects.filter(match=match).order_by("on", "id")]


def test_judge_replays_the_services_rules():
    assert match_imports._judge("talk,trial", None, None, S.OPEN, "") == (S.TRIAL, "", "")
    reached, column, why = match_imports._judge("trial", None, None, S.OPEN, "")
    assert reached is None and column == "试用日期" and why.endswith("对接当前状态为“已报名”，不能进入试用")
    assert match_imports._judge("talk,decline", None, None, S.OPEN, "")[1:] == (
        "说明", "所填日期不符合对接流程（已报名 → 对接中 → 试用中 → 已落地，或中途未采用）：不予采用须说明理由")
    assert match_imports._judge("talk", "talk,trial", S.TRIAL, S.OPEN, "") == (
        S.TALKING, "状态", "该对接已为“试用中”，导入不能退回“对接中”")
    assert match_imports._judge("talk,trial", "talk,decline", S.DECLINED, S.OPEN, "")[2].endswith("导入不能改变已办理的步骤")
    assert match_imports._judge("talk,trial", "talk", S.TALKING, S.CLOSED, "")[2] == "场景已关闭，不能再办理对接"
    assert match_imports._judge("talk,trial", "talk", S.TALKING, S.MATCHED, "") == (S.TRIAL, "", "")


def test_commit_steps_idempotent_forward_and_round_trip(tmp_path, world, scenario):
    assert KIND in kind_names()
    write_template(KIND, "xlsx", tmp_path / "t.xlsx")
    path = write_csv(tmp_path / "m.csv", HEAD, _rows(world))
    outcome = commit_import(KIND, path, user=world["county"])
    assert outcome.committed and outcome.result.counts["new"] == 3
    first = ScenarioMatch.objects.get(product_name="光纤应变传感器")
    trial = ScenarioMatch.objects.get(product_name="铸件视觉检测")
    declined = ScenarioMatch.objects.get(product_name="巡检机器人")
    assert (first.state, trial.state, declined.state) == (S.APPLIED, S.TRIAL, S.DECLINED)
    assert (trial.scenario_id, trial.enterprise_id, trial.talking_on, trial.trial_on) == (
        scenario.pk, world["c"].pk, D(2025, 4, 10), D(2025, 5, 1))
    assert trial.import_batch_id == outcome.batch.pk and trial.applied_by == world["county"]
    assert _steps(trial) == [("apply", "", S.APPLIED, D(2025, 4, 2), "导入"), ("talk", S.APPLIED, S.TALKING, D(2025, 4, 10), "导入"),
                             ("trial", S.TALKING, S.TRIAL, D(2025, 5, 1), "导入")]
    assert _steps(declined)[-1] == ("decline", S.TALKING, S.DECLINED, D(2025, 4, 20), "精度不达标")
    assert ScenarioStep.objects.filter(match__isnull=False).count() == 7
    # the same file again: nothing changes, no step added
    again = commit_import(KIND, path, user=world["county"])
    assert (again.result.counts["new"], again.result.counts["changed"], again.result.counts["unchanged"]) == (0, 0, 3)
    assert ScenarioStep.objects.filter(match__isnull=False).count() == 7
    # a match made on the page goes out and comes back unchanged
    page = svc.apply_product(world["owner"], scenario.pk, world["a"], {"product": "页面报名产品"}, D(2025, 4, 5))
    svc.act_match(world["county"], page.pk, "talk", D(2025, 4, 6))
    out = tmp_path / "out.xlsx"
    assert export_kind(KIND, None, "xlsx", out) >= 4
    back = commit_import(KIND, out, user=world["county"])
    assert back.committed and (back.result.counts["new"], back.result.counts["changed"]) == (0, 0)
    assert ScenarioStep.objects.filter(match__isnull=False).count() == 9
    # forward: 已报名 → 对接中, 试用中 → 已落地 (the recorded dates repeated), each new step logged, audited
    rows = _rows(world)
    rows[0] = _row(world, "a", "光纤应变传感器", "对接中", "2025-04-01", "2025-04-15")
    rows[1] = _row(world, "c", "铸件视觉检测", "已落地", "2025-04-02", "2025-04-10", "2025-05-01", "2025-06-01")
    moved = commit_import(KIND, write_csv(tmp_path / "m2.csv", HEAD, rows), user=world["county"])
    assert moved.committed and moved.result.counts["changed"] == 2
    first.refresh_from_db()
    trial.refresh_from_db()
    assert (first.state, first.talking_on, trial.state, trial.landed_on) == (S.TALKING, D(2025, 4, 15), S.DONE, D(2025, 6, 1))
    assert _steps(trial)[-1] == ("land", S.TRIAL, S.DONE, D(2025, 6, 1), "导入")
    assert _steps(first)[-1] == ("talk", S.APPLIED, S.TALKING, D(2025, 4, 15), "导入")
    assert ScenarioStep.objects.filter(match__isnull=False).count() == 11
    entry = LogEntry.objects.get_for_object(trial).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.changes_dict["state"] == [S.TRIAL, S.DONE] and entry.actor == world["county"]
    # the landed scenario can now be confirmed on the page, as before
    svc.act_scenario(world["county"], scenario.pk, "match", D(2025, 6, 2))


def test_refusals_name_row_field_reason_and_nothing_is_written(tmp_path, world, scenario):
    commit_import(KIND, write_csv(tmp_path / "m.csv", HEAD, _rows(world)), user=world["county"])
    before = (ScenarioMatch.objects.count(), ScenarioStep.objects.count())
    bad = [
        _row(world, "c", "铸件视觉检测", "对接中", "2025-04-02", "2025-04-10"),  # 2: backwards
        _row(world, "a", "光纤应变传感器", "对接中", "2025-04-02", "2025-04-15"),  # 3: rewrites 报名日期
        _row(world, "a", "跳步产品", "试用中", "2025-04-05", trial="2025-04-20"),  # 4: skips 对接
        _row(world, "a", "状态不符", "已落地", "2025-04-05", "2025-04-06"),  # 5: state vs dates
        _row(world, "a", "无理由", "未采用", "2025-04-05", decline="2025-04-06"),  # 6: decline without reason
        _row(world, "a", "倒序", "对接中", "2025-04-05", "2025-04-01"),  # 7: date before the previous one
        _row(world, "a", "截止后", "已报名", "2025-06-05"),  # 8: after the deadline
        ["330106", "不存在的场景", "2025-03-01", world["a"].uscc, world["a"].name, "甲", "已报名", "2025-04-01",
         "", "", "", "", ""],  # 9: no such scenario
        ["330106", "智慧病房场景", "2025-03-01", "", "不在库中的企业", "乙", "已报名", "2025-04-01", "", "", "", "", ""],  # 10
        _row(world, "a", "太早", "已报名", "2025-02-01"),  # 11: before the scenario opened
        _row(world, "a", "将来", "对接中", "2025-04-05", "2099-01-01"),  # 12: in the future
    ]
    errors = _errors(tmp_path, world, bad)
    assert (2, "状态", "该对接已为“试用中”，导入不能退回“对接中”") in errors
    assert (3, "报名日期", "已登记的报名日期为2025-04-01，导入不能修改或删除已办理步骤的日期") in errors
    assert (4, "试用日期", "所填日期不符合对接流程（已报名 → 对接中 → 试用中 → 已落地，或中途未采用）："
                        "对接当前状态为“已报名”，不能进入试用") in errors
    assert (5, "状态", "状态与所填日期不符：按所填日期应为“对接中”") in errors
    assert any(r == 6 and f == "说明" and why.endswith("不予采用须说明理由") for r, f, why in errors)
    assert (7, "对接日期", "对接日期不能早于上一步的日期（2025-04-05）") in errors
    assert (8, "报名日期", "场景征集已于 2025-05-31 截止，报名日期不能晚于截止日期") in errors
    assert (9, "场景名称", "县代码330106下没有2025-03-01开放的场景“不存在的场景”（先登记或导入该场景）") in errors
    assert (10, "统一社会信用代码", "企业“不在库中的企业”不在企业库中") in errors
    assert (11, "报名日期", "报名日期不能早于场景的开放日期（2025-03-01）") in errors
    assert (12, "对接日期", "对接日期不能晚于今天") in errors
    assert {r for r, _, _ in errors} == set(range(2, 13))
    assert not commit_import(KIND, write_csv(tmp_path / "bad2.csv", HEAD, bad), user=world["province"]).committed
    # a good row beside a bad one: nothing is written (atomic)
    mixed = [_row(world, "a", "光纤应变传感器", "对接中", "2025-04-01", "2025-04-15"), bad[0]]
    assert not commit_import(KIND, write_csv(tmp_path / "mixed.csv", HEAD, mixed), user=world["province"]).committed
    assert (ScenarioMatch.objects.count(), ScenarioStep.objects.count()) == before
    assert ScenarioMatch.objects.get(product_name="光纤应变传感器").state == S.APPLIED
    # a closed scenario: no match moves, no new application
    svc.act_scenario(world["county"], scenario.pk, "close", D(2025, 6, 30), "需求取消")
    errors = _errors(tmp_path, world, [mixed[0], _row(world, "c", "新产品", "已报名", "2025-04-05")], name="closed.csv")
    assert (2, "状态", "场景已关闭，不能再办理对接") in errors
    assert (3, "场景名称", "场景当前状态为“已关闭”，不再征集产品，不能新增报名") in errors


def test_scope_is_the_scenario_county(tmp_path, world, scenario):
    rows = _rows(world)  # enterprise c is registered in Ningbo: it may apply to a Hangzhou scenario
    refused = _errors(tmp_path, world, rows, user="ningbo")
    assert {r for r, _, _ in refused} == {2, 3, 4} and all(f == "县代码" for _, f, _ in refused)
    assert not commit_import(KIND, write_csv(tmp_path / "n.csv", HEAD, rows), user=world["ningbo"]).committed
    assert not ScenarioMatch.objects.exists()
    assert _errors(tmp_path, world, rows, user="county") == set()
    assert any(f == "导入权限" for _, f, _ in _errors(tmp_path, world, rows, user="leader"))
