"""The project list as a shared list: database sorting by each column, the export in the same order and
scope (money in 万元, labels not codes), a GET that writes nothing."""

import datetime

import pytest

from xinzhi.core.testing import declared_order, read_list_export, writes_during
from xinzhi.investment.models import InvestmentProject

from .conftest import make_project

pytestmark = pytest.mark.django_db

KEYS = {
    "code": lambda p: p.code, "name": lambda p: p.name, "division": lambda p: p.division_id,
    "stage": lambda p: declared_order(InvestmentProject, "stage")(p.stage), "planned_total": lambda p: p.planned_total,
    "planned_start": lambda p: p.planned_start, "planned_completion": lambda p: p.planned_completion,
    "cluster": lambda p: p.cluster_id or "",
}


@pytest.fixture
def varied(db):
    def make(code, planned_total, **kw):
        project = make_project(code, **kw)
        project.planned_total = planned_total
        project.save()
        return project

    return [
        make("2501-330106-04-01-000011", 900_000_000, stage="construction",
                     planned_start=datetime.date(2025, 1, 1), planned_completion=datetime.date(2027, 1, 1)),
        make("2501-330106-04-01-000012", 120_000_000, division="330108",
                     planned_start=datetime.date(2025, 9, 1), planned_completion=datetime.date(2026, 1, 1)),
        make("2501-330106-04-01-000013", 450_000_000, division="330203", stage="completed",
                     planned_start=datetime.date(2024, 5, 1), planned_completion=datetime.date(2026, 6, 1)),
    ]


@pytest.mark.parametrize("key", KEYS)
def test_projects_sort_by_each_column(client, users, varied, key):
    client.force_login(users["province"])
    for sign in ("", "-"):
        response = client.get("/investment/", {"sort": sign + key})
        assert response.status_code == 200
        expected = sorted(varied, key=lambda p: (KEYS[key](p), -p.pk if sign else p.pk), reverse=bool(sign))
        assert [p.pk for p in response.context["page"]] == [p.pk for p in expected], (key, sign)


def test_hidden_export_columns_are_not_sort_keys(client, users, varied):
    client.force_login(users["province"])
    assert client.get("/investment/", {"sort": "person"}).status_code == 400


def test_export_in_the_pages_order_and_scope(client, users, varied):
    client.force_login(users["province"])
    header, rows = read_list_export(client.get("/investment/", {"sort": "-planned_total", "format": "xlsx"}))
    total = header.index("计划总投资（万元）")
    assert [r[total] for r in rows] == [90_000.0, 45_000.0, 12_000.0]
    assert rows[0][header.index("阶段")] == "在建"  # a label, not the code
    client.force_login(users["city"])
    _, rows = read_list_export(client.get("/investment/", {"format": "xlsx"}))
    assert [r[0] for r in rows] == ["2501-330106-04-01-000011", "2501-330106-04-01-000012"]
    assert writes_during(lambda: client.get("/investment/", {"format": "xlsx"})) == []
