"""The programme lists (企业出题, 重大科技项目, 省级工业新产品, 企业参与的标准) as shared lists: database sorting by
each sortable column both ways, an unknown or export-only key is a 400, the export holds the filtered rows in
the page's order and scope (money in 万元, labels not codes), and neither the page nor the export writes."""

import datetime as dt

import pytest

from xinzhi.core.testing import declared_order, read_list_export, writes_during
from xinzhi.industries.models import Cluster
from xinzhi.programs.models import MajorProject, NewProductProject, Problem, ProjectUnit, Standard

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(world):
    """Three records per list in three counties (杭州 330106 and 330108, 宁波 330212), every sorted field set
    and different, so each order is fully determined."""
    a, c, lab = world["a"], world["c"], world["lab"]
    k1, k2, k3 = Cluster.objects.order_by("code").values_list("code", flat=True)[:3]
    problems = [
        Problem.objects.create(enterprise=a, division_id="330106", title="柔性压力传感器封装", field="传感器",
                               cluster_id=k2, goal="g", acceptance_criteria="c", budget=2_000_000,
                               deadline=D(2026, 6, 30), posed_at=D(2025, 1, 10), last_step_at=D(2025, 1, 10),
                               state="posed", confidential=True),
        Problem.objects.create(enterprise=c, division_id="330212", title="高速轴承寿命", field="装备",
                               cluster_id=k1, goal="g", acceptance_criteria="c", budget=9_500_000,
                               deadline=D(2026, 1, 31), posed_at=D(2025, 3, 5), last_step_at=D(2025, 3, 5),
                               state="published"),
        Problem.objects.create(enterprise=lab, division_id="330108", title="石墨烯导热膜", field="新材料",
                               cluster_id=k3, goal="g", acceptance_criteria="c", budget=500_000,
                               deadline=D(2027, 1, 1), posed_at=D(2024, 11, 20), last_step_at=D(2024, 11, 20),
                               state="vetted"),
    ]
    projects = [
        MajorProject.objects.create(name="柔性传感芯片", programme="jianbing", year=2025, approved_on=D(2025, 4, 1),
                                    division_id="330106", lead_enterprise=a),
        MajorProject.objects.create(name="高端轴承", programme="lingyan", year=2025, approved_on=D(2025, 2, 1),
                                    division_id="330212", lead_enterprise=c),
        MajorProject.objects.create(name="量子测量", programme="national", year=2025, approved_on=D(2025, 8, 1),
                                    division_id="330108", recommended_by_province=True),
    ]
    ProjectUnit.objects.create(project=projects[0], rank=1, name=a.name, kind="enterprise", enterprise=a)
    ProjectUnit.objects.create(project=projects[0], rank=2, name="中科院某所", kind="institute", in_province=False)
    products = [
        NewProductProject.objects.create(enterprise=a, division_id="330106", name="智能柔性夹爪", kind="product",
                                         year=2025, stage="approved", applied_on=D(2025, 2, 1), approved_on=D(2025, 4, 1)),
        NewProductProject.objects.create(enterprise=c, division_id="330212", name="精密减速器", kind="technology",
                                         year=2025, stage="appraised", applied_on=D(2025, 1, 15),
                                         approved_on=D(2025, 5, 1), appraisal_result="国内领先"),
        NewProductProject.objects.create(enterprise=lab, division_id="330108", name="导热膜", kind="product",
                                         year=2025, stage="city", applied_on=D(2025, 3, 2), approved_on=D(2025, 3, 20)),
    ]
    standards = [
        Standard.objects.create(number="JB/T 1000-2023", name="柔性压力传感器通用规范", level="industry",
                                status="published", enterprise=a, division_id="330106", role="lead",
                                published_on=D(2023, 6, 1), cluster_id=k3, drafter_rank=1),
        Standard.objects.create(number="GB/T 2000-2024", name="滚动轴承寿命试验", level="national", status="drafting",
                                enterprise=c, division_id="330212", role="participate", published_on=D(2024, 3, 1),
                                cluster_id=k1, revision=True),
        Standard.objects.create(number="T/ZS 3000-2022", name="导热膜团体标准", level="group", status="proposed",
                                enterprise=lab, division_id="330108", role="lead", published_on=D(2022, 9, 9),
                                cluster_id=k2),
    ]
    return {"problems": problems, "projects": projects, "new_products": products, "standards": standards}


def _name(o):
    return o.enterprise.name


