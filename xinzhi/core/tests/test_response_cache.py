"""Data versions kept by triggers, and the API answers cached by them."""

from __future__ import annotations

import datetime

import polars as pl
import pytest
from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from xinzhi.accounts.models import Role, User
from xinzhi.api import api
from xinzhi.core.bulk import insert_frame
from xinzhi.core.response_cache import CACHE_ALIAS
from xinzhi.core.testing import CaptureQueriesContext
from xinzhi.core.versioning import VERSION_TABLE, data_versions
from xinzhi.enterprises.models import Enterprise

from .helpers import code, make_enterprise

pytestmark = pytest.mark.django_db
TABLE = Enterprise._meta.db_table
LIST = "/api/v1/enterprises/"


def version() -> str:
    return data_versions([TABLE])


def test_every_write_path_raises_the_version():
    seen = [version()]

    def changed() -> None:
        seen.append(version())
        assert seen[-1] != seen[-2], seen

    enterprise = make_enterprise("330106", 1)  # ORM insert
    changed()
    Enterprise.objects.filter(pk=enterprise.pk).update(name="改名企业")  # QuerySet.update: no signals
    changed()
    insert_frame(TABLE, pl.DataFrame({  # the bulk path (COPY on PostgreSQL)
        "uscc": [code("330106", 2)], "name": ["批量企业"], "division_code": ["330106"], "industry_code": ["3973"],
        "ownership": [""], "is_listed": [False], "updated_at": [datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)]}))
    changed()
    with connection.cursor() as cursor:  # raw SQL, as the demo loader deletes
        cursor.execute(f'DELETE FROM "{TABLE}" WHERE name = %s', ["批量企业"])
    changed()
    enterprise.delete()
    changed()
    before = version()
    Enterprise.objects.filter(pk=-1).exists()  # reads change nothing
    assert version() == before


def test_versions_of_untouched_tables_stay():
    other = apps.get_model("platforms", "Platform")._meta.db_table
    before = data_versions([other])
    make_enterprise("330106", 3)
    assert data_versions([other]) == before
    assert data_versions([TABLE, other]).endswith("." + before)


@pytest.fixture
def users():
    """Staff of the province and of 西湖区, and an enterprise user (no passwords: tests log in directly)."""
    own = make_enterprise("330106", 1, name="西湖企业甲")
    make_enterprise("330106", 2, name="西湖企业乙")
    make_enterprise("330212", 3, name="宁波企业丙")  # 鄞州区, outside 杭州市
    return {
        "province": User.objects.create(username="province", role=Role.PROVINCE_STAFF, division_id="330000"),
        "xihu": User.objects.create(username="xihu", role=Role.COUNTY_STAFF, division_id="330106"),
        "enterprise": User.objects.create(username="enterprise", role=Role.ENTERPRISE, enterprise=own),
    }


def test_a_cached_answer_is_the_same_bytes_and_costs_fewer_queries(client, users):
    client.force_login(users["province"])
    with override_settings(XINZHI_RESPONSE_CACHE=False):
        fresh = client.get(LIST)
    with CaptureQueriesContext(connection) as miss:
        first = client.get(LIST)
    with CaptureQueriesContext(connection) as hit:
        second = client.get(LIST)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == fresh.content
    assert first["Content-Type"] == second["Content-Type"] == fresh["Content-Type"]
    assert [e["name"] for e in second.json()["items"]] == ["西湖企业甲", "西湖企业乙", "宁波企业丙"]
    assert len(hit) < len(miss)
    assert not any('"enterprises_enterprise"' in q["sql"] for q in hit.captured_queries)


def test_a_write_is_seen_by_the_next_request(client, users):
    client.force_login(users["province"])
    assert client.get(LIST).json()["count"] == 3
    Enterprise.objects.filter(name="西湖企业甲").update(name="西湖企业甲（更名）")
    make_enterprise("330106", 4, name="西湖企业丁")
    answer = client.get(LIST).json()
    assert answer["count"] == 4
    assert "西湖企业甲（更名）" in [e["name"] for e in answer["items"]]


@pytest.mark.parametrize("order", [["xihu", "province"], ["province", "xihu"]])
def test_scopes_never_share_an_answer(client, users, order):
    names = {}
    for username in order:
        client.force_login(users[username])
        names[username] = sorted(e["name"] for e in client.get(LIST).json()["items"])
    assert names["xihu"] == ["西湖企业乙", "西湖企业甲"]
    assert names["province"] == ["宁波企业丙", "西湖企业乙", "西湖企业甲"]
    client.force_login(users["enterprise"])
    own = client.get(LIST).json()["items"]
    assert [e["id"] for e in own] == [users["enterprise"].enterprise_id]


def test_token_and_session_users_of_one_scope_get_the_same_answer(client, users):
    from xinzhi.accounts.services import issue_token

    client.force_login(users["xihu"])
    by_session = client.get(LIST).content
    token = issue_token(users["xihu"], "测试")
    client.logout()
    assert client.get(LIST, HTTP_AUTHORIZATION=f"Bearer {token}").content == by_session
    assert client.get(LIST).status_code == 401  # the cache never answers before authentication


