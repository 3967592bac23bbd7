"""Benchmarking (对标达标) by 415X cluster: recording plans and results (capability, stored-record scope, Chinese
reasons, audit), the by-cluster counts as of a date, the import kind, the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from xinzhi.core.imports import commit_import, kind_names, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.testing import read_list_export, writes_during
from xinzhi.core.tests.helpers import write_csv
from xinzhi.industries.models import Cluster
from xinzhi.programs import benchmarking, services
from xinzhi.programs.models import BenchmarkPlan

D = dt.date
HEAD = ["统一社会信用代码", "企业名称", "产品名称", "对标对象", "标准库中的标准号", "对标水平", "对比的关键指标", "方案发布日期",
        "415X集群", "对标结果", "结果日期", "结果说明"]


@pytest.fixture
def clusters(db):
    return (Cluster.objects.create(code="bm-sensor", name="对标测试传感器集群", kind="specialty"),
            Cluster.objects.create(code="bm-casting", name="对标测试铸造集群", kind="star"))


def _plan(world, user, enterprise, **over):
    data = {"product": "柔性压力传感器FP-1", "benchmark": "IEC 60770-1 变送器性能评定", "level": "intl_standard",
            "indicators": "量程、精度、长期稳定性", "planned_on": D(2025, 3, 1), "cluster": "bm-sensor"} | over
    return benchmarking.record_plan(world[user], world[enterprise], data)


def _row(rows, code):
    return next(r for r in rows if r["code"] == code)


def test_months_before():
    assert benchmarking.months_before(D(2025, 3, 31), 1) == D(2025, 2, 28)
    assert benchmarking.months_before(D(2025, 6, 30), 12) == D(2024, 6, 30)
    assert benchmarking.months_before(D(1, 6, 1), 12) == D.min  # the API accepts any date


def test_record_plan_and_result_with_audit(world, clusters):
    plan = _plan(world, "owner", "a")
    assert (plan.division_id, plan.cluster_id, plan.result) == ("330106", "bm-sensor", "")
    benchmarking.record_result(world["county"], plan.pk, "leading", D(2025, 9, 1), "精度优于对标对象")
    plan.refresh_from_db()
    assert (plan.result, plan.result_on, plan.result_note) == ("leading", D(2025, 9, 1), "精度优于对标对象")
    assert LogEntry.objects.get_for_object(plan).count() == 2  # created, then the result
    # a standard of the register as the benchmark: the text defaults to its number and name
    std = services.record_standard(world["owner"], world["a"], {
        "name": "柔性压力传感器通用规范", "number": "JB/T 1-2024", "level": "industry", "status": "published",
        "role": "lead", "published_on": D(2024, 5, 1)})
    linked = _plan(world, "owner", "a", benchmark="", standard=std.pk, level="industry_standard")
    assert (linked.benchmark, linked.standard_id) == ("JB/T 1-2024 柔性压力传感器通用规范", std.pk)


def test_refusals_in_chinese(world, clusters):
    with pytest.raises(PermissionDenied, match="企业用户只能为本企业办理"):
        _plan(world, "owner", "c")
    with pytest.raises(PermissionDenied, match="只能为本地区企业办理"):
        _plan(world, "ningbo", "a")
    with pytest.raises(PermissionDenied, match="无权登记对标达标方案"):
        _plan(world, "leader", "a")
    with pytest.raises(services.Refused, match="请填写对标对象"):
        _plan(world, "owner", "a", benchmark="")
    with pytest.raises(services.Refused, match="对标水平须为：国际先进"):
        _plan(world, "owner", "a", level="best")
    with pytest.raises(services.Refused, match="请填写方案发布日期"):
        _plan(world, "owner", "a", planned_on=None)
    other = services.record_standard(world["other_owner"], world["c"], {
        "name": "铸件团体标准", "level": "group", "status": "published", "role": "lead", "published_on": D(2024, 1, 1)})
    with pytest.raises(services.Refused, match="未找到所选对标标准"):
        _plan(world, "owner", "a", standard=other.pk)
    plan = _plan(world, "owner", "a")
    with pytest.raises(services.Refused, match="本企业已登记产品“柔性压力传感器FP-1”对标“IEC 60770-1 变送器性能评定”的方案"):
        _plan(world, "county", "a")
    # results: the stored plan's scope decides, not what the request says
    with pytest.raises(PermissionDenied, match="未找到该对标方案"):
        benchmarking.record_result(world["other_owner"], plan.pk, "met", D(2025, 6, 1))
    with pytest.raises(PermissionDenied, match="未找到该对标方案"):
        benchmarking.record_result(world["ningbo"], plan.pk, "met", D(2025, 6, 1))
    with pytest.raises(PermissionDenied, match="无权登记对标达标方案"):
        benchmarking.record_result(world["leader"], plan.pk, "met", D(2025, 6, 1))
    with pytest.raises(services.Refused, match="对标结果须为：达标、领先、未达标"):
        benchmarking.record_result(world["owner"], plan.pk, "good", D(2025, 6, 1))
    with pytest.raises(services.Refused, match="结果日期不能早于方案发布日期（2025-03-01）"):
        benchmarking.record_result(world["owner"], plan.pk, "met", D(2025, 2, 1))
    plan.refresh_from_db()
    assert plan.result == ""


def test_by_cluster_as_of_a_date(world, clusters):
    # a: two plans in the sensor cluster, both with results (one known only later); one plan with no result
    p1 = _plan(world, "owner", "a")
    p2 = _plan(world, "owner", "a", product="柔性压力传感器FP-2", planned_on=D(2025, 4, 1))
    _plan(world, "owner", "a", product="触觉阵列TA-1", planned_on=D(2024, 1, 10))  # no result: overdue by 2025-06-30
    benchmarking.record_result(world["owner"], p1.pk, "met", D(2025, 5, 1))
    benchmarking.record_result(world["owner"], p2.pk, "not_met", D(2025, 8, 1))
    # c: no cluster, one plan after the date
    _plan(world, "other_owner", "c", product="精密铸件", cluster="none", planned_on=D(2025, 5, 1))
    _plan(world, "other_owner", "c", product="铸件B", cluster="none", planned_on=D(2025, 7, 1))
    services.record_standard(world["owner"], world["a"], {"name": "传感器标准", "level": "industry", "status": "published",
                                                          "role": "lead", "published_on": D(2024, 5, 1), "cluster": "bm-sensor"})
    services.record_standard(world["other_owner"], world["c"], {
        "name": "传感器封装标准", "level": "group", "status": "published", "role": "participate",
        "published_on": D(2025, 12, 1), "cluster": "bm-sensor"})  # after the date: not counted

    rows = benchmarking.by_cluster(world["province"], D(2025, 6, 30))
    sensor = _row(rows, "bm-sensor")
    assert {k: sensor[k] for k in ("enterprises", "plans", "met", "leading", "not_met", "pending", "overdue",
                                   "standard_lead_enterprises", "standard_participant_enterprises")} == {
        "enterprises": 1, "plans": 3, "met": 1, "leading": 0, "not_met": 0, "pending": 2, "overdue": 1,
        "standard_lead_enterprises": 1, "standard_participant_enterprises": 0}
    none = _row(rows, benchmarking.NO_CLUSTER)
    assert (none["name"], none["enterprises"], none["plans"], none["pending"]) == ("未归属415X集群", 1, 1, 1)
    assert "bm-casting" not in {r["code"] for r in rows}  # nothing in it

    later = _row(benchmarking.by_cluster(world["province"], D(2025, 12, 31)), "bm-sensor")
    assert (later["met"], later["not_met"], later["pending"], later["standard_participant_enterprises"]) == (1, 1, 1, 1)
    # scope: an enterprise sees its own, Ningbo staff see c only, Hangzhou staff see a only
    own = benchmarking.by_cluster(world["other_owner"], D(2025, 12, 31))
    assert _row(own, benchmarking.NO_CLUSTER)["plans"] == 2 and _row(own, "bm-sensor")["plans"] == 0
    assert benchmarking.NO_CLUSTER not in {r["code"] for r in benchmarking.by_cluster(world["city"], D(2025, 12, 31))}


def test_import_errors_idempotent_and_round_trip(tmp_path, world, clusters):
    a, c = world["a"], world["c"]
    services.record_standard(world["owner"], a, {"name": "柔性压力传感器通用规范", "number": "JB/T 1-2024", "level": "industry",
                                                 "status": "published", "role": "lead", "published_on": D(2024, 5, 1)})
    assert "benchmarking-plans" in kind_names()
    write_template("benchmarking-plans", "xlsx", tmp_path / "t.xlsx")
    rows = [[a.uscc, a.name, "柔性压力传感器FP-1", "JB/T 1-2024 通用规范", "JB/T 1-2024", "行业标准", "精度", "2025-03-01",
             "对标测试传感器集群", "达标", "2025-09-01", ""],
            [c.uscc, c.name, "精密铸件", "国内行业龙头企业同类产品", "", "国内先进", "", "2025-04-01", "", "", "", ""],
            [c.uscc, c.name, "铸件B", "德国同类产品", "GB/T 9-9999", "国际先进", "", "2025-04-01", "不存在的集群", "领先", "", ""],
            [c.uscc, c.name, "铸件C", "德国同类产品", "", "国际先进", "", "2025-04-01", "", "", "2025-05-01", ""],
            [c.uscc, c.name, "铸件D", "德国同类产品", "", "国际先进", "", "2025-04-01", "", "达标", "2025-03-01", ""],
            [c.uscc, c.name, "精密铸件", "国内行业龙头企业同类产品", "", "国内先进", "", "2025-04-01", "", "", "", ""]]
    preview = preview_import("benchmarking-plans", write_csv(tmp_path / "bad.csv", HEAD, rows), user=world["province"])
    assert {(e.row, e.field, e.reason_zh) for e in preview.result.errors} >= {
        (4, "标准库中的标准号", "标准库中没有标准号“GB/T 9-9999”"), (4, "415X集群", "“不存在的集群”不是415X集群名称"),
        (4, "结果日期", "填写了对标结果的须填写结果日期"), (5, "对标结果", "填写了结果日期的须填写对标结果（达标、领先或未达标）"),
        (6, "结果日期", "结果日期不能早于方案发布日期")}
    assert any(e.row == 7 and e.field == "对标对象" for e in preview.result.errors)
    assert not commit_import("benchmarking-plans", write_csv(tmp_path / "bad2.csv", HEAD, rows),
                             user=world["province"]).committed
    assert not BenchmarkPlan.objects.filter(enterprise__in=[a, c]).exists()

    # a file whose optional columns are all empty
    alone = commit_import("benchmarking-plans", write_csv(tmp_path / "one.csv", HEAD, rows[1:2]), user=world["province"])
    assert alone.committed and alone.result.counts["new"] == 1
    path = write_csv(tmp_path / "ok.csv", HEAD, rows[:2])
    outcome = commit_import("benchmarking-plans", path, user=world["province"])
    assert outcome.committed and outcome.result.counts["new"] == 1 and outcome.result.counts["unchanged"] == 1
    p = BenchmarkPlan.objects.get(enterprise=a)
    assert (p.level, p.result, p.result_on, p.cluster_id, p.standard.number, p.division_id) == (
        "industry_standard", "met", D(2025, 9, 1), "bm-sensor", "JB/T 1-2024", "330106")
    assert BenchmarkPlan.objects.get(enterprise=c).result == ""
    assert commit_import("benchmarking-plans", path, user=world["province"]).result.counts["unchanged"] == 2
    rows[1][9:11] = ["未达标", "2025-10-01"]
    fixed = commit_import("benchmarking-plans", write_csv(tmp_path / "ok2.csv", HEAD, rows[:2]), user=world["province"])
    assert fixed.result.counts["changed"] == 1
    q = BenchmarkPlan.objects.get(enterprise=c)
    assert (q.result, q.result_on) == ("not_met", D(2025, 10, 1))
    assert LogEntry.objects.get_for_object(q).exists()
    out = tmp_path / "out.xlsx"
    assert export_kind("benchmarking-plans", None, "xlsx", out) == 2
    assert commit_import("benchmarking-plans", out, user=world["province"]).result.counts["unchanged"] == 2


def test_pages(client, world, clusters):
    client.force_login(world["owner"])
    r = client.post("/programs/standards/benchmarking/", {
        "product": "柔性压力传感器FP-1", "benchmark": "日本同类进口产品", "level": "intl_advanced", "indicators": "精度",
        "planned_on": "2025-03-01", "cluster": "bm-sensor"}, follow=True)
    page = r.content.decode()
    assert "对标方案已登记" in page and "对标测试传感器集群" in page
    plan = BenchmarkPlan.objects.get(enterprise=world["a"])
    r = client.post(f"/programs/standards/benchmarking/{plan.pk}/", {"result": "met", "result_on": "2025-02-01"}, follow=True)
    assert "结果日期不能早于方案发布日期" in r.content.decode()
    r = client.post(f"/programs/standards/benchmarking/{plan.pk}/", {"result": "met", "result_on": "2025-08-01"}, follow=True)
    assert "对标结果已登记" in r.content.decode()
    got = {}
    assert writes_during(lambda: got.update(r=client.get("/programs/standards/benchmarking/?cluster=bm-sensor&on=2025-12-31"))) == []
    assert got["r"].status_code == 200 and "柔性压力传感器FP-1" in got["r"].content.decode()
    assert "对标达标（按415X集群）" in client.get("/programs/standards/").content.decode()
    header, data = read_list_export(client.get("/programs/standards/benchmarking/?cluster=bm-sensor&on=2025-12-31&format=xlsx"))
    assert header[:3] == ["产品名称", "企业", "所在地"] and len(data) == 1 and data[0][6] == "达标"
    page_of = lambda q: client.get("/programs/standards/benchmarking/?cluster=bm-sensor&" + q).content.decode()  # noqa: E731
    assert "柔性压力传感器FP-1" in page_of("result=pending&on=2025-05-01")
    assert "柔性压力传感器FP-1" not in page_of("result=pending&on=2025-12-31")
    assert "柔性压力传感器FP-1" in page_of("result=met&on=2025-12-31")
    assert "柔性压力传感器FP-1" not in page_of("result=met&on=2025-05-01")
    # as of a date before the result, the list shows none yet
    _, early = read_list_export(client.get("/programs/standards/benchmarking/?cluster=bm-sensor&on=2025-05-01&format=xlsx"))
    assert early[0][6] == "未出结果"
    # other enterprise: not in its list, its detail is 404, it cannot record a result on it
    client.force_login(world["other_owner"])
    assert "柔性压力传感器FP-1" not in client.get("/programs/standards/benchmarking/?cluster=bm-sensor").content.decode()
    assert client.get(f"/programs/standards/benchmarking/{plan.pk}/").status_code == 404
    assert client.post(f"/programs/standards/benchmarking/{plan.pk}/", {"result": "not_met"}).status_code == 404
    # staff: the summary; a leader reads but may not record
    client.force_login(world["city"])
    page = client.get("/programs/standards/benchmarking/?on=2025-12-31").content.decode()
    assert "对标测试传感器集群" in page and "登记对标方案" in page
    client.force_login(world["leader"])
    assert "登记对标方案" not in client.get("/programs/standards/benchmarking/").content.decode()
    assert client.post("/programs/standards/benchmarking/", {"product": "x"}).status_code == 403
    # staff record for an enterprise of their region by USCC, not for one elsewhere
    client.force_login(world["county"])
    r = client.post("/programs/standards/benchmarking/", {"uscc": world["c"].uscc, "product": "x", "benchmark": "y",
                                                          "level": "other", "planned_on": "2025-01-01"}, follow=True)
    assert "该企业不在本地区" in r.content.decode()


def test_api(client, world, clusters):
    plan = _plan(world, "owner", "a")
    benchmarking.record_result(world["owner"], plan.pk, "leading", D(2025, 9, 1))
    _plan(world, "other_owner", "c", product="精密铸件", cluster="none")
    client.force_login(world["owner"])
    body = client.get("/api/v1/programs/benchmarking-plans").json()
    assert body["count"] == 1 and body["items"][0]["result"] == "leading" and body["items"][0]["cluster_id"] == "bm-sensor"
    assert client.get("/api/v1/programs/benchmarking-plans?result=leading&on=2025-08-01").json()["count"] == 0
    assert client.get("/api/v1/programs/benchmarking-plans?result=best").status_code == 422
    rows = client.get("/api/v1/programs/benchmarking/by-cluster?on=2025-12-31").json()
    assert [(r["code"], r["plans"], r["leading"]) for r in rows] == [("bm-sensor", 1, 1)]
    client.force_login(world["province"])
    rows = client.get("/api/v1/programs/benchmarking/by-cluster?on=2025-12-31").json()
    assert _row(rows, benchmarking.NO_CLUSTER)["plans"] >= 1
    assert client.get("/api/v1/programs/benchmarking-plans?cluster=none").json()["count"] >= 1
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/programs/benchmarking-plans" in schema["paths"] and "/api/v1/programs/benchmarking/by-cluster" in schema["paths"]


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_api_writes_go_through_the_service(client, world, clusters):
    url = "/api/v1/programs/benchmarking-plans"
    body = {"product": "柔性压力传感器FP-9", "benchmark": "IEC 60770-1", "level": "国际标准", "planned_on": "2025-03-01",
            "indicators": "量程、精度", "cluster": "bm-sensor"}
    # an enterprise for itself (the level by its Chinese label or its code)
    client.force_login(world["owner"])
    r = _post(client, url, body)
    assert r.status_code == 201, r.content
    plan = BenchmarkPlan.objects.get(pk=r.json()["id"])
    assert (plan.enterprise_id, plan.division_id, plan.level, plan.cluster_id) == (world["a"].pk, "330106", "intl_standard",
                                                                                   "bm-sensor")
    assert LogEntry.objects.get_for_object(plan).filter(action=LogEntry.Action.CREATE).count() == 1
    # another enterprise's code: refused, nothing written
    assert _post(client, url, body | {"uscc": world["c"].uscc, "product": "别家产品"}).json()["detail"] == "企业用户只能为本企业办理"
    assert not BenchmarkPlan.objects.filter(product="别家产品").exists()
    # refusals name the field, in Chinese
    r = _post(client, url, body | {"product": "P2", "level": "best"})
    assert r.status_code == 400 and r.json()["errors"] == [{"field": "level", "reason": r.json()["detail"]}]
    assert r.json()["detail"].startswith("对标水平须为：国际先进")
    r = _post(client, url, body | {"product": "P2", "cluster": "nope"})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (400, "cluster")
    r = _post(client, url, body | {"product": "P2", "benchmark": ""})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (400, "benchmark")
    r = _post(client, url, body | {"product": "P2", "benchmark": "", "standard_number": "GB/T 0-0000"})
    assert r.json()["errors"][0] == {"field": "standard_number", "reason": "标准库中未找到标准号“GB/T 0-0000”，或不在您的查看范围内"}
    r = _post(client, url, body)
    assert r.status_code == 400 and "已登记产品“柔性压力传感器FP-9”" in r.json()["detail"]
    assert _post(client, url, {"product": "P3", "level": "other"}).status_code == 422  # no date: the schema
    # the result: not before the plan; then recorded and audited; a correction too
    rurl = f"{url}/{plan.pk}/result"
    r = _post(client, rurl, {"result": "met", "on": "2025-02-01"})
    assert r.status_code == 400 and r.json()["errors"] == [
        {"field": "result_on", "reason": "结果日期不能早于方案发布日期（2025-03-01）"}]
    r = _post(client, rurl, {"result": "good", "on": "2025-06-01"})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (400, "result")
    plan.refresh_from_db()
    assert plan.result == ""
    r = _post(client, rurl, {"result": "领先", "on": "2025-06-01", "note": "精度更优"})
    assert r.status_code == 200 and (r.json()["result"], r.json()["result_on"]) == ("leading", "2025-06-01")
    assert LogEntry.objects.get_for_object(plan).filter(action=LogEntry.Action.UPDATE).count() == 1
    # other enterprise, other region, leader, expert: refused on the stored plan; nothing changes
    for who in ("other_owner", "ningbo", "leader", "expert"):
        client.force_login(world[who])
        r = _post(client, rurl, {"result": "not_met", "on": "2025-07-01"})
        assert r.status_code == 403 and r.json()["detail"], who
    assert _post(client, f"{url}/999999/result", {"result": "met", "on": "2025-07-01"}).status_code == 403
    plan.refresh_from_db()
    assert (plan.result, plan.result_note) == ("leading", "精度更优")
    # staff: for an enterprise of their region only; leaders and experts write nothing
    client.force_login(world["ningbo"])
    r = _post(client, url, body | {"uscc": world["a"].uscc, "product": "宁波代录"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "uscc"
    client.force_login(world["county"])
    r = _post(client, url, body | {"uscc": world["a"].uscc, "product": "县级代录", "level": "other"})
    assert r.status_code == 201 and r.json()["enterprise_id"] == world["a"].pk
    assert _post(client, url, body | {"uscc": world["c"].uscc, "product": "外县代录"}).status_code == 400
    for who in ("leader", "expert"):
        client.force_login(world[who])
        r = _post(client, url, body | {"uscc": world["a"].uscc, "product": f"{who}代录"})
        assert r.status_code == 403 and r.json()["detail"] == "无权登记对标达标方案"
    assert not BenchmarkPlan.objects.filter(product__in=["宁波代录", "外县代录", "leader代录", "expert代录"]).exists()
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/programs/benchmarking-plans"]
    assert "400" in paths["/api/v1/programs/benchmarking-plans/{plan_id}/result"]["post"]["responses"]


# --------------------------------------------------------------------------- the cluster inferred from the industry

@pytest.fixture
def mapping(db):
    """A hand-made mapping on agriculture codes (no 415X cluster maps them): a group, a specialty within it and a
    star cluster overlapping the specialty."""
    from xinzhi.industries.models import ClusterIndustry
    group = Cluster.objects.create(code="inf-g", name="推断测试产业群", kind="group")
    spec = Cluster.objects.create(code="inf-s", name="推断测试特色集群", kind="specialty", parent=group)
    star = Cluster.objects.create(code="inf-x", name="推断测试新星集群", kind="star")
    for cluster, prefix in ((group, "01"), (spec, "011"), (star, "0112")):
        ClusterIndustry.objects.create(cluster=cluster, industry_id=prefix)
    return group, spec, star


def test_infer_clusters_by_prefix(mapping):
    got = benchmarking.infer_clusters(["0111", "0112", "0121", "0211", None])
    assert got["0111"].code == "inf-s" and got["0111"].note.startswith("按行业推断：所属行业“0111 ")  # the group is its parent
    assert got["0121"].code == "inf-g"
    assert got["0112"].code is None and "对应多个415X集群（推断测试新星集群、推断测试特色集群），未推断" in got["0112"].note
    assert got["0211"].code is None and got["0211"].note.endswith("不对应任何415X集群，未推断")
    assert got[None] == (None, "企业未登记所属行业，无法按行业推断415X集群")


def test_plan_cluster_inferred_never_over_an_explicit_one(client, world, clusters, mapping):
    a = world["a"]
    a.industry_id = "0111"
    a.save()
    plan = _plan(world, "owner", "a", cluster="")
    assert (plan.cluster_id, plan.cluster_inferred) == ("inf-s", True) and plan.cluster_note.startswith("按行业推断")
    chosen = _plan(world, "owner", "a", product="P2", cluster="bm-sensor")
    assert (chosen.cluster_id, chosen.cluster_inferred, chosen.cluster_note) == ("bm-sensor", False, "")
    none = _plan(world, "owner", "a", product="P3", cluster=benchmarking.NO_CLUSTER)
    assert (none.cluster_id, none.cluster_inferred) == (None, False)
    a.industry_id = "0112"
    a.save()
    two = _plan(world, "owner", "a", product="P4", cluster="")
    assert (two.cluster_id, two.cluster_inferred) == (None, False) and "对应多个415X集群" in two.cluster_note
    # the page says it, the API returns it
    client.force_login(world["owner"])
    r = client.post("/programs/standards/benchmarking/", {"product": "页面产品", "benchmark": "ISO 1", "level": "other",
                                                          "planned_on": "2025-02-01", "cluster": ""}, follow=True)
    assert "对应多个415X集群（推断测试新星集群、推断测试特色集群），未推断，请选择集群" in r.content.decode()
    a.industry_id = "0111"
    a.save()
    r = client.post("/programs/standards/benchmarking/", {"product": "页面产品2", "benchmark": "ISO 1", "level": "other",
                                                          "planned_on": "2025-02-01", "cluster": ""}, follow=True)
    assert "按行业推断：所属行业“0111" in r.content.decode()
    page = client.get(f"/programs/standards/benchmarking/{BenchmarkPlan.objects.get(product='页面产品2').pk}/").content.decode()
    assert "推断测试特色集群" in page and "按行业推断" in page
    page = client.get(f"/programs/standards/benchmarking/{chosen.pk}/").content.decode()
    assert "对标测试传感器集群" in page and "按行业推断" not in page
    body = {"product": "接口产品", "benchmark": "ISO 2", "level": "other", "planned_on": "2025-02-01"}
    r = _post(client, "/api/v1/programs/benchmarking-plans", body).json()
    assert (r["cluster_id"], r["cluster_inferred"]) == ("inf-s", True) and r["cluster_note"].startswith("按行业推断")
    r = _post(client, "/api/v1/programs/benchmarking-plans", body | {"product": "接口产品2", "cluster": "bm-casting"}).json()
    assert (r["cluster_id"], r["cluster_inferred"], r["cluster_note"]) == ("bm-casting", False, "")
    listed = client.get("/api/v1/programs/benchmarking-plans?cluster=inf-s").json()
    assert {i["product"] for i in listed["items"]} == {"柔性压力传感器FP-1", "页面产品2", "接口产品"}
    assert all(i["cluster_inferred"] for i in listed["items"])


def test_import_infers_the_cluster_and_round_trips(tmp_path, world, clusters, mapping):
    a, c = world["a"], world["c"]
    a.industry_id, c.industry_id = "0111", "0112"
    a.save()
    c.save()
    rows = [[a.uscc, a.name, "推断产品", "ISO 1", "", "其他", "", "2025-03-01", "", "", "", ""],
            [a.uscc, a.name, "选定产品", "ISO 1", "", "其他", "", "2025-03-01", "对标测试铸造集群", "", "", ""],
            [a.uscc, a.name, "不属于产品", "ISO 1", "", "其他", "", "2025-03-01", "不属于", "", "", ""],
            [c.uscc, c.name, "多集群产品", "ISO 1", "", "其他", "", "2025-03-01", "", "", "", ""]]
    path = write_csv(tmp_path / "inf.csv", HEAD, rows)
    preview = preview_import("benchmarking-plans", path, user=world["province"]).result
    warnings = {(w.row, w.field): w.reason_zh for w in preview.warnings}
    assert warnings[(2, "415X集群")].startswith("按行业推断：所属行业“0111")
    assert "对应多个415X集群" in warnings[(5, "415X集群")]
    assert (3, "415X集群") not in warnings and (4, "415X集群") not in warnings
    assert commit_import("benchmarking-plans", path, user=world["province"]).committed
    got = {p.product: (p.cluster_id, p.cluster_inferred) for p in BenchmarkPlan.objects.filter(enterprise__in=[a, c])}
    assert got == {"推断产品": ("inf-s", True), "选定产品": ("bm-casting", False), "不属于产品": (None, False),
                   "多集群产品": (None, False)}
    assert commit_import("benchmarking-plans", path, user=world["province"]).result.counts["unchanged"] == 4
    out = tmp_path / "out.xlsx"
    export_kind("benchmarking-plans", None, "xlsx", out)
    back = commit_import("benchmarking-plans", out, user=world["province"])
    assert back.committed and (back.result.counts["new"], back.result.counts["changed"]) == (0, 0)
    # an explicit cluster in a later file replaces the inferred one and is no longer marked inferred
    rows[0][8] = "对标测试传感器集群"
    commit_import("benchmarking-plans", write_csv(tmp_path / "inf2.csv", HEAD, rows), user=world["province"])
    assert BenchmarkPlan.objects.filter(product="推断产品").values_list("cluster_id", "cluster_inferred").get() == (
        "bm-sensor", False)
