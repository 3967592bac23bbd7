"""recognise → evaluate → grade → warn → revoke, through the pages and the API, with status history,
notices, and the scheme version recorded."""

import datetime

import pytest
from django.utils import timezone

from xinzhi.evaluation.models import Assignment, Round, Submission
from xinzhi.platforms import services as platform_services
from xinzhi.platforms.models import Notice, RDInstitution, StatusChange

pytestmark = pytest.mark.django_db


def _review_all(client, submission, scores):
    for a in Assignment.objects.filter(submission=submission).select_related("expert__user"):
        client.force_login(a.expert.user)
        r = client.post(f"/api/v1/platforms/my-assignments/{a.pk}/review",
                        {"scores": scores, "comment": "同意", "no_conflict": True}, content_type="application/json")
        assert r.status_code == 200, r.content


def test_recognise_evaluate_warn_revoke(client, world):
    province, owner = world["province"], world["owner"]
    # 1. province opens a recognition call (page)
    client.force_login(province)
    r = client.post("/evaluation/", {"name": "省级企业技术中心认定", "purpose": "recognition", "year": "2025",
                                     "scheme_code": "rd_institution_recognition", "deadline": "2099-12-31",
                                     "target_level": "provincial_tech_centre", "region_rule": "county",
                                     "reviewers_per_submission": "3", "trim_extremes": "1"})
    call = Round.objects.get(name="省级企业技术中心认定")
    assert r.status_code == 302
    # 2. the enterprise applies (page); criteria are checked against its statistics
    client.force_login(owner)
    assert "省级企业技术中心认定" in client.get("/evaluation/calls/").content.decode()
    r = client.post(f"/evaluation/rounds/{call.pk}/apply/", {"title": "西湖智感技术中心", "rd_staff": "80",
                                                             "equipment_value": "30000000", "invention_patents": "25"})
    sub = Submission.objects.get(round=call)
    assert r.url == f"/evaluation/submissions/{sub.pk}/"
    page = client.get(r.url).content.decode()
    assert "主营业务收入" in page and "符合" in page
    # deferral (暂缓评价) is for evaluations of recognised institutions, not for an application
    assert "申请暂缓" not in page
    client.post(r.url, {"action": "defer", "reason": "企业重组"})
    sub.refresh_from_db()
    assert sub.status != "deferred"
    # 3. province batch-assigns (group and same-county experts recused), experts score through the API
    client.force_login(province)
    client.post(f"/evaluation/rounds/{call.pk}/", {"action": "batch_assign"})
    names = set(Assignment.objects.filter(submission=sub).values_list("expert__user__username", flat=True))
    assert len(names) == 3 and not names & {"x_group", "x_same_county"}
    _review_all(client, sub, {"plan": 9, "capability": 9, "significance": 9})
    # 4. province decides through the API → institution created, status history and notice
    client.force_login(province)
    r = client.post(f"/api/v1/platforms/submissions/{sub.pk}/determine", {"reasons": "条件符合，专家评审通过"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    inst = RDInstitution.objects.get(pk=r.json()["institution_id"])
    # recognised on the decision day: a decision on 2025 data taken in 2026 is a 2026 recognition
    today = timezone.localdate()
    assert (inst.level, inst.status, inst.recognised_on, inst.recognised_year) == (
        "provincial_tech_centre", "recognised", today, today.year)
    assert Notice.objects.filter(institution=inst, kind="recognition").exists()

    # 5. next year's annual evaluation: a weak year → 合格 with 警告
    platform_services.record_annual_data(inst, 2026, {"revenue": 300_000_000, "rd_expense": 6_000_000, "rd_staff": 40,
                                                      "invention_patents": 3, "new_product_revenue": 60_000_000,
                                                      "equipment_value": 5_000_000, "standards_led": 1,
                                                      "cooperation_projects": 5})
    annual = Round.objects.create(name="2026年度技术中心评价", purpose="annual", year=2026, scheme_code="tech_centre_annual",
                                  deadline=datetime.date(2099, 1, 1), reviewers_per_submission=3)
    client.post(f"/evaluation/rounds/{annual.pk}/", {"action": "enrol"})
    ev = Submission.objects.get(round=annual, institution=inst)
    client.post(f"/evaluation/rounds/{annual.pk}/", {"action": "batch_assign"})
    _review_all(client, ev, {"strategy": 8, "achievements": 8, "impact": 8})
    client.force_login(province)
    client.post(f"/evaluation/submissions/{ev.pk}/", {"action": "determine", "reasons": "年度评价"})
    ev.refresh_from_db()
    inst.refresh_from_db()
    # quantitative by hand: rd 2 % → 3.75; 600万 → band 300 → 3; 40 staff → 1.54; 3 patents → 3;
    # new product 20 % → 2.5; equipment 500万 → 0.59; standards 1 → 3; cooperation 5 → 2.5 = 19.88; experts 24
    assert str(ev.quantitative_score) == "19.88" and str(ev.expert_score) == "24.00"
    assert ev.scheme_version == "2025.1-default" and "tech_centre_annual" in ev.scheme_text
    assert (ev.grade, ev.warning) == ("不合格", False)
    assert inst.status == "revoked"
    assert Notice.objects.filter(institution=inst, kind="revocation").exists()
    steps = list(StatusChange.objects.filter(institution=inst).values_list("from_status", "to_status"))
    assert steps == [("creating", "recognised"), ("recognised", "revoked")]
    # the register and the API show it
    assert "撤销" in client.get(f"/platforms/institutions/{inst.pk}/").content.decode()
    assert client.get(f"/api/v1/platforms/institutions/{inst.pk}").json()["status"] == "revoked"
    # the enterprise sees its notices
    client.force_login(owner)
    assert "撤销通知" in client.get("/evaluation/calls/").content.decode()


def test_warning_then_restore_and_downgrade(world):
    inst = RDInstitution.objects.create(enterprise=world["a"], name="甲研究院", level="provincial_key_institute",
                                        recognised_year=2023)
    assert platform_services.apply_result(inst, "warn", "合格", 2025, "低于65分") == "评为合格，予以警告，下一年度复评"
    assert inst.status == "warned" and inst.next_evaluation_year == 2026
    platform_services.apply_result(inst, "confirm", "良好", 2026, "")
    assert inst.status == "recognised"
    platform_services.apply_result(inst, "downgrade", "不合格", 2027, "")
    assert (inst.status, inst.level) == ("downgraded", "provincial_institute")
    platform_services.apply_result(inst, "revoke", "不合格", 2028, "")
    assert inst.status == "revoked"
    with pytest.raises(platform_services.TransitionError, match="重新认定"):
        platform_services.change_status(inst, "recognised", "恢复")
    assert Notice.objects.filter(institution=inst).count() == 4


def test_deferral_on_application(client, world):
    inst = RDInstitution.objects.create(enterprise=world["a"], name="甲中心", level="provincial_tech_centre",
                                        recognised_year=2022)
    annual = Round.objects.create(name="年度评价", purpose="annual", year=2025, scheme_code="tech_centre_annual",
                                  deadline=datetime.date(2099, 1, 1))
    from xinzhi.evaluation import services
    services.enrol_institutions(annual)
    sub = Submission.objects.get(institution=inst)
    client.force_login(world["owner"])
    client.post(f"/evaluation/submissions/{sub.pk}/", {"action": "defer", "reason": "企业重组"})
    sub.refresh_from_db()
    assert sub.status == "deferred" and Notice.objects.filter(kind="deferral", institution=inst).exists()


def test_coverage_and_counts(world):
    RDInstitution.objects.create(enterprise=world["a"], name="甲中心", level="provincial_tech_centre", recognised_year=2024)
    RDInstitution.objects.create(enterprise=world["c"], name="丙中心", level="provincial_institute", recognised_year=2024,
                                 status="revoked")
    rows = {r["key"]: r for r in platform_services.coverage(world["province"], 2025)}
    assert rows["3301"]["total"] == 2 and rows["3301"]["with_institution"] == 1 and rows["3301"]["institution_coverage"] == 50.0
    assert rows["3302"]["with_institution"] == 0 and rows["3302"]["rd_coverage"] == 0.0
    assert set(r["key"] for r in platform_services.coverage(world["city"], 2025)) == {"3301"}
    counts = {r["level"]: r for r in platform_services.counts_vs_targets(world["province"], 2025)["levels"]}
    assert counts["provincial_tech_centre"]["stock"] == 1 and counts["provincial_tech_centre"]["target"] == 130
    assert counts["provincial_institute"]["stock"] == 0
