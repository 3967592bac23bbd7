"""Several subject providers registered by kind: a round's scheme names its kind, enrolment, recusal
(partners), scoring and determination go to that kind's provider, and the platforms provider stays the
default for every other round."""

import datetime
from decimal import Decimal

import pytest

from xinzhi.evaluation import scoring, services, subjects
from xinzhi.evaluation.models import Assignment, Submission

pytestmark = pytest.mark.django_db

FAKE_SCHEME = '''
code = "fake_call_review"
name = "测试征集评审"
version = "t1"
purpose = "selection"
subject = "fake_need"
applies_to = ["need"]
[[criteria]]
code = "urgency"
name = "紧迫性"
weight = 60
max = 10
[[criteria]]
code = "novelty"
name = "新颖性"
weight = 40
max = 10
[[grades]]
name = "建议推荐"
min = 60
'''


class FakeNeeds(subjects.SubjectProvider):
    kind = "fake_need"
    generic = True

    def __init__(self, world):
        self.world = world
        self.results = {}

    def eligible(self, round_, applies_to, ids, _unused, enrolled):
        a, c = self.world["a"], self.world["c"]
        rows = [
            {"subject_id": 11, "enterprise_id": a.pk, "division_id": a.division_id, "title": "需求一",
             "parties": [{"name": "宁波大学", "enterprise_id": None}, {"name": c.name, "enterprise_id": c.pk}]},
            {"subject_id": 12, "enterprise_id": c.pk, "division_id": c.division_id, "title": "需求二", "parties": []},
        ]
        return [r for r in rows if r["subject_id"] not in enrolled and (ids is None or r["subject_id"] in ids)]

    def subject(self, submission):
        return {"id": submission.subject_id}

    def data(self, submission):
        return {}

    def field_label(self, name):
        return name

    def describe(self, submission):
        return [("攻关目标", f"目标{submission.subject_id}")]

    def apply_result(self, subject, action, grade, year, reasons, actor, submission):
        self.results[subject["id"]] = (action, grade)
        return f"已记录评审结果（{grade}）"

    def notice(self, *args, **kwargs):
        return None


@pytest.fixture
def fake(world, monkeypatch):
    scheme = scoring.load_scheme(FAKE_SCHEME)
    real = scoring.get_scheme
    monkeypatch.setattr(scoring, "get_scheme", lambda code, *a, **k: scheme if code == scheme.code else real(code, *a, **k))
    provider = FakeNeeds(world)
    subjects.register_provider(provider)
    yield provider
    subjects.unregister_provider("fake_need")


def _round(world):
    return services.create_round(name="2025年需求征集评审", purpose="selection", year=2025, scheme_code="fake_call_review",
                                 deadline=datetime.date(2099, 1, 1), reviewers_per_submission=3, actor=world["province"])


def test_two_kinds_registered_and_default_is_platforms(fake):
    assert {"platforms", "fake_need"} <= set(subjects.registered_kinds())
    assert subjects.provider() is subjects.provider("platforms")
    assert subjects.provider("fake_need") is fake
    assert subjects.provider().generic is False
    with pytest.raises(RuntimeError, match="没有注册“nothing”类评价对象"):
        subjects.provider("nothing")


def test_round_of_a_kind_enrols_through_its_provider(world, fake):
    r = _round(world)
    assert r.subject_kind == "fake_need" and r.get_purpose_display() == "评审遴选"
    assert services.enrol_institutions(r, world["province"]) == 2
    assert services.enrol_institutions(r, world["province"]) == 0  # idempotent
    subs = {s.subject_id: s for s in r.submissions.all()}
    assert subs[11].subject_kind == "fake_need" and subs[11].institution_id is None and subs[11].platform_id is None
    assert subs[11].subject == {"id": 11}
    assert services.subject_description(subs[11]) == [("攻关目标", "目标11")]


def test_partners_are_recused(world, fake):
    r = _round(world)
    services.enrol_institutions(r, world["province"])
    sub = r.submissions.get(subject_id=11)
    x3 = world["experts"]["x3"]  # 宁波大学: a partner institution of 需求一
    assert "专家工作单位为合作单位“宁波大学”" in services.conflicts(x3, sub)
    with pytest.raises(services.RecusalError, match="宁波大学"):
        services.assign(sub, x3, world["province"])
    services.batch_assign(r, world["province"])
    assert not Assignment.objects.filter(submission=sub, expert=x3).exists()
    # the same expert may review the other submission (no relation)
    assert services.conflicts(x3, r.submissions.get(subject_id=12)) == []


def test_selection_is_determined_through_the_kind_provider(world, fake):
    r = _round(world)
    services.enrol_institutions(r, world["province"], institution_ids=[12])
    sub = r.submissions.get()
    services.batch_assign(r, world["province"])
    for a in sub.assignments.all():
        services.submit_review(a, {"urgency": 8, "novelty": 5}, "", True)
    outcome = services.determine(sub, world["province"], "专家评审")
    sub.refresh_from_db()
    assert sub.total_score == Decimal("68.00") and sub.grade == "建议推荐"
    assert sub.decision == Submission.Decision.GRADE and outcome == "已记录评审结果（建议推荐）"
    assert fake.results[12] == ("selection", "建议推荐")


def test_platform_rounds_are_untouched(world, fake):
    r = services.create_round(name="2025年企业研究院年度评价", purpose="annual", year=2025,
                              scheme_code="research_institute_annual", deadline=datetime.date(2099, 1, 1))
    assert r.subject_kind == "platforms"
    assert services.provider_of(r) is subjects.provider()
