"""What cultivation adds to the register: the profile's certifications and policies, and the 资质 filter."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinzhi.enterprises.filters import RegisterFilter, register_filter
from xinzhi.enterprises.panels import ABOVE, FACT, ProfilePanel, register_panel

from .models import Certification, Program
from .templatetags.cultivation import policy_answers


def certifications(request, enterprise) -> dict:
    qs = Certification.objects.restrict(request.user).filter(enterprise=enterprise).order_by("-year")
    return {"certifications": qs}


def policies(request, enterprise) -> dict:
    return policy_answers({"request": request}, enterprise)


def certificate_holders(qs, program: str):
    return qs.filter(certifications__program=program).distinct()


def register() -> None:
    register_filter(RegisterFilter("program", lambda: list(Program.choices), certificate_holders))
    register_panel(ProfilePanel("certifications", _("资质"), "cultivation/panels/certifications.html",
                                certifications, order=20, kind=FACT))
    register_panel(ProfilePanel("policies", _("您可享受的政策"), "cultivation/_policies.html", policies,
                                order=10, kind=ABOVE))
