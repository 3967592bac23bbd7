"""Issue 14 §4, §5, §10 and issue 13 §2–§3 in the registers: national titles are monitored, not graded; the
innovation-centre cycle; counts of new recognitions as of a date against the region's own target; names, not
codes, on the pages."""

import datetime

import pytest

from xinzhi.evaluation import services as ev
from xinzhi.evaluation.models import Round, Submission
from xinzhi.monitoring.models import Target
from xinzhi.platforms import services
from xinzhi.platforms.models import Platform, RDInstitution

pytestmark = pytest.mark.django_db


def _round(purpose, scheme, year=2025):
    return Round.objects.create(name=f"{year}年度评价批次（{purpose}）", purpose=purpose, year=year, scheme_code=scheme,
                                deadline=datetime.date(2099, 1, 1), reviewers_per_submission=3)


def test_provincial_rounds_never_take_national_titles(world):
    national = RDInstitution.objects.create(enterprise=world["a"], name="甲国家企业技术中心",
                                            level="national_tech_centre", recognised_year=2019)
    RDInstitution.objects.create(enterprise=world["b"], name="乙省级中心", level="provincial_tech_centre",
                                 recognised_year=2020)
    Platform.objects.create(kind="high_tech_zone", level="national", name="杭州国家高新区", lead_enterprise=world["a"],
                            division_id="330108", recognised_year=2010, status="recognised")
    Platform.objects.create(kind="high_tech_zone", level="provincial", name="西湖省级高新园区",
                            lead_enterprise=world["a"], division_id="330106", recognised_year=2015, status="recognised")
    annual = _round("annual", "tech_centre_annual")
    operation = _round("operation", "platform_operation")
    # the bug: provincial rounds graded 6 national technology centres and could warn, downgrade or revoke them
    assert ev.enrol_institutions(annual) == 1
    assert ev.enrol_institutions(operation) == 1
    assert not Submission.objects.filter(institution__level="national_tech_centre").exists()
    assert not Submission.objects.filter(platform__level="national").exists()
    # asked one by one (the subject page's form), it is refused with the reason
    assert ev.enrol_institutions(annual, institution_ids=[national.pk]) == 0
    assert "省级只作监测" in ev.enrol_refusal(annual, national)


def test_innovation_centres_follow_their_cycle(world):
    def centre(name, year, status="recognised"):
        return Platform.objects.create(kind="innovation_centre", level="provincial", name=name, lead_enterprise=world["a"],
                                       division_id="330106", recognised_year=year, status=status)

    due_operation = centre("运行评价年中心", 2022)       # 2025 − 2022 = 3: operation year
    due_annual = centre("年度考核中心", 2023)
    creating = centre("培育创建中心", 2024, "creating")
    too_new = centre("当年批复中心", 2025)
    annual = _round("annual", "innovation_centre_annual")
    operation = _round("operation", "innovation_centre_operation")
    acceptance = _round("acceptance", "innovation_centre_acceptance")
    for r in (annual, operation, acceptance):
        ev.enrol_institutions(r)
    enrolled = {r.purpose: set(r.submissions.values_list("platform_id", flat=True)) for r in (annual, operation, acceptance)}
    # the bug: every centre got an annual evaluation, also in its operation year, and the centres being created too
    assert enrolled == {"annual": {due_annual.pk}, "operation": {due_operation.pk}, "acceptance": {creating.pk}}
    assert "运行评价" in ev.enrol_refusal(annual, due_operation)
    assert ev.enrol_refusal(annual, too_new)


def test_counts_are_new_recognitions_as_of_a_date_against_the_regions_target(world):
    def inst(ent, on, level="provincial_tech_centre", year=None):
        return RDInstitution.objects.create(enterprise=ent, name=f"{ent.name}{on}", level=level,
                                            recognised_year=year or on.year, recognised_on=on)

    inst(world["a"], datetime.date(2019, 5, 1))                  # stock, not new
    inst(world["b"], datetime.date(2025, 3, 20))                 # new, before June
    inst(world["c"], datetime.date(2025, 11, 28))                # new, after June
    undated = RDInstitution.objects.create(enterprise=world["a"], name="未登记日期", level="provincial_institute",
                                           recognised_year=2025)
    june = services.counts_vs_targets(world["province"], 2025, datetime.date(2025, 6, 30))
    tc = {r["level"]: r for r in june["levels"]}["provincial_tech_centre"]
    # the bug: the pages compared the whole stock with the seed's new-recognition targets (159/5 = 3180%)
    assert (june["basis"], tc["stock"], tc["new"], tc["target"]) == ("new", 2, 1, 130)
    assert tc["progress"] == round(100 / 130, 1)
    december = {r["level"]: r for r in services.counts_vs_targets(world["province"], 2025)["levels"]}
    assert december["provincial_tech_centre"]["new"] == 2
    # an undated row counts from 31 December of its year
    assert {r["level"]: r for r in june["levels"]}["provincial_institute"]["stock"] == 0
    assert december["provincial_institute"]["new"] == 1
    undated.delete()
    # a city compares with its allocated target, not the province's
    Target.objects.create(indicator="new_provincial_tech_centre", division_id="330100", year=2025, value=12)
    hangzhou = {r["level"]: r for r in services.counts_vs_targets(world["city"], 2025)["levels"]}
    assert hangzhou["provincial_tech_centre"]["target"] == 12 and hangzhou["provincial_tech_centre"]["new"] == 1


def test_monitoring_counts_institutions_by_the_month_of_their_recognition(world):
    from xinzhi.monitoring.sources import load_facts

    RDInstitution.objects.create(enterprise=world["a"], name="四月认定", level="provincial_institute", recognised_year=2025,
                                 recognised_on=datetime.date(2025, 4, 28))
    RDInstitution.objects.create(enterprise=world["b"], name="旧数据", level="provincial_institute", recognised_year=2025)
    frame = load_facts(2025, 6).rd_institutions.sort("month")
    assert frame["month"].to_list() == [4, 12]


def test_a_recognition_decided_in_2026_is_a_2026_recognition(world):
    call = Round.objects.create(name="认定", purpose="recognition", year=2025, scheme_code="rd_institution_recognition",
                                target_level="provincial_institute", deadline=datetime.date(2099, 1, 1),
                                reviewers_per_submission=3)
    sub = ev.apply_for_recognition(call, world["a"], {"rd_staff": 80, "rd_floor_area": 1500,
                                                      "equipment_value": 20_000_000}, world["province"],
                                   today=datetime.date(2026, 3, 1))
    ev.batch_assign(call)
    for a in sub.assignments.all():
        ev.submit_review(a, {"plan": 9, "capability": 9, "significance": 9}, "", True)
    ev.determine(sub, world["province"], "认定")
    inst = RDInstitution.objects.get(enterprise=world["a"])
    today = datetime.date.today()
    # the bug: recognised in April 2026, stored as a 2025 recognition (the data year of the call)
    assert (inst.recognised_year, inst.recognised_on) == (today.year, today)


def test_pages_show_names_not_codes(client, world):
    client.force_login(world["province"])
    _round("recognition", "rd_institution_recognition")
    page = client.get("/evaluation/").content.decode()
    assert "企业研发机构认定评审（默认参数）</td>" in page and ">rd_institution_recognition<" not in page
    page = client.get("/platforms/coverage/?year=2025&by=city").content.decode()
    assert "杭州市" in page and "宁波市" in page
    assert ">3301<" not in page and ">3302<" not in page
