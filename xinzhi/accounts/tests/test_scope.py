"""The region/ownership scope: a county user cannot read another county's enterprise or facts."""


import pytest
from django.db.models import Sum
from django.utils import timezone

from xinzhi.accounts.models import Role, User
from xinzhi.core.scope import region_prefix, scope_key, scope_q
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.enterprises.models import Enterprise, MonthlyStat

pytestmark = pytest.mark.django_db


def file_stat(enterprise: Enterprise, revenue: int) -> MonthlyStat:
    return MonthlyStat.objects.create(
        enterprise=enterprise, division_id=enterprise.division_id, year=2025, month=3, output_value=revenue,
        value_added=revenue // 4, revenue=revenue, rd_expense=revenue // 30, new_product_output=revenue // 2,
        employees=100,
    )


@pytest.fixture
def world():
    xihu = make_enterprise("330106", 1, "西湖甲公司")  # 杭州市西湖区
    binjiang = make_enterprise("330108", 2, "滨江乙公司")  # 杭州市滨江区
    yinzhou = make_enterprise("330212", 3, "鄞州丙公司")  # 宁波市鄞州区
    for e, rev in ((xihu, 1_000_000), (binjiang, 2_000_000), (yinzhou, 4_000_000)):
        file_stat(e, rev)
    users = {
        "province": User.objects.create(username="p", role=Role.PROVINCE_STAFF, division_id="330000"),
        "city": User.objects.create(username="c", role=Role.CITY_STAFF, division_id="330100"),
        "county": User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106"),
        "leader": User.objects.create(username="l", role=Role.LEADER, division_id="330000"),
        "enterprise": User.objects.create(username="e", role=Role.ENTERPRISE, enterprise=binjiang),
        "expert": User.objects.create(username="z", role=Role.EXPERT),
    }
    return {"xihu": xihu, "binjiang": binjiang, "yinzhou": yinzhou, **users}


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def test_region_prefix_follows_gbt2260():
    assert region_prefix("330000") == "33"
    assert region_prefix("330100") == "3301"
    assert region_prefix("330106") == "330106"


def test_each_role_sees_its_enterprises(world):
    assert names(Enterprise.objects.restrict(world["province"])) == ["滨江乙公司", "西湖甲公司", "鄞州丙公司"]
    assert names(Enterprise.objects.restrict(world["city"])) == ["滨江乙公司", "西湖甲公司"]
    assert names(Enterprise.objects.restrict(world["county"])) == ["西湖甲公司"]
    assert names(Enterprise.objects.restrict(world["enterprise"])) == ["滨江乙公司"]
    assert names(Enterprise.objects.restrict(world["expert"])) == []


def test_county_user_cannot_fetch_another_countys_enterprise_by_id(world):
    visible = Enterprise.objects.restrict(world["county"])
    assert not visible.filter(pk=world["binjiang"].pk).exists()
    assert visible.filter(pk=world["xihu"].pk).exists()


def test_aggregates_through_restrict_exclude_out_of_scope_rows(world):
    total = lambda user: MonthlyStat.objects.restrict(user).aggregate(s=Sum("revenue"))["s"]  # noqa: E731
    assert total(world["province"]) == 7_000_000
    assert total(world["city"]) == 3_000_000
    assert total(world["county"]) == 1_000_000
    assert total(world["enterprise"]) == 2_000_000
    assert total(world["expert"]) is None


def test_leader_reads_but_cannot_change(world):
    assert Enterprise.objects.restrict(world["leader"]).count() == 3
    assert Enterprise.objects.restrict(world["leader"], "change").count() == 0
    assert Enterprise.objects.restrict(world["county"], "change").count() == 1


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert Enterprise.objects.restrict(AnonymousUser()).count() == 0
    world["province"].is_active = False
    assert Enterprise.objects.restrict(world["province"]).count() == 0


def test_user_binding_is_validated():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        User(username="bad", role=Role.CITY_STAFF, division_id="330106").full_clean()
    User(username="ok", role=Role.CITY_STAFF, division_id="330100").full_clean(exclude=["password"])


def test_scope_key_equal_exactly_when_the_scope_is(world):
    """Cached answers are keyed by scope_key: two users share a key only if restrict() gives them the same
    rows on every model (here: the register, the monthly filings, reference data and snapshots)."""
    from xinzhi.monitoring.models import IndicatorValue
    from xinzhi.regions.models import Division

    more = {
        "city_leader": User.objects.create(username="cl", role=Role.LEADER, division_id="330100"),
        "city2": User.objects.create(username="c2", role=Role.CITY_STAFF, division_id="330100"),
        "other_county": User.objects.create(username="x2", role=Role.COUNTY_STAFF, division_id="330108"),
        "superuser": User.objects.create(username="su", is_superuser=True),
    }
    users = {k: world[k] for k in ("province", "city", "county", "leader", "enterprise", "expert")} | more
    models = (Enterprise, MonthlyStat, Division, IndicatorValue)
    for a_name, a in users.items():
        for b_name, b in users.items():
            same_filter = all(str(scope_q(m, a)) == str(scope_q(m, b)) for m in models)
            assert (scope_key(a) == scope_key(b)) == same_filter, (a_name, b_name)
    assert scope_key(world["province"]) == scope_key(more["superuser"]) == "all"
    assert scope_key(world["city"]) == scope_key(more["city2"]) == scope_key(more["city_leader"])
    assert scope_key(world["county"]) != scope_key(more["other_county"])


def test_backend_loads_the_user_with_its_division_in_one_query(world, django_assert_num_queries):
    """The per-request user load (plain SQL) gives the same user as the ORM, with the division loaded."""
    from xinzhi.accounts.backends import ModelBackend

    backend = ModelBackend()
    User.objects.filter(pk=world["city"].pk).update(last_login=timezone.now())  # an aware datetime to convert
    for name in ("city", "county", "enterprise", "expert"):
        expected = User.objects.get(pk=world[name].pk)
        with django_assert_num_queries(1):
            user = backend.get_user(expected.pk)
            division = user.division  # already loaded: no second query
        assert user == expected and not user._state.adding
        for field in User._meta.concrete_fields:
            ours, orms = getattr(user, field.attname), getattr(expected, field.attname)
            assert ours == orms and type(ours) is type(orms), (name, field.name, ours, orms)
        assert division == expected.division
        if division is not None:
            assert (division.name, division.level) == (expected.division.name, expected.division.level)
    assert backend.get_user(10**9) is None
    assert backend.get_user("not-a-number") is None
    world["county"].is_active = False
    world["county"].save()
    assert backend.get_user(world["county"].pk) is None
