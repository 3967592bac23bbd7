"""What the programmes add to the enterprise profile: its problems, new-product projects, standards and the
major projects it undertakes — each read through ``restrict(request.user)``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinzhi.enterprises.panels import BELOW, ProfilePanel, register_panel

from . import services
from .models import NewProductProject, ProjectUnit, Standard


def programmes(request, enterprise) -> dict | None:
    user = request.user
    data = {
        "problems": list(services.visible_problems(user).filter(enterprise=enterprise).order_by("-posed_at")[:20]),
        "new_products": list(NewProductProject.objects.restrict(user).filter(enterprise=enterprise)
                             .order_by("-year", "name")[:20]),
        "standards": list(Standard.objects.restrict(user).filter(enterprise=enterprise).order_by("-published_on")[:20]),
        "units": list(ProjectUnit.objects.restrict(user).filter(enterprise=enterprise).select_related("project")
                      .order_by("-project__year")[:20]),
    }
    return data if any(data.values()) else None


def register() -> None:
    register_panel(ProfilePanel("programmes", _("企业出题与创新项目"), "programs/panels/programmes.html", programmes,
                                order=60, kind=BELOW))
