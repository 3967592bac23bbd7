"""The 品字标 certificate register (品字标认证证书, seed task 13; programmes.md §3.3): the shared list with its
state as of a date, filters and export, and the form (capability ``programs.standard.edit``, as for standards).
Reads go through ``restrict``; the write is :func:`.services.record_certificate`."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.core.params import date_param
from xinzhi.reports.listing import Listing

from . import brand, lists, services
from .models import BrandCertificate, CertificateEnd
from .views import _date, record_for_enterprise


def _record(request) -> bool:
    post = request.POST
    return record_for_enterprise(request, "programs.standard.edit", _("无权登记品字标认证证书"), lambda user, enterprise: (
        services.record_certificate(user, enterprise, {
            "product": post.get("product"), "number": post.get("number"), "standard_number": post.get("standard_number"),
            "certifier": post.get("certifier"), "issued_on": _date(post.get("issued_on")),
            "valid_until": _date(post.get("valid_until")), "end": post.get("end"), "ended_on": _date(post.get("ended_on"))})),
        _("品字标认证证书已登记")) is not None


@capability_required("programs.view")
def certificate_list(request):
    user = request.user
    if request.method == "POST" and _record(request):
        return redirect("programs:brand_certificates")
    on = date_param(request.GET, "on", timezone.localdate())
    qs = BrandCertificate.objects.restrict(user).select_related("enterprise", "division").annotate(state=brand.state_on(on)).annotate(
        state_rank=brand.state_rank())
    state = (request.GET.get("state") or "").strip()
    if state in brand.STATE_LABELS:
        qs = qs.filter(state=state)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__contains=q) | Q(product__contains=q) | Q(number__contains=q))
    listing = Listing(request, lists.certificate_columns(on), qs, default=("-issued_on", "number"), title="品字标认证证书",
                      empty="暂无品字标认证证书")
    if listing.wants_export:
        return listing.export()
    return render(request, "programs/brand_certificates.html", {
        "table": listing.table(), "page": listing.page, "on": on, "states": list(brand.STATE_LABELS.items()),
        "applied_state": state, "q": q, "ends": CertificateEnd.choices, "may_edit": bool(can(user, "programs.standard.edit"))})
