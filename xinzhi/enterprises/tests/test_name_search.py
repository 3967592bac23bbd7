"""The register's name search: the same answers as a substring search, served by a trigram index on
PostgreSQL (issue 15: an uncached name search was database-bound at 34 req/s)."""

from __future__ import annotations

import pytest
from django.db import connection

from xinzhi.accounts.models import User
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.enterprises.models import Enterprise
from xinzhi.enterprises.services import search_enterprises

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(db):
    names = ["杭州佳创汽车零部件有限公司", "宁波ABC智能科技有限公司", "温州100%精密机械厂", "绍兴精_密铸造有限公司",
             "湖州顺博金属制品有限公司"]
    counties = ["330106", "330203", "330302", "330602", "330502"]
    for serial, (name, county) in enumerate(zip(names, counties, strict=True), start=1):
        make_enterprise(county, serial, name)
    return User.objects.create(username="p", role="province_staff", division_id="330000")


def _names(user, q):
    return sorted(e.name for e in search_enterprises(user, q))


def test_fragment_matches_like_a_substring_search(register):
    assert _names(register, "顺博金属") == ["湖州顺博金属制品有限公司"]
    assert _names(register, "佳创") == ["杭州佳创汽车零部件有限公司"]  # two characters: no trigram, still found
    assert _names(register, "有限公司") == sorted(["杭州佳创汽车零部件有限公司", "宁波ABC智能科技有限公司",
                                               "绍兴精_密铸造有限公司", "湖州顺博金属制品有限公司"])


def test_latin_letters_ignore_case(register):
    assert _names(register, "abc智能") == ["宁波ABC智能科技有限公司"]
    assert _names(register, "bC") == ["宁波ABC智能科技有限公司"]  # two characters: the bigram path on PostgreSQL


def test_two_characters_match_like_a_substring_search(register):
    assert _names(register, "0%") == ["温州100%精密机械厂"] and _names(register, "精_") == ["绍兴精_密铸造有限公司"]
    assert _names(register, "密铸") == ["绍兴精_密铸造有限公司"] and _names(register, "佳金") == []
    assert _names(register, "公司") == sorted(["杭州佳创汽车零部件有限公司", "宁波ABC智能科技有限公司",
                                             "绍兴精_密铸造有限公司", "湖州顺博金属制品有限公司"])


def test_wildcards_in_the_query_are_literal(register):
    assert _names(register, "100%") == ["温州100%精密机械厂"]
    assert _names(register, "精_密") == ["绍兴精_密铸造有限公司"]  # not 精密 of the Wenzhou firm
    assert _names(register, "%") == ["温州100%精密机械厂"]


def test_a_credit_code_prefix_finds_the_enterprise(register):
    uscc = Enterprise.objects.get(name__startswith="湖州").uscc
    assert _names(register, uscc[:12].lower()) == ["湖州顺博金属制品有限公司"]


def test_the_search_is_one_an_index_can_serve(register):
    """PostgreSQL: the trigram index is there and the planner can use it. SQLite: a plain LIKE (no UPPER())."""
    sql, params = search_enterprises(register, "顺博金属").order_by().values("id").query.sql_with_params()
    assert "UPPER" not in sql
    if connection.vendor != "postgresql":
        assert "LIKE" in sql
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'enterprises_enterprise_name_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "enterprises_enterprise_name_trgm" in plan, plan


def test_a_two_character_search_is_served_by_the_bigram_index(register):
    """PostgreSQL: a fragment of two characters has no trigram; the bigram index of migration 0005 serves it."""
    sql, params = search_enterprises(register, "顺博").order_by().values("id").query.sql_with_params()
    if connection.vendor != "postgresql":
        assert "xinzhi_bigrams" not in sql
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "enterprises_enterprise_name_bigram" in plan, plan
