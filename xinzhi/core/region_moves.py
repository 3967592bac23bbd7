"""Moving a stored record to another county (迁移所属地区): a province action, audited with both regions named.

Every write checks scope on the **stored** record: a county or city may change only records that are
in its region now, whatever county a file, form or API call writes. Changing which county a record
belongs to takes it out of one region and into another, so neither region decides it: only province
staff (bound to the province) and superusers may — and the shell operator, who runs commands without
``--user`` and has no region scope. Each move gets its own audit entry, ``changes = {"division":
[old, new]}`` with ``additional_data["region_move"]`` naming both regions.

Used by the import framework (``xinzhi.core.imports.checks.record_region_issues``) and by forms and
APIs (``move_to_region``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from .audit import log_bulk_changes
from .bulk import read_frame
from .scope import CHANGE, region_prefix

MOVE_ROLES = ("province_staff",)


def may_move_between_regions(user) -> bool:
    """Whether ``user`` may move a record from one county to another (``None``: the shell operator)."""
    if user is None or getattr(user, "is_superuser", False):
        return True
    division = getattr(user, "division_id", None)
    return getattr(user, "role", None) in MOVE_ROLES and bool(division) and len(region_prefix(division)) == 2


def region_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    """County code → full name with its city (``330203`` → ``宁波市海曙区``); cities and the province by name."""
    frame = read_frame(
        "SELECT d.code, d.name, d.level, p.name AS parent_name FROM regions_division d "
        "LEFT JOIN regions_division p ON p.code = d.parent_id")
    wanted = None if codes is None else {str(c) for c in codes}
    out = {}
    for code, name, level, parent in frame.iter_rows():
        if wanted is None or code in wanted:
            out[code] = f"{parent}{name}" if level == "county" and parent else name
    return out


def move_refusal(stored_code: str, new_code: str, names: dict[str, str] | None = None, noun: str = "记录") -> str:
    """The Chinese reason given to a user who may not move a record from ``stored_code`` to ``new_code``."""
    names = names if names is not None else region_names([stored_code, new_code])
    return (f"不能迁移所属地区：该{noun}现属“{names.get(stored_code, stored_code)}”，改为“{names.get(new_code, new_code)}”"
            "须由省级工作人员办理（跨地区迁移为省级操作）")


def move_to_region(instance: models.Model, division_code: str, user, *, field: str = "division",
                   note: str = "") -> bool:
    """Move ``instance`` to the county ``division_code``; returns False when it is there already.

    Checks, on the record as stored (not on ``instance``'s attributes): the user may change it
    (``restrict(user, "change")``) and may move records between regions; the target is a county.
    Raises ``PermissionDenied`` / ``ValidationError`` with a Chinese message otherwise.
    """
    model = type(instance)
    attname = model._meta.get_field(field).attname
    stored_qs = model._default_manager.filter(pk=instance.pk)
    stored = stored_qs.values_list(attname, flat=True).first()
    if stored is None:
        raise ValidationError("记录不存在")
    division_code = str(division_code)
    if user is not None and not model._default_manager.restrict(user, CHANGE).filter(pk=instance.pk).exists():
        raise PermissionDenied("该记录不在您的管辖范围内，无权修改")
    if stored == division_code:
        return False
    names = region_names([stored, division_code])
    if not may_move_between_regions(user):
        raise PermissionDenied(move_refusal(stored, division_code, names))
    level = read_frame("SELECT level FROM regions_division WHERE code = %s", [division_code])
    if level.height == 0:
        raise ValidationError({field: f"区划代码“{division_code}”不存在"})
    if level.item(0, 0) != "county":
        raise ValidationError({field: f"区划代码“{division_code}”（{names.get(division_code, '')}）不是县（市、区）级区划"})
    with transaction.atomic():
        stored_qs.update(**{attname: division_code})
        log_region_moves(model, [(instance.pk, str(instance), stored, division_code)], actor=user,
                         additional_data={"note": note} if note else None, field=field, names=names)
        # in the same transaction: what depends on the record's county (the monitoring) is marked stale
        from .signals import records_moved

        column = model._meta.get_field(field).column
        records_moved.send(sender=model, table=model._meta.db_table, columns=frozenset({column}))
    setattr(instance, attname, division_code)
    return True


def log_region_moves(model: type[models.Model], moves: Iterable[tuple[object, str, str, str]], actor=None,
                     additional_data: dict | None = None, field: str = "division",
                     names: dict[str, str] | None = None) -> int:
    """One audit entry per moved record: ``(pk, repr, old county, new county)``."""
    moves = list(moves)
    if not moves:
        return 0
    names = names if names is not None else region_names({c for m in moves for c in m[2:4]})
    return log_bulk_changes(model, [
        (pk, text, {field: [old, new]},
         {"region_move": {"from": old, "from_name": names.get(old, old), "to": new, "to_name": names.get(new, new)}})
        for pk, text, old, new in moves
    ], actor=actor, additional_data=additional_data)


class RegionMoveAdminMixin:
    """For ``ModelAdmin`` classes of records with a county (enterprises, investment projects): a change of
    the county in the admin is a move — checked (a county; a user who may move records between regions)
    and audited with both regions by :func:`move_to_region`, like every other write path."""

    region_field = "division"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field_name, user = self.region_field, request.user

        class RegionMoveForm(form):
            def clean(self):
                cleaned = super().clean()
                new = cleaned.get(field_name)
                if self.instance.pk and new is not None and field_name in self.changed_data:
                    new_code = getattr(new, "pk", new)
                    if getattr(new, "level", "county") != "county":
                        self.add_error(field_name, f"“{new}”不是县（市、区）级区划")
                    elif not may_move_between_regions(user):
                        stored = type(self.instance)._default_manager.filter(pk=self.instance.pk).values_list(
                            type(self.instance)._meta.get_field(field_name).attname, flat=True).first()
                        self.add_error(field_name, move_refusal(stored, new_code))
                return cleaned

        return RegionMoveForm

    def save_model(self, request, obj, form, change):
        if change and self.region_field in form.changed_data:
            attname = type(obj)._meta.get_field(self.region_field).attname
            with transaction.atomic():
                move_to_region(obj, getattr(obj, attname), request.user, field=self.region_field, note="系统管理")
                super().save_model(request, obj, form, change)
        else:
            super().save_model(request, obj, form, change)
