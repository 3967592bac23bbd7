"""Loading the industry classification, the high-tech lists and the 415X clusters from data files.

Each loader is idempotent: reloading an edited file updates names and memberships and removes
memberships the file no longer lists.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import transaction

from .models import Cluster, ClusterIndustry, HighTechCategory, HighTechIndustry, HighTechScheme, IndustryCode

NATIONAL_SCHEME = "national_2017"
PROVINCIAL_SCHEME = "zhejiang_standin"


def _data(name: str) -> Path:
    return Path(settings.XINZHI_DATA_DIR) / name


def _rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV whose leading ``#`` lines are comments (provenance notes)."""
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


@transaction.atomic
def load_industry_codes(path: Path | None = None) -> int:
    rows = _rows(path or _data("industry_gbt4754_2017.csv"))
    existing = set(IndustryCode.objects.values_list("code", flat=True))
    new = [r for r in rows if r["code"] not in existing]
    # parents come first in the file, so one pass in file order satisfies the foreign key
    IndustryCode.objects.bulk_create(
        [IndustryCode(code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent_code"] or None) for r in new],
        batch_size=500,
    )
    changed = [r for r in rows if r["code"] in existing]
    for r in changed:
        IndustryCode.objects.filter(code=r["code"]).exclude(name=r["name"]).update(name=r["name"])
    return len(rows)


def classes_under(prefixes: Iterable[str], class_codes: list[str]) -> dict[str, str]:
    """Map each 4-digit class to the longest prefix in ``prefixes`` that it starts with."""
    ordered = sorted(set(prefixes), key=len, reverse=True)
    out: dict[str, str] = {}
    for code in class_codes:
        for prefix in ordered:
            if code.startswith(prefix):
                out[code] = prefix
                break
    return out


def _class_codes() -> list[str]:
    return list(IndustryCode.objects.filter(level=IndustryCode.Level.CLASS).values_list("code", flat=True))


def _sync_memberships(queryset, key_fields: tuple[str, str], wanted: dict, build) -> None:
    """Make ``queryset`` hold exactly the keys of ``wanted``: delete what the file dropped, add what
    it added, leave the rest alone (so a reload writes audit entries only for real changes)."""
    existing = {tuple(row[:2]): row[2] for row in queryset.values_list(*key_fields, "pk")}
    gone = [pk for key, pk in existing.items() if key not in wanted]
    if gone:
        for obj in queryset.filter(pk__in=gone):
            obj.delete()
    queryset.model.objects.bulk_create([build(key, extra) for key, extra in wanted.items() if key not in existing])


@transaction.atomic
def load_high_tech_scheme(
    scheme_code: str, name: str, rows: list[dict[str, str]], source: str, is_standin: bool, is_default: bool
) -> int:
    """Replace the memberships of one scheme with ``rows`` (category_code, category_name, industry_code)."""
    scheme, _ = HighTechScheme.objects.update_or_create(
        code=scheme_code, defaults={"name": name, "source": source, "is_standin": is_standin, "is_default": is_default}
    )
    if is_default:
        HighTechScheme.objects.exclude(code=scheme_code).update(is_default=False)
    categories = {}
    for r in rows:
        cat, _ = HighTechCategory.objects.update_or_create(
            scheme=scheme, code=r["category_code"], defaults={"name": r["category_name"]}
        )
        categories[r["category_code"]] = cat
    HighTechCategory.objects.filter(scheme=scheme).exclude(code__in=categories).delete()
    prefix_to_category = {r["industry_code"]: r["category_code"] for r in rows}
    membership = classes_under(prefix_to_category, _class_codes())
    partial = {r["industry_code"]: r.get("partial") for r in rows}
    wanted = {
        (categories[prefix_to_category[prefix]].pk, code): {"1": True, "0": False}.get((partial.get(prefix) or "").strip())
        for code, prefix in membership.items()
    }
    _sync_memberships(
        HighTechIndustry.objects.filter(category__scheme=scheme), ("category_id", "industry_id"), wanted,
        lambda key, extra: HighTechIndustry(category_id=key[0], industry_id=key[1], partial=extra),
    )
    return len(membership)


def load_national_high_tech() -> int:
    rows = _rows(_data("high_tech_manufacturing_2017.csv"))
    return load_high_tech_scheme(
        NATIONAL_SCHEME, "高技术产业（制造业）分类（2017）", rows,
        source="国家统计局 国统字〔2017〕200号；类别成员已核实，小类名称与部分行业标记未取得",
        is_standin=False, is_default=False,
    )


def load_provincial_high_tech(path: Path | None = None) -> int:
    rows = _rows(path or _data("zhejiang_high_tech_standin.csv"))
    return load_high_tech_scheme(
        PROVINCIAL_SCHEME, "浙江省高新技术产业（替代口径）", rows,
        source="替代口径：按战略性新兴产业分类(2018)八大类中的制造业编制，非官方目录，可编辑",
        is_standin=True, is_default=True,
    )


@transaction.atomic
def load_clusters(path: Path | None = None) -> int:
    rows = _rows(path or _data("zhejiang_415x_clusters.csv"))
    rows.sort(key=lambda r: bool(r["parent"]))
    for r in rows:
        Cluster.objects.update_or_create(
            code=r["code"],
            defaults={
                "name": r["name"], "kind": r["kind"], "parent_id": r["parent"] or None,
                "confirmed": r["confirmed"].strip().lower() == "true", "source": r["source"],
            },
        )
        _sync_memberships(
            ClusterIndustry.objects.filter(cluster_id=r["code"]), ("cluster_id", "industry_id"),
            {(r["code"], c): None for c in r["industry_codes"].split()},
            lambda key, extra: ClusterIndustry(cluster_id=key[0], industry_id=key[1]),
        )
    for obj in Cluster.objects.exclude(code__in=[r["code"] for r in rows]):
        obj.industries.all().delete()
        obj.delete()
    return len(rows)


def high_tech_class_frame(scheme_code: str | None = None) -> pl.DataFrame:
    """Columnar membership: ``industry_code, category_code, category_name`` for a scheme (default one)."""
    qs = HighTechIndustry.objects.select_related("category")
    if scheme_code:
        qs = qs.filter(category__scheme_id=scheme_code)
    else:
        qs = qs.filter(category__scheme__is_default=True)
    rows = list(qs.values_list("industry_id", "category__code", "category__name"))
    return pl.DataFrame(rows, schema=["industry_code", "category_code", "category_name"], orient="row")


def cluster_class_frame() -> pl.DataFrame:
    """Columnar membership ``industry_code, cluster_code`` with prefixes expanded to classes."""
    classes = _class_codes()
    out = []
    for cluster_code, prefix in ClusterIndustry.objects.values_list("cluster_id", "industry_id"):
        out.extend((c, cluster_code) for c in classes if c.startswith(prefix))
    return pl.DataFrame(out, schema=["industry_code", "cluster_code"], orient="row")
