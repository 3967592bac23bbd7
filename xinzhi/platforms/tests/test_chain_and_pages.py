"""Issue 14 §5–§7: the cultivation chain (pure and through the register, by region), the national-monitoring page
with milestones, the pilot-platform scheme page and service records feeding the evaluation."""

import datetime

import polars as pl
import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.evaluation import services as ev
from xinzhi.evaluation.models import Round, Submission
from xinzhi.platforms import chain, services
from xinzhi.platforms.criteria import load_criteria
from xinzhi.platforms.models import AnnualData, Milestone, PilotService, Platform, RDInstitution


def test_assess_any_alternative_prerequisite_and_missing():
    checks = load_criteria()["provincial_institute"]["checks"]
    frame = pl.DataFrame({
        "revenue": [200_000_000, 90_000_000, 200_000_000, 200_000_000],
        "rd_intensity": [4.0, 2.8, 1.0, 4.0],
        "rd_expense": [8_000_000, 2_520_000, 2_000_000, 8_000_000],
        "rd_staff": [60, 45, 60, None],
        "rd_floor_area": [1200, 900, 1200, 1200],
        "equipment_value": [12_000_000, 9_000_000, 12_000_000, 12_000_000],
    })
    out = chain.assess(frame, checks, 0.8)
    assert out["met"].to_list() == [True, False, False, False]
    # 2: every miss within 80 % (revenue 9000万 of 1亿, 2.8 % of 3 %, 45 of 50 staff, 900 of 1000 m², 900万)
    assert out["near"].to_list() == [False, True, False, False]
    gaps = out["gaps"][1]
    assert "营业收入还差1000.0万元" in gaps and "全职研发人员还差5人" in gaps and "集中研发场地面积还差100平方米" in gaps
    assert "研发费用占营业收入≥3%或研发费用≥1000万元还差0.2个百分点" in gaps
    # 3: R&D 1 % and 200万 — far from both alternatives; 4: staff unknown → never near, said so
    assert "全职研发人员缺少数据" in out["gaps"][3] and out["failed"][3] == "全职研发人员"
    prerequisite = [{"label": "已有省级研发机构", "metric": "holds_level", "op": "in", "threshold": ["provincial_institute"]}]
    held = chain.assess(pl.DataFrame({"holds_level": [["provincial_institute"], ["city_level"]]}), prerequisite, 0.8)
    assert held["met"].to_list() == [True, False] and held["near"].to_list() == [False, False]


@pytest.mark.django_db
def test_the_chain_lists_candidates_with_gaps_by_region(world):
    a, b, c = world["a"], world["b"], world["c"]  # 杭州 西湖, 杭州 滨江, 宁波 鄞州

    def city_level(ent, **data):
        inst = RDInstitution.objects.create(enterprise=ent, name=f"{ent.name}市级中心", level="city_level",
                                            recognised_year=2020)
        services.record_annual_data(inst, 2025, data)
        return inst

    met = city_level(a, rd_staff=80, rd_floor_area=1500, equipment_value=20_000_000)   # revenue 3亿, R&D 5 %
    near = city_level(b, rd_staff=45, rd_floor_area=900, equipment_value=9_000_000)   # revenue 9000万, R&D 1.1 %
    far = city_level(c, rd_staff=10, rd_floor_area=100, equipment_value=1_000_000)    # revenue 5000万, no R&D
    result = services.cultivation_chain(world["province"], 0, 2025)
    assert result["totals"] == {"candidates": 3, "met": 1, "near": 0}
    rows = {r["id"]: r for r in result["rows"]}
    assert set(rows) == {met.pk}
    assert {r["region"]: (r["candidates"], r["met"]) for r in result["by_region"]} == {"杭州市": (2, 1), "宁波市": (1, 0)}
    # b's R&D intensity 1.1 % is far from 3 % (and 100万 from 1000万): listed as missing R&D, not near
    near_data = {"rd_staff": 45, "rd_floor_area": 900, "equipment_value": 9_000_000}
    services.record_annual_data(near, 2025, near_data)
    from xinzhi.enterprises.models import MonthlyStat

    MonthlyStat.objects.filter(enterprise=b, year=2025).update(rd_expense=2_600_000)
    rows = {r["id"]: r for r in services.cultivation_chain(world["province"], 0, 2025)["rows"]}
    assert rows[near.pk]["near"] and "全职研发人员还差5人" in rows[near.pk]["gaps"]
    assert far.pk not in rows
    # a city sees its own region only, counted by county
    ningbo = services.cultivation_chain(world["ningbo"], 0, 2025)
    assert ningbo["totals"]["candidates"] == 1 and ningbo["region_level"] == "county"
    # holding the next level already: not a candidate
    RDInstitution.objects.create(enterprise=a, name="甲研究院", level="provincial_institute", recognised_year=2024)
    assert met.pk not in {r["id"] for r in services.cultivation_chain(world["province"], 0, 2025)["rows"]}