LISTS = {
    "problems": ("/programs/", {
        "title": lambda p: p.title, "enterprise": _name, "division": lambda p: p.division_id,
        "field": lambda p: p.field, "cluster": lambda p: p.cluster_id, "budget": lambda p: p.budget,
        "posed_at": lambda p: p.posed_at, "state": lambda p: declared_order(Problem, "state")(p.state)}),
    "projects": ("/programs/projects/?year=2025", {
        "name": lambda p: p.name, "programme": lambda p: declared_order(MajorProject, "programme")(p.programme), "approved_on": lambda p: p.approved_on,
        "division": lambda p: p.division_id}),
    "new_products": ("/programs/new-products/?year=2025", {
        "name": lambda p: p.name, "enterprise": _name, "division": lambda p: p.division_id,
        "applied_on": lambda p: p.applied_on, "approved_on": lambda p: p.approved_on,
        "stage": lambda p: declared_order(NewProductProject, "stage")(p.stage)}),
    "standards": ("/programs/standards/", {
        "number": lambda s: s.number, "name": lambda s: s.name,
        "level": lambda s: declared_order(Standard, "level")(s.level), "enterprise": _name,
        "role": lambda s: declared_order(Standard, "role")(s.role),
        "status": lambda s: declared_order(Standard, "status")(s.status), "published_on": lambda s: s.published_on,
        "cluster": lambda s: s.cluster_id}),
}
CASES = [(name, key) for name, (_url, keys) in LISTS.items() for key in keys]


def _get(client, url, **params):
    path, _sep, query = url.partition("?")
    base = dict(part.split("=") for part in query.split("&")) if query else {}
    return client.get(path, base | params)


@pytest.mark.parametrize(("name", "key"), CASES)
def test_each_list_sorts_by_each_column_both_ways(client, world, rows, name, key):
    url, keys = LISTS[name]
    client.force_login(world["province"])
    for sign in ("", "-"):
        response = _get(client, url, sort=sign + key)
        assert response.status_code == 200
        expected = sorted(rows[name], key=lambda o: (keys[key](o), -o.pk if sign else o.pk), reverse=bool(sign))
        assert [o.pk for o in response.context["page"]] == [o.pk for o in expected], (name, key, sign)
        html = response.content.decode()
        assert f'aria-sort="{"descending" if sign else "ascending"}"' in html


@pytest.mark.parametrize(("name", "bad"), [("problems", "deadline"), ("problems", "budget;drop"),
                                           ("projects", "units"), ("projects", "year"),
                                           ("new_products", "appraisal_result"), ("standards", "issuer")])
def test_a_key_that_is_not_a_sortable_column_is_a_400(client, world, rows, name, bad):
    client.force_login(world["province"])
    response = _get(client, LISTS[name][0], sort=bad)
    assert response.status_code == 400
    assert "不是可选值" in response.content.decode()


def test_problem_export_is_the_filtered_sorted_list_in_wan_with_labels(client, world, rows):
    client.force_login(world["province"])
    page = client.get("/programs/", {"sort": "-budget"})
    header, exported = read_list_export(client.get("/programs/", {"sort": "-budget", "format": "xlsx"}))
    assert header[:8] == ["难题名称", "出题企业", "所在地", "技术领域", "415X集群", "预算（万元）", "出题日期", "状态"]
    assert [r[0] for r in exported] == [p.title for p in page.context["page"]] == ["高速轴承寿命", "柔性压力传感器封装",
                                                                                   "石墨烯导热膜"]
    assert [r[header.index("预算（万元）")] for r in exported] == [950.0, 200.0, 50.0]
    assert [r[header.index("状态")] for r in exported] == ["已发布", "已出题", "已助题"]  # labels, not codes
    assert exported[1][header.index("保密")] == "是" and exported[1][header.index("所在地")] == "西湖区"
    _, exported = read_list_export(client.get("/programs/", {"state": "vetted", "format": "xlsx"}))
    assert [r[0] for r in exported] == ["石墨烯导热膜"]
    assert "200.0" in page.content.decode()  # 2,000,000 yuan shown as 万元 through core.numbers


def test_project_export_holds_the_units_and_the_programme_label(client, world, rows):
    client.force_login(world["province"])
    page = client.get("/programs/projects/", {"year": "2025", "sort": "approved_on"})
    header, exported = read_list_export(client.get("/programs/projects/",
                                                   {"year": "2025", "sort": "approved_on", "format": "xlsx"}))
    assert [r[0] for r in exported] == [p.name for p in page.context["page"]] == ["高端轴承", "柔性传感芯片", "量子测量"]
    assert exported[1][header.index("承担单位（按排名）")] == "1. 西湖智感科技有限公司（企业）；2. 中科院某所（科研院所，省外）"
    assert exported[0][header.index("计划类别")] == "“领雁”研发攻关计划"
    assert exported[2][header.index("省推荐")] == "是" and exported[2][header.index("立项年度")] == 2025
    html = page.content.decode()
    assert "1. 西湖智感科技有限公司（企业）" in html and "量子测量（省推荐）" in html and "未登记" in html
    _, exported = read_list_export(client.get("/programs/projects/", {"year": "2025", "programme": "national",
                                                                      "format": "xlsx"}))
    assert [r[0] for r in exported] == ["量子测量"]
    _, exported = read_list_export(client.get("/programs/projects/", {"year": "2024", "format": "xlsx"}))
    assert exported == []


