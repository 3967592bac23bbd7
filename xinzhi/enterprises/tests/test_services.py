"""monthly_increments (YTD → single month) and the register search."""

import polars as pl
import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.enterprises.services import monthly_increments, search_enterprises

pytestmark = pytest.mark.django_db


def test_monthly_increments_from_ytd():
    frame = pl.DataFrame({
        "enterprise_id": [1, 1, 1, 1, 2, 2, 1],
        "year": [2025, 2025, 2025, 2025, 2025, 2025, 2024],
        "month": [3, 1, 2, 5, 1, 2, 12],
        "revenue": [60, 10, 30, 100, 7, 9, 500],
    })
    out = monthly_increments(frame, ["revenue"])
    got = {(e, y, m): v for e, y, m, v in out.select("enterprise_id", "year", "month", "revenue").iter_rows()}
    assert got == {(1, 2024, 12): None, (1, 2025, 1): 10, (1, 2025, 2): 20, (1, 2025, 3): 30, (1, 2025, 5): None,
                   (2, 2025, 1): 7, (2, 2025, 2): 2}


def test_search_enterprises_respects_scope_and_filters():
    a = make_enterprise("330106", 1, "西湖智能科技", industry="3973")
    b = make_enterprise("330108", 2, "滨江网络", industry="6513")
    c = make_enterprise("330212", 3, "鄞州智能装备", industry="3491")
    province = User.objects.create(username="p", role=Role.PROVINCE_STAFF, division_id="330000")
    city = User.objects.create(username="c", role=Role.CITY_STAFF, division_id="330100")
    assert list(search_enterprises(province)) == [a, b, c]
    assert list(search_enterprises(city)) == [a, b]
    assert list(search_enterprises(province, q="智能")) == [a, c]
    assert list(search_enterprises(province, q=b.uscc[:10].lower())) == [b]
    assert list(search_enterprises(province, division="3302")) == [c]
    assert list(search_enterprises(province, division="330100")) == [a, b]
    assert list(search_enterprises(province, division="330108")) == [b]
    assert list(search_enterprises(province, industry="39")) == [a]
    assert list(search_enterprises(city, q="鄞州")) == []
    assert list(search_enterprises(None)) == []
