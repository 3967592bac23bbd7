"""The workspace's demo data on the small demo: plans, dated stages, delays the warnings find, supervision,
pending proposals for the demo logins; ``clear`` removes it."""

from __future__ import annotations

import datetime

import polars as pl
import pytest

from xinzhi.demo.testing import small_demo
from xinzhi.investment import demo_data, selectors, warnings
from xinzhi.investment.models import (
    AnnualPlan,
    InvestmentProject,
    StageTransition,
    SupervisionProblem,
    SupervisionVisit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=7, months=[]) as users:
        yield users


def test_projects_have_plans_dates_and_history(demo):
    projects = InvestmentProject.objects.all()
    assert projects.filter(planned_start=None).count() == 0
    assert projects.filter(stage__in=["construction", "completed"], actual_start=None).count() == 0
    assert projects.filter(stage="completed", actual_completion=None).count() == 0
    assert projects.filter(cluster__isnull=False).exists() and projects.filter(is_major=True).exists()
    assert AnnualPlan.objects.filter(year=2025).count() > 100
    # every completed project has its approved 入库, 开工 and 竣工 transitions
    done = projects.filter(stage="completed").first()
    assert list(StageTransition.objects.filter(project=done, status="approved").order_by("effective_date")
                .values_list("to_stage", flat=True)) == ["registered", "construction", "completed"]
    assert StageTransition.objects.filter(status__in=["proposed", "reviewed"]).exists()
    assert SupervisionVisit.objects.exists() and SupervisionProblem.objects.filter(resolved_on=None).exists()


def test_the_demo_has_each_kind_of_delay(demo):
    as_of = datetime.date(2025, 12, 31)
    out = warnings.evaluate(selectors.project_frame(demo["province"], as_of), as_of, warnings.load_rules())
    for rule in ("start_level", "schedule_level", "completion_level", "problem_level"):
        assert out[rule].max() > 0, rule
    share = (out["level"] > 0).mean()
    assert 0.1 < share < 0.6  # realistic: most projects are on track


def test_the_demo_has_projects_that_stopped_reporting(demo):
    """A few projects under construction have no progress for the last 2–4 months: the warning fires for them
    at the demo's last month, and not a month before their gap began."""
    as_of = datetime.date(2025, 12, 31)
    out = warnings.evaluate(selectors.project_frame(demo["province"], as_of), as_of, warnings.load_rules())
    silent = out.filter(pl.col("progress_level") > 0)
    assert 1 <= silent.height <= 10
    assert set(silent["months_silent"].to_list()) <= {2, 3, 4}
    assert all(any(r.startswith("连续未报送进度：已") for r in reasons) for reasons in silent["reasons"].to_list())
    earlier = datetime.date(2025, 8, 31)
    before = warnings.evaluate(selectors.project_frame(demo["province"], earlier), earlier, warnings.load_rules())
    assert before.filter(pl.col("id").is_in(silent["id"].implode()) & (pl.col("progress_level") > 0)).height == 0


def test_province_login_sees_the_pending_proposals(client, demo):
    client.force_login(demo["province"])
    page = client.get("/investment/transitions/").content.decode()
    pending = StageTransition.objects.filter(status__in=["proposed", "reviewed"]).select_related("project")
    assert pending and all(t.project.name in page for t in pending[:20])
    done = InvestmentProject.objects.filter(stage="completed").first()
    page = client.get(f"/investment/{done.pk}/").content.decode()
    assert "入库 → 在建" in page or "入库 &rarr; 在建" in page
    page = client.get("/investment/warnings/", {"as_of": "2025-12-31"}).content.decode()
    assert "落后" in page and "杭州市" in page


def test_clear_removes_it(demo):
    demo_data.clear()
    assert not SupervisionVisit.objects.exists() and not AnnualPlan.objects.exists()
    assert InvestmentProject.objects.exclude(planned_start=None).count() == 0