def test_new_product_and_standard_exports_follow_the_filter_and_order(client, world, rows):
    client.force_login(world["province"])
    header, exported = read_list_export(client.get("/programs/new-products/",
                                                   {"year": "2025", "sort": "-applied_on", "format": "xlsx"}))
    assert [r[0] for r in exported] == ["导热膜", "智能柔性夹爪", "精密减速器"]
    assert [r[header.index("状态")] for r in exported] == ["市级审核通过", "省级立项", "鉴定验收通过"]
    assert exported[2][header.index("鉴定验收结论")] == "国内领先" and exported[2][header.index("类型")] == "新技术"
    _, exported = read_list_export(client.get("/programs/new-products/",
                                              {"year": "2025", "stage": "approved", "format": "xlsx"}))
    assert [r[0] for r in exported] == ["智能柔性夹爪"]
    header, exported = read_list_export(client.get("/programs/standards/", {"sort": "published_on", "format": "xlsx"}))
    assert [r[0] for r in exported] == ["T/ZS 3000-2022", "JB/T 1000-2023", "GB/T 2000-2024"]
    assert [r[header.index("级别")] for r in exported] == ["团体标准", "行业标准", "国家标准"]
    assert exported[2][header.index("修订")] == "是" and exported[1][header.index("起草单位排名")] == 1
    _, exported = read_list_export(client.get("/programs/standards/", {"level": "national", "format": "xlsx"}))
    assert [r[0] for r in exported] == ["GB/T 2000-2024"]


SCOPES = {  # who sees which records (by index in the fixture's lists): 杭州 = 0 and 2, 宁波 = 1, the owner = 0
    "province": {0, 1, 2}, "leader": {0, 1, 2}, "city": {0, 2}, "ningbo": {1}, "county": {0}, "owner": {0},
    "other_owner": {1},
}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("role", SCOPES)
def test_page_and_export_keep_each_roles_scope(client, world, rows, name, role):
    client.force_login(world[role])
    url = LISTS[name][0]
    expected = {rows[name][i].pk for i in SCOPES[role]}
    page = _get(client, url, sort="name" if name != "problems" else "title")
    assert {o.pk for o in page.context["page"]} == expected
    header, exported = read_list_export(_get(client, url, format="xlsx"))
    first = {"problems": "title", "projects": "name", "new_products": "name", "standards": "number"}[name]
    assert sorted(r[0] for r in exported) == sorted(getattr(rows[name][i], first) for i in SCOPES[role])


def test_a_solver_exports_its_own_and_the_published_problems_only(client, world, rows):
    client.force_login(world["solver"])  # 滨江材料研究院: its own problem, and 宁波's published one
    page = client.get("/programs/", {"sort": "enterprise"})
    assert [p.title for p in page.context["page"]] == ["石墨烯导热膜", "高速轴承寿命"]  # 滨江… < 鄞州…
    _, exported = read_list_export(client.get("/programs/", {"sort": "-enterprise", "format": "xlsx"}))
    assert [r[0] for r in exported] == ["高速轴承寿命", "石墨烯导热膜"]


@pytest.mark.parametrize("name", LISTS)
def test_neither_the_page_nor_the_export_writes(client, world, rows, name):
    client.force_login(world["province"])
    url = LISTS[name][0]
    assert writes_during(lambda: _get(client, url, sort="-name" if name != "problems" else "-title")) == []
    assert writes_during(lambda: _get(client, url, format="xlsx")) == []


@pytest.mark.parametrize("path", ["/programs/loop/?on=", "/programs/projects/?on=", "/programs/new-products/?on=",
                                  "/programs/standards/?as_of=", "/programs/standards/benchmarking/?on=",
                                  "/programs/standards/brand-certificates/?on=", "/programs/scenarios/?on="])
def test_a_malformed_date_is_a_400_in_chinese_not_today(client, world, path):
    """The programmes pages' "as of" dates: a date that does not exist or is out of the pages' years is said to
    be wrong (the page does not quietly show today instead); an empty one is today."""
    client.force_login(world["province"])
    for bad, reason in (("2025-13-01", "不是有效日期"), ("2101-01-01", "年份须在")):
        response = client.get(path + bad)
        assert response.status_code == 400 and reason in response.content.decode(), (path, bad)
    assert client.get(path).status_code == 200
