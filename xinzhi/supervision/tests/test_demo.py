"""The demo extension: the 2025 ledger with progress and overdue items, a year of activities, a dozen cases."""

from __future__ import annotations

import datetime as dt

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.supervision import coverage, demo_data, services
from xinzhi.supervision.models import (
    Activity,
    NoticeStatus,
    ProgressReport,
    RDFundRecord,
    SupervisionNotice,
    Task,
    TypicalCase,
)

pytestmark = pytest.mark.django_db


def test_demo_load_is_deterministic_realistic_and_cleared(client):
    for i, county in enumerate(("330106", "330108", "330203", "330302")):
        make_enterprise(county, i + 1)
    counts = demo_data.load("small", 7)
    assert counts["tasks"] == 16 + 3 * 11 and Task.objects.count() == 49
    assert counts["typical_cases"] == 12 and TypicalCase.objects.filter(status="published").count() == 8
    province = User.objects.create(username="p1", role=Role.PROVINCE_STAFF, division_id="330000")
    rows = services.light_rows(Task.objects.all(), dt.date(2025, 10, 10))
    colours = services.colour_counts(rows)
    assert colours["red"] + colours["yellow"] == 7 and colours["green"] == 42  # four lagging, three stalled
    now = services.colour_counts(services.light_rows(Task.objects.all(), dt.date(2026, 2, 1)))
    assert now["done"] == 42 and now["red"] == 7  # four lagging and three stalled tasks are overdue
    assert ProgressReport.objects.filter(reported_at__day__gt=5).count() == 0
    assert SupervisionNotice.objects.filter(status=NoticeStatus.CLOSED).count() == 1
    cov, _ = services.activity_coverage(province, 2025, dt.date(2026, 1, 10))
    assert len(coverage.gaps(cov)) == 3 and Activity.objects.count() == counts["activities"]
    assert RDFundRecord.objects.exists()
    client.force_login(province)
    for task in Task.objects.filter(division_id="330000").order_by("id")[:4]:  # reports without a reporter
        assert client.get(f"/supervision/tasks/{task.pk}/").status_code == 200
    first = list(Activity.objects.order_by("held_on", "title").values_list("title", flat=True)[:5])
    demo_data.load("small", 7)
    assert list(Activity.objects.order_by("held_on", "title").values_list("title", flat=True)[:5]) == first
    demo_data.clear()
    assert not Task.objects.exists() and not Activity.objects.exists() and not RDFundRecord.objects.exists()
