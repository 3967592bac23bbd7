"""Demo data (deterministic, completed rounds per type, recusal respected, clear) and the network / map-points
views (scoped, refused to experts and enterprises, counts equal to SQL counts)."""

from collections import Counter

import pytest
from django.db import connection

from xinzhi.accounts.models import Role, User
from xinzhi.accounts.services import create_demo_users
from xinzhi.demo.loader import load_demo
from xinzhi.evaluation import scoring
from xinzhi.evaluation import services as ev
from xinzhi.evaluation.models import (
    Assignment,
    ConflictDeclaration,
    EnterpriseGroup,
    ExpertProfile,
    Round,
    Submission,
)
from xinzhi.platforms import demo_data
from xinzhi.platforms.models import (
    AnnualData,
    InstitutionLevel,
    Notice,
    Platform,
    PlatformKind,
    PlatformMember,
    RDInstitution,
    StatusChange,
)
from xinzhi.platforms.network import cluster_codes

pytestmark = pytest.mark.django_db

SEED = 7


@pytest.fixture
def demo():
    load_demo(scale="small", seed=SEED)
    create_demo_users()
    counts = demo_data.load(scale="small", seed=SEED, log=None)
    return counts


def _snapshot() -> dict:
    """Natural-key content of what load() wrote (no ids or timestamps)."""
    return {
        "platforms": sorted(Platform.objects.values_list("kind", "level", "name", "division_id", "lead_enterprise_id",
                                                         "status")),
        "members": sorted(PlatformMember.objects.values_list("platform__name", "enterprise_id", "role", "chain_position")),
        "experts": sorted(ExpertProfile.objects.values_list("user__username", "user__full_name", "employer_name", "fields")),
        "submissions": sorted(Submission.objects.values_list("round__name", "title", "status", "total_score", "grade",
                                                             "warning", "decision")),
        "assignments": sorted(Assignment.objects.values_list("submission__title", "submission__round__name",
                                                             "expert__user__username", "status", "total")),
        "institutions": sorted(RDInstitution.objects.values_list("name", "level", "status", "field", "cluster_id")),
    }


def test_demo_deterministic_complete_and_recusal(demo):
    # a completed round covers every institution type (levels and platform kinds)
    covered = set()
    for sub in Submission.objects.filter(round__status=Round.Status.CLOSED, status=Submission.Status.DETERMINED,
                                         round__purpose__in=["annual", "acceptance", "operation"]).select_related(
            "institution", "platform"):
        covered.add(sub.institution.level if sub.institution_id else sub.platform.kind)
    # downgrade changes a level; what a round evaluated is in the status history
    covered |= set(StatusChange.objects.exclude(submission=None).exclude(from_level="").values_list("from_level", flat=True))
    assert set(PlatformKind.values) <= covered
    # provincial designations only: national titles are monitored, never graded by the province (issue 14 §4)
    assert set(InstitutionLevel.values) - {"national_tech_centre"} <= covered
    assert not Submission.objects.filter(institution__level="national_tech_centre").exists()
    assert not Submission.objects.filter(platform__level="national").exists()
    assert not StatusChange.objects.exclude(submission=None).filter(institution__level="national_tech_centre").exists()
    # results drove statuses: warned, downgraded and revoked happen, with notices
    changed = set(StatusChange.objects.exclude(submission=None).values_list("to_status", flat=True))
    assert {"warned", "revoked"} <= changed and ("downgraded" in changed or "revoked" in changed)
    assert Notice.objects.filter(kind__in=["warning", "revocation", "grade"]).count() > 10
    assert Notice.objects.filter(kind="recognition").exists()
    # no expert with a conflict was ever assigned (recused ones were declared after assignment)
    live = Assignment.objects.exclude(status=Assignment.Status.RECUSED).select_related("submission__round", "expert")
    subs = list({a.submission_id: a.submission for a in live}.values())
    ctx = ev._Context(subs, list(ExpertProfile.objects.all()))
    assert EnterpriseGroup.objects.exists() and ConflictDeclaration.objects.exists()
    assert all(not ev.conflicts(a.expert, a.submission, ctx) for a in live)
    assert Assignment.objects.filter(status=Assignment.Status.RECUSED).exists()
    # trimmed aggregation: expert part = mean without highest and lowest of 5 reviewers
    sub = Submission.objects.filter(status=Submission.Status.DETERMINED, round__trim_extremes=True,
                                    round__purpose="annual").first()
    parts = sorted(sub.assignments.filter(status="submitted").values_list("total", flat=True))
    assert len(parts) >= 5 and sub.expert_score == scoring.aggregate(parts, trim=True, trim_min=5)
    # the "expert" login shows real work: submitted reviews and pending ones in the open call
    mine = ev.expert_assignments(User.objects.get(username="expert"))
    assert mine.filter(status="submitted").exists() and mine.filter(status="pending").exists()
    open_call = Round.objects.get(status=Round.Status.REVIEWING)
    assert open_call.purpose == "recognition" and open_call.submissions.count() > 0
    assert AnnualData.objects.filter(platform__isnull=False).exists() and AnnualData.objects.filter(institution__isnull=False).exists()

    first = _snapshot()
    demo_data.clear()
    demo_data.load(scale="small", seed=SEED, log=None)
    assert _snapshot() == first


