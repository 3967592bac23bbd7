"""The unicorn demo on the small demo: a plausible register with tiers, rounds, history and alerts."""

from __future__ import annotations

import datetime

import pytest

from xinzhi.demo.testing import small_demo
from xinzhi.unicorns import demo_data, report, services
from xinzhi.unicorns.models import Company, FinancingRound, TierChange

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=11, months=[]) as users:
        yield users


def test_register_tiers_and_history(demo):
    assert Company.objects.count() == 71 and FinancingRound.objects.count() > 100
    tiers = set(Company.objects.values_list("tier", flat=True))
    assert {"unicorn", "quasi_unicorn", "seed", "none"} <= tiers
    # the confirmed tier is the last confirmed change
    company = Company.objects.filter(tier="unicorn").first()
    assert TierChange.objects.filter(company=company).order_by("effective_on", "id").last().to_tier == "unicorn"
    assessed = services.assessed(demo["province"], datetime.date(2025, 12, 31))
    assert assessed["alerts"].list.len().sum() > 0


def test_pages_and_report_on_the_demo(client, demo):
    client.force_login(demo["hangzhou"])
    outside = Company.objects.exclude(division__code__startswith="3301").order_by("name").first()
    assert f"/unicorns/{outside.pk}/" not in client.get("/unicorns/", {"q": outside.name}).content.decode()
    assert client.get(f"/unicorns/{outside.pk}/").status_code == 404  # a city sees its own companies only
    client.force_login(demo["province"])
    for url in ("/unicorns/discovery/?as_of=2025-12-31", "/unicorns/monitoring/?as_of=2025-12-31",
                "/unicorns/report/?year=2025"):
        assert client.get(url).status_code == 200, url
    f = report.figures(demo["province"], 2025)
    assert f["unicorns"] > 0 and f["financing"][2025]["rounds"] > 0


def test_clear_removes_it(demo):
    demo_data.clear()
    assert not Company.objects.exists() and not FinancingRound.objects.exists()
