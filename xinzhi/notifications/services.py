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

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from .models import Kind, Notification, Preference

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
