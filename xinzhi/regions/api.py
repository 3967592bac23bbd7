from __future__ import annotations

from ninja import Router, Schema

from .models import Division

router = Router(tags=["行政区划"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


@router.get("/", response=list[DivisionOut], summary="行政区划列表（省、市、县）")
def list_divisions(request, level: str | None = None, parent: str | None = None):
    qs = Division.objects.restrict(request.auth)
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent_id=parent)
    return [DivisionOut(code=d.code, name=d.name, level=d.level, parent_code=d.parent_id) for d in qs]
