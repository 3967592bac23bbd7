"""``notify(users, kind, title, …)``: what other apps call to tell people something (dependencies point
down: any app above this one may call it; apps below it send a signal that a receiver here turns into a
notice, as ``receivers.py`` does for core's ``import_committed``).

Each recipient gets an inbox row unless they turned the kind off; those who chose e-mail for the kind and
have an address also get a mail through Django's mail settings (``EMAIL_HOST`` …), sent after the
transaction that caused the notice commits — a rolled-back change tells nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from xinzhi.core.scope import region_prefix

from .models import Announced, Kind, Notification, Preference

log = logging.getLogger("xinzhi.notifications")


def _ids(users) -> list[int]:
    out = []
    for u in users if isinstance(users, Iterable) and not isinstance(users, str | bytes) else [users]:
        if u is None:
            continue
        pk = getattr(u, "pk", u)
        if pk is not None and pk not in out:
            out.append(int(pk))
    return out


def notify(users, kind: str, title: str, body: str = "", url: str = "") -> int:
    """Notify one user or several (users or their ids); returns the number of inbox rows written."""
    from django.contrib.auth import get_user_model

    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = _ids(users)
    if not ids:
        return 0
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=ids, kind=kind)}
    inbox = [i for i in ids if prefs.get(i) is None or prefs[i].in_app]
    mail_to = [i for i in ids if prefs.get(i) is not None and prefs[i].email]
    Notification.objects.bulk_create([Notification(user_id=i, kind=kind, title=title[:200], body=body, url=url[:300],
                                                   emailed=i in mail_to) for i in inbox])
    if mail_to and getattr(settings, "XINZHI_NOTIFICATION_EMAIL", False):
        addresses = list(get_user_model().objects.filter(pk__in=mail_to, is_active=True).exclude(email="")
                         .values_list("email", flat=True))
        if addresses:
            link = f"\n\n{settings.XINZHI_SITE_URL.rstrip('/')}{url}" if url and settings.XINZHI_SITE_URL else ""
            messages = [(f"【新质】{title}", f"{body}{link}", None, [a]) for a in addresses]
            transaction.on_commit(lambda: _send(messages))
    return len(inbox)


def _send(messages) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # the notice is in the inbox; a mail server that is down must not fail the work
        log.exception("notification e-mail not sent (%s messages)", len(messages))


def inbox(user):
    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids: list[int] | None = None) -> int:
    """Mark the user's notices read (all unread ones without ``ids``); only their own rows are touched."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def preferences(user) -> list[dict]:
    stored = {p.kind: p for p in Preference.objects.filter(user=user)}
    return [{"kind": value, "label": label, "in_app": stored[value].in_app if value in stored else True,
             "email": stored[value].email if value in stored else False} for value, label in Kind.choices]


def save_preferences(user, chosen: dict[str, tuple[bool, bool]]) -> None:
    for kind, (in_app, email) in chosen.items():
        if kind in Kind.values:
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"in_app": in_app, "email": email})


# --------------------------------------------------------------------------- scheduled announcements

STAFF_ROLES = ("province_staff", "city_staff", "county_staff")


@dataclass(frozen=True)
class Alert:
    """One thing scheduled work found (a warning, a draft): ``key`` is stable across runs (the same warning
    gives the same key), ``division`` the region it belongs to (a county, city or the province code)."""

    key: str
    division: str
    title: str
    body: str = ""
    url: str = ""
    #: what a summary names it by (the title without its prefix), e.g. the project's name
    name: str = ""


def staff_by_prefix() -> dict[str, list[int]]:
    """Active staff by the code prefix of their region (``core.scope.region_prefix``): a county's staff
    under its code, a city's under its four digits, the province's under two — the same rule as
    ``restrict()``, so a user hears of exactly what their pages show."""
    from django.contrib.auth import get_user_model

    out: dict[str, list[int]] = {}
    rows = get_user_model().objects.filter(is_active=True, role__in=STAFF_ROLES, division_id__isnull=False)
    for pk, division in rows.values_list("pk", "division_id").order_by("pk"):
        out.setdefault(region_prefix(division), []).append(pk)
    return out


def _announced(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        found.update(Announced.objects.filter(key__in=keys[i:i + 500]).values_list("key", flat=True))
    return found


def announce(alerts: Iterable[Alert], kind: str, *, summary_title: str, summary_url: str = "",
             limit: int = 5) -> tuple[int, int]:
    """Tell the staff whose region contains each alert — once: an alert whose key was announced before is
    skipped (re-running the schedule notifies nobody twice; the keys are kept in ``Announced`` even when
    nobody was in scope, so a user added later is not flooded with old news). A user who would get more
    than ``limit`` notices in one run gets one instead, ``summary_title`` formatted with ``{n}``, naming
    the first ten. Each user's choice for ``kind`` is respected (``notify``). Returns (new alerts,
    inbox rows written)."""
    alerts = list({a.key: a for a in alerts}.values())
    seen = _announced([a.key for a in alerts])
    new = [a for a in alerts if a.key not in seen]
    if not new:
        return 0, 0
    staff = staff_by_prefix()
    per_user: dict[int, list[Alert]] = {}
    for alert in new:
        code = str(alert.division)
        for prefix in {code[:2], code[:4], code}:
            for pk in staff.get(prefix, ()):
                per_user.setdefault(pk, []).append(alert)
    rows = 0
    single: dict[str, list[int]] = {}
    for pk, found in per_user.items():
        if len(found) > limit:
            names = "；".join(a.name or a.title for a in found[:10])
            rows += notify(pk, kind, summary_title.format(n=len(found)),
                           f"{names}{'等' if len(found) > 10 else ''}。", summary_url)
        else:
            for alert in found:
                single.setdefault(alert.key, []).append(pk)
    by_key = {a.key: a for a in new}
    for key, users in single.items():
        a = by_key[key]
        rows += notify(users, kind, a.title, a.body, a.url)
    Announced.objects.bulk_create([Announced(key=a.key[:200]) for a in new], ignore_conflicts=True)
    return len(new), rows
