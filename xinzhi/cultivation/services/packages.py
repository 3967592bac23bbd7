"""The annual report-once package (最多报一次): prefill, validate, version, read back.

Validation is :func:`xinzhi.policy.package.parse_package` (field-by-field Chinese errors; field docs in
docs/report-once-package.md). Each save is a new version; earlier versions stay, and every save is
audited (django-auditlog on ``AnnualPackage``).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any

from django.db import transaction
from django.db.models import Max

from xinzhi.enterprises.models import Enterprise, MonthlyStat
from xinzhi.policy.package import (
    SCHEMA,
    PackageValidationError,
    field_table,
    parse_package,
)
from xinzhi.policy.package import (
    AnnualPackage as PackageData,
)

from ..models import AnnualPackage, Certification, PackageSource, PackageStatus


def _prune(value: Any) -> Any:
    """Drop empty strings / None / empty dicts so optional fields stay missing (not invalid)."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", {}, [])}
    if isinstance(value, list):
        return [_prune(v) for v in value if v not in (None, "", {})]
    return value


def validate(data: dict[str, Any]) -> tuple[PackageData | None, list[dict[str, str]]]:
    """(parsed package, []) or (None, errors as ``{field, label, reason}``)."""
    try:
        return parse_package(data), []
    except PackageValidationError as exc:
        return None, exc.as_list()


def december_stat(enterprise: Enterprise, year: int) -> MonthlyStat | None:
    """The year's last filing (normally December's 1–N月累计 = the annual figure)."""
    return MonthlyStat.objects.filter(enterprise=enterprise, year=year).order_by("-month").first()


#: registers above cultivation that add facts to a new package: ``fn(enterprise, year) -> {"holdings": {…}}``
#: (programs: the standards an enterprise led or took part in). Registered in the apps' ``ready()``.
PREFILL_CONTRIBUTORS: list = []


def register_prefill(contributor) -> None:
    if contributor not in PREFILL_CONTRIBUTORS:
        PREFILL_CONTRIBUTORS.append(contributor)


def prefill(enterprise: Enterprise, year: int) -> dict[str, Any]:
    """A package for ``year`` from what the platform holds: the current package if there is one;
    otherwise the register (USCC, name, industry, registration date), the December statistics of the
    year and the two before (revenue → sales, R&D → personnel line as a starting point, employees),
    the HTE certificate, and what registered contributors add (the standards register)."""
    current = AnnualPackage.objects.filter(enterprise=enterprise, year=year, is_current=True).first()
    if current is not None:
        return dict(current.data)
    data: dict[str, Any] = {
        "schema": SCHEMA, "uscc": enterprise.uscc, "name": enterprise.name, "year": year,
        "industry_code": enterprise.industry_id,
        "registration_date": enterprise.registered_on.isoformat() if enterprise.registered_on else "",
    }
    stat = december_stat(enterprise, year)
    if stat is not None:
        data["revenue"] = {"sales_revenue": str(stat.revenue), "total_revenue": str(stat.revenue)}
        data["rd_expense"] = {"personnel": str(stat.rd_expense)}
        data["staff"] = {"total": stat.employees}
    prior = []
    for back in (2, 1):
        s = december_stat(enterprise, year - back)
        if s is not None:
            prior.append({"year": year - back, "sales_revenue": str(s.revenue), "rd_expense": str(s.rd_expense)})
    if prior:
        data["prior_years"] = prior
    hte = (Certification.objects.filter(enterprise=enterprise, program="hte", issued_on__year__lte=year)
           .order_by("-issued_on").first())
    if hte is not None and hte.issued_on:
        data["holdings"] = {"hte_certificate_issue_date": hte.issued_on.isoformat()}
    for contributor in PREFILL_CONTRIBUTORS:
        for key, value in contributor(enterprise, year).get("holdings", {}).items():
            data.setdefault("holdings", {})[key] = value
    return data


@transaction.atomic
def save_package(enterprise: Enterprise, year: int, data: dict[str, Any], user=None,
                 source: str = PackageSource.FORM, import_batch_id: int | None = None) -> AnnualPackage:
    """Store ``data`` as the new current version of ``enterprise``'s package for ``year``.

    The package's ``year``/``uscc``/``name`` are set from the enterprise (a package cannot be filed
    under another enterprise). Invalid packages are stored too (status ``invalid`` with the errors),
    so a half-filled form is not lost; screening reads only valid current packages.
    """
    data = _prune(dict(data))
    data.update({"schema": SCHEMA, "year": year, "uscc": enterprise.uscc, "name": enterprise.name})
    _, errors = validate(data)
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()  # serialise versions per enterprise
    last = (AnnualPackage.objects.filter(enterprise=enterprise, year=year).aggregate(v=Max("version"))["v"] or 0)
    for old in AnnualPackage.objects.filter(enterprise=enterprise, year=year, is_current=True):
        old.is_current = False
        old.save(update_fields=["is_current"])
    return AnnualPackage.objects.create(
        enterprise=enterprise, division_id=enterprise.division_id, year=year, version=last + 1, is_current=True,
        data=json.loads(json.dumps(data, default=str)), status=PackageStatus.INVALID if errors else PackageStatus.VALID,
        errors=errors, source=source, submitted_by=user if getattr(user, "pk", None) else None,
        import_batch_id=import_batch_id,
    )