def test_errors_are_not_kept(client, users):
    client.force_login(users["province"])
    assert client.get(LIST + "?page=0").status_code == 422
    assert client.get("/api/v1/monitoring/values?period=2025-13").status_code == 400  # malformed: the reason
    assert not caches[CACHE_ALIAS]._cache  # LocMemCache's store: nothing was kept
    assert client.get("/api/v1/monitoring/values?period=2025-06").status_code == 404  # nobody filed
    assert not [k for k in caches[CACHE_ALIAS]._cache if "snapshots_periods" not in k]  # (the months are)


def _cached_operations():
    """(URL, declared tables) of every API operation behind ``cached_response``."""
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                tables = getattr(operation.view_func, "response_cache_tables", None)
                if tables is not None:
                    url = "/api/v1/" + "/".join(part.strip("/") for part in (prefix, path) if part.strip("/"))
                    yield url + ("/" if path.endswith("/") else ""), tables


#: every filter given (they may join other tables); a month named where no snapshot exists yet
QUERY = {"/api/v1/enterprises/": "?q=企业&division=330100&industry=39",
         "/api/v1/monitoring/values": "?period=2025-06&indicator=rd_intensity&region=330100&region_level=city",
         "/api/v1/monitoring/warnings": "?period=2025-06",
         "/api/v1/platforms/institutions": "?level=provincial&status=active&cluster=x",
         "/api/v1/platforms/platforms": "?kind=x&cluster=x",
         "/api/v1/investment/projects": "?q=项目&stage=construction&division=330100&cluster=x&major=true"}


#: cached lists an enterprise login may not read at all
NOT_FOR_ENTERPRISES = {"/api/v1/investment/projects"}


def _filed_and_computed(year: int, month: int) -> None:
    from xinzhi.enterprises.models import EnterpriseYear, MonthlyStat
    from xinzhi.monitoring import services

    for enterprise in Enterprise.objects.all():
        EnterpriseYear.objects.create(enterprise=enterprise, year=year, above_scale=True)
        MonthlyStat.objects.create(enterprise=enterprise, division_id=enterprise.division_id, year=year, month=month,
                                   output_value=10**8, value_added=3 * 10**7, revenue=10**8, rd_expense=3 * 10**6,
                                   new_product_output=10**7, employees=100)
    services.refresh(year, month)


def _tables_read_after_version_lookup(queries: list[dict]) -> set[str]:
    """Model tables named in the SQL run after the data-version lookup (authentication runs before it)."""
    lookup = next(i for i, q in enumerate(queries) if VERSION_TABLE in q["sql"])
    sql = " ".join(q["sql"] for q in queries[lookup + 1:])
    return {m._meta.db_table for m in apps.get_models() if f'"{m._meta.db_table}"' in sql}


@pytest.mark.parametrize("role", ["province", "xihu", "enterprise"])  # each scope filters differently
def test_each_cached_endpoint_declares_every_table_it_reads_and_they_are_tracked(client, users, role):
    _filed_and_computed(2025, 6)  # the monitoring answers only months with filings (issue 12 item 2)
    client.force_login(users[role])
    operations = dict(_cached_operations())
    assert set(operations) >= {"/api/v1/enterprises/", *QUERY, "/api/v1/platforms/institutions",
                               "/api/v1/platforms/platforms"}
    for url, tables in operations.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + QUERY.get(url, ""))
        if role == "enterprise" and url in NOT_FOR_ENTERPRISES:
            assert response.status_code == 403, url  # refused before the cache is asked
            continue
        assert response.status_code == 200, url
        read = _tables_read_after_version_lookup(queries.captured_queries)
        assert read <= set(tables), (role, url, read, tables)
        assert read or role != "province", url  # the province reads every list (an enterprise: not all)
        # and each declared table has its triggers (one statement-level on PostgreSQL, three row-level on SQLite)
        assert _trigger_count(tables) == len(tables) * (1 if connection.vendor == "postgresql" else 3)


def _trigger_count(tables: list[str]) -> int:
    placeholders = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                           f"WHERE NOT t.tgisinternal AND c.relname IN ({placeholders})", tables)
        else:
            cursor.execute(f"SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",
                           tables)
        return cursor.fetchone()[0]


def test_pages_of_one_question_count_once_until_a_write(client, users):
    client.force_login(users["province"])

    def counts(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(url).json()
        assert answer["count"] == Enterprise.objects.filter(name__contains=url.rsplit("q=", 1)[-1]
                                                            if "q=" in url else "").count()
        return sum("COUNT(" in q["sql"] for q in queries.captured_queries)

    assert counts(LIST + "?page_size=1") == 1
    assert counts(LIST + "?page_size=1&page=2") == 0  # the next page: the count is kept
    assert counts(LIST + "?page_size=1&page=3&_=x") == 0  # an unknown parameter does not change the question
    assert counts(LIST + "?page_size=1&q=西湖") == 1  # another question counts
    make_enterprise("330106", 5, name="西湖企业戊")
    assert counts(LIST + "?page_size=1&page=2") == 1  # a write: counted again
