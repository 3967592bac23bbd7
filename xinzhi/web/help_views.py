"""The help pages (thin: the content is in ``web/help/*.md``, the rendering in ``helppages``)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.cultivation.services.packages import form_sections
from xinzhi.policy.package import field_table

from . import helppages


def _page(request, slug: str):
    page = helppages.render(slug)
    others = []
    if can(request.user, "help.all_roles"):
        others = [(s, helppages.render(s).role_label) for s in helppages.PAGES]
    return render(request, "web/help.html", {"page": page, "others": others,
                                             "field_guide": can(request.user, "cultivation.package.view")})


@capability_required("help.view")
def help_mine(request):
    """The help page of the signed-in user's role."""
    slug = helppages.SLUG_OF_ROLE.get(request.user.role)
    if slug is None:
        raise Http404("该角色暂无使用帮助")
    return _page(request, slug)


@capability_required("help.all_roles")
def help_role(request, role: str):
    """Province staff open another role's help page (to answer a question from a city or an enterprise)."""
    if role not in helppages.PAGES:
        raise Http404("没有这个角色的使用帮助")
    return _page(request, role)


@capability_required("cultivation.package.view")
def package_fields(request):
    """The annual package field guide: the form's sections and fields with unit, type and note; the form's
    sections link here (``#sec-<section>``)."""
    return render(request, "web/help_package.html", {
        "intro": helppages.render_markdown_file("package.md"),
        "sections": helppages.field_guide_sections(form_sections(), list(field_table())),
    })
