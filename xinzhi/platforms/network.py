"""The platform network (seed task 10, issue §7) and the map's point layers — read-only, through ``restrict``.

:func:`network` builds an ECharts ``graph``: regions, innovation platforms (by kind), their lead and member
enterprises (alliance members hang on chain-segment nodes upstream → midstream → downstream, plus
support), and the R&D institutions those enterprises hold. Filtered by 415X cluster (a group cluster
includes its specialty clusters) and region (a division code; the scope still applies).

:func:`map_points` counts, per county, R&D institutions by level, platforms by kind or investment projects by
stage, with the county's label point ``cp`` from ``data/geo/zhejiang_county.geojson``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from xinzhi.core.scope import region_prefix
from xinzhi.enterprises.models import Enterprise
from xinzhi.industries.models import Cluster
from xinzhi.investment.models import InvestmentProject, Stage
from xinzhi.regions.models import Division

from .models import (
    ChainPosition,
    InstitutionLevel,
    InstitutionStatus,
    Platform,
    PlatformKind,
    PlatformLevel,
    PlatformMember,
    RDInstitution,
)

#: ECharts categories, in legend order
CATEGORIES = ["地区", *PlatformKind.labels, "产业链环节", "企业", "研发机构"]
CAT = {name: i for i, name in enumerate(CATEGORIES)}
KIND_CAT = {k.value: CAT[k.label] for k in PlatformKind}
CHAIN_ORDER = [ChainPosition.UPSTREAM, ChainPosition.MIDSTREAM, ChainPosition.DOWNSTREAM]
LAYERS = ("institutions", "platforms", "projects")


def cluster_codes(code: str | None) -> list[str] | None:
    """The cluster and its children (a 万亿级 group includes its 千亿级 specialty clusters)."""
    if not code:
        return None
    return [code, *Cluster.objects.filter(parent_id=code).values_list("code", flat=True)]


def _region_q(field: str, region: str | None) -> Q:
    return Q(**{f"{field}__startswith": region_prefix(region)}) if region else Q()


def network(
    user, cluster: str | None = None, region: str | None = None, max_members: int | None = None, max_nodes: int = 1500,
) -> dict[str, Any]:
    """Nodes and links of the platform network the user may see (see the module docstring).

    ``max_members`` caps the members drawn per platform (lead always drawn): 12, or 5 when more than 60
    platforms are shown; the rest are counted in ``hidden_members``."""
    clusters = cluster_codes(cluster)
    names = dict(Division.objects.values_list("code", "name"))
    own = region_prefix(user.division_id) if getattr(user, "division_id", None) and not user.is_superuser else "33"
    focus = region_prefix(region) if region else own
    by_city = len(focus) <= 2  # province view: one node per city; otherwise per county

    nodes: dict[str, dict[str, Any]] = {}
    links: list[dict[str, Any]] = []

    def region_node(county: str) -> str:
        code = county[:4] + "00" if by_city else county
        key = f"r:{code}"
        if key not in nodes:
            nodes[key] = {"id": key, "name": names.get(code, code), "category": CAT["地区"], "symbolSize": 34,
                          "division": code, "kind": "region"}
        return key

    platforms = Platform.objects.restrict(user).exclude(status=InstitutionStatus.REVOKED).filter(_region_q("division__code", region))
    if clusters:
        platforms = platforms.filter(cluster_id__in=clusters)
    plat_rows = list(platforms.order_by("kind", "id").values("id", "name", "kind", "level", "status", "division_id",
                                                                  "field", "lead_enterprise_id"))
    for p in plat_rows:
        key = f"p:{p['id']}"
        nodes[key] = {
            "id": key, "name": p["name"], "category": KIND_CAT[p["kind"]], "division": p["division_id"], "kind": p["kind"],
            "symbolSize": 26 if p["level"] == PlatformLevel.NATIONAL else 18, "field": p["field"],
            "level": PlatformLevel(p["level"]).label, "status": InstitutionStatus(p["status"]).label,
            "url": reverse("platforms:platform", args=[p["id"]]),
        }
        links.append({"source": key, "target": region_node(p["division_id"]), "relation": "位于"})

    visible = Enterprise.objects.restrict(user).filter(_region_q("division__code", region))
    members = (PlatformMember.objects.filter(platform_id__in=[p["id"] for p in plat_rows], enterprise__in=visible)
               .order_by("platform_id", "role", "chain_position", "enterprise_id")
               .values("platform_id", "enterprise_id", "role", "chain_position", "enterprise__name",
                       "enterprise__division_id"))
    kinds = {p["id"]: p["kind"] for p in plat_rows}
    if max_members is None:
        max_members = 12 if len(plat_rows) <= 60 else 5
    per_platform: dict[int, int] = defaultdict(int)
    hidden: dict[int, int] = defaultdict(int)
    enterprises: dict[int, tuple[str, str]] = {}
    chain_links: set[tuple[str, str]] = set()
    for m in members:
        pid, eid = m["platform_id"], m["enterprise_id"]
        if m["role"] != "lead" and per_platform[pid] >= max_members:
            hidden[pid] += 1
            continue
        per_platform[pid] += 1
        enterprises[eid] = (m["enterprise__name"], m["enterprise__division_id"])
        source = f"p:{pid}"
        if kinds[pid] == PlatformKind.ALLIANCE and m["chain_position"]:
            seg = f"c:{pid}:{m['chain_position']}"
            if seg not in nodes:
                nodes[seg] = {"id": seg, "name": ChainPosition(m["chain_position"]).label, "category": CAT["产业链环节"],
                              "symbolSize": 10, "division": nodes[source]["division"], "kind": "chain"}
                chain_links.add((source, seg))
            source = seg
        links.append({"source": source, "target": f"e:{eid}", "relation": "牵头单位" if m["role"] == "lead" else "成员单位"})
    for pid, n in hidden.items():
        nodes[f"p:{pid}"]["hidden_members"] = n
    for source, seg in sorted(chain_links):
        links.append({"source": source, "target": seg, "relation": "产业链"})
    # the chain itself: upstream → midstream → downstream within each alliance
    for pid in {int(s.split(":")[1]) for _, s in chain_links}:
        present = [pos for pos in CHAIN_ORDER if f"c:{pid}:{pos}" in nodes]
        for a, b in zip(present, present[1:], strict=False):
            links.append({"source": f"c:{pid}:{a}", "target": f"c:{pid}:{b}", "relation": "上下游", "chain": True})

    institutions = RDInstitution.objects.restrict(user).exclude(status=InstitutionStatus.REVOKED).filter(
        _region_q("enterprise__division__code", region))
    # institutions of the drawn enterprises; with a cluster filter, every institution of the cluster; in a
    # county view, every institution of the county
    attached = Q(enterprise_id__in=list(enterprises))
    if clusters:
        attached |= Q(cluster_id__in=clusters)
    elif len(focus) == 6:
        attached = Q()
    inst_rows = list(institutions.filter(attached).order_by("level", "id")
                     .values("id", "name", "level", "enterprise_id", "enterprise__name", "enterprise__division_id"))
    truncated = 0
    for i in inst_rows:
        eid = i["enterprise_id"]
        if eid not in enterprises:
            if len(nodes) + len(enterprises) + 2 > max_nodes:
                truncated += 1
                continue
            enterprises[eid] = (i["enterprise__name"], i["enterprise__division_id"])
            links.append({"source": f"e:{eid}", "target": region_node(i["enterprise__division_id"]), "relation": "位于"})
        key = f"i:{i['id']}"
        nodes[key] = {"id": key, "name": i["name"], "category": CAT["研发机构"], "symbolSize": 9,
                      "division": i["enterprise__division_id"], "kind": "institution",
                      "level": InstitutionLevel(i["level"]).label, "url": reverse("platforms:institution", args=[i["id"]])}
        links.append({"source": f"e:{eid}", "target": key, "relation": "研发机构"})
    for eid, (name, division) in enterprises.items():
        nodes[f"e:{eid}"] = {"id": f"e:{eid}", "name": name, "category": CAT["企业"], "symbolSize": 7,
                             "division": division, "kind": "enterprise"}
    counts = defaultdict(int)
    for n in nodes.values():
        counts[n["kind"]] += 1
    counts["platform"] = len(plat_rows)
    return {
        "categories": [{"name": c} for c in CATEGORIES], "nodes": list(nodes.values()), "links": links,
        "counts": dict(counts), "truncated": truncated, "hidden_members": sum(hidden.values()), "by_city": by_city,
    }


# --------------------------------------------------------------------------------------------------
# map points


@lru_cache(maxsize=1)
def county_points() -> dict[str, dict[str, Any]]:
    """County code → name, city and label point ``cp`` [lng, lat] from the county GeoJSON."""
    path = Path(settings.XINZHI_DATA_DIR) / "geo" / "zhejiang_county.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {
        f["properties"]["adcode"]: {"name": f["properties"]["name"], "city": f["properties"].get("city", ""),
                                    "parent": f["properties"].get("parent", ""), "cp": f["properties"]["cp"]}
        for f in features
    }


def layer_counts(user, layer: str, cluster: str | None = None) -> tuple[list[tuple[str, str]], dict[str, dict[str, int]]]:
    """(categories, county → category → count) for one layer, as SQL ``GROUP BY`` through ``restrict``."""
    clusters = cluster_codes(cluster)
    if layer == "institutions":
        qs = RDInstitution.objects.restrict(user).exclude(status=InstitutionStatus.REVOKED)
        if clusters:
            qs = qs.filter(cluster_id__in=clusters)
        rows = qs.values_list("enterprise__division_id", "level").annotate(n=Count("id"))
        categories = list(InstitutionLevel.choices)
    elif layer == "platforms":
        qs = Platform.objects.restrict(user).exclude(status=InstitutionStatus.REVOKED)
        if clusters:
            qs = qs.filter(cluster_id__in=clusters)
        rows = qs.values_list("division_id", "kind").annotate(n=Count("id"))
        categories = list(PlatformKind.choices)
    elif layer == "projects":
        qs = InvestmentProject.objects.restrict(user)
        if clusters:
            from xinzhi.industries.models import ClusterIndustry

            prefixes = list(ClusterIndustry.objects.filter(cluster_id__in=clusters).values_list("industry_id", flat=True))
            match = Q(pk__in=[])
            for prefix in prefixes:
                match |= Q(industry_id__startswith=prefix)
            qs = qs.filter(match)
        rows = qs.values_list("division_id", "stage").annotate(n=Count("id"))
        categories = list(Stage.choices)
    else:
        raise ValueError(f"unknown layer {layer!r}")
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for county, key, n in rows.order_by():
        counts[county][key] = counts[county].get(key, 0) + n
    return categories, counts


def map_points(user, layer: str, cluster: str | None = None) -> dict[str, Any]:
    """The point layer for the thematic map: one point per county with anything to show.

    ``{"layer", "title", "categories": [{"key", "label"}], "total", "points": [{"code", "name", "city",
    "lng", "lat", "value": [lng, lat, total], "total", "counts": {key: n}}]}`` — counties without a
    label point in the GeoJSON are counted in ``total`` and listed in ``unplaced``.
    """
    categories, counts = layer_counts(user, layer, cluster)
    geo = county_points()
    points, unplaced = [], []
    for county in sorted(counts):
        row = counts[county]
        total = sum(row.values())
        g = geo.get(county)
        if g is None:
            unplaced.append({"code": county, "total": total, "counts": row})
            continue
        lng, lat = g["cp"]
        points.append({"code": county, "name": g["name"], "city": g["city"], "lng": lng, "lat": lat,
                       "value": [lng, lat, total], "total": total,
                       "counts": {key: row.get(key, 0) for key, _ in categories}})
    title = {"institutions": "企业研发机构（不含已撤销）", "platforms": "创新平台（不含已撤销）", "projects": "投资项目"}[layer]
    return {
        "layer": layer, "title": title, "cluster": cluster or None,
        "categories": [{"key": k, "label": str(v)} for k, v in categories],
        "total": sum(sum(r.values()) for r in counts.values()), "points": points, "unplaced": unplaced,
    }
