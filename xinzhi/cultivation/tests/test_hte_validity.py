"""Monitoring, screening and sampling agree on who holds a valid HTE certificate on a date.

Before, there were three definitions: monitoring counted certificate *years* (valid 2023–2025 for 2025),
screening and sampling counted a certificate valid at *any time* in the year. A certificate issued on
2022-11-28 ended on 2025-11-27: monitoring said "not valid in 2025", screening "holds in 2025".
Now all three read ``xinzhi.policy.validity`` (valid on 31 December for a year; validity from the dated
parameter ``hte.validity_years``).
"""

from datetime import date

import pytest

from xinzhi.core import uscc
from xinzhi.cultivation.models import Certification
from xinzhi.cultivation.services import sampling, screening
from xinzhi.enterprises.models import Enterprise, EnterpriseYear
from xinzhi.monitoring.engine import compute_period
from xinzhi.monitoring.sources import load_facts

pytestmark = pytest.mark.django_db

CERTS = {  # enterprise index → (certificate year, issue date, stored end)
    0: (2022, date(2022, 11, 28), date(2025, 11, 27)),  # expired on 2025-11-27: not valid on 31 Dec
    1: (2023, date(2023, 12, 8), date(2026, 12, 7)),  # valid
    2: (2023, date(2023, 12, 8), date(2025, 3, 31)),  # cancelled early: not valid
    3: (2025, date(2025, 11, 28), date(2028, 11, 27)),  # new in 2025: valid
    4: (2021, date(2021, 12, 1), date(2024, 11, 30)),  # long expired
}


@pytest.fixture
def firms(db):
    ents = []
    for i in range(6):
        body = f"MA{i:06d}ZZ"
        ents.append(Enterprise.objects.create(uscc=uscc.make("91", "330106", body), name=f"测试企业{i}有限公司",
                                              division_id="330106", industry_id="3911", registered_on=date(2015, 1, 1)))
        EnterpriseYear.objects.create(enterprise=ents[-1], year=2025, above_scale=True)
    for i, (year, issued, ends) in CERTS.items():
        Certification.objects.create(enterprise=ents[i], program="hte", year=year, issued_on=issued, expires_on=ends)
    return ents


def test_three_consumers_share_one_definition(firms):
    expected = {firms[1].pk, firms[3].pk}
    held = screening.holdings_frame(2025)
    assert set(held.filter(held["program"] == "hte")["enterprise_id"].to_list()) == expected
    pop = sampling.population(2025, "330106", programs=("hte",))
    assert set(pop["enterprise_id"].to_list()) == expected
    assert set(screening.hte_holders(date(2025, 12, 31))["enterprise_id"].to_list()) == expected
    # monitoring: HTE share of the above-scale enterprises as of 2025-12 = 2 of 6
    out = compute_period(load_facts(2025, 12), 2025, 12)
    share = out.filter((out["indicator"] == "hte_share") & (out["region"] == "330106"))["value"].item()
    assert share == pytest.approx(2 / 6 * 100)
    # as of June the 2022 certificate is still valid, the 2025 one not yet issued; the cancelled one ended in March
    june = compute_period(load_facts(2025, 6), 2025, 6)
    share = june.filter((june["indicator"] == "hte_share") & (june["region"] == "330106"))["value"].item()
    assert share == pytest.approx(2 / 6 * 100)  # firms 0 and 1
    assert set(screening.hte_holders(date(2025, 6, 30))["enterprise_id"].to_list()) == {firms[0].pk, firms[1].pk}