@pytest.mark.django_db
def test_chain_and_national_pages(client, world):
    national = RDInstitution.objects.create(enterprise=world["a"], name="甲国家企业技术中心", level="national_tech_centre",
                                            recognised_year=2019, recognised_on=datetime.date(2019, 12, 26))
    AnnualData.objects.create(institution=national, division_id="330106", enterprise=world["a"], year=2025,
                              rd_expense=25_000_000, rd_staff=180)
    centre = Platform.objects.create(kind="innovation_centre", level="national", name="国家石墨烯制造业创新中心",
                                     lead_enterprise=world["c"], division_id="330212", recognised_year=2022)
    Milestone.objects.create(platform=centre, kind="national_acceptance", due_on=datetime.date(2026, 9, 30),
                             status="in_progress", note="待现场验收")
    leader = User.objects.create(username="leader", role=Role.LEADER, division_id="330000")
    client.force_login(leader)
    page = client.get("/platforms/national/").content.decode()
    assert "甲国家企业技术中心" in page and "2,500" in page and "国家石墨烯制造业创新中心" in page
    assert "国家制造业创新中心验收" in page and "待现场验收" in page and "省级只作监测" in page
    # the national centre's own page says it is monitored, and offers no provincial round
    Round.objects.create(name="年度评价", purpose="annual", year=2025, scheme_code="tech_centre_annual",
                         deadline=datetime.date(2099, 1, 1))
    client.force_login(world["province"])
    page = client.get(f"/platforms/institutions/{national.pk}/").content.decode()
    assert "省级只作监测" in page and 'id="enrol-form"' not in page
    page = client.get(f"/platforms/platforms/{centre.pk}/").content.decode()
    assert "国家制造业创新中心验收" in page
    assert "培育链路" in client.get("/platforms/chain/?step=2").content.decode()
    client.force_login(world["owner"])
    assert client.get("/platforms/national/").status_code == 403
    assert client.get("/platforms/chain/").status_code == 403


@pytest.mark.django_db
def test_pilot_service_records_feed_the_evaluation(client, world):
    pilot = Platform.objects.create(kind="pilot_platform", level="provincial", name="浙江省精细化工中试平台",
                                    lead_enterprise=world["a"], division_id="330106", recognised_year=2024,
                                    status="recognised")
    services.record_annual_data(pilot, 2025, {"services_provided": 999, "conversions": 6})
    for k, client_ent in enumerate((world["b"], world["c"], world["b"])):
        PilotService.objects.create(platform=pilot, service_date=datetime.date(2025, 3 + k, 10), client=client_ent,
                                    client_name=client_ent.name, kind="process", pilot_runs=2 + k, revenue=150_000)
    PilotService.objects.create(platform=pilot, service_date=datetime.date(2024, 5, 1), client_name="往年客户",
                                kind="design", pilot_runs=9, revenue=1)
    round_ = Round.objects.create(name="中试平台运行评价", purpose="operation", year=2025,
                                  scheme_code="pilot_platform_operation", deadline=datetime.date(2099, 1, 1))
    assert ev.enrol_institutions(round_) == 1
    data = ev.submission_data(Submission.objects.get(round=round_))
    # the year's records, not the form's 999
    assert (data["services_provided"], data["clients_served"], data["pilot_runs"], data["service_revenue"],
            data["conversions"]) == (3, 2, 9, 450_000, 6)
    client.force_login(world["province"])
    page = client.get("/platforms/pilot-platforms/").content.decode()
    assert "谁来建" in page and "战略定位" in page and "浙江省精细化工中试平台" in page and "待核实" in page
    page = client.get(f"/platforms/platforms/{pilot.pk}/").content.decode()
    assert "中试服务记录" in page and "服务 3 次，服务企业 2 家，中试 9 批次，收入 45.0 万元" in page
