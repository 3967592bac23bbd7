"""``{% include "web/_pager.html" %}``: the one pager of every list page. ``{% page_query n %}`` is the
current query string with ``page=n`` — every filter the user chose is kept while paging (the lists used
to rebuild their links by hand, and some dropped the filters)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number: int) -> str:
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
