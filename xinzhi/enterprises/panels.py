"""The enterprise profile (企业画像) is assembled from panels that other apps register, as NetBox plugins
extend object pages: the register knows nothing of certifications, institutions or projects, and a new
app adds what it knows about an enterprise without touching this app.

An app registers its panels in its ``AppConfig.ready()``::

    from xinzhi.enterprises.panels import ProfilePanel, register_panel
    register_panel(ProfilePanel("certifications", "资质", order=10, kind=FACT,
                                template="cultivation/panels/certifications.html", context=certifications))

``context(request, enterprise)`` returns the template's context, or ``None`` to leave the panel out (e.g.
nothing to show, or not for this user). It reads through ``restrict(request.user)`` like everything else.
A ``FACT`` panel is one row of the profile's facts list (label + value); ``ABOVE`` and ``BELOW`` panels are
blocks above and below the monthly statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

#: where a panel goes: a row of the facts list, a block above the monthly statistics, or one below them
FACT, ABOVE, BELOW = "fact", "above", "below"


@dataclass(frozen=True)
class ProfilePanel:
    key: str
    label: str
    template: str
    context: Callable[..., dict | None]
    order: int = 100
    kind: str = ABOVE


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    label: str
    kind: str
    html: SafeString


_PANELS: dict[str, ProfilePanel] = {}


def register_panel(panel: ProfilePanel) -> None:
    """Add (or replace, by key) a panel of the enterprise profile."""
    _PANELS[panel.key] = panel


def registered_panels() -> list[ProfilePanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def render_panels(request, enterprise) -> list[RenderedPanel]:
    """The panels that have something to show for this enterprise and user, rendered, in order."""
    out = []
    for panel in registered_panels():
        context = panel.context(request, enterprise)
        if context is None:
            continue
        html = render_to_string(panel.template, {"enterprise": enterprise, **context}, request=request)
        out.append(RenderedPanel(panel.key, str(panel.label), panel.kind, SafeString(html)))
    return out
