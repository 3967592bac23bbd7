"""Unicorn register, rounds, tier confirmation, discovery, monitoring, the annual report — with the scope
of each role."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import docx
import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.http import Http404

from xinzhi.accounts.models import Role, User
from xinzhi.unicorns import report, services
from xinzhi.unicorns.models import Company, TierChange

pytestmark = pytest.mark.django_db
D = datetime.date
RATE = Decimal("7.1000")


@pytest.fixture
def users(db):
    def make(username, role, division):
        return User.objects.create(username=username, role=role, division_id=division)

    return {"province": make("p", Role.PROVINCE_STAFF, "330000"), "city": make("c", Role.CITY_STAFF, "330100"),
            "county": make("x", Role.COUNTY_STAFF, "330106"), "ningbo": make("n", Role.COUNTY_STAFF, "330203"),
            "leader": make("l", Role.LEADER, "330000")}


@pytest.fixture
def firms(users):
    big = Company.objects.create(name="云深智能科技", division_id="330106", field="人工智能", founded_on=D(2018, 3, 1))
    services.add_round(users["county"], big.pk, D(2023, 5, 1), "C轮", "USD", 100_000_000, 800_000_000, RATE, "某资本")
    services.add_round(users["county"], big.pk, D(2025, 4, 1), "D轮", "USD", 200_000_000, 1_200_000_000, RATE)
    near = Company.objects.create(name="甬江新材料", division_id="330203", field="新材料", founded_on=D(2021, 1, 1))
    services.add_round(users["ningbo"], near.pk, D(2025, 2, 1), "B轮", "CNY", 300_000_000, 5_000_000_000, RATE)
    return {"big": big, "near": near}


def test_rounds_convert_currencies_and_discovery_proposes_the_tier(users, firms):
    out = {r["name"]: r for r in services.assessed(users["province"], D(2025, 12, 31)).to_dicts()}
    big = out["云深智能科技"]
    assert (big["tier"], big["confirmed_tier"], big["change"]) == ("unicorn", "none", True)
    assert (big["valuation_usd"], big["financing_usd"]) == (1_200_000_000, 300_000_000)
    near = out["甬江新材料"]  # 50 亿元 ÷ 7.1 = 704 M USD: quasi-unicorn, approaching the unicorn (≥ 80 %)? no: 70 %
    assert (near["tier"], near["valuation_usd"], near["approaching"]) == ("quasi_unicorn", 704_225_352, False)
    assert near["valuation_gap"] == 1_000_000_000 - 704_225_352
    # as of 2024 the big one was not yet valued at 1 bn
    early = {r["name"]: r for r in services.assessed(users["province"], D(2024, 12, 31)).to_dicts()}
    assert early["云深智能科技"]["tier"] == "quasi_unicorn" and early["云深智能科技"]["approaching"]


def test_round_validation_and_scope(users, firms):
    with pytest.raises(services.UnicornError, match="投后估值"):
        services.add_round(users["county"], firms["big"].pk, D(2025, 6, 1), "E轮", "USD", 10, 5, RATE)
    with pytest.raises(services.UnicornError, match="早于成立日期"):
        services.add_round(users["county"], firms["big"].pk, D(2010, 6, 1), "天使轮", "CNY", 10, None, RATE)
    with pytest.raises(Http404):
        services.add_round(users["county"], firms["near"].pk, D(2025, 6, 1), "C轮", "CNY", 10, None, RATE)
    with pytest.raises(PermissionDenied):
        services.add_round(users["leader"], firms["big"].pk, D(2025, 6, 1), "C轮", "CNY", 10, None, RATE)


def test_only_the_province_confirms_tiers_and_it_is_audited(users, firms):
    with pytest.raises(PermissionDenied):
        services.confirm_tier(users["city"], firms["big"].pk, "unicorn", D(2025, 12, 31), "估值达到10亿美元")
    change = services.confirm_tier(users["province"], firms["big"].pk, "unicorn", D(2025, 12, 31), "估值达到10亿美元")
    firms["big"].refresh_from_db()
    assert (firms["big"].tier, change.from_tier, change.confirmed_by) == ("unicorn", "none", users["province"])
    assert LogEntry.objects.get_for_object(firms["big"]).exists()
    with pytest.raises(services.UnicornError, match="相同"):
        services.confirm_tier(users["province"], firms["big"].pk, "unicorn", D(2025, 12, 31), "x")


def test_annual_report_counts_entrants_exits_and_renders_docx(users, firms):
    services.confirm_tier(users["province"], firms["near"].pk, "unicorn", D(2024, 6, 1), "2024年榜单")
    services.confirm_tier(users["province"], firms["big"].pk, "unicorn", D(2025, 12, 31), "估值达到10亿美元")
    services.confirm_tier(users["province"], firms["near"].pk, "quasi_unicorn", D(2025, 3, 1), "估值下降")
    f = report.figures(users["province"], 2025)
    assert (f["unicorns"], f["unicorns_before"]) == (1, 1)
    assert [r["name"] for r in f["entrants"]] == ["云深智能科技"]
    assert [(r["name"], r["reason"]) for r in f["exits"]] == [("甬江新材料", "估值下降")]
    assert f["financing"][2025]["rounds"] == 2 and f["financing"][2024]["rounds"] == 0
    # 200 M USD + 3 亿元 ÷ 7.1 = 242.25 M USD = 2.42 亿美元
    assert f["financing"][2025]["usd_yi"] == 2.42
    from xinzhi.reports import render_bytes

    data = render_bytes(report.document(f, users["province"]), "docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "2025年浙江省独角兽企业发展报告" in text and "独角兽企业1家" in text
    # a county's report holds only its own companies
    assert report.figures(users["county"], 2025)["exits"] == []


def test_pages_for_each_role(client, users, firms):
    client.force_login(users["county"])
    body = client.get("/unicorns/").content.decode()
    assert "云深智能科技" in body and "甬江新材料" not in body
    assert client.get(f"/unicorns/{firms['near'].pk}/").status_code == 404
    page = client.get(f"/unicorns/{firms['big'].pk}/").content.decode()
    assert 'id="round-form"' in page and 'id="tier-form"' not in page and "与已确认层级不同" in page
    assert "云深智能科技" in client.get("/unicorns/discovery/", {"as_of": "2025-12-31"}).content.decode()
    response = client.post("/unicorns/new/", {"name": "新企业", "division": "330106", "field": "机器人",
                                              "founded_on": "2024-01-01", "exited_on": "2025-01-01"})
    assert "填写了退出日期须同时选择退出原因" in response.content.decode()
    client.force_login(users["province"])
    client.post(f"/unicorns/{firms['big'].pk}/", {"action": "tier", "to_tier": "unicorn", "effective_on": "2025-12-31",
                                                  "reason": "估值达到10亿美元"})
    assert TierChange.objects.filter(company=firms["big"]).count() == 1
    assert "12个月内将超过年龄上限" not in client.get("/unicorns/monitoring/").content.decode()
    docx_response = client.get("/unicorns/report/", {"year": "2025", "format": "docx"})
    assert docx_response.status_code == 200 and docx_response.content[:2] == b"PK"
    assert "2025年独角兽企业发展报告" in client.get("/unicorns/report/", {"year": "2025"}).content.decode()
    api = client.get("/api/v1/unicorns/assessment", {"as_of": "2025-12-31"}).json()
    assert {r["name"] for r in api["items"]} == {"云深智能科技", "甬江新材料"}
    client.force_login(users["leader"])
    assert client.post(f"/unicorns/{firms['big'].pk}/", {"action": "watch", "on": "1"}).status_code == 403


@pytest.mark.parametrize("key", ["name", "division", "field", "founded_on", "tier"])
def test_register_sorts_by_each_column_and_exports_the_same_rows(client, users, firms, key):
    from xinzhi.core.testing import declared_order, read_list_export, writes_during

    client.force_login(users["province"])
    everyone = list(Company.objects.all())
    tier = declared_order(Company, "tier")  # a level sorts in its declared order, not by the code
    value = {"name": lambda c: c.name, "division": lambda c: c.division_id, "field": lambda c: c.field,
             "founded_on": lambda c: c.founded_on, "tier": lambda c: tier(c.tier)}[key]
    for sign in ("", "-"):
        response = client.get("/unicorns/", {"sort": sign + key})
        expected = sorted(everyone, key=lambda c: (value(c), -c.pk if sign else c.pk), reverse=bool(sign))
        assert [c.pk for c in response.context["page"]] == [c.pk for c in expected]
        header, rows = read_list_export(client.get("/unicorns/", {"sort": sign + key, "format": "xlsx"}))
        assert header[:2] == ["企业名称", "统一社会信用代码"] and [r[0] for r in rows] == [c.name for c in expected]
    assert writes_during(lambda: client.get("/unicorns/", {"format": "xlsx"})) == []
    client.force_login(users["county"])
    _, rows = read_list_export(client.get("/unicorns/", {"format": "xlsx"}))
    assert "甬江新材料" not in {r[0] for r in rows} and rows
