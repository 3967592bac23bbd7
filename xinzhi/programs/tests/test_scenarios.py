"""Application scenarios (应用场景, issue 17 item 4): the rules on plain data (each transition allowed and
refused with the Chinese reason), the services (scope on the stored record, the enterprise's view, each step
logged and audited), counts as of a date on hand-made data, the import (errors, idempotency, round trip),
the pages and the API."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from xinzhi.core.imports import commit_import, kind_names, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.testing import read_list_export, writes_during
from xinzhi.core.tests.helpers import write_csv
from xinzhi.programs import scenario_services as svc
from xinzhi.programs import scenarios as S
from xinzhi.programs.models import NewProductProject, Scenario, ScenarioMatch, ScenarioStep, Selection
from xinzhi.programs.services import Refused

D = dt.date


# --------------------------------------------------------------------------- pure rules

def test_scenario_transitions_allowed_and_refused_with_reason():
    assert S.decide_scenario(S.OPEN, "match", [S.TALKING]) == (S.MATCHED, "")
    assert S.decide_scenario(S.OPEN, "match", [S.APPLIED, S.DECLINED]) == (None, "尚无进入对接的产品，不能确认已对接")
    assert S.decide_scenario(S.MATCHED, "land", [S.DONE]) == (S.LANDED, "")
    assert S.decide_scenario(S.MATCHED, "land", [S.TRIAL]) == (None, "尚无已落地的产品，不能确认场景已落地")
    assert S.decide_scenario(S.OPEN, "land", [S.DONE]) == (None, "场景当前状态为“征集中”，不能确认已落地")
    assert S.decide_scenario(S.OPEN, "close", [], "无人报名") == (S.CLOSED, "")
    assert S.decide_scenario(S.MATCHED, "close", [], "  ") == (None, "关闭场景须说明理由")
    assert S.decide_scenario(S.LANDED, "close", [], "x") == (None, "场景当前状态为“已落地”，不能关闭场景")
    assert S.decide_scenario(S.CLOSED, "match", [S.TALKING]) == (None, "场景当前状态为“已关闭”，不能确认已对接")
    assert S.decide_scenario(S.OPEN, "fly", []) == (None, "未知的办理事项")
    assert S.scenario_actions(S.OPEN) == [("match", "确认已对接"), ("close", "关闭场景")]


def test_match_transitions_allowed_and_refused_with_reason():
    assert S.decide_match(S.APPLIED, "talk", S.OPEN) == (S.TALKING, "")
    assert S.decide_match(S.TALKING, "trial", S.MATCHED) == (S.TRIAL, "")
    assert S.decide_match(S.TRIAL, "land", S.MATCHED) == (S.DONE, "")
    assert S.decide_match(S.APPLIED, "land", S.OPEN) == (None, "对接当前状态为“已报名”，不能确认落地")
    assert S.decide_match(S.DONE, "decline", S.LANDED, "x") == (None, "对接当前状态为“已落地”，不能不予采用")
    assert S.decide_match(S.TRIAL, "decline", S.MATCHED) == (None, "不予采用须说明理由")
    assert S.decide_match(S.APPLIED, "talk", S.CLOSED) == (None, "场景已关闭，不能再办理对接")
    assert S.may_apply(S.OPEN, D(2025, 5, 31), D(2025, 5, 31)) == ""
    assert S.may_apply(S.OPEN, D(2025, 5, 31), D(2025, 6, 1)) == "场景征集已于 2025-05-31 截止"
    assert S.may_apply(S.MATCHED, D(2025, 5, 31), D(2025, 5, 1)) == "场景当前状态为“已对接”，不再征集产品"
    assert S.match_actions(S.APPLIED, S.CLOSED) == []


# --------------------------------------------------------------------------- services

def scenario_data(**over):
    return {"name": "智慧病房护理机器人应用场景", "provider": "杭州市西湖区人民医院", "provider_kind": "hospital",
            "division": "330106", "field": "智慧医疗", "need": "病区物资配送", "opened_on": D(2025, 3, 1),
            "deadline": D(2025, 5, 31)} | over


@pytest.fixture
def opened(world):
    return svc.open_scenario(world["county"], scenario_data(), D(2025, 3, 1))


def test_open_scenario_validates_with_chinese_reasons_and_scope(world):
    county, ningbo = world["county"], world["ningbo"]
    with pytest.raises(Refused, match="只能为本地区开放应用场景"):
        svc.open_scenario(ningbo, scenario_data(), D(2025, 3, 1))
    with pytest.raises(Refused, match="征集截止日期不能早于开放日期"):
        svc.open_scenario(county, scenario_data(deadline=D(2025, 2, 1)), D(2025, 3, 1))
    with pytest.raises(Refused, match="场景提供方不能为空"):
        svc.open_scenario(county, scenario_data(provider=""), D(2025, 3, 1))
    with pytest.raises(Refused, match="提供方类型须为"):
        svc.open_scenario(county, scenario_data(provider_kind="alien"), D(2025, 3, 1))
    with pytest.raises(PermissionDenied):
        svc.open_scenario(world["owner"], scenario_data(), D(2025, 3, 1))
    with pytest.raises(PermissionDenied):
        svc.open_scenario(world["leader"], scenario_data(), D(2025, 3, 1))
    # a provider from the register, by its USCC; the default deadline is the parameter's days after opening
    s = svc.open_scenario(county, scenario_data(provider="", provider_kind="", provider_uscc=world["a"].uscc,
                                                deadline=None), D(2025, 3, 1))
    assert (s.provider_name, s.provider_kind, s.state) == (world["a"].name, "enterprise", S.OPEN)
    assert s.deadline == D(2025, 3, 1) + dt.timedelta(days=int(svc.scenario_parameters()["default_open_days"]))
    with pytest.raises(Refused, match="已于 2025-03-01 开放同名场景"):
        svc.open_scenario(world["city"], scenario_data(), D(2025, 3, 1))
    assert s.steps.get().action == "open"


def test_whole_path_each_step_logged_and_audited(world, opened):
    owner, county = world["owner"], world["county"]
    np_ = NewProductProject.objects.create(enterprise=world["a"], division_id="330106", name="病房配送机器人",
                                           year=2024, applied_on=D(2024, 3, 1))
    m = svc.apply_product(owner, opened.pk, world["a"], {"new_product": np_.pk, "note": "已在两家医院使用"}, D(2025, 3, 10))
    assert (m.product_name, m.state, m.source_label) == ("病房配送机器人", S.APPLIED, "省级工业新产品项目")
    with pytest.raises(Refused, match="该企业已以“病房配送机器人”报名此场景"):
        svc.apply_product(owner, opened.pk, world["a"], {"product": "病房配送机器人"}, D(2025, 3, 11))
    with pytest.raises(Refused, match="尚无进入对接的产品，不能确认已对接"):
        svc.act_scenario(county, opened.pk, "match", D(2025, 3, 12))
    with pytest.raises(PermissionDenied):  # the enterprise does not record progress
        svc.act_match(owner, m.pk, "talk", D(2025, 3, 12))
    with pytest.raises(PermissionDenied):  # another city's staff: not in scope of the stored scenario
        svc.act_match(world["ningbo"], m.pk, "talk", D(2025, 3, 12))
    with pytest.raises(Refused, match="办理日期不能早于上一步的日期（2025-03-10）"):
        svc.act_match(county, m.pk, "talk", D(2025, 3, 9))
    svc.act_match(county, m.pk, "talk", D(2025, 3, 15), "首次对接会")
    svc.act_scenario(county, opened.pk, "match", D(2025, 3, 16))
    with pytest.raises(Refused, match="场景当前状态为“已对接”，不再征集产品"):
        svc.apply_product(county, opened.pk, world["a"], {"product": "巡检机器人"}, D(2025, 3, 17))
    with pytest.raises(PermissionDenied, match="未找到该场景"):  # no longer in the published catalogue
        svc.apply_product(world["other_owner"], opened.pk, world["c"], {"product": "巡检机器人"}, D(2025, 3, 17))
    svc.act_match(world["city"], m.pk, "trial", D(2025, 4, 1))
    with pytest.raises(Refused, match="尚无已落地的产品，不能确认场景已落地"):
        svc.act_scenario(county, opened.pk, "land", D(2025, 4, 2))
    svc.act_match(county, m.pk, "land", D(2025, 5, 1), "采购10台")
    svc.act_scenario(county, opened.pk, "land", D(2025, 5, 2))
    opened.refresh_from_db()
    m.refresh_from_db()
    assert (opened.state, opened.matched_on, opened.landed_on) == (S.LANDED, D(2025, 3, 16), D(2025, 5, 2))
    assert (m.state, m.talking_on, m.trial_on, m.landed_on, m.note) == (
        S.DONE, D(2025, 3, 15), D(2025, 4, 1), D(2025, 5, 1), "采购10台")
    steps = list(ScenarioStep.objects.filter(scenario=opened).order_by("on", "id").values_list("action", "to_state", "actor"))
    assert steps == [("open", "open", county.pk), ("apply", "applied", owner.pk), ("talk", "talking", county.pk),
                     ("match", "matched", county.pk), ("trial", "trial", world["city"].pk),
                     ("land", "done", county.pk), ("land", "landed", county.pk)]
    assert LogEntry.objects.get_for_object(m).count() >= 4 and LogEntry.objects.get_for_object(opened).count() >= 3
    with pytest.raises(Refused, match="场景当前状态为“已落地”，不能关闭场景"):
        svc.act_scenario(county, opened.pk, "close", D(2025, 6, 1), "x")


def test_apply_refusals_selection_of_another_enterprise_closed_and_late(world, opened):
    sel = Selection.objects.create(kind="excellent", enterprise=world["c"], division_id="330212", name="精密铸件",
                                   year=2024, published_on=D(2024, 12, 1))
    with pytest.raises(Refused, match="不属于该企业"):
        svc.apply_product(world["owner"], opened.pk, world["a"], {"selection": sel.pk}, D(2025, 3, 5))
    with pytest.raises(PermissionDenied, match="企业用户只能为本企业办理"):
        svc.apply_product(world["owner"], opened.pk, world["c"], {"product": "x"}, D(2025, 3, 5))
    m = svc.apply_product(world["other_owner"], opened.pk, world["c"], {"selection": sel.pk}, D(2025, 3, 5))
    assert m.source_label == "优秀工业新产品（新技术）"
    with pytest.raises(Refused, match="请选择本企业的优秀新产品"):
        svc.apply_product(world["owner"], opened.pk, world["a"], {}, D(2025, 3, 5))
    with pytest.raises(Refused, match="场景征集已于 2025-05-31 截止"):
        svc.apply_product(world["owner"], opened.pk, world["a"], {"product": "巡检机器人"}, D(2025, 6, 1))
    with pytest.raises(Refused, match="关闭场景须说明理由"):
        svc.act_scenario(world["county"], opened.pk, "close", D(2025, 6, 1))
    svc.act_scenario(world["county"], opened.pk, "close", D(2025, 6, 1), "需求方调整")
    with pytest.raises(Refused, match="场景已关闭，不能再办理对接"):
        svc.act_match(world["county"], m.pk, "talk", D(2025, 6, 2))
    with pytest.raises(PermissionDenied):  # another city's staff cannot close or reopen anything here
        svc.act_scenario(world["ningbo"], opened.pk, "match", D(2025, 6, 2))


def test_scope_enterprise_sees_published_scenarios_and_its_own_applications(world, opened):
    closed = svc.open_scenario(world["ningbo"], scenario_data(name="港口无人集卡", division="330212"), D(2025, 3, 1))
    svc.act_scenario(world["ningbo"], closed.pk, "close", D(2025, 3, 2), "取消")
    mine = svc.apply_product(world["owner"], opened.pk, world["a"], {"product": "配送机器人"}, D(2025, 3, 3))
    theirs = svc.apply_product(world["other_owner"], opened.pk, world["c"], {"product": "巡检机器人"}, D(2025, 3, 3))
    assert set(svc.visible_scenarios(world["owner"])) == {opened}
    assert list(svc.visible_matches(world["owner"], opened)) == [mine]
    assert set(svc.visible_matches(world["county"], opened)) == {mine, theirs}
    assert set(svc.visible_scenarios(world["ningbo"])) == {closed}
    assert not svc.visible_matches(world["ningbo"], opened).exists()
    assert svc.visible_scenarios(world["expert"]).count() == 0
    assert set(svc.visible_scenarios(world["province"])) >= {opened, closed}


def test_counts_as_of_a_date_by_city(world):
    def make(name, division, opened, matched=None, landed=None, state=S.OPEN):
        return Scenario.objects.create(name=name, provider_name="某医院", provider_kind="hospital", division_id=division,
                                       field="医疗", need="n", opened_on=opened, deadline=opened + dt.timedelta(days=60),
                                       matched_on=matched, landed_on=landed, state=state)
    a = make("甲", "330106", D(2025, 1, 10), D(2025, 2, 1), D(2025, 3, 1), S.LANDED)
    make("乙", "330108", D(2025, 2, 10), D(2025, 3, 5), None, S.MATCHED)
    make("丙", "330106", D(2025, 4, 1))
    make("丁", "330212", D(2025, 1, 5))
    ScenarioMatch.objects.create(scenario=a, enterprise=world["a"], product_name="x", applied_on=D(2025, 1, 20))
    ScenarioMatch.objects.create(scenario=a, enterprise=world["c"], product_name="y", applied_on=D(2025, 3, 20))
    rows = {r["name"]: r for r in svc.counts_by_city(world["province"], D(2025, 3, 1))}
    assert {k: rows["杭州市"][k] for k in ("opened", "matched", "landed", "applied")} == {
        "opened": 2, "matched": 1, "landed": 1, "applied": 1}
    assert rows["宁波市"]["opened"] == 1 and rows["合计"]["opened"] == 3
    rows = {r["name"]: r for r in svc.counts_by_city(world["province"], D(2025, 12, 31))}
    assert {k: rows["杭州市"][k] for k in ("opened", "matched", "landed", "applied")} == {
        "opened": 3, "matched": 2, "landed": 1, "applied": 2}
    # a city's staff count only their own region
    assert [r["name"] for r in svc.counts_by_city(world["ningbo"], D(2025, 12, 31))] == ["宁波市", "合计"]


# --------------------------------------------------------------------------- import

HEAD = ["县代码", "场景名称", "场景提供方", "提供方类型", "提供方统一社会信用代码", "415X集群", "应用领域", "需求描述",
        "开放日期", "征集截止日期"]


def rows_for(world):
    return [["330106", "智慧病房场景", "西湖区人民医院", "医院", "", "", "智慧医疗", "物资配送", "2025-03-01", "2025-05-31"],
            ["330212", "港口无人集卡场景", "宁波港集团", "国有企业", world["c"].uscc, "", "智慧物流", "集卡转运",
             "2025-04-01", "2025-06-30"]]


def test_import_commit_idempotent_round_trip_and_correction(tmp_path, world):
    assert "application-scenarios" in kind_names()
    write_template("application-scenarios", "xlsx", tmp_path / "t.xlsx")
    path = write_csv(tmp_path / "s.csv", HEAD, rows_for(world))
    outcome = commit_import("application-scenarios", path, user=world["province"])
    assert outcome.committed and outcome.result.counts["new"] == 2
    s = Scenario.objects.get(name="港口无人集卡场景")
    assert (s.state, s.provider_kind, s.provider_enterprise, s.division_id) == (S.OPEN, "soe", world["c"], "330212")
    assert (s.steps.get().action, s.steps.get().note, s.steps.get().on) == ("open", "导入", D(2025, 4, 1))
    again = commit_import("application-scenarios", path, user=world["province"])
    assert (again.result.counts["new"], again.result.counts["changed"], again.result.counts["unchanged"]) == (0, 0, 2)
    out = tmp_path / "out.xlsx"
    assert export_kind("application-scenarios", None, "xlsx", out) >= 2
    assert commit_import("application-scenarios", out, user=world["province"]).result.counts["new"] == 0
    rows = rows_for(world)
    rows[0][7] = "物资配送与夜间巡视"
    fixed = commit_import("application-scenarios", write_csv(tmp_path / "s2.csv", HEAD, rows), user=world["province"])
    assert fixed.result.counts["changed"] == 1
    assert Scenario.objects.get(name="智慧病房场景").need == "物资配送与夜间巡视"
    assert Scenario.objects.filter(name="智慧病房场景").count() == 1


def test_import_errors_name_row_field_reason_and_scope(tmp_path, world):
    bad = [["330106", "甲", "医院", "外星", "", "", "医疗", "n", "2025-03-01", "2025-05-31"],
           ["330106", "乙", "医院", "医院", "91330106MA2H00006Y", "", "医疗", "n", "2025-03-01", "2025-05-31"],
           ["330106", "丙", "医院", "医院", "", "不存在的集群", "医疗", "n", "2025-03-01", "2025-05-31"],
           ["330106", "丁", "医院", "医院", "", "", "医疗", "n", "2025-03-01", "2025-02-01"],
           ["330106", "戊", "医院", "医院", "", "", "医疗", "n", "2025-03-01", "2025-05-31"],
           ["330106", "戊", "医院", "医院", "", "", "医疗", "n", "2025-03-01", "2025-05-31"]]
    path = write_csv(tmp_path / "bad.csv", HEAD, bad)
    errors = preview_import("application-scenarios", path, user=world["province"]).result.errors
    by_row = {}
    for e in errors:
        by_row.setdefault(e.row, set()).add((e.field, e.reason_zh))
    assert any(f == "提供方类型" for f, _ in by_row[2])
    assert any(f == "提供方统一社会信用代码" for f, _ in by_row[3])
    assert ("415X集群", "“不存在的集群”不是415X集群名称") in by_row[4]
    assert ("征集截止日期", "征集截止日期不能早于开放日期") in by_row[5]
    assert any(f == "场景名称" and "重复" in r for f, r in by_row[7])
    assert all(str(e).startswith(f"第{e.row}行【") for e in errors)
    assert not commit_import("application-scenarios", path, user=world["province"]).committed
    assert not Scenario.objects.filter(name__in=["甲", "乙", "丙", "丁", "戊"]).exists()
    # a county imports only scenarios of its own county
    refused = preview_import("application-scenarios", write_csv(tmp_path / "o.csv", HEAD, rows_for(world)),
                             user=world["county"]).result.errors
    assert [e.row for e in refused] == [3]


# --------------------------------------------------------------------------- pages and API

def test_pages_list_export_detail_forms_and_scope(client, world, opened):
    client.force_login(world["county"])
    r = client.get("/programs/scenarios/")
    assert r.status_code == 200 and "智慧病房护理机器人应用场景" in r.content.decode()
    assert not writes_during(lambda: client.get("/programs/scenarios/", {"on": "2025-03-01"}))
    header, rows = read_list_export(client.get("/programs/scenarios/", {"format": "xlsx", "sort": "name"}))
    assert header[:3] == ["场景名称", "场景提供方", "所在地"] and rows[0][0] == "智慧病房护理机器人应用场景"
    # the form keeps what was typed and says why in Chinese
    r = client.post("/programs/scenarios/new/", {"name": "内涝预警", "provider": "", "provider_kind": "government",
                                                 "division": "330106", "field": "城市治理", "need": "水位监测",
                                                 "opened_on": "2025-03-02"})
    text = r.content.decode()
    assert r.status_code == 200 and "场景提供方不能为空" in text and 'value="内涝预警"' in text and "水位监测" in text
    assert 'value="2025-03-02"' in text
    r = client.post("/programs/scenarios/new/", {"name": "内涝预警", "provider": "西湖区城管局", "provider_kind": "government",
                                                 "division": "330106", "field": "城市治理", "need": "水位监测",
                                                 "opened_on": "2025-03-01", "deadline": "2099-12-31"})
    assert r.status_code == 302
    new = Scenario.objects.get(name="内涝预警")
    # the enterprise applies on the page (free text), the county records progress
    client.force_login(world["owner"])
    assert client.get(f"/programs/scenarios/{new.pk}/").status_code == 200
    r = client.post(f"/programs/scenarios/{new.pk}/", {"what": "apply", "product": ""})
    assert "请选择本企业的优秀新产品" in r.content.decode()
    r = client.post(f"/programs/scenarios/{new.pk}/", {"what": "apply", "product": "积水传感器"}, follow=True)
    assert "已报名" in r.content.decode()
    m = ScenarioMatch.objects.get(scenario=new)
    r = client.post(f"/programs/scenarios/{new.pk}/", {"what": "match", "match": m.pk, "action": "talk"}, follow=True)
    assert "无权开放或办理应用场景" in r.content.decode()
    client.force_login(world["county"])
    r = client.post(f"/programs/scenarios/{new.pk}/", {"what": "match", "match": m.pk, "action": "talk",
                                                        "on": dt.date.today().isoformat()}, follow=True)
    assert "已登记对接进展：开始对接" in r.content.decode() and "对接中" in r.content.decode()
    # another city's staff: 404; the enterprise may not open scenarios: 403
    client.force_login(world["ningbo"])
    assert client.get(f"/programs/scenarios/{new.pk}/").status_code == 404
    client.force_login(world["owner"])
    assert client.get("/programs/scenarios/new/").status_code == 403


def test_api_scoped_open_apply_step_counts_and_schema(client, world, opened):
    client.force_login(world["county"])
    r = client.post("/api/v1/programs/scenarios", {"name": "桥梁监测", "provider": "西湖区交通局",
                                                   "provider_kind": "government", "division": "330106",
                                                   "field": "智慧交通", "need": "应变监测", "opened_on": "2025-03-01",
                                                   "deadline": "2099-12-31"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["state_label"] == "征集中"
    sid = r.json()["id"]
    r = client.post(f"/api/v1/programs/scenarios/{sid}/steps", {"action": "match"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"] == "尚无进入对接的产品，不能确认已对接"
    client.force_login(world["owner"])
    r = client.post(f"/api/v1/programs/scenarios/{sid}/matches", {"product": "光纤应变传感器"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["state"] == "applied"
    mid = r.json()["id"]
    assert client.post(f"/api/v1/programs/scenario-matches/{mid}/steps", {"action": "talk"},
                       content_type="application/json").status_code == 403
    assert client.get("/api/v1/programs/scenarios/counts").status_code == 403
    client.force_login(world["ningbo"])
    assert client.get(f"/api/v1/programs/scenarios/{sid}").status_code == 404
    assert client.post(f"/api/v1/programs/scenario-matches/{mid}/steps", {"action": "talk"},
                       content_type="application/json").status_code == 403
    client.force_login(world["county"])
    r = client.post(f"/api/v1/programs/scenario-matches/{mid}/steps", {"action": "talk"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state_label"] == "对接中"
    assert client.get(f"/api/v1/programs/scenarios/{sid}/matches").json()[0]["product_name"] == "光纤应变传感器"
    assert client.get("/api/v1/programs/scenarios").json()["count"] >= 2
    counts = client.get("/api/v1/programs/scenarios/counts").json()
    assert counts[-1]["name"] == "合计" and counts[-1]["applied"] == 1
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/programs/scenarios" in paths and "/api/v1/programs/scenario-matches/{match_id}/steps" in paths


def test_import_with_new_and_changed_rows_logs_one_open_step_per_scenario(tmp_path, world):
    commit_import("application-scenarios", write_csv(tmp_path / "s.csv", HEAD, rows_for(world)), user=world["province"])
    rows = rows_for(world)
    rows[0][7] = "物资配送与夜间巡视"  # changed
    rows.append(["330106", "智慧社区场景", "西湖区民政局", "政府部门", "", "", "智慧养老", "跌倒监测", "2025-05-01", "2025-07-31"])
    mixed = commit_import("application-scenarios", write_csv(tmp_path / "m.csv", HEAD, rows), user=world["province"])
    assert (mixed.result.counts["new"], mixed.result.counts["changed"]) == (1, 1)
    assert [s.action for s in Scenario.objects.get(name="智慧病房场景").steps.all()] == ["open"]
    assert [s.action for s in Scenario.objects.get(name="智慧社区场景").steps.all()] == ["open"]
