"""Whether a 品字标 certificate is in force on a date — the one rule (programmes.md §3.3, certification with
surveillance and renewal), for the list, the summary, the enterprise panel and the API.

A certificate is in force on ``d`` when it was issued on or before ``d``, is valid through ``d``
(``issued_on ≤ d ≤ valid_until``) and had not ended (撤销 / 注销 / 暂停) on or before ``d``. An end dated after
``d`` does not count yet: the counts are as of a date. Pure: conditions on the certificate's own fields,
no model is read here.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, IntegerField, Q, Value, When

#: the state of a certificate on a date (a row of the list, the panel); an ended certificate's state is the way it
#: ended (the codes of ``models.CertificateEnd``)
IN_FORCE, NOT_YET, EXPIRED = "in_force", "not_yet", "expired"
ENDS = {"revoked": "已撤销", "cancelled": "已注销", "suspended": "已暂停"}
STATE_LABELS = {IN_FORCE: "有效", NOT_YET: "尚未发证", **ENDS, EXPIRED: "已过期"}


def in_force_q(on: dt.date, prefix: str = "") -> Q:
    """The certificates in force on ``on`` (``prefix``: the path to the certificate, e.g. ``"brand_certificates__"``)."""
    return Q(**{f"{prefix}issued_on__lte": on, f"{prefix}valid_until__gte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on}))


def state_on(on: dt.date) -> Case:
    """A certificate's state on ``on`` as an SQL expression (annotate it): in force by :func:`in_force_q`,
    else not yet issued, ended on or before ``on`` (撤销 / 注销 / 暂停: its way of ending) or expired."""
    return Case(
        When(in_force_q(on), then=Value(IN_FORCE)),
        When(issued_on__gt=on, then=Value(NOT_YET)),
        *[When(ended_on__lte=on, end_kind=kind, then=Value(kind)) for kind in ENDS],
        default=Value(EXPIRED), output_field=CharField())


def state_rank(field: str = "state") -> Case:
    """The place of an annotated state (:func:`state_on`) in :data:`STATE_LABELS`' order — 有效, 尚未发证, the
    ends, 已过期 — for sorting the list by state (the codes' alphabet would put 已注销 first)."""
    return Case(*[When(**{field: code}, then=Value(i)) for i, code in enumerate(STATE_LABELS)],
                default=Value(len(STATE_LABELS)), output_field=IntegerField())
