"""What the programmes add to the enterprise profile: its problems, new-product projects, standards, 品字标
certificates (with their state today, :func:`.brand.state_on`) and the major projects it undertakes — each read
through ``restrict(request.user)``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinzhi.enterprises.panels import BELOW, ProfilePanel, register_panel

from . import brand, services
from .models import BrandCertificate, NewProductProject, ProjectUnit, Standard


def programmes(request, enterprise) -> dict | None:
    user = request.user
    data = {
        "problems": list(services.visible_problems(user).filter(enterprise=enterprise).order_by("-posed_at")[:20]),
        "new_products": list(NewProductProject.objects.restrict(user).filter(enterprise=enterprise)
                             .order_by("-year", "name")[:20]),
        "standards": list(Standard.objects.restrict(user).filter(enterprise=enterprise).order_by("-published_on")[:20]),
        "certificates": list(BrandCertificate.objects.restrict(user).filter(enterprise=enterprise)
                             .annotate(state=brand.state_on(timezone.localdate())).order_by("-issued_on", "number")[:20]),
        "units": list(ProjectUnit.objects.restrict(user).filter(enterprise=enterprise).select_related("project")
                      .order_by("-project__year")[:20]),
    }
    for certificate in data["certificates"]:
        certificate.state_label = _(brand.STATE_LABELS[certificate.state])
    return data if any(data.values()) else None


def register() -> None:
    register_panel(ProfilePanel("programmes", _("企业出题与创新项目"), "programs/panels/programmes.html", programmes,
                                order=60, kind=BELOW))
