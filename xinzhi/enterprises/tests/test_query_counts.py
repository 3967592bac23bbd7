"""Pages and API lists take a fixed number of queries, however many rows they show."""

from pathlib import Path

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core import uscc
from xinzhi.core.testing import QueryCountBaseline
from xinzhi.cultivation.models import Certification
from xinzhi.enterprises.models import Enterprise, MonthlyStat

pytestmark = pytest.mark.django_db
BASELINE = QueryCountBaseline(Path(__file__).with_name("query_counts.json"))


def populate(n: int) -> list[Enterprise]:
    out = []
    for i in range(n):
        e = Enterprise.objects.create(uscc=uscc.make("91", "330106", f"QC{i:06d}"), name=f"企业{i}", division_id="330106",
                                      industry_id="3973")
        for m in (1, 2, 3):
            MonthlyStat.objects.create(enterprise=e, division_id="330106", year=2025, month=m, output_value=m, value_added=m,
                                       revenue=m, rd_expense=0, new_product_output=0, employees=1)
        Certification.objects.create(enterprise=e, program="hte", year=2024)
        out.append(e)
    return out


@pytest.mark.parametrize("rows", [3, 12])
def test_pages_have_a_fixed_query_count(client, rows):
    enterprises = populate(rows)
    user = User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106")
    client.force_login(user)
    BASELINE.check("page:home", lambda: client.get("/?overview"))
    BASELINE.check("page:enterprise_list", lambda: client.get("/enterprises/?program=hte"))
    BASELINE.check("page:enterprise_detail", lambda: client.get(f"/enterprises/{enterprises[0].pk}/"))
    BASELINE.check("api:enterprise_list", lambda: client.get("/api/v1/enterprises/"))
    BASELINE.check("api:enterprise_monthly_stats", lambda: client.get(f"/api/v1/enterprises/{enterprises[0].pk}/monthly-stats"))
