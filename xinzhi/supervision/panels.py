"""What work coordination adds to the enterprise profile: its R&D reserve funds and post-subsidies (task 6)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinzhi.enterprises.panels import BELOW, ProfilePanel, register_panel

from .models import RDFundRecord


def funds(request, enterprise) -> dict | None:
    records = list(RDFundRecord.objects.restrict(request.user).filter(enterprise=enterprise).order_by("-year", "kind"))
    return {"records": records} if records else None


def register() -> None:
    register_panel(ProfilePanel("rd_funds", _("研发准备金与研发投入后补助"), "supervision/panels/funds.html", funds,
                                order=60, kind=BELOW))
