"""The one pager: paging keeps every filter of the list (some lists used to drop them)."""

from __future__ import annotations

from pathlib import Path

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

XINZHI = Path(__file__).resolve().parents[2]


def test_the_pager_keeps_the_filters_and_says_where_one_is():
    request = RequestFactory().get("/investment/projects/", {"q": "新材料", "stage": "database", "page": "2"})
    page = Paginator(list(range(100)), 20).get_page(2)
    html = render_to_string("web/_pager.html", {"page": page}, request=request)
    assert 'href="?q=%E6%96%B0%E6%9D%90%E6%96%99&amp;stage=database&amp;page=1" rel="prev"' in html
    assert 'href="?q=%E6%96%B0%E6%9D%90%E6%96%99&amp;stage=database&amp;page=3" rel="next"' in html
    assert "第 2 / 5 页" in html


def test_every_list_uses_the_one_pager():
    hand_made = [str(p.relative_to(XINZHI)) for p in XINZHI.glob("*/templates/**/*.html")
                 if "page.has_previous" in p.read_text(encoding="utf-8") and p.name != "_pager.html"]
    assert hand_made == []
