"""What the investment-project register adds to the enterprise profile."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinzhi.enterprises.panels import BELOW, ProfilePanel, register_panel

from .models import InvestmentProject


def projects(request, enterprise) -> dict | None:
    qs = list(InvestmentProject.objects.restrict(request.user).filter(enterprise=enterprise).order_by("code"))
    return {"projects": qs} if qs else None


def register() -> None:
    register_panel(ProfilePanel("projects", _("投资项目"), "investment/panels/projects.html", projects,
                                order=50, kind=BELOW))