def test_demo_runs_each_purpose_by_the_rules(demo):
    import datetime

    from django.db.models import Count, Q
    from django.utils import timezone

    from xinzhi.platforms.models import Milestone, PilotService

    closed = Round.objects.filter(status=Round.Status.CLOSED)
    # one complete round of each purpose, everything in it decided (or deferred) and read-only
    assert set(closed.values_list("purpose", flat=True)) == {"recognition", "annual", "acceptance", "operation"}
    assert not Submission.objects.filter(round__in=closed, status__in=["submitted", "reviewing"]).exists()
    assert all(r.closed_at is not None for r in closed)
    # innovation centres by their cycle: none has an annual evaluation in its operation year
    op = set(Submission.objects.filter(round__scheme_code="innovation_centre_operation").values_list("platform_id", flat=True))
    annual = set(Submission.objects.filter(round__scheme_code="innovation_centre_annual").values_list("platform_id", flat=True))
    assert op and annual and not op & annual
    # recognition needs the conditions and the score; the exception is on the record
    recognised = Submission.objects.filter(round__purpose="recognition", decision="recognise")
    assert recognised.exists()
    for sub in recognised:
        assert not sub.failed_conditions or sub.condition_exception, sub.title
    assert Submission.objects.filter(round__purpose="recognition", decision="reject").exists()
    # a recognition decided on 2026-04-28 is a 2026 recognition, dated that day
    for inst in RDInstitution.objects.filter(submissions__decision="recognise"):
        assert (inst.recognised_on, inst.recognised_year) == (datetime.date(2026, 4, 28), 2026)
    # every institution of the register carries a recognition date in its recognition year
    assert not RDInstitution.objects.filter(recognised_on=None).exists()
    assert all(on.year == y for on, y in RDInstitution.objects.values_list("recognised_on", "recognised_year"))
    # panels full (recused reviewers replaced) or a reduced panel approved
    decided = (Submission.objects.filter(status="determined")
               .annotate(active=Count("assignments", filter=~Q(assignments__status="recused"))))
    for sub in decided:
        assert sub.active >= sub.round.reviewers_per_submission or sub.reduced_panel_at, sub.title
    assert Assignment.objects.filter(method="refill", replaces__status="recused").exists()
    # no two platforms of a kind share a name
    names = Counter(Platform.objects.values_list("kind", "name"))
    assert max(names.values()) == 1
    # the pilot platforms' service records are what their evaluation counted
    pilots = Submission.objects.filter(round__scheme_code="pilot_platform_operation", status="determined")
    assert pilots.exists()
    for sub in pilots:
        n = PilotService.objects.filter(platform=sub.platform, service_date__year=2025).count()
        services = next(r for r in sub.indicator_results if r["code"] == "services")
        assert (services["value"] and int(float(services["value"]))) == (n or None), sub.title
    # milestones towards national titles, the graphene centre's acceptance among them
    assert Milestone.objects.filter(kind="national_acceptance", platform__name__contains="石墨烯").exists()
    assert Milestone.objects.filter(kind__in=["national_centre_bid", "national_branch_bid"]).count() >= 2
    # the demo enterprise login has an open call it can apply to
    login = User.objects.get(username="enterprise")
    calls = Round.objects.filter(purpose="recognition", status="open", deadline__gte=timezone.localdate())
    assert calls.exclude(submissions__enterprise_id=login.enterprise_id).exists()


def test_clear_removes_what_load_wrote():
    load_demo(scale="small", seed=SEED)
    create_demo_users()
    before = sorted(RDInstitution.objects.values_list("id", "name", "level", "status", "field", "cluster_id"))
    users = User.objects.count()
    demo_data.load(scale="small", seed=SEED, log=None)
    assert Platform.objects.exists() and User.objects.count() > users
    demo_data.clear()
    for model in (Platform, PlatformMember, AnnualData, StatusChange, Notice, Round, Submission, Assignment,
                  ExpertProfile, EnterpriseGroup, ConflictDeclaration):
        assert not model.objects.exists(), model
    assert sorted(RDInstitution.objects.values_list("id", "name", "level", "status", "field", "cluster_id")) == before
    assert User.objects.count() == users


@pytest.fixture
def users(demo):
    return {
        "province": User.objects.get(username="province"),
        "city": User.objects.get(username="hangzhou"),
        "county": User.objects.create(username="county_x", role=Role.COUNTY_STAFF,
                                      division_id=Platform.objects.order_by("id").first().division_id),
        "expert": User.objects.get(username="expert"),
        "enterprise": User.objects.get(username="enterprise"),
    }