# --------------------------------------------------------------------------- the sectioned form


@dataclasses.dataclass(frozen=True)
class FormField:
    path: str
    label: str
    kind: str  # money | count | bool | date | text | choice | years
    unit: str
    doc: str
    choices: dict[str, str] | None = None


#: boolean package fields whose default is true (``Compliance.registered_in_mainland``)
TRUE_BY_DEFAULT = {"compliance.registered_in_mainland"}
#: optional boolean package fields where "not said" (null) differs from "no": a 是/否/— select in the form
TRISTATE = {"tax.claims_rd_super_deduction", "tax.claims_vat_additional_deduction", "tax.claims_hte_rate"}
TRISTATE_CHOICES = {"true": "是", "false": "否"}
SKIPPED = ("schema", "year", "uscc", "name", "prior_years", "conversions", "incidents", "tax.losses")
#: the fields of an earlier year in the form's table (``prior1.*`` = year − 1, ``prior2.*`` = year − 2)
PRIOR_FIELDS = ("sales_revenue", "net_assets", "rd_expense", "rd_domestic")


def form_sections() -> list[tuple[str, str, list[FormField]]]:
    """(key, Chinese title, fields) per top-level section, from the package's own field metadata."""
    from xinzhi.policy import package as pkg

    kinds = {"金额": "money", "整数": "count", "布尔": "bool", "日期": "date", "字符串": "text", "数组<整数>": "years"}
    sections: dict[str, tuple[str, list[FormField]]] = {"basic": ("基本信息", [])}
    meta = _field_meta(pkg.AnnualPackage)
    for path, label, kind, unit, notes in field_table():
        base = kind.replace("（选填）", "")
        if path in SKIPPED or any(path.startswith(s + ".") or path.startswith(s + "[") for s in SKIPPED):
            continue
        if base == "对象":
            sections.setdefault(path, (label, []))
            continue
        top = path.split(".")[0] if "." in path else "basic"
        choices = TRISTATE_CHOICES if path in TRISTATE else meta.get(path)
        sections.setdefault(top, (top, []))[1].append(
            FormField(path, label, "choice" if choices else kinds.get(base, "text"), unit, notes, choices))
    return [(k, title, fields) for k, (title, fields) in sections.items() if fields]


def _field_meta(cls: type, prefix: str = "") -> dict[str, dict[str, str]]:
    out = {}
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        path = f"{prefix}.{f.name}" if prefix else f.name
        if f.metadata.get("choices"):
            out[path] = dict(f.metadata["choices"])
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            out.update(_field_meta(tp, path))
    return out


def get_path(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def data_from_form(post: Any, year: int) -> dict[str, Any]:
    """Form fields (named by package path) → package dict; values stay text for the parser to judge."""
    data: dict[str, Any] = {}
    for _key, _title, fields in form_sections():
        for f in fields:
            raw = (post.get(f.path) or "").strip()
            if f.path in TRISTATE:
                if raw in TRISTATE_CHOICES:
                    set_path(data, f.path, raw == "true")
            elif f.kind == "bool":
                set_path(data, f.path, post.get(f.path) == "on")
            elif f.kind == "years":
                if raw:
                    years = [y.strip() for y in raw.replace("，", ",").split(",") if y.strip()]
                    set_path(data, f.path, [int(y) if y.isdigit() else y for y in years])
            elif raw:
                set_path(data, f.path, int(raw) if f.kind == "count" and raw.isdigit() else raw)
    prior = []
    for back in (2, 1):
        row = {k: (post.get(f"prior{back}.{k}") or "").strip() for k in PRIOR_FIELDS}
        if any(row.values()):
            prior.append({"year": year - back, **{k: v for k, v in row.items() if v}})
    if prior:
        data["prior_years"] = prior
    conversions = [(post.get(f"conversions.{i}") or "").strip() for i in range(3)]
    if any(conversions):
        data["conversions"] = [int(c) if c.isdigit() else c for c in conversions if c]
    return data


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """Package dict → ``{path: display value}`` for the form."""
    out: dict[str, Any] = {}
    for _key, _title, fields in form_sections():
        for f in fields:
            value = get_path(data, f.path)
            if f.path in TRISTATE:
                value = None if value is None else ("true" if value else "false")
            elif f.kind == "bool" and value is None:
                value = f.path in TRUE_BY_DEFAULT
            if f.kind == "years" and isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            out[f.path] = value
    for item in data.get("prior_years") or []:
        back = data.get("year", 0) - item.get("year", 0)
        for k in PRIOR_FIELDS:
            out[f"prior{back}.{k}"] = item.get(k)
    for i, c in enumerate(data.get("conversions") or []):
        out[f"conversions.{i}"] = c
    return out
