"""Reads never compute, and the months pages show are months with filings (issue 12 items 2 and 3).

Before: ``GET /monitoring/reports/?kind=briefing&format=xlsx&period=2087-03`` by the read-only leader
stored a month of snapshots, after which every cockpit showed "数据截至 2087年1—3月" with nothing in it
and the API served 2087-03 by default. Now such a read answers with the Chinese reason (400 for a month
out of bounds, 404 for a month nobody filed for or not yet computed) and writes nothing; the default
month is the latest month with filings, whatever snapshots exist.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from xinzhi.accounts.models import User
from xinzhi.accounts.services import issue_token
from xinzhi.core.periods import Period, PeriodError, bounds_error, parse_bounded, year_error
from xinzhi.demo.testing import small_demo
from xinzhi.monitoring import selectors, services
from xinzhi.monitoring.models import IndicatorValue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=3, months=[(2025, 6)]):
        yield


def _snapshot_count() -> int:
    return IndicatorValue.objects.count()


def test_period_bounds_in_plain_terms():
    import datetime

    today = datetime.date(2026, 12, 5)
    assert bounds_error(Period(2027, 1), today) == "期别晚于当前月份：所选为2027-01，当前为2026-12"
    assert "期别早于有参考数据的最早月份" in bounds_error(Period(2021, 3), today)
    assert bounds_error(Period(2021, 4), today) is None and bounds_error(Period(2026, 12), today) is None
    with pytest.raises(PeriodError, match="期别晚于当前月份"):
        parse_bounded("2087-03", today)
    assert year_error(2027, today) and year_error(2027, today, ahead=1) is None and year_error(2020, today)


def test_the_leaders_report_of_a_future_month_is_refused_and_stores_nothing(client, demo):
    """The reproduction: the read-only leader asks for 2087-03 as xlsx."""
    client.force_login(User.objects.get(username="leader"))
    before = _snapshot_count()
    response = client.get("/monitoring/reports/?kind=briefing&format=xlsx&period=2087-03")
    assert response.status_code == 400
    assert "期别晚于当前月份" in response.content.decode()
    assert _snapshot_count() == before
    assert not IndicatorValue.objects.filter(year=2087).exists()


@pytest.mark.parametrize("path", ["/monitoring/reports/?kind=operation&format=docx&period=2023-01",
                                  "/monitoring/?period=2023-01", "/monitoring/indicators/rd_intensity/?period=2023-01",
                                  "/monitoring/indicators/rd_intensity/enterprises/?period=2023-01"])
def test_a_month_without_filings_is_a_clear_404(client, demo, path):
    client.force_login(User.objects.get(username="province"))
    before = _snapshot_count()
    response = client.get(path)
    assert response.status_code == 404
    assert "2023年1月尚无企业填报数据" in response.content.decode()
    assert _snapshot_count() == before


def test_a_filed_month_not_yet_computed_says_so(client, demo):
    client.force_login(User.objects.get(username="province"))
    response = client.get("/monitoring/reports/?kind=briefing&format=xlsx&period=2025-05")
    assert response.status_code == 404 and "监测结果待更新" in response.content.decode()
    assert not IndicatorValue.objects.filter(year=2025, month=5).exists()


def test_map_data_and_api_answer_the_reason(client, demo):
    leader = User.objects.get(username="leader")
    client.force_login(leader)
    response = client.get("/monitoring/map/data/?indicator=rd_intensity&period=2087-03")
    assert response.status_code == 400 and "期别晚于当前月份" in response.json()["detail"]
    token = issue_token(leader, "t")
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/monitoring/values?period=2087-03", headers=headers)
    assert response.status_code == 400 and "期别晚于当前月份" in response.json()["detail"]
    response = client.get("/api/v1/monitoring/warnings?period=2023-01", headers=headers)
    assert response.status_code == 404 and "尚无企业填报数据" in response.json()["detail"]


def test_snapshots_of_a_month_nobody_filed_for_never_become_the_latest(client, demo):
    """Junk snapshots (of a month without filings, as the old GET stored them) are not the default."""
    services.refresh(2026, 2)  # nobody filed for February 2026 (the demo's filings are 2024–2025)
    assert IndicatorValue.objects.filter(year=2026, month=2).exists()
    assert selectors.latest_snapshot_period() == (2025, 6)
    assert (2026, 2) not in selectors.available_periods()
    leader = User.objects.get(username="leader")
    client.force_login(leader)
    body = client.get("/monitoring/").content.decode()
    assert "2026年1—2月" not in body and "2025年1—6月" in body
    token = issue_token(leader, "t")
    rows = client.get("/api/v1/monitoring/values", headers={"Authorization": f"Bearer {token}"}).json()
    assert {row["period"] for row in rows["items"]} == {"2025-06"}
    assert client.get("/monitoring/?period=2026-02").status_code == 404


def test_the_commands_compute_only_when_asked_and_only_filed_months(demo, tmp_path):
    out = io.StringIO()
    with pytest.raises(CommandError, match="尚无监测结果；如已导入数据，请加 --recompute"):
        call_command("monitor", "--period", "2025-05", stdout=out, stderr=out)
    with pytest.raises(CommandError, match="尚无企业填报数据，不计算"):
        call_command("monitor", "--period", "2023-01", "--recompute", stdout=out, stderr=out)
    with pytest.raises(CommandError, match="期别晚于当前月份"):
        call_command("monitor", "--period", "2087-03", "--recompute", stdout=out, stderr=out)
    with pytest.raises(CommandError, match="尚无企业填报数据"):
        call_command("report", period="2023-01", output=str(tmp_path / "r.docx"), stdout=out)
    assert not IndicatorValue.objects.filter(year=2023, month=1).exists()
    call_command("monitor", "--period", "2025-06", "--recompute", "--format", "json", stdout=out, stderr=out)
    assert IndicatorValue.objects.filter(year=2025, month=6).exists()


@pytest.mark.parametrize(("year", "status", "reason"), [("2087", 400, "年份晚于当前年份"), ("2019", 400, "年份早于"),
                                                        ("abc", 400, "格式错误"), ("2025", 200, "")])
def test_target_years_are_bounded(client, demo, year, status, reason):
    client.force_login(User.objects.get(username="province"))
    response = client.get(f"/monitoring/targets/?year={year}")
    assert response.status_code == status and reason in response.content.decode()
