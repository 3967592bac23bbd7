"""What the R&D-institution register adds to the enterprise profile."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinzhi.enterprises.panels import FACT, ProfilePanel, register_panel

from .models import RDInstitution


def institutions(request, enterprise) -> dict:
    qs = RDInstitution.objects.restrict(request.user).filter(enterprise=enterprise).order_by("-recognised_year")
    return {"institutions": qs}


def register() -> None:
    register_panel(ProfilePanel("institutions", _("研发机构"), "platforms/panels/institutions.html", institutions,
                                order=30, kind=FACT))
