"""Issue 14 §1–§3: a decided round stays decided, recognition needs the conditions and the score, panels stay
full. Each test reproduces the reported bug with the functions that existed before the fix."""

import datetime

import pytest

from xinzhi.evaluation import services
from xinzhi.evaluation.models import Assignment, ClosedRoundError, Correction, Round, Submission
from xinzhi.platforms import services as platform_services
from xinzhi.platforms.models import RDInstitution

pytestmark = pytest.mark.django_db

GOOD = {"plan": 9, "capability": 9, "significance": 9}
PASSING = {"rd_staff": 80, "rd_floor_area": 1500, "equipment_value": 20_000_000, "invention_patents": 10}


def _call(world, per=3, **extra):
    return Round.objects.create(name="省企业研究院认定", purpose="recognition", year=2025,
                                scheme_code="rd_institution_recognition", target_level="provincial_institute",
                                deadline=datetime.date(2099, 1, 1), reviewers_per_submission=per, **extra)


def _apply(world, call, declared=PASSING):
    return services.apply_for_recognition(call, world["a"], declared, world["province"], title="西湖智感研究院",
                                          today=datetime.date(2026, 3, 1))


def _review(submission, scores=GOOD):
    for a in submission.assignments.filter(status=Assignment.Status.PENDING):
        services.submit_review(a, scores, "同意", True)


def _recognised(world):
    call = _call(world)
    sub = _apply(world, call)
    services.batch_assign(call, world["province"])
    _review(sub)
    services.determine(sub, world["province"], "条件符合，评审通过")
    sub.refresh_from_db()
    return call, sub


# --- §1 a decided round stays decided ----------------------------------------------------------------


def test_aggregating_again_leaves_decided_results_alone(world):
    call, sub = _recognised(world)
    assert sub.decision == "recognise" and sub.grade != "不合格"
    before = (sub.total_score, sub.grade, sub.quantitative_score, sub.scheme_text)
    # the bug: one click on 汇总得分 re-scored the recognised applicant from its new institution's (empty)
    # annual data — 94.53 优秀 → 56.53 不合格 on the demo
    services.aggregate_round(call)
    sub.refresh_from_db()
    assert (sub.total_score, sub.grade, sub.quantitative_score, sub.scheme_text) == before
    with pytest.raises(services.WorkflowError):
        services.score_submission(sub)


def test_a_closed_round_takes_no_enrolment_and_is_read_only(world):
    inst = RDInstitution.objects.create(enterprise=world["a"], name="甲中心", level="provincial_tech_centre",
                                        recognised_year=2022)
    annual = Round.objects.create(name="年度评价", purpose="annual", year=2025, scheme_code="tech_centre_annual",
                                  deadline=datetime.date(2099, 1, 1), reviewers_per_submission=3)
    assert services.enrol_institutions(annual) == 1
    sub = Submission.objects.get(round=annual)
    services.batch_assign(annual)
    _review(sub, {"strategy": 9, "achievements": 9, "impact": 9})
    services.determine(sub, world["province"], "年度评价")
    annual.refresh_from_db()
    annual.status = Round.Status.CLOSED  # as the round page's status form did before
    annual.save()
    inst.refresh_from_db()
    status = inst.status
    RDInstitution.objects.create(enterprise=world["b"], name="乙中心", level="provincial_tech_centre", recognised_year=2023)
    # the bug: "enrol" on a closed round added 1,974 submissions to it
    with pytest.raises(services.WorkflowError, match="已结束"):
        services.enrol_institutions(annual)
    assert annual.submissions.count() == 1
    sub.refresh_from_db()
    for step in (lambda: services.aggregate_round(annual), lambda: services.batch_assign(annual),
                 lambda: services.determine(sub, world["province"], "再决定"),
                 lambda: services.set_round_status(annual, Round.Status.OPEN)):
        with pytest.raises(services.WorkflowError):
            step()
    # read-only for everyone, also below the services
    sub.grade = "优秀"
    with pytest.raises(ClosedRoundError):
        sub.save()
    with pytest.raises(ClosedRoundError):
        Assignment.objects.filter(submission=sub).first().save()
    inst.refresh_from_db()
    assert inst.status == status


def test_closing_needs_every_submission_decided(world):
    call = _call(world)
    _apply(world, call)
    with pytest.raises(services.WorkflowError, match="未作出决定"):
        services.set_round_status(call, Round.Status.CLOSED)


def test_correction_records_who_why_before_after_and_adjusts_the_status(world):
    inst = RDInstitution.objects.create(enterprise=world["a"], name="甲中心", level="provincial_tech_centre",
                                        recognised_year=2022)
    platform_services.record_annual_data(inst, 2025, {"revenue": 300_000_000, "rd_expense": 3_000_000})
    annual = Round.objects.create(name="年度评价", purpose="annual", year=2025, scheme_code="tech_centre_annual",
                                  deadline=datetime.date(2099, 1, 1), reviewers_per_submission=3)
    services.enrol_institutions(annual)
    sub = Submission.objects.get(round=annual)
    services.batch_assign(annual)
    _review(sub, {"strategy": 3, "achievements": 3, "impact": 3})
    services.determine(sub, world["province"], "年度评价")
    services.set_round_status(annual, Round.Status.CLOSED, world["province"])
    sub.refresh_from_db()
    inst.refresh_from_db()
    assert sub.grade == "不合格" and inst.status == "revoked"
    # a missing figure is named in Chinese, never by its field code
    staff = next(r for r in sub.indicator_results if r["name"] == "研发人员数")
    assert staff["explanation"] == "缺少数据（研发人员(人)），计0分"
    with pytest.raises(services.WorkflowError, match="理由"):
        services.correct(sub, world["province"], " ", grade="合格")
    record = services.correct(sub, world["province"], "专家评分录入错误，经复核更正", total="72.50")
    sub.refresh_from_db()
    assert (str(sub.total_score), sub.grade) == ("72.50", "合格")
    assert record.actor == world["province"] and record.reason.startswith("专家评分录入错误")
    assert record.before["grade"] == "不合格" and record.after == {**record.before, "total_score": "72.50",
                                                                 "grade": "合格"}
    # 撤销 is final: the corrected grade would confirm, the status rules refuse — and the record says so
    assert "状态未自动调整" in record.outcome and "重新认定" in record.outcome
    assert Correction.objects.filter(submission=sub).count() == 1
    with pytest.raises(services.WorkflowError, match="未改变"):
        services.correct(sub, world["province"], "再次复核", total="72.50")