def test_network_scoped(client, users):
    client.force_login(users["province"])
    r = client.get("/platforms/network/")
    assert r.status_code == 200 and "echarts.min.js" in r.content.decode()
    # the province view is aggregated by city and kind (issue 15 §9): every platform counted, each aggregate
    # expandable into its city's detailed graph
    overview = r.context["graph"]
    active = Platform.objects.exclude(status="revoked")
    assert overview["aggregated"] and overview["counts"]["platform"] == active.count()
    groups = [n for n in overview["nodes"] if n["kind"] == "group" and n["id"].split(":")[2] != "institution"]
    assert sum(n["count"] for n in groups) == active.count() and len(overview["nodes"]) < 150
    ids = {n["id"] for n in overview["nodes"]}
    assert all(link["source"] in ids and link["target"] in ids for link in overview["links"])
    city = next(n["expand"] for n in groups)
    detail = client.get(f"/platforms/network.json?region={city}").json()
    assert not detail["aggregated"] and {n["id"] for n in detail["nodes"] if n["id"].startswith("p:")} == {
        f"p:{pk}" for pk in active.filter(division__code__startswith=city[:4]).values_list("pk", flat=True)}
    full = client.get("/platforms/network/?view=all").context["graph"]
    assert full["counts"]["platform"] == active.count()
    ids = {n["id"] for n in full["nodes"]}
    assert all(link["source"] in ids and link["target"] in ids for link in full["links"])
    assert any(n["kind"] == "chain" for n in full["nodes"])
    county = users["county"]
    client.force_login(county)
    data = client.get("/platforms/network.json").json()
    assert data["nodes"] and all(n["division"].startswith(county.division_id) for n in data["nodes"])
    # a region outside the scope gives nothing more
    other = Platform.objects.exclude(division_id=county.division_id).first().division_id
    data = client.get(f"/platforms/network.json?region={other}").json()
    assert all(n["division"].startswith(county.division_id) for n in data["nodes"])
    # cluster filter
    client.force_login(users["province"])
    cl = Platform.objects.exclude(cluster=None).first().cluster_id
    data = client.get(f"/platforms/network.json?cluster={cl}&view=all").json()
    names = {n["name"] for n in data["nodes"] if n["id"].startswith("p:")}
    aggregated = client.get(f"/platforms/network.json?cluster={cl}").json()
    assert sum(n["count"] for n in aggregated["nodes"] if n["kind"] == "group" and not n["id"].endswith("institution")) \
        == Platform.objects.exclude(status="revoked").filter(cluster_id__in=cluster_codes(cl)).count()
    assert names and names <= set(Platform.objects.filter(cluster_id__in=cluster_codes(cl)).values_list("name", flat=True))
    for role in ("expert", "enterprise"):
        client.force_login(users[role])
        assert client.get("/platforms/network/").status_code == 403
        assert client.get("/platforms/network.json").status_code == 403
        assert client.get("/platforms/map-points.json?layer=platforms").status_code == 403


SQL = {
    "institutions": ("SELECT e.division_code, i.level, COUNT(*) FROM platforms_rdinstitution i "
                     "JOIN enterprises_enterprise e ON e.id = i.enterprise_id WHERE i.status <> 'revoked' "
                     "AND e.division_code LIKE %s GROUP BY e.division_code, i.level"),
    "platforms": ("SELECT division_code, kind, COUNT(*) FROM platforms_platform WHERE status <> 'revoked' "
                  "AND division_code LIKE %s GROUP BY division_code, kind"),
    "projects": ("SELECT division_code, stage, COUNT(*) FROM investment_investmentproject WHERE division_code LIKE %s "
                 "GROUP BY division_code, stage"),
}


def test_map_points_equal_sql_counts_and_scoped(client, users):
    for layer, who, prefix in ((layer, who, prefix) for layer in SQL for who, prefix in (
            ("province", "33"), ("city", "3301"), ("county", users["county"].division_id))):
        client.force_login(users[who])
        data = client.get(f"/platforms/map-points.json?layer={layer}").json()
        with connection.cursor() as cursor:
            cursor.execute(SQL[layer], [prefix + "%"])
            expected = Counter({(c, k): n for c, k, n in cursor.fetchall()})
        got = Counter({(p["code"], k): n for p in data["points"] for k, n in p["counts"].items() if n})
        got.update({(p["code"], k): n for p in data["unplaced"] for k, n in p["counts"].items() if n})
        assert got == expected, who
        assert data["total"] == sum(expected.values())
        assert all(p["code"].startswith(prefix) for p in data["points"])
        assert all(p["value"] == [p["lng"], p["lat"], p["total"]] for p in data["points"])
    assert client.get("/platforms/map-points.json?layer=nope").status_code == 400
