"""Recusal (manual and batch), load balancing, trimmed aggregation, and what an expert may open."""

import datetime

import pytest

from xinzhi.evaluation import services
from xinzhi.evaluation.models import Assignment, ConflictDeclaration, Round, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def recognition(world):
    r = services.create_round(name="2026年省企业研究院认定", purpose="recognition", year=2025,
                              scheme_code="rd_institution_recognition", deadline=datetime.date(2099, 12, 31),
                              target_level="provincial_institute", reviewers_per_submission=3, actor=world["province"])
    sub = services.apply_for_recognition(r, world["a"], {"rd_staff": 60, "equipment_value": 12_000_000,
                                                         "rd_floor_area": 1500, "invention_patents": 12},
                                         world["owner"])
    return r, sub


def test_criteria_are_checked_and_explained(recognition):
    _, sub = recognition
    rows = {r["label"]: r for r in sub.criteria_check}
    assert rows["营业收入"]["passed"] is True and "30,000.0万元" in rows["营业收入"]["value"]
    assert "统计报表" in rows["营业收入"]["source"] and rows["营业收入"]["unverified"] is True
    assert rows["全职研发人员"]["source"] == "企业申报"
    assert rows["研发费用占营业收入≥3%或研发费用≥1000万元"]["passed"] is True  # 5 %


def test_group_member_is_never_assigned_manually(world, recognition):
    _, sub = recognition
    with pytest.raises(services.RecusalError, match="之江控股集团"):
        services.assign(sub, world["experts"]["x_group"], world["province"])
    with pytest.raises(services.RecusalError, match="同一县"):
        services.assign(sub, world["experts"]["x_same_county"], world["province"])


def test_batch_assignment_respects_recusal_and_balances_load(world, recognition):
    r, sub = recognition
    sub2 = services.apply_for_recognition(r, world["c"], {"rd_staff": 20}, world["other_owner"])
    ConflictDeclaration.objects.create(expert=world["experts"]["x1"], enterprise=world["c"], relation="曾任顾问")
    result = services.batch_assign(r, world["province"])
    assert result["assigned"] == 6 and result["short"] == []
    on_a = set(Assignment.objects.filter(submission=sub).values_list("expert__user__username", flat=True))
    on_c = set(Assignment.objects.filter(submission=sub2).values_list("expert__user__username", flat=True))
    assert "x_group" not in on_a and "x_same_county" not in on_a
    assert "x1" not in on_c  # declared relation
    loads = Assignment.objects.filter(submission__round=r).values_list("expert_id", flat=True)
    assert max(list(loads).count(e) for e in set(loads)) == 1  # six slots, six distinct experts
    # running it again adds nobody
    assert services.batch_assign(r, world["province"])["assigned"] == 0


def test_expert_cannot_open_unassigned_submission(client, world, recognition):
    _, sub = recognition
    x1 = world["experts"]["x1"]
    mine = services.assign(sub, x1, world["province"])
    client.force_login(x1.user)
    assert client.get(f"/evaluation/my/{mine.pk}/").status_code == 200
    other = services.assign(sub, world["experts"]["x2"], world["province"])
    assert client.get(f"/evaluation/my/{other.pk}/").status_code == 404
    assert client.get(f"/evaluation/submissions/{sub.pk}/").status_code == 403  # experts read submissions only through their assignments
    assert client.get(f"/api/v1/platforms/my-assignments/{other.pk}").status_code in (404, 405)
    api = client.get("/api/v1/platforms/my-assignments").json()
    assert [a["id"] for a in api] == [mine.pk]
    r = client.post(f"/api/v1/platforms/my-assignments/{other.pk}/review",
                    {"scores": {"plan": 5, "capability": 5, "significance": 5}, "no_conflict": True},
                    content_type="application/json")
    assert r.status_code == 404


def test_declared_conflict_on_opening_recuses(client, world, recognition):
    _, sub = recognition
    x2 = world["experts"]["x2"]
    a = services.assign(sub, x2, world["province"])
    client.force_login(x2.user)
    client.post(f"/evaluation/my/{a.pk}/", {"action": "recuse", "relation": "亲属在该企业任职"})
    a.refresh_from_db()
    assert a.status == Assignment.Status.RECUSED
    assert client.get(f"/evaluation/my/{a.pk}/").status_code == 404
    with pytest.raises(services.RecusalError, match="利益关系"):
        services.assign(Submission.objects.get(pk=sub.pk), x2, world["province"])


def test_trimmed_aggregation_on_submission(world, recognition):
    r, sub = recognition
    totals = []
    for name, s in zip(("x1", "x2", "x3", "x4", "x5"), (10, 8, 6, 4, 0), strict=True):
        a = services.assign(sub, world["experts"][name], world["province"])
        services.submit_review(a, {"plan": s, "capability": s, "significance": s}, "", True)
        totals.append(a.total)
    assert totals == [60, 48, 36, 24, 0]
    services.score_submission(sub)
    assert sub.expert_score == 36  # drop 60 and 0 → (48+36+24)/3
    r.trim_extremes = False
    r.save()
    services.score_submission(sub)
    assert str(sub.expert_score) == "33.60"


def test_review_requires_no_conflict_statement_and_valid_scores(world, recognition):
    _, sub = recognition
    a = services.assign(sub, world["experts"]["x1"], world["province"])
    with pytest.raises(services.WorkflowError, match="利益冲突"):
        services.submit_review(a, {"plan": 5, "capability": 5, "significance": 5}, "", False)
    with pytest.raises(services.WorkflowError, match="0–10"):
        services.submit_review(a, {"plan": 11, "capability": 5, "significance": 5}, "", True)


def test_staff_scope_on_submissions(client, world, recognition):
    _, sub = recognition
    client.force_login(world["ningbo"])
    assert client.get(f"/evaluation/submissions/{sub.pk}/").status_code == 404
    client.force_login(world["city"])
    assert client.get(f"/evaluation/submissions/{sub.pk}/").status_code == 200
    client.force_login(world["other_owner"])
    assert client.get(f"/evaluation/submissions/{sub.pk}/").status_code == 404


def test_application_after_deadline_is_refused(world):
    r = Round.objects.create(name="已截止", purpose="recognition", year=2025, scheme_code="rd_institution_recognition",
                             deadline=datetime.date(2020, 1, 1), target_level="provincial_institute")
    with pytest.raises(services.WorkflowError, match="截止"):
        services.apply_for_recognition(r, world["a"], {}, world["owner"])