# --- §2 recognition needs the conditions and the score ---------------------------------------------------


def test_a_failed_condition_blocks_recognition_unless_an_exception_is_recorded(world):
    call = _call(world)
    sub = _apply(world, call, {**PASSING, "equipment_value": 9_000_000})  # 900万 < 1000万
    assert [c["label"] for c in sub.criteria_check if c["passed"] is not True] == ["研发仪器设备原值"]
    services.batch_assign(call)
    _review(sub)
    # the bug: determine recognised on the score alone (2 of 12 on the demo failed a condition)
    with pytest.raises(services.WorkflowError, match="研发仪器设备原值"):
        services.determine(sub, world["province"], "评审通过", "recognise")
    assert not RDInstitution.objects.filter(enterprise=world["a"]).exists()
    services.record_condition_exception(sub, world["province"], "设备已签订采购合同，经厅务会研究同意")
    services.determine(sub, world["province"], "评审通过", "recognise")
    sub.refresh_from_db()
    assert sub.decision == "recognise" and sub.condition_exception.startswith("设备已签订")
    assert sub.exception_by == world["province"]


def test_without_a_decision_a_failed_condition_rejects(world):
    call = _call(world)
    sub = _apply(world, call, {**PASSING, "rd_floor_area": 800})
    services.batch_assign(call)
    _review(sub)
    services.determine(sub, world["province"], "经审定")
    sub.refresh_from_db()
    assert sub.decision == "reject" and "集中研发场地面积" in sub.decision_reasons
    assert not RDInstitution.objects.filter(enterprise=world["a"]).exists()


def test_a_score_below_the_pass_mark_cannot_be_recognised(world):
    call = _call(world)
    sub = _apply(world, call)
    services.batch_assign(call)
    _review(sub, {"plan": 1, "capability": 1, "significance": 1})
    with pytest.raises(services.WorkflowError, match="分数线"):
        services.determine(sub, world["province"], "评审", "recognise")


# --- §3 panels stay full ---------------------------------------------------------------------------------


def _active(sub):
    return sub.assignments.exclude(status=Assignment.Status.RECUSED).count()


def test_a_recused_reviewer_is_replaced(world):
    call = _call(world)
    sub = _apply(world, call)
    services.batch_assign(call)
    first = sub.assignments.order_by("id").first()
    services.declare_conflict(first, "曾为该企业提供咨询")
    # the bug: batch_assign counted the recused assignment as filled, so the panel stayed at 2 of 3
    services.batch_assign(call)
    assert _active(sub) == 3
    refill = sub.assignments.get(method="refill")
    assert refill.replaces_id == first.pk and refill.expert_id != first.expert_id


def test_an_exhausted_pool_shows_the_shortfall_and_blocks_the_decision(world):
    call = _call(world, per=6)  # 5 experts are eligible for enterprise a
    sub = _apply(world, call)
    result = services.batch_assign(call)
    assert result["short"] == [{"submission": sub.title, "id": sub.pk, "missing": 1}]
    assert services.batch_assign(call)["short"][0]["missing"] == 1  # a rerun still reports it
    assert services.shortfalls(call) == [{"id": sub.pk, "title": sub.title, "active": 5, "missing": 1}]
    _review(sub)
    with pytest.raises(services.WorkflowError, match="评审专家不足"):
        services.determine(sub, world["province"], "评审通过")
    assert services.aggregate_round(call)["waiting"][0]["id"] == sub.pk
    sub.refresh_from_db()
    assert sub.total_score is None
    services.approve_reduced_panel(sub, world["province"], "同领域专家不足，经批准5人评审")
    assert services.shortfalls(call) == []
    services.determine(sub, world["province"], "评审通过")
    sub.refresh_from_db()
    assert sub.status == "determined" and sub.reduced_panel_by == world["province"]


def test_a_declared_conflict_recuses_every_pending_assignment_for_that_enterprise(world):
    first_call, second_call = _call(world), _call(world)
    s1, s2 = _apply(world, first_call), _apply(world, second_call)
    x1 = world["experts"]["x1"]
    a1 = services.assign(s1, x1)
    a2 = services.assign(s2, x1)
    services.declare_conflict(a1, "亲属在该企业任职")
    a2.refresh_from_db()
    # the bug: only the opened assignment was recused
    assert a2.status == Assignment.Status.RECUSED
    assert s2.assignments.filter(method="refill", replaces=a2).exists()


def test_the_admin_cannot_change_a_closed_round(client, world):
    from xinzhi.accounts.models import User

    call, sub = _recognised(world)
    services.set_round_status(call, Round.Status.CLOSED, world["province"])
    admin = User.objects.create_superuser(username="root", password="x", role="province_staff", division_id="330000")
    client.force_login(admin)
    page = client.get(f"/admin/evaluation/submission/{sub.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/evaluation/submission/{sub.pk}/change/", {"title": "改"}).status_code == 403
    assert client.post(f"/admin/evaluation/submission/{sub.pk}/delete/", {"post": "yes"}).status_code == 403
