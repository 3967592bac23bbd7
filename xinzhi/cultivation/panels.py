"""What cultivation adds to the enterprise profile: its certifications and the policies it may enjoy."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinzhi.enterprises.panels import ABOVE, FACT, ProfilePanel, register_panel

from .models import Certification
from .templatetags.cultivation import policy_answers


def certifications(request, enterprise) -> dict:
    qs = Certification.objects.restrict(request.user).filter(enterprise=enterprise).order_by("-year")
    return {"certifications": qs}


def policies(request, enterprise) -> dict:
    return policy_answers({"request": request}, enterprise)


def register() -> None:
    register_panel(ProfilePanel("certifications", _("资质"), "cultivation/panels/certifications.html",
                                certifications, order=20, kind=FACT))
    register_panel(ProfilePanel("policies", _("您可享受的政策"), "cultivation/_policies.html", policies,
                                order=10, kind=ABOVE))
