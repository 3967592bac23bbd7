"""Demo data of the standards register and benchmarking (对标达标, seed task 13), called from
:func:`xinzhi.programs.demo_data.load` with its own random stream (the other programme demos are unchanged).

* **standards**: up to 40 (small) / 300 (full) standards (a drawn duplicate is skipped) led or co-drafted by enterprises of the register, most of them
  published between 2021 and 2026, a few proposed or in drafting, with the 415X cluster of the enterprise's industry;
* **benchmarking plans**: 60 (small) / 450 (full) plans from January 2024 to October 2026 across the clusters
  (about one in ten from enterprises outside any cluster), some against a standard of the register; about two
  thirds have a result by 2026-11-30 (达标 ≈ 60 %, 领先 ≈ 20 %, 未达标 ≈ 20 %); the demo ``enterprise`` login's
  enterprise has two plans, one with a result;
* **task-13 themes, 浙江制造 and 品字标** (a third random stream, so the figures above do not move): about a third of
  the standards carry a 专题方向, about 70 % of the published group standards are 浙江制造 standards, and their
  enterprises hold one or two 品字标 certificates each (issued after the standard's publication for 3 years: the
  older ones have expired; one is revoked a year after its issue).

Deterministic for a seed; written with ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt

from xinzhi.accounts.models import User

from .models import BenchmarkPlan, BrandCertificate, Standard

D = dt.date
END = D(2026, 11, 30)
SIZES = {"small": (40, 60), "full": (300, 450)}
STANDARD_TOPICS = ["通用技术条件", "性能试验方法", "能效限定值及能效等级", "可靠性评价规范", "安全要求", "绿色设计产品评价规范"]
#: (level, number prefix, issuer) of the demo standards
STANDARD_LEVELS = [("national", "GB/T", "国家市场监督管理总局、国家标准化管理委员会"), ("industry", "JB/T", "工业和信息化部"),
                   ("group", "T/ZZB", "浙江省品牌建设联合会"), ("international", "IEC", "国际电工委员会")]
#: (benchmark, level) — free-text benchmarks: international standards and leading products
BENCHMARKS = [("IEC 60034-30-1:2014 旋转电机能效分级", "intl_standard"), ("ISO 9283:1998 工业机器人性能规范及试验方法", "intl_standard"),
              ("德国同类进口产品（行业领先品牌）", "intl_advanced"), ("日本同类进口产品（行业领先品牌）", "intl_advanced"),
              ("国内行业龙头企业同类产品", "domestic_advanced"), ("GB 18613-2020 电动机能效限定值及能效等级", "national_standard"),
              ("JB/T 10391-2008 Y系列三相异步电动机技术条件", "industry_standard"), ("浙江制造团体标准同类产品要求", "group_standard")]
LEVEL_OF_STANDARD = {"national": "national_standard", "industry": "industry_standard", "group": "group_standard",
                     "international": "intl_standard"}
INDICATORS = ["精度、稳定性、使用寿命", "能效、噪声、温升", "重复定位精度、负载、节拍", "纯度、杂质含量、批次一致性",
              "可靠性（平均无故障时间）、功耗", "强度、耐温、耐腐蚀性能"]
PRODUCTS = ["智能控制器", "高精度传感器", "节能电机", "新型复合材料", "精密减速器", "环保涂料", "医用导管", "储能模组", "数控系统",
            "伺服驱动器"]


def load(scale: str, rng, ent_id, info, cluster_of, brand_rng=None) -> dict[str, int]:
    """``brand_rng``: the stream of the task-13 themes, 浙江制造 flags and 品字标 certificates (drawn after the
    standards and plans, so adding them moved none of their figures)."""
    n_standards, n_plans = SIZES[scale]
    clustered = [int(e) for e in ent_id if cluster_of(info[int(e)][3])]
    others = [int(e) for e in ent_id if not cluster_of(info[int(e)][3])]
    if not clustered:
        return {}
    standards = _standards(rng, clustered, info, cluster_of, n_standards)
    plans = _plans(rng, clustered, others, info, cluster_of, n_plans, standards)
    counts = {"standards": len(standards), "benchmark_plans": plans}
    if brand_rng is not None:
        counts |= _brand(brand_rng, standards, info)
    return counts


#: the themes of task 13 drawn for some demo standards (blank for the rest)
THEMES = ["digital", "carbon", "green", "energy_intensive"]
CERTIFIERS = ["浙江制造国际认证联盟成员机构（演示）甲", "浙江制造国际认证联盟成员机构（演示）乙"]


def _brand(rng, standards, info) -> dict[str, int]:
    """About a third of the standards get a task-13 theme; about 70 % of the published group standards are
    "浙江制造" standards; each 浙江制造 enterprise holds one or two 品字标 certificates against them, issued
    after the standard's publication for 3 years (so the older ones have expired), and the first certificate is
    revoked (撤销) a year after its issue."""
    themed, flagged = [], []
    for s in standards:
        if rng.random() < 0.35:
            s.theme = THEMES[int(rng.integers(len(THEMES)))]
            themed.append(s)
        if s.level == "group" and s.status == "published" and rng.random() < 0.7:
            s.zhejiang_made = True
            flagged.append(s)
    Standard.objects.bulk_update(themed, ["theme"])
    Standard.objects.bulk_update(flagged, ["zhejiang_made"])
    certificates, serial = [], 0
    for s in flagged:
        product = next((s.name[:-len(t)] for t in STANDARD_TOPICS if s.name.endswith(t)), s.name)
        for k in range(1 + int(rng.random() < 0.3)):
            serial += 1
            # after the standard's publication (certified against it), within the demo's span
            issued = s.published_on + dt.timedelta(days=int(rng.integers(30, 900)))
            if issued > END:
                issued = END - dt.timedelta(days=int(rng.integers(0, 60)))
            issued = max(issued, s.published_on)
            certificates.append(BrandCertificate(
                enterprise_id=s.enterprise_id, division_id=info[s.enterprise_id][2],
                product=f"{product}{'（第二型号）' if k else ''}"[:200],
                number=f"ZZ-DEMO-{issued.year}-{serial:05d}", standard_number=s.number, certifier=CERTIFIERS[serial % 2],
                issued_on=issued, valid_until=D(issued.year + 3, issued.month, issued.day) - dt.timedelta(days=1)))
    if certificates:  # one revoked (撤销) a year after its issue, within the demo's span
        first = certificates[0]
        first.end_kind, first.ended_on = "revoked", min(first.issued_on + dt.timedelta(days=365), first.valid_until, END)
    BrandCertificate.objects.bulk_create(certificates)
    return {"themed_standards": len(themed), "zhejiang_made_standards": len(flagged),
            "brand_certificates": len(certificates)}


def _standards(rng, clustered, info, cluster_of, n) -> list[Standard]:
    objs, seen = [], set()
    for i in range(n):
        eid = clustered[int(rng.integers(len(clustered)))]
        _, _name, div, industry = info[eid]
        level, prefix, issuer = STANDARD_LEVELS[int(rng.choice(4, p=[0.25, 0.3, 0.35, 0.1]))]
        product = PRODUCTS[int(rng.integers(len(PRODUCTS)))]
        name = f"{product}{STANDARD_TOPICS[int(rng.integers(len(STANDARD_TOPICS)))]}"
        if (name, level, eid) in seen:
            continue
        seen.add((name, level, eid))
        fate = rng.random()
        status = "published" if fate < 0.8 else "drafting" if fate < 0.93 else "proposed"
        published = D(int(rng.integers(2021, 2027)), int(rng.integers(1, 12)), int(rng.integers(1, 29)))
        if published > END:
            published = D(2026, 6, 1)
        objs.append(Standard(
            number=f"{prefix} {10000 + i * 7}-{published.year}" if status == "published" else "", name=name, level=level,
            revision=rng.random() < 0.2, status=status, enterprise_id=eid, division_id=div,
            role="lead" if rng.random() < 0.45 else "participate", drafter_rank=int(rng.integers(1, 8)),
            issuer=issuer if status == "published" else "", published_on=published if status == "published" else None,
            cluster_id=cluster_of(industry)))
    return Standard.objects.bulk_create(objs)


def _plans(rng, clustered, others, info, cluster_of, n, standards) -> int:
    published = [s for s in standards if s.status == "published"]
    own = User.objects.filter(username="enterprise").values_list("enterprise_id", flat=True).first()
    objs, seen = [], set()
    start, span = D(2024, 1, 1), (D(2026, 10, 31) - D(2024, 1, 1)).days
    for i in range(n):
        pool = others if others and rng.random() < 0.1 else clustered
        eid = own if own and i < 2 else pool[int(rng.integers(len(pool)))]
        _, _name, div, industry = info.get(eid) or (eid, "", None, "")
        if div is None:
            continue
        product = f"{PRODUCTS[int(rng.integers(len(PRODUCTS)))]}{chr(65 + int(rng.integers(26)))}{int(rng.integers(1, 9))}型"
        if published and rng.random() < 0.25:
            standard = published[int(rng.integers(len(published)))]
            benchmark, level = f"{standard.number} {standard.name}", LEVEL_OF_STANDARD[standard.level]
        else:
            standard = None
            benchmark, level = BENCHMARKS[int(rng.integers(len(BENCHMARKS)))]
        if (eid, product, benchmark) in seen:
            continue
        seen.add((eid, product, benchmark))
        planned = start + dt.timedelta(days=int(rng.integers(span)))
        plan = BenchmarkPlan(enterprise_id=eid, division_id=div, product=product, benchmark=benchmark, standard=standard,
                             level=level, indicators=INDICATORS[int(rng.integers(len(INDICATORS)))], planned_on=planned,
                             cluster_id=cluster_of(industry))
        result_on = planned + dt.timedelta(days=int(rng.integers(60, 420)))
        if (rng.random() < 0.7 or i == 0) and result_on <= END and i != 1:
            outcome = rng.random()
            plan.result = "met" if outcome < 0.6 else "leading" if outcome < 0.8 else "not_met"
            plan.result_on = result_on
            plan.result_note = {"met": "关键指标全部达到对标对象水平", "leading": "主要指标优于对标对象",
                                "not_met": "精度指标尚有差距，已制定改进计划"}[plan.result]
        objs.append(plan)
    BenchmarkPlan.objects.bulk_create(objs)
    return len(objs)


def clear() -> None:
    for model in (BrandCertificate, BenchmarkPlan, Standard):
        model.objects.all()._raw_delete(model.objects.db)
