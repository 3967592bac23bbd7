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
from django.db.models.functions import Substr
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
CATEGORIES = ["地区", *PlatformKind.labels, "产业链环节", "企业", "研发机构", "415X集群"]
CAT = {name: i for i, name in enumerate(CATEGORIES)}
KIND_CAT = {k.value: CAT[k.label] for k in PlatformKind}
CHAIN_ORDER = [ChainPosition.UPSTREAM, ChainPosition.MIDSTREAM, ChainPosition.DOWNSTREAM]
LAYERS = ("institutions", "platforms", "projects")


def _categories() -> list[dict[str, Any]]:
    """ECharts categories; the clusters get their own colour (the default palette has nine)."""
    return [{"name": c, **({"itemStyle": {"color": "#8d6e63"}} if c == "415X集群" else {})} for c in CATEGORIES]


def cluster_codes(code: str | None) -> list[str] | None:
    """The cluster and its children (a 万亿级 group includes its 千亿级 specialty clusters)."""
    if not code:
        return None
    return [code, *Cluster.objects.filter(parent_id=code).values_list("code", flat=True)]


def _region_q(field: str, region: str | None) -> Q:
    return Q(**{f"{field}__startswith": region_prefix(region)}) if region else Q()


def overview(user, cluster: str | None = None) -> dict[str, Any]:
    """The province view, aggregated (issue 15 §9): one node per city, one per city and platform kind
    (``杭州市·制造业创新中心 ×8``) and one for the city's R&D institutions, linked to the 415X clusters their
    platforms serve. Every aggregate carries ``expand`` (the city's code): the page fetches that city's
    detailed graph (:func:`network` with ``region``) and puts it in place of the aggregates. SQL
    aggregates through ``restrict``; about a hundred nodes instead of ≈ 1,500."""
    clusters = cluster_codes(cluster)
    names = dict(Division.objects.filter(level="city").values_list("code", "name"))
    cluster_names = dict(Cluster.objects.values_list("code", "name"))
    platforms = Platform.objects.restrict(user).exclude(status=InstitutionStatus.REVOKED)
    institutions = RDInstitution.objects.restrict(user).exclude(status=InstitutionStatus.REVOKED)
    if clusters:
        platforms = platforms.filter(cluster_id__in=clusters)
        institutions = institutions.filter(cluster_id__in=clusters)
    by_kind = (platforms.annotate(city=Substr("division__code", 1, 4)).values("city", "kind", "cluster_id")
               .annotate(n=Count("id"), national=Count("id", filter=Q(level=PlatformLevel.NATIONAL))).order_by())
    members = dict(PlatformMember.objects.filter(platform__in=platforms).annotate(city=Substr("platform__division__code", 1, 4))
                   .values("city").annotate(n=Count("enterprise_id", distinct=True)).values_list("city", "n").order_by())
    inst_by_city = dict(institutions.annotate(city=Substr("enterprise__division__code", 1, 4)).values("city")
                        .annotate(n=Count("id")).values_list("city", "n").order_by())
    nodes: dict[str, dict[str, Any]] = {}
    links: list[dict[str, Any]] = []
    kind_counts: dict[tuple[str, str], int] = defaultdict(int)
    cluster_links: dict[tuple[str, str], int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    for r in by_kind:
        kind_counts[(r["city"], r["kind"])] += r["n"]
        totals[r["city"]] += r["n"]
        if r["cluster_id"]:
            cluster_links[(f"g:{r['city']}:{r['kind']}", r["cluster_id"])] += r["n"]
    for city, n in inst_by_city.items():
        totals[city] += n
    for city in sorted(set(totals) | set(inst_by_city)):
        code = city + "00"
        nodes[f"r:{code}"] = {"id": f"r:{code}", "name": names.get(code, code), "category": CAT["地区"], "kind": "region",
                              "division": code, "symbolSize": 28 + min(30, totals[city] // 8), "expand": code,
                              "summary": f"平台 {totals[city] - inst_by_city.get(city, 0)} 个，成员企业 {members.get(city, 0)} 家，"
                                         f"研发机构 {inst_by_city.get(city, 0)} 个"}
    for (city, kind), n in sorted(kind_counts.items()):
        key = f"g:{city}:{kind}"
        nodes[key] = {"id": key, "name": f"{names.get(city + '00', city)}·{PlatformKind(kind).label} ×{n}",
                      "category": KIND_CAT[kind], "kind": "group", "count": n, "expand": city + "00",
                      "symbolSize": 12 + min(22, 3 * n)}
        links.append({"source": key, "target": f"r:{city}00", "relation": "位于"})
    for city, n in sorted(inst_by_city.items()):
        key = f"g:{city}:institution"
        nodes[key] = {"id": key, "name": f"{names.get(city + '00', city)}·研发机构 ×{n}", "category": CAT["研发机构"],
                      "kind": "group", "count": n, "expand": city + "00", "symbolSize": 10 + min(22, n // 10)}
        links.append({"source": key, "target": f"r:{city}00", "relation": "位于"})
    for (group, code), n in sorted(cluster_links.items()):
        key = f"k:{code}"
        if key not in nodes:
            nodes[key] = {"id": key, "name": cluster_names.get(code, code), "category": CAT["415X集群"], "kind": "cluster",
                          "symbolSize": 20}
        links.append({"source": group, "target": key, "relation": f"服务该集群的平台 {n} 个", "value": n})
    counts = {"region": len(totals), "platform": sum(kind_counts.values()), "institution": sum(inst_by_city.values()),
              "enterprise": sum(members.values())}
    return {"categories": _categories(), "nodes": list(nodes.values()), "links": links, "counts": counts,
            "truncated": 0, "hidden_members": 0, "by_city": True, "aggregated": True}


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
        "categories": _categories(), "nodes": list(nodes.values()), "links": links,
        "counts": dict(counts), "truncated": truncated, "hidden_members": sum(hidden.values()), "by_city": by_city,
        "aggregated": False,
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
