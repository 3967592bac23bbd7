"""JSON API of the 品字标 certificate register (seed task 13; programmes.md §3.3) — mounted at ``/api/v1/programs``
beside the programmes' router. Read only, through the same scope as the page (``restrict``); whether a
certificate is in force on a date is the one rule of :func:`.brand.in_force_q`.

No ``from __future__ import annotations`` here: the paginated view's date parameter must be a real type for
django-ninja to build its query model."""

import datetime

from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from xinzhi.accounts.permissions import require
from xinzhi.core.pagination import Pagination

from .brand import in_force_q
from .models import BrandCertificate

router = Router(tags=["企业出题与创新项目"])


class BrandCertificateOut(Schema):
    id: int
    enterprise_id: int
    division_id: str
    product: str
    number: str
    standard_number: str = Field(description="依据的浙江制造标准号")
    certifier: str
    issued_on: datetime.date
    valid_until: datetime.date
    end_kind: str = Field(description="证书终止：revoked 撤销 / cancelled 注销 / suspended 暂停；空为未终止")
    ended_on: datetime.date | None
    in_force: bool = Field(description="截至 on（默认今天）证书是否有效")


@router.get("/brand-certificates", response=list[BrandCertificateOut], summary="品字标认证证书")
@paginate(Pagination)
def list_brand_certificates(request, on: datetime.date | None = None, in_force: bool | None = None):
    """The certificates the caller sees, each with whether it is in force on ``on`` (default today;
    ``in_force=true/false`` filters on it)."""
    require(request.auth, "programs.view")
    on = on or timezone.localdate()
    qs = BrandCertificate.objects.restrict(request.auth).annotate(
        in_force=Case(When(in_force_q(on), then=Value(True)), default=Value(False), output_field=BooleanField()))
    if in_force is not None:
        qs = qs.filter(in_force=in_force)
    return qs.order_by("id")
