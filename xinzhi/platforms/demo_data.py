"""Demo data for the platforms and evaluation apps (called by ``xinzhi demo`` after the register demo).

What :func:`load` writes, deterministically for a seed (same seed → same names, members, scores, grades and
statuses; only audit timestamps and the open call's review deadline depend on the day it runs):

* **innovation platforms** — manufacturing innovation centres (full: 26 provincial + 1 national, fields from
  the seed: 合成生物, 氢能装备, 高端机床关键零部件, 高性能碳纤维装备, 智能传感器, 石墨烯 …), pilot-scale
  platforms (精细化工, 新材料, 生物医药, 新一代信息技术), industrial technology alliances with members along
  a chain (人形机器人, 海洋装备 …: upstream / midstream / downstream / support), industrial-foundation
  public service platforms, high-tech zones (8 national, provincial ones) and incubators, with members and
  their recognition history;
* **R&D institutions**: field and 415X cluster for the register's rows, city-level institutions
  (市级企业研发机构, which the register demo does not generate), annual data 2024–2025 for every
  institution and platform (revenue, R&D expense, new-product revenue and staff from the enterprise's
  December statistics; the rest synthetic);
* **enterprise groups** (the basis of group recusal) and an **expert pool** (``accounts.User`` role
  ``expert`` + :class:`ExpertProfile`; the demo login ``expert`` gets a profile too), a few declared
  conflicts;
* **evaluation rounds run through the services** (:mod:`xinzhi.evaluation.services`): one completed round
  per institution type — tech centres (national / provincial / city level), research institutes (key and
  ordinary), innovation centres (annual and acceptance), platforms (pilot, alliance, public service,
  high-tech zone, incubator) — and a completed recognition round: enrolment, manual assignment of the
  ``expert`` login and batch assignment (both with automatic recusal), one declared conflict on opening,
  per-criterion scores, trimmed aggregation, determination with reasons, resulting statuses (warned,
  downgraded, revoked) and notices; plus one recognition call with applications under review, where the
  ``expert`` login has pending work.

Rows are written with ``bulk_create`` / :func:`xinzhi.core.bulk.insert_frame`; only the few hundred
determinations go through the services one by one. :func:`clear` removes all of it (and restores the
register's institutions) before ``xinzhi demo --force``.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from xinzhi.accounts.models import Role, User
from xinzhi.core.bulk import insert_frame
from xinzhi.enterprises.models import Enterprise, MonthlyStat
from xinzhi.evaluation import scoring
from xinzhi.evaluation import services as ev
from xinzhi.evaluation.models import (
    Assignment,
    ConflictDeclaration,
    Correction,
    EnterpriseGroup,
    ExpertProfile,
    Purpose,
    RegionRule,
    Round,
    Submission,
)
from xinzhi.industries.models import ClusterIndustry
from xinzhi.regions.models import Division

from .models import (
    AnnualData,
    InstitutionLevel,
    InstitutionStatus,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    Notice,
    PilotService,
    PilotServiceKind,
    Platform,
    PlatformKind,
    PlatformLevel,
    PlatformMember,
    RDInstitution,
    StatusChange,
)

#: demo expert accounts are ``zjexpert001`` …; the demo login ``expert`` gets a profile as well
EXPERT_PREFIX = "zjexpert"
EXPERT_LOGIN = "expert"
#: city-level institutions written here (the register demo has none) end with this
CITY_LEVEL_SUFFIX = "市级企业研发中心"
DATA_YEARS = (2024, 2025)
ROUND_YEAR = 2025  # the data year evaluated in 2026

SCALES: dict[str, dict[str, Any]] = {
    "small": {
        "centres": 8, "pilots": 8, "alliances": 5, "alliance_members": (6, 12), "public": 6, "zones_national": 3,
        "zones_provincial": 5, "incubators": 8, "members": (3, 8), "groups": 15, "experts": 40, "city_level": 15,
        "per_round": 10, "per_kind": 3, "recognition_apps": 6, "open_apps": 6, "conflicts": 6,
    },
    "full": {
        "centres": 26, "pilots": 40, "alliances": 20, "alliance_members": (15, 40), "public": 30, "zones_national": 8,
        "zones_provincial": 30, "incubators": 60, "members": (5, 25), "groups": 150, "experts": 240,
        "city_level": 300, "per_round": 50, "per_kind": 8, "recognition_apps": 24, "open_apps": 30, "conflicts": 40,
    },
}

#: manufacturing innovation centres: field → 415X cluster. The first is the national centre (石墨烯: the seed's
#: "推动国家石墨烯创新中心通过验收"); the next five are the seed's provincial fields (合成生物 …)
CENTRE_FIELDS = [
    ("石墨烯", "advanced_materials"), ("合成生物", "biomedicine_devices"), ("氢能装备", "high_end_equipment"),
    ("高端机床关键零部件", "robots_cnc"), ("高性能碳纤维装备", "advanced_materials"),
    ("智能传感器", "integrated_circuits"),
    ("集成电路特色工艺", "integrated_circuits"), ("高端磁性材料", "advanced_materials"),
    ("智能网联汽车", "high_end_equipment"), ("工业互联网", "new_gen_it"), ("光伏新材料", "smart_pv"),
    ("生物医用材料", "biomedicine_devices"), ("机器人核心部件", "robots_cnc"), ("海洋工程装备", "high_end_equipment"),
    ("第三代半导体", "integrated_circuits"), ("智能电网装备", "smart_electrical"), ("新型显示", "new_gen_it"),
    ("数字安防", "security_networking"), ("高端医疗器械", "biomedicine_devices"), ("柔性电子", "new_gen_it"),
    ("绿色石化催化", "petrochem_materials"), ("先进膜材料", "advanced_materials"),
    ("航空复合材料", "advanced_materials"), ("动力电池", "smart_electrical"), ("智能纺织装备", "high_end_equipment"),
    ("氟硅新材料", "petrochem_materials"), ("工业母机数控系统", "robots_cnc"),
]
PILOT_FIELDS = [("精细化工", "petrochem_materials"), ("新材料", "advanced_materials"),
                ("生物医药", "biomedicine_devices"), ("新一代信息技术", "new_gen_it")]
ALLIANCE_CHAINS = [
    ("人形机器人", "robots_cnc"), ("海洋装备", "high_end_equipment"), ("智能光伏", "smart_pv"),
    ("集成电路", "integrated_circuits"), ("新能源汽车", "high_end_equipment"), ("生物医药", "biomedicine_devices"),
    ("数字安防", "security_networking"), ("智能电气", "smart_electrical"), ("现代纺织", "consumption_health"),
    ("绿色石化", "petrochem_materials"), ("高端新材料", "advanced_materials"), ("工业母机", "robots_cnc"),
    ("氢能", "high_end_equipment"), ("新型储能", "smart_electrical"), ("航空航天", "high_end_equipment"),
    ("智能家电", "consumption_health"), ("医疗器械", "biomedicine_devices"), ("节能环保装备", "high_end_equipment"),
    ("网络通信", "security_networking"), ("智能网联汽车", "new_gen_it"),
]
PUBLIC_FIELDS = [
    ("工业软件", "new_gen_it"), ("检验检测认证", None), ("基础零部件", "high_end_equipment"),
    ("基础电子元器件", "integrated_circuits"), ("关键基础材料", "advanced_materials"), ("先进基础工艺", None),
    ("工业设计", None), ("计量测试", None), ("知识产权运营", None), ("智能制造诊断", "high_end_equipment"),
]
#: national high-tech zones of Zhejiang (demo locations by county)
NATIONAL_ZONES = [
    ("杭州高新技术产业开发区", "330108"), ("宁波高新技术产业开发区", "330212"), ("绍兴高新技术产业开发区", "330602"),
    ("温州高新技术产业开发区", "330302"), ("衢州高新技术产业开发区", "330802"), ("湖州莫干山高新技术产业开发区", "330521"),
    ("嘉兴高新技术产业开发区", "330402"), ("金华高新技术产业开发区", "330702"),
]
INCUBATOR_WORDS = ["创新谷", "科创园", "智造港", "青年创业园", "数字港", "新材料孵化园", "众创空间", "生命科学园",
                   "未来工厂孵化基地", "科技城孵化器"]
FIELDS_BY_CLUSTER = {
    "consumption_health": ["现代纺织", "食品工程", "智能家居"], "high_end_equipment": ["智能装备", "汽车零部件", "通用设备"],
    "new_gen_it": ["工业软件", "电子信息", "物联网"], "petrochem_materials": ["化工新材料", "精细化工"],
    "advanced_materials": ["高性能纤维", "磁性材料", "高分子材料"], "biomedicine_devices": ["创新药物", "医疗器械"],
    "integrated_circuits": ["集成电路", "智能传感器"], "robots_cnc": ["工业机器人", "数控机床"],
    "security_networking": ["数字安防", "网络通信"], "smart_electrical": ["智能电网设备", "电机电器"],
    "smart_pv": ["光伏组件", "光伏材料"],
}
EMPLOYERS = [
    ("浙江大学", "330106"), ("西湖大学", "330106"), ("浙江工业大学", "330105"), ("杭州电子科技大学", "330114"),
    ("浙江理工大学", "330114"), ("中国计量大学", "330114"), ("之江实验室", "330110"), ("浙江科技大学", "330106"),
    ("宁波大学", "330211"), ("中国科学院宁波材料技术与工程研究所", "330211"), ("温州大学", "330302"),
    ("浙江清华长三角研究院", "330402"), ("浙江师范大学", "330702"), ("浙江海洋大学", "330902"),
    ("绍兴文理学院", "330602"), ("湖州师范学院", "330502"), ("台州学院", "331002"), ("浙江省机电设计研究院", "330102"),
    ("浙江省化工研究院", "330105"), ("浙江省科技信息研究院", "330106"), ("浙江省产品质量安全科学研究院", "330110"),
    ("浙江省会计师协会", "330106"), ("浙江省工业和信息化研究院", "330106"),
]
TITLES = {"technical": ["教授", "研究员", "正高级工程师", "高级工程师", "副教授"],
          "management": ["研究员", "高级经济师", "教授"], "finance": ["高级会计师", "注册会计师", "正高级会计师"]}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏方邹孟熊秦邱江薛段雷侯龙史陶贺顾毛郝龚邵钱严戴孔汤"
GIVEN = "伟芳敏静丽强磊军洋勇艳杰涛明超霞平刚华建国文辉飞宇浩鹏晨晓峰志宏雪梅琳斌俊波红海林亮舟远航立新春秋越"
GROUP_PREFIX = ["之江", "钱塘", "甬江", "瓯越", "越城", "金衢", "南湖", "天目", "雁荡", "新安", "东海", "兰江", "龙泉",
                "双溪", "富春", "四明", "括苍", "仙都", "会稽", "莫干", "千岛", "楠溪", "天台", "普陀", "西溪", "运河",
                "太湖", "灵江", "曹娥", "浦阳"]
GROUP_SUFFIX = ["控股集团", "实业集团", "科技集团", "产业集团", "智造集团", "新材料集团"]

#: demo stand-in for the months in which each level's lists are published (a level may have two batches)
BATCH_MONTHS = {
    InstitutionLevel.NATIONAL_TECH_CENTRE: ((12, 26),),
    InstitutionLevel.PROVINCIAL_TECH_CENTRE: ((6, 28), (12, 18)),
    InstitutionLevel.PROVINCIAL_KEY_INSTITUTE: ((11, 20),),
    InstitutionLevel.PROVINCIAL_INSTITUTE: ((4, 28), (11, 20)),
    InstitutionLevel.CITY_LEVEL: ((9, 15),),
}
CHINESE_ORDINALS = "二三四五六七八九"

Log = Callable[[str], Any] | None


def _unique_names(specs: list[dict[str, Any]]) -> None:
    """A platform is known by its name within its kind: a repeated name gets （二）, （三） …"""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for spec in specs:
        key = (spec["kind"], spec["name"])
        seen[key] += 1
        if seen[key] > 1:
            spec["name"] = f"{spec['name']}（{CHINESE_ORDINALS[seen[key] - 2]}）"


def _say(log: Log) -> Callable[[str], Any]:
    return log or (lambda msg: None)


# --------------------------------------------------------------------------------------------------
# load


def load(scale: str, seed: int, log: Log = None) -> dict[str, int]:
    """Write the platform and evaluation demo data (see the module docstring). Returns row counts."""
    say = _say(log)
    t0 = time.perf_counter()
    clear()
    with transaction.atomic():
        builder = _Builder(scale, seed)
        builder.read_register()
        builder.institutions()
        builder.recognition_dates()
        builder.groups()
        builder.platforms()
        builder.milestones()
        builder.annual_data()
        builder.pilot_services()
        builder.experts()
        t1 = time.perf_counter()
        say(f"平台与专家库写入 {t1 - t0:.1f}s")
        builder.rounds()
    say(f"评审批次完成 {time.perf_counter() - t1:.1f}s（合计 {time.perf_counter() - t0:.1f}s）")
    return {
        "platforms": Platform.objects.count(), "platform_members": PlatformMember.objects.count(),
        "annual_data": AnnualData.objects.count(), "experts": ExpertProfile.objects.count(),
        "eval_rounds": Round.objects.count(), "submissions": Submission.objects.count(),
        "pilot_services": PilotService.objects.count(), "milestones": Milestone.objects.count(),
        "assignments": Assignment.objects.count(), "notices": Notice.objects.count(),
    }


class _Builder:
    """Holds the register as arrays and the random stream while the demo is written."""

    def __init__(self, scale: str, seed: int):
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}")
        self.scale, self.p = scale, SCALES[scale]
        self.rng = np.random.default_rng([seed, 6])
        self.quality: dict[tuple[str, int], float] = {}
        self.actor = User.objects.filter(username="province").first()

    # --- register ----------------------------------------------------------------------------------

    def read_register(self) -> None:
        rows = list(Enterprise.objects.order_by("id").values_list("id", "name", "division_id", "industry_id"))
        if not rows:
            raise RuntimeError("没有企业：请先加载企业库演示数据")
        self.ent_id = np.array([r[0] for r in rows])
        self.ent_name = {r[0]: r[1] for r in rows}
        self.ent_div = {r[0]: r[2] for r in rows}
        mapping = sorted(ClusterIndustry.objects.values_list("industry_id", "cluster_id", "cluster__kind"),
                         key=lambda r: (-len(r[0]), r[2] != "specialty"))
        cache: dict[str, str | None] = {}

        def cluster_of(code: str) -> str | None:
            if code not in cache:
                cache[code] = next((c for prefix, c, _ in mapping if code.startswith(prefix)), None)
            return cache[code]

        self.ent_cluster = {r[0]: cluster_of(r[3]) for r in rows}
        # December (1–12月累计) statistics per enterprise and year
        self.stats: dict[tuple[int, int], tuple[int, int, int, int]] = {
            (e, y): (rev, rd, npo, emp)
            for e, y, rev, rd, npo, emp in MonthlyStat.objects.filter(month=12, year__in=DATA_YEARS)
            .values_list("enterprise_id", "year", "revenue", "rd_expense", "new_product_output", "employees")
        }
        self.revenue = np.array([self.stats.get((e, ROUND_YEAR), (0, 0, 0, 0))[0] for e in self.ent_id], dtype=float)
        self.counties = dict(Division.objects.filter(level="county").values_list("code", "name"))
        self.by_cluster: dict[str | None, list[int]] = defaultdict(list)
        for e in self.ent_id:
            self.by_cluster[self.ent_cluster[int(e)]].append(int(e))
        self.by_county: dict[str, list[int]] = defaultdict(list)
        for e in self.ent_id:
            self.by_county[self.ent_div[int(e)]].append(int(e))

    def institutions(self) -> None:
        """Field and cluster for the register's institutions; city-level institutions; quality factors."""
        rng = self.rng
        existing = list(RDInstitution.objects.order_by("id").values_list("id", "enterprise_id"))
        with_inst = {e for _, e in existing}
        # city level: mid-sized enterprises with R&D and no institution yet
        pool = [int(e) for e in self.ent_id if int(e) not in with_inst and self.stats.get((int(e), ROUND_YEAR), (0, 0))[1] > 0]
        pick = sorted(rng.choice(pool, size=min(self.p["city_level"], len(pool)), replace=False).tolist()) if pool else []
        RDInstitution.objects.bulk_create([
            RDInstitution(enterprise_id=e, name=f"{self.ent_name[e]}{CITY_LEVEL_SUFFIX}", level=InstitutionLevel.CITY_LEVEL,
                          recognised_year=int(rng.integers(2018, 2025)), status=InstitutionStatus.RECOGNISED)
            for e in pick
        ], batch_size=1000)
        groups: dict[tuple[str | None, str], list[int]] = defaultdict(list)
        self.inst = list(RDInstitution.objects.order_by("id").values_list("id", "enterprise_id", "level", "status"))
        self.level_of = {i: lvl for i, _, lvl, _ in self.inst}
        for inst_id, ent, _, _ in self.inst:
            cluster = self.ent_cluster[ent]
            options = FIELDS_BY_CLUSTER.get(cluster, ["先进制造", "节能环保", "智能制造"])
            groups[(cluster, options[int(rng.integers(len(options)))])].append(inst_id)
            rev, rd = self.stats.get((ent, ROUND_YEAR), (0, 0, 0, 0))[:2]
            intensity = rd / rev if rev else 0
            self.quality[("i", inst_id)] = float(np.clip(0.35 + 8 * intensity + rng.normal(0, 0.18), 0.02, 1.0))
        for (cluster, field), ids in sorted(groups.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
            RDInstitution.objects.filter(id__in=ids).update(cluster_id=cluster, field=field, next_evaluation_year=ROUND_YEAR + 1)

    def groups(self) -> None:
        """Enterprise groups of 2–6 enterprises in one city, half of them holding an R&D institution."""
        rng = self.rng
        names = [p + s for s in GROUP_SUFFIX for p in GROUP_PREFIX]
        holders = sorted({e for _, e, _, _ in self.inst})
        by_city: dict[str, list[int]] = defaultdict(list)
        for e in self.ent_id:
            by_city[self.ent_div[int(e)][:4]].append(int(e))
        used: set[int] = set()
        rows = []
        self.group_of: dict[int, str] = {}
        for k in range(min(self.p["groups"], len(names))):
            head = int(holders[int(rng.integers(len(holders)))])
            if head in used:
                continue
            city = by_city[self.ent_div[head][:4]]
            others = [e for e in rng.choice(city, size=min(len(city), 8), replace=False).tolist() if e not in used and e != head]
            members = [head, *others[: int(rng.integers(1, 6))]]
            for e in members:
                used.add(e)
                self.group_of[e] = names[k]
                rows.append(EnterpriseGroup(enterprise_id=e, group_name=names[k]))
        EnterpriseGroup.objects.bulk_create(rows, batch_size=1000)

    # --- platforms ---------------------------------------------------------------------------------

    def _lead(self, cluster: str | None, taken: set[int], county: str | None = None) -> int:
        """The biggest not-yet-leading enterprise of the cluster (or county), among the top ones at random."""
        pool = self.by_county[county] if county else self.by_cluster.get(cluster) or list(map(int, self.ent_id))
        pool = [e for e in pool if e not in taken] or pool
        order = sorted(pool, key=lambda e: -self.stats.get((e, ROUND_YEAR), (0,))[0])[:12]
        lead = order[int(self.rng.integers(len(order)))]
        taken.add(lead)
        return lead

    def platforms(self) -> None:
        rng, p = self.rng, self.p
        specs: list[dict[str, Any]] = []
        leads: dict[str, set[int]] = defaultdict(set)

        def add(kind: str, level: str, name: str, field: str, cluster: str | None, lead: int, year: int,
                status: str = InstitutionStatus.RECOGNISED, division: str | None = None) -> None:
            specs.append({"kind": kind, "level": level, "name": name, "field": field, "cluster": cluster, "lead": lead,
                          "division": division or self.ent_div[lead], "year": year, "status": status})

        n_prov = p["centres"]
        for i, (field, cluster) in enumerate(CENTRE_FIELDS[: n_prov + 1]):
            lead = self._lead(cluster, leads["centre"])
            if i == 0:  # approved for creation in 2022, acceptance pending (a milestone the province tracks)
                add(PlatformKind.INNOVATION_CENTRE, PlatformLevel.NATIONAL, f"国家{field}制造业创新中心", field, cluster, lead, 2022,
                    InstitutionStatus.CREATING)
            else:
                year = int(rng.integers(2019, 2026))
                status = InstitutionStatus.CREATING if year >= 2024 else InstitutionStatus.RECOGNISED
                add(PlatformKind.INNOVATION_CENTRE, PlatformLevel.PROVINCIAL, f"浙江省{field}创新中心", field, cluster,
                    lead, year, status)
        for i in range(p["pilots"]):
            field, cluster = PILOT_FIELDS[i % len(PILOT_FIELDS)]
            lead = self._lead(cluster, leads["pilot"])
            place = self.counties.get(self.ent_div[lead], "")
            add(PlatformKind.PILOT_PLATFORM, PlatformLevel.PROVINCIAL, f"浙江省{field}中试平台（{place}）", field, cluster,
                lead, int(rng.integers(2022, 2026)))
        for chain, cluster in ALLIANCE_CHAINS[: p["alliances"]]:
            lead = self._lead(cluster, leads["alliance"])
            add(PlatformKind.ALLIANCE, PlatformLevel.PROVINCIAL, f"浙江省{chain}产业技术创新联盟", chain, cluster, lead,
                int(rng.integers(2018, 2025)))
        cities = dict(Division.objects.filter(level="city").values_list("code", "name"))
        city_codes = sorted(cities)
        for i in range(p["public"]):
            field, cluster = PUBLIC_FIELDS[i % len(PUBLIC_FIELDS)]
            city = city_codes[(i * 7 + int(rng.integers(3))) % len(city_codes)]
            counties = [c for c in self.counties if c.startswith(city[:4]) and self.by_county[c]]
            lead = self._lead(None, leads["public"], counties[int(rng.integers(len(counties)))])
            add(PlatformKind.PUBLIC_SERVICE, PlatformLevel.PROVINCIAL,
                f"{cities[city].removesuffix('市')}{field}产业基础公共服务平台", field, cluster, lead, int(rng.integers(2020, 2026)))
        zone_counties = []
        for name, county in NATIONAL_ZONES[: p["zones_national"]]:
            if county in self.counties and self.by_county[county]:
                zone_counties.append(county)
                lead = self._lead(None, leads["zone"], county)
                add(PlatformKind.HIGH_TECH_ZONE, PlatformLevel.NATIONAL, name, "综合", None, lead,
                    int(rng.integers(2010, 2016)), division=county)
        rest = [c for c in sorted(self.counties) if c not in zone_counties and len(self.by_county[c]) >= 3]
        for county in sorted(rng.choice(rest, size=min(p["zones_provincial"], len(rest)), replace=False).tolist()):
            lead = self._lead(None, leads["zone"], county)
            add(PlatformKind.HIGH_TECH_ZONE, PlatformLevel.PROVINCIAL, f"{self.counties[county]}省级高新技术产业园区", "综合",
                self.ent_cluster[lead], lead, int(rng.integers(2013, 2024)), division=county)
        busy = sorted((c for c in self.counties if len(self.by_county[c]) >= 3), key=lambda c: -len(self.by_county[c]))
        for i in range(p["incubators"]):
            county = busy[int(rng.integers(min(len(busy), 30)))]
            lead = self._lead(None, leads["incubator"], county)
            word = INCUBATOR_WORDS[i % len(INCUBATOR_WORDS)]
            level = PlatformLevel.PROVINCIAL if i % 3 else PlatformLevel.NATIONAL
            add(PlatformKind.INCUBATOR, level, f"{self.counties[county]}{word}科技企业孵化器" + (f"（{i // len(INCUBATOR_WORDS) + 1}期）" if i >= len(INCUBATOR_WORDS) else ""),
                "科技企业孵化", None, lead, int(rng.integers(2015, 2026)), division=county)
        _unique_names(specs)
        created = Platform.objects.bulk_create([
            Platform(kind=s["kind"], level=s["level"], name=s["name"], lead_enterprise_id=s["lead"], division_id=s["division"],
                     field=s["field"], cluster_id=s["cluster"], status=s["status"], recognised_year=s["year"],
                     recognised_on=datetime.date(s["year"], 11, 15) if s["status"] != InstitutionStatus.CREATING else None,
                     next_evaluation_year=ROUND_YEAR + 1)
            for s in specs
        ])
        self.platform_rows = list(zip(created, specs, strict=True))
        members, history = [], []
        self.member_count: dict[int, int] = {}
        positions = ["upstream", "midstream", "downstream", "support"]
        for plat, s in self.platform_rows:
            self.quality[("p", plat.pk)] = float(rng.beta(4.5, 2.0))
            chosen = {s["lead"]: ("lead", "midstream" if s["kind"] == PlatformKind.ALLIANCE else "")}
            if s["kind"] == PlatformKind.ALLIANCE:
                lo, hi = p["alliance_members"]
            else:
                lo, hi = p["members"]
            if s["kind"] in (PlatformKind.HIGH_TECH_ZONE, PlatformKind.INCUBATOR):
                pool = [e for e in self.by_county[s["division"]] if e != s["lead"]]
            else:
                pool = [e for e in self.by_cluster.get(s["cluster"], []) if e != s["lead"]]
            n = min(len(pool), int(rng.integers(lo, hi + 1)))
            for e in (rng.choice(pool, size=n, replace=False).tolist() if n else []):
                pos = positions[int(rng.integers(4))] if s["kind"] == PlatformKind.ALLIANCE else ""
                chosen[int(e)] = ("member", pos)
            self.member_count[plat.pk] = len(chosen)
            for e, (role, pos) in chosen.items():
                members.append(PlatformMember(platform=plat, enterprise_id=e, role=role, chain_position=pos,
                                              joined_year=max(s["year"], 2010)))
            history.append(StatusChange(platform=plat, division_id=plat.division_id, enterprise_id=s["lead"], from_status="",
                                        to_status=InstitutionStatus.CREATING, changed_on=datetime.date(max(s["year"] - 1, 2009), 12, 1),
                                        reason="批准培育创建"))
            if s["status"] == InstitutionStatus.RECOGNISED:
                history.append(StatusChange(platform=plat, division_id=plat.division_id, enterprise_id=s["lead"],
                                            from_status=InstitutionStatus.CREATING, to_status=InstitutionStatus.RECOGNISED,
                                            changed_on=datetime.date(s["year"], 11, 15), reason="经评审予以认定（批复）"))
        PlatformMember.objects.bulk_create(members, batch_size=2000)
        StatusChange.objects.bulk_create(history, batch_size=2000)

    def recognition_dates(self) -> None:
        """A recognition date for every institution of the register, in its recognition year: the levels'
        batches (demo stand-in — the real batch dates come with the imported lists), so monitoring counts
        new recognitions by month (issue 13 §2)."""
        rng = self.rng
        by_batch: dict[datetime.date, list[int]] = defaultdict(list)
        for inst_id, year in RDInstitution.objects.filter(recognised_on=None).order_by("id").values_list("id", "recognised_year"):
            level = self.level_of[inst_id]
            months = BATCH_MONTHS.get(level, ((12, 20),))
            month, day = months[int(rng.integers(len(months)))]
            by_batch[datetime.date(year, month, day)].append(inst_id)
        for on, ids in sorted(by_batch.items()):
            RDInstitution.objects.filter(id__in=ids).update(recognised_on=on)

    def milestones(self) -> None:
        """What the province tracks towards national titles (seed task 8, 11): the national graphene centre's
        acceptance, bids for national centres and branches, bids for national pilot platforms."""
        rows = []
        for plat, spec in self.platform_rows:
            if spec["kind"] == PlatformKind.INNOVATION_CENTRE and spec["level"] == PlatformLevel.NATIONAL:
                rows.append(Milestone(platform=plat, kind=MilestoneKind.NATIONAL_ACCEPTANCE, title="国家制造业创新中心建设验收",
                                      due_on=datetime.date(2026, 9, 30), status=MilestoneStatus.IN_PROGRESS,
                                      note="已完成建设期自评和第三方评估，待工信部组织现场验收。"))
        provincial = [(p, sp) for p, sp in self.platform_rows
                      if sp["kind"] == PlatformKind.INNOVATION_CENTRE and sp["level"] == PlatformLevel.PROVINCIAL]
        for k, (plat, spec) in enumerate(provincial[:5]):  # the seed's fields: 合成生物, 氢能装备 …
            kind = MilestoneKind.NATIONAL_CENTRE_BID if k % 2 == 0 else MilestoneKind.NATIONAL_BRANCH_BID
            status = [MilestoneStatus.IN_PROGRESS, MilestoneStatus.ACHIEVED, MilestoneStatus.PLANNED,
                      MilestoneStatus.IN_PROGRESS, MilestoneStatus.NOT_ACHIEVED][k]  # k odd: a branch
            rows.append(Milestone(
                platform=plat, kind=kind, title=f"争创国家{spec['field']}制造业创新中心" + ("" if k % 2 == 0 else "分中心"),
                due_on=datetime.date(2026, 6 + k, 30), status=status,
                achieved_on=datetime.date(2026, 3, 18) if status == MilestoneStatus.ACHIEVED else None,
                note={MilestoneStatus.IN_PROGRESS: "已报送申建材料，等待工信部论证。",
                      MilestoneStatus.PLANNED: "编制申建方案。",
                      MilestoneStatus.ACHIEVED: "已获批组建国家中心分中心。",
                      MilestoneStatus.NOT_ACHIEVED: "本轮未获批，下一批次继续争创。"}[status]))
        pilots = [(p, sp) for p, sp in self.platform_rows if sp["kind"] == PlatformKind.PILOT_PLATFORM]
        for plat, _spec in pilots[:2]:
            rows.append(Milestone(platform=plat, kind=MilestoneKind.NATIONAL_PILOT_BID, title="申报国家级制造业中试平台",
                                  due_on=datetime.date(2027, 6, 30), status=MilestoneStatus.PLANNED,
                                  note="按工信部中试平台体系（储备→重点培育→国家级）推进。"))
        Milestone.objects.bulk_create(rows)

    def pilot_services(self) -> None:
        """Service records of the pilot platforms (to whom, what, pilot runs, revenue) for 2024–2025; their
        yearly totals are what the pilot platforms' operation evaluation reads."""
        rng = self.rng
        kinds = list(PilotServiceKind.values)
        words = {"design": "样机设计验证", "performance": "性能测试与可靠性验证", "process": "工艺放大验证",
                 "fit": "整机适配验证", "production": "小批量试制"}
        rows = []
        for plat, spec in self.platform_rows:
            if spec["kind"] != PlatformKind.PILOT_PLATFORM:
                continue
            q = self.quality[("p", plat.pk)]
            clients = self.by_cluster.get(spec["cluster"]) or list(map(int, self.ent_id))
            for year in DATA_YEARS:
                if year < spec["year"]:
                    continue
                for _ in range(int(rng.poisson((0.9 if year < ROUND_YEAR else 1.0) * (6 + 60 * q)))):
                    client = int(clients[int(rng.integers(len(clients)))])
                    kind = kinds[int(rng.integers(len(kinds)))]
                    runs = int(rng.integers(1, 6))
                    rows.append(PilotService(
                        platform=plat, service_date=datetime.date(year, int(rng.integers(1, 13)), int(rng.integers(1, 29))),
                        client_id=client, client_name=self.ent_name[client], kind=kind, pilot_runs=runs,
                        revenue=int(runs * rng.integers(3, 40)) * 10_000, description=words[kind]))
        PilotService.objects.bulk_create(rows, batch_size=2000)

    # --- annual data -------------------------------------------------------------------------------

    def annual_data(self) -> None:
        """Annual data 2024–2025 for every institution and platform (one columnar insert)."""
        rng = self.rng
        cols: dict[str, list] = defaultdict(list)

        def row(inst: int | None, plat: int | None, division: str, ent: int | None, year: int, values: dict) -> None:
            cols["institution_id"].append(inst)
            cols["platform_id"].append(plat)
            cols["division_code"].append(division)
            cols["enterprise_id"].append(ent)
            cols["year"].append(year)
            for f in AnnualData.DATA_FIELDS:
                cols[f].append(values.get(f))

        boost = {InstitutionLevel.NATIONAL_TECH_CENTRE: 2.0, InstitutionLevel.PROVINCIAL_TECH_CENTRE: 1.3,
                 InstitutionLevel.PROVINCIAL_KEY_INSTITUTE: 1.2, InstitutionLevel.PROVINCIAL_INSTITUTE: 0.8,
                 InstitutionLevel.CITY_LEVEL: 0.5}
        #: typical R&D staff and equipment (万元) of an institution of each level
        floor = {InstitutionLevel.NATIONAL_TECH_CENTRE: (120, 2500), InstitutionLevel.PROVINCIAL_TECH_CENTRE: (45, 700),
                 InstitutionLevel.PROVINCIAL_KEY_INSTITUTE: (35, 600), InstitutionLevel.PROVINCIAL_INSTITUTE: (18, 300),
                 InstitutionLevel.CITY_LEVEL: (10, 120)}
        for inst_id, ent, level, _ in self.inst:
            q = self.quality[("i", inst_id)]
            b = boost.get(level, 1.0)
            staff_floor, equipment_floor = floor.get(level, (10, 100))
            for year in DATA_YEARS:
                stat = self.stats.get((ent, year))
                if stat is None:
                    continue
                rev, rd, npo, emp = stat
                g = 0.9 if year < ROUND_YEAR else 1.0
                rd_staff = max(int(staff_floor * (0.6 + 0.8 * q)), int(emp * (0.05 + 0.2 * q)))
                row(inst_id, None, self.ent_div[ent], ent, year, {
                    "revenue": rev, "total_cost": int(rev * (0.82 + 0.12 * rng.random())), "rd_expense": rd,
                    "rd_staff": rd_staff, "total_staff": emp, "senior_rd_staff": int(rd_staff * (0.08 + 0.25 * q)),
                    "invention_patents": int(rng.poisson(g * b * (1 + 35 * q ** 1.5))),
                    "new_invention_patents": int(rng.poisson(g * b * (0.3 + 9 * q))),
                    "conversions": int(rng.poisson(g * (0.5 + 10 * q))),
                    "standards_led": int(rng.poisson(g * b * (0.1 + 2.5 * q))),
                    "new_product_revenue": npo, "equipment_value": int(equipment_floor * 10_000 * (0.5 + q) + rd * (0.4 + 1.2 * q)),
                    "rd_floor_area": rd_staff * 25, "cooperation_projects": int(rng.poisson(g * (0.5 + 9 * q))),
                })
        for plat, s in self.platform_rows:
            q = self.quality[("p", plat.pk)]
            for year in DATA_YEARS:
                if year < s["year"]:
                    continue
                g = 0.9 if year < ROUND_YEAR else 1.0
                rd = int(g * (3e6 + 2.2e7 * q))
                revenue = int(rd / (0.07 + 0.35 * q))
                rd_staff = int(g * (15 + 170 * q))
                members = self.member_count[plat.pk]
                row(None, plat.pk, plat.division_id, s["lead"], year, {
                    "revenue": revenue, "total_cost": int(revenue * 0.9), "rd_expense": rd, "rd_staff": rd_staff,
                    "total_staff": int(rd_staff / (0.15 + 0.4 * q)), "senior_rd_staff": int(rd_staff * 0.3),
                    "invention_patents": int(rng.poisson(5 + 40 * q)), "new_invention_patents": int(rng.poisson(1 + 22 * q)),
                    "conversions": int(rng.poisson(g * (1 + 20 * q))), "standards_led": int(rng.poisson(3 * q)),
                    "services_provided": int(rng.poisson(g * (8 + 220 * q))),
                    "incubated_enterprises": int(rng.poisson(g * (0.3 + 10 * q))),
                    "member_count": members + int(rng.poisson(5 + 40 * q)) * (s["kind"] != PlatformKind.INNOVATION_CENTRE),
                    "external_funding": int(revenue * (0.05 + 0.6 * q)), "cooperation_projects": int(rng.poisson(2 + 12 * q)),
                    "equipment_value": int(rd * (1 + q)),
                })
        schema = {"institution_id": pl.Int64, "platform_id": pl.Int64, "division_code": pl.Utf8, "enterprise_id": pl.Int64,
                  "year": pl.Int16, **{f: pl.Int64 for f in AnnualData.DATA_FIELDS}}
        insert_frame(AnnualData._meta.db_table, pl.DataFrame(dict(cols), schema=schema))

    # --- experts -----------------------------------------------------------------------------------

    def experts(self) -> None:
        rng, p = self.rng, self.p
        password = make_password("xinzhi-demo-2025")
        fields = sorted({f for f, _ in CENTRE_FIELDS} | {f for v in FIELDS_BY_CLUSTER.values() for f in v})
        valid = set(self.counties)
        users, profiles = [], []
        used_names: set[str] = set()
        for k in range(p["experts"]):
            while True:
                name = SURNAMES[int(rng.integers(len(SURNAMES)))] + "".join(
                    GIVEN[int(i)] for i in rng.integers(len(GIVEN), size=int(rng.integers(1, 3))))
                if name not in used_names:
                    used_names.add(name)
                    break
            kind = "technical" if k % 10 < 7 else ("management" if k % 10 < 9 else "finance")
            users.append(User(username=f"{EXPERT_PREFIX}{k + 1:03d}", role=Role.EXPERT, full_name=name, password=password))
            if k % 4 == 3:  # employed by an enterprise of the register (recused from it and its group)
                ent = int(rng.choice(self.ent_id))
                employer = {"employer_id": ent, "employer_name": self.ent_name[ent], "division_id": self.ent_div[ent],
                            "enterprise_group": self.group_of.get(ent, "")}
            else:
                emp, county = EMPLOYERS[int(rng.integers(len(EMPLOYERS)))]
                employer = {"employer_name": emp, "division_id": county if county in valid else None}
            profiles.append({
                "fields": ",".join(sorted(rng.choice(fields, size=int(rng.integers(1, 4)), replace=False).tolist())),
                "title": TITLES[kind][int(rng.integers(len(TITLES[kind])))], "kind": kind,
                "max_load": 12 if self.scale == "small" else 10, **employer,
            })
        created = User.objects.bulk_create(users)
        ExpertProfile.objects.bulk_create([ExpertProfile(user=u, **pr) for u, pr in zip(created, profiles, strict=True)])
        login = User.objects.filter(username=EXPERT_LOGIN, role=Role.EXPERT).first()
        self.login_profile = None
        if login is not None:
            self.login_profile = ExpertProfile.objects.create(
                user=login, fields="智能传感器,集成电路,工业软件,新一代信息技术", title="教授", kind="technical",
                employer_name="浙江大学", division_id="330106" if "330106" in valid else None, max_load=15,
            )
        holders = sorted({e for _, e, _, _ in self.inst})
        experts = list(ExpertProfile.objects.filter(user__username__startswith=EXPERT_PREFIX).order_by("user__username"))
        pairs = set()
        for _ in range(p["conflicts"]):
            pairs.add((experts[int(rng.integers(len(experts)))].pk, int(holders[int(rng.integers(len(holders)))])))
        relations = ["曾任该企业技术顾问", "近三年与该企业有合作项目", "亲属在该企业任职", "持有该企业股份"]
        ConflictDeclaration.objects.bulk_create([
            ConflictDeclaration(expert_id=x, enterprise_id=e, relation=relations[(x + e) % len(relations)])
            for x, e in sorted(pairs)
        ])

    # --- rounds ------------------------------------------------------------------------------------

    def _sample(self, ids: list[int], n: int) -> list[int]:
        return sorted(self.rng.choice(ids, size=min(n, len(ids)), replace=False).tolist()) if ids else []

    def rounds(self) -> None:
        """One complete round of each purpose — recognition, annual, acceptance, operation — run through the
        evaluation services; provincial designations only (national titles are monitored, never graded)."""
        p = self.p
        active = [(i, lvl) for i, _, lvl, st in self.inst if st != InstitutionStatus.REVOKED]
        by_level: dict[str, list[int]] = defaultdict(list)
        for i, lvl in active:
            by_level[lvl].append(i)
        per = p["per_round"]
        tech = (self._sample(by_level[InstitutionLevel.PROVINCIAL_TECH_CENTRE], per // 2 + per // 8)
                + self._sample(by_level[InstitutionLevel.CITY_LEVEL], per // 3))
        institutes = (self._sample(by_level[InstitutionLevel.PROVINCIAL_KEY_INSTITUTE], per // 3)
                      + self._sample(by_level[InstitutionLevel.PROVINCIAL_INSTITUTE], per - per // 3))
        centres = [pl_.pk for pl_, s in self.platform_rows
                   if s["kind"] == PlatformKind.INNOVATION_CENTRE and s["level"] == PlatformLevel.PROVINCIAL]
        pilots = [pl_.pk for pl_, s in self.platform_rows if s["kind"] == PlatformKind.PILOT_PLATFORM and s["year"] <= ROUND_YEAR]
        operated = []
        for kind in (PlatformKind.ALLIANCE, PlatformKind.PUBLIC_SERVICE, PlatformKind.HIGH_TECH_ZONE, PlatformKind.INCUBATOR):
            ids = [pl_.pk for pl_, s in self.platform_rows
                   if s["kind"] == kind and s["year"] <= ROUND_YEAR and s["level"] != PlatformLevel.NATIONAL]
            operated += self._sample(ids, p["per_kind"])
        # the innovation centres' cycle (cycles.toml) decides which of them each round takes
        specs = [
            ("2025年度企业技术中心评价", "tech_centre_annual", tech, [], RegionRule.COUNTY, datetime.date(2026, 6, 20)),
            ("2025年度省重点企业研究院和省企业研究院评价", "research_institute_annual", institutes, [], RegionRule.COUNTY,
             datetime.date(2026, 6, 25)),
            ("2025年度省级制造业创新中心年度评价", "innovation_centre_annual", [], centres, RegionRule.CITY,
             datetime.date(2026, 5, 30)),
            ("省级制造业创新中心验收评价（2026年第一批）", "innovation_centre_acceptance", [], centres, RegionRule.CITY,
             datetime.date(2026, 7, 10)),
            ("2025年度省级制造业创新中心运行评价（三年一评）", "innovation_centre_operation", [], centres, RegionRule.CITY,
             datetime.date(2026, 7, 20)),
            ("2025年度省级制造业中试平台运行评价", "pilot_platform_operation", [], pilots, RegionRule.COUNTY,
             datetime.date(2026, 7, 25)),
            ("2025年度产业技术联盟、公共服务平台、高新区和孵化器运行评价", "platform_operation", [], operated,
             RegionRule.COUNTY, datetime.date(2026, 7, 30)),
        ]
        for name, code, inst_ids, plat_ids, rule, decided in specs:
            if inst_ids or plat_ids:
                self._evaluation_round(name, code, inst_ids, plat_ids, rule, decided)
        self._recognition_round()
        self._open_call()
        self._enterprise_call()

    def _create(self, name: str, code: str, rule: str, deadline: datetime.date, review_deadline: datetime.date | None,
                **extra: Any) -> Round:
        scheme = scoring.get_scheme(code)
        return ev.create_round(name=name, purpose=scheme.purpose, year=ROUND_YEAR, scheme_code=code, deadline=deadline,
                               review_deadline=review_deadline, region_rule=rule, reviewers_per_submission=5,
                               trim_extremes=True, actor=self.actor, **extra)

    def _assign(self, round_: Round, manual: int) -> None:
        """The ``expert`` login takes a few submissions by hand (refused where it must recuse), then batch."""
        if self.login_profile is not None:
            taken = 0
            for sub in round_.submissions.filter(status=Submission.Status.SUBMITTED).select_related("round").order_by("id"):
                if taken >= manual:
                    break
                try:
                    ev.assign(sub, self.login_profile, actor=self.actor)
                    taken += 1
                except ev.RecusalError:
                    continue
        ev.batch_assign(round_, actor=self.actor)

    def _score(self, round_: Round, keep_pending: set[int] | None = None, share: float = 1.0) -> None:
        """Experts' per-criterion scores (validated by the scheme, weighted total), written in one update."""
        scheme = scoring.get_scheme(round_.scheme_code)
        rng = self.rng
        rows = list(Assignment.objects.filter(submission__round=round_, status=Assignment.Status.PENDING)
                    .select_related("submission").order_by("submission_id", "expert_id"))
        done = []
        for a in rows:
            if a.expert_id in (keep_pending or set()) or rng.random() > share:
                continue
            sub = a.submission
            key = ("i", sub.institution_id) if sub.institution_id else ("p", sub.platform_id) if sub.platform_id else None
            q = self.quality.get(key, 0.6) if key else self._applicant_quality(sub.enterprise_id)
            scores = {c.code: str(Decimal(str(float(np.clip(round(float(c.max) * (0.45 + 0.5 * q) + rng.normal(0, 0.9), 1),
                                                             0, float(c.max)))))) for c in scheme.criteria}
            a.scores, a.total = scores, scoring.score_review(scheme, scores)
            a.comment = ("总体较好，" if q > 0.6 else "存在不足，") + ("建议加强产学研合作与成果转化。" if q < 0.8 else "建议保持。")
            a.no_conflict_confirmed, a.status = True, Assignment.Status.SUBMITTED
            a.submitted_at = timezone.now()
            done.append(a)
        Assignment.objects.bulk_update(done, ["scores", "total", "comment", "no_conflict_confirmed", "status", "submitted_at"],
                                       batch_size=500)

    def _applicant_quality(self, ent: int) -> float:
        rev, rd = self.stats.get((ent, ROUND_YEAR), (0, 0, 0, 0))[:2]
        return float(np.clip(0.3 + 10 * (rd / rev if rev else 0), 0.1, 1.0))

    def _date(self, round_: Round, decided: datetime.date) -> None:
        """Decisions, status changes, notices and recognitions dated on the decision day (not the day the demo
        ran), then the round is closed (read-only from here on)."""
        at = timezone.make_aware(datetime.datetime.combine(decided, datetime.time(10)))
        StatusChange.objects.filter(submission__round=round_).update(changed_on=decided)
        Notice.objects.filter(submission__round=round_).update(issued_on=decided)
        RDInstitution.objects.filter(submissions__round=round_, submissions__decision=Submission.Decision.RECOGNISE).update(
            recognised_on=decided, recognised_year=decided.year, next_evaluation_year=decided.year + 1)
        round_.submissions.exclude(decided_at=None).update(decided_at=at)
        round_.submissions.exclude(exception_at=None).update(exception_at=at - datetime.timedelta(days=2))
        round_.submissions.exclude(reduced_panel_at=None).update(reduced_panel_at=at - datetime.timedelta(days=5))
        Assignment.objects.filter(submission__round=round_).exclude(submitted_at=None).update(
            submitted_at=at - datetime.timedelta(days=20))
        ev.set_round_status(round_, Round.Status.CLOSED, self.actor)
        Round.objects.filter(pk=round_.pk).update(closed_at=at + datetime.timedelta(days=1))

    def _decide(self, round_: Round, reasons: str) -> None:
        """Approve a reduced panel where the pool ran out (with the reason), then determine every submission."""
        for short in ev.shortfalls(round_):
            ev.approve_reduced_panel(Submission.objects.select_related("round").get(pk=short["id"]), self.actor,
                                     "符合回避规则的同领域专家不足，经批准减员评审")
        for sub in round_.submissions.filter(status=Submission.Status.REVIEWING).select_related(
                "round", "enterprise", "institution", "platform"):
            ev.determine(sub, self.actor, reasons)

    def _evaluation_round(self, name: str, code: str, inst_ids: list[int], plat_ids: list[int], rule: str,
                          decided: datetime.date) -> None:
        round_ = self._create(name, code, rule, decided - datetime.timedelta(days=75), decided - datetime.timedelta(days=15))
        if not ev.enrol_institutions(round_, actor=self.actor, institution_ids=inst_ids, platform_ids=plat_ids):
            round_.delete()
            return
        subs = list(round_.submissions.order_by("id"))
        if len(subs) > 4 and code in ("tech_centre_annual", "platform_operation"):
            ev.defer(subs[-1], "企业正在实施重大资产重组，申请暂缓本年度评价", actor=self.actor)
        ev.set_round_status(round_, Round.Status.REVIEWING, self.actor)
        self._assign(round_, manual=3)
        # one expert declares a relation on opening an assignment → every pending assignment of that expert for
        # the enterprise is recused and each panel is refilled from the pool at once
        first = (Assignment.objects.filter(submission__round=round_, method="batch").order_by("submission_id", "expert_id")
                 .select_related("submission__round", "expert").first())
        if first is not None:
            ev.declare_conflict(first, "近三年曾为该企业提供技术咨询服务", actor=first.expert.user)
        self._score(round_)
        self._decide(round_, "经专家评审、综合评价，省经信厅审定。")
        self._date(round_, decided)

    def _applicants(self, n: int, exclude: set[int]) -> list[int]:
        held = set(RDInstitution.objects.values_list("enterprise_id", flat=True))
        pool = [e for e, _ in sorted(((int(e), r) for e, r in zip(self.ent_id, self.revenue, strict=True)), key=lambda t: -t[1])
                if e not in held and e not in exclude][: n * 6]
        return self._sample(pool, n)

    def _declared(self, ent: int) -> dict[str, int]:
        q = self._applicant_quality(ent)
        emp = self.stats.get((ent, ROUND_YEAR), (0, 0, 0, 100))[3]
        return {"rd_staff": max(10, int(emp * (0.05 + 0.15 * q))), "invention_patents": int(self.rng.poisson(2 + 20 * q)),
                "equipment_value": int(self.rng.integers(5, 40)) * 1_000_000, "rd_floor_area": int(self.rng.integers(8, 40)) * 100}

    def _recognition_round(self) -> None:
        decided = datetime.date(2026, 4, 28)
        round_ = self._create("2026年度省企业研究院认定（第一批）", "rd_institution_recognition", RegionRule.COUNTY,
                              datetime.date(2026, 2, 28), datetime.date(2026, 4, 10),
                              target_level=InstitutionLevel.PROVINCIAL_INSTITUTE)
        self.applied: set[int] = set()
        for ent in self._applicants(self.p["recognition_apps"], set()):
            self.applied.add(ent)
            ev.apply_for_recognition(round_, Enterprise.objects.get(pk=ent), self._declared(ent), self.actor,
                                     title=f"{self.ent_name[ent]}省企业研究院", today=datetime.date(2026, 2, 20))
        ev.set_round_status(round_, Round.Status.REVIEWING, self.actor)
        self._assign(round_, manual=2)
        self._score(round_)
        # an applicant missing one condition but scoring well: the province records an exception (shown on the
        # record); the others missing a condition are rejected with the condition named
        for sub in round_.submissions.filter(status=Submission.Status.REVIEWING).order_by("id"):
            if len(sub.failed_conditions) == 1 and ev.panel_refusal(sub) == "":
                ev.record_condition_exception(sub, self.actor, f"{sub.failed_conditions[0]['label']}差距较小，企业已作出书面承诺"
                                                               "限期达标，经厅务会研究同意予以认定")
                break
        self._decide(round_, "经形式审查、专家评审和省经信厅审定。")
        self._date(round_, decided)

    def _open_call(self) -> None:
        """A recognition call under review now: the ``expert`` login has pending assignments here."""
        today = timezone.localdate()
        review_deadline = max(datetime.date(2026, 12, 31), today + datetime.timedelta(days=30))
        round_ = self._create("2026年度省级企业技术中心认定", "rd_institution_recognition", RegionRule.COUNTY,
                              datetime.date(2026, 10, 31), review_deadline,
                              target_level=InstitutionLevel.PROVINCIAL_TECH_CENTRE)
        for ent in self._applicants(self.p["open_apps"], self.applied):
            ev.apply_for_recognition(round_, Enterprise.objects.get(pk=ent), self._declared(ent), self.actor,
                                     title=f"{self.ent_name[ent]}企业技术中心", today=datetime.date(2026, 10, 20))
        ev.set_round_status(round_, Round.Status.REVIEWING, self.actor)
        self._assign(round_, manual=3)
        keep = {self.login_profile.pk} if self.login_profile else set()
        self._score(round_, keep_pending=keep, share=0.5)

    def _enterprise_call(self) -> None:
        """A call open for applications now, so the demo ``enterprise`` login has one to apply to (issue 13 §10)."""
        today = timezone.localdate()
        deadline = max(datetime.date(2027, 3, 31), today + datetime.timedelta(days=90))
        round_ = self._create("2026年度省企业研究院认定（第二批）", "rd_institution_recognition", RegionRule.COUNTY,
                              deadline, deadline + datetime.timedelta(days=45),
                              target_level=InstitutionLevel.PROVINCIAL_INSTITUTE)
        login = User.objects.filter(username="enterprise", role=Role.ENTERPRISE).values_list("enterprise_id", flat=True).first()
        for ent in self._applicants(2, self.applied | {login}):
            ev.apply_for_recognition(round_, Enterprise.objects.get(pk=ent), self._declared(ent), self.actor,
                                     title=f"{self.ent_name[ent]}省企业研究院", today=min(today, deadline))


# --------------------------------------------------------------------------------------------------
# clear


def _raw_delete(qs) -> None:
    """Delete without collecting rows or firing signals (one statement; the demo is not audited row by row)."""
    qs._raw_delete(qs.db)


@transaction.atomic
def clear() -> None:
    """Remove what :func:`load` wrote: platforms, members, annual data, status history, notices, rounds,
    submissions, assignments, groups, conflict declarations, the demo experts (and the ``expert`` login's
    profile), the institutions it created (recognitions, city level); the register's institutions get
    back the status and level they had before the first recorded change, and lose field, cluster and
    next evaluation year."""
    # restore statuses and levels changed by evaluations (first recorded change per institution)
    first: dict[int, tuple[str, str]] = {}
    for inst, status, level in (StatusChange.objects.exclude(institution=None).order_by("changed_on", "id")
                                .values_list("institution_id", "from_status", "from_level")):
        first.setdefault(inst, (status, level))
    created = set(Submission.objects.filter(round__purpose=Purpose.RECOGNITION).exclude(institution=None)
                  .values_list("institution_id", flat=True))
    created |= set(RDInstitution.objects.filter(level=InstitutionLevel.CITY_LEVEL, name__endswith=CITY_LEVEL_SUFFIX)
                   .values_list("id", flat=True))
    for model in (Correction, Assignment, ConflictDeclaration, Notice, StatusChange, AnnualData, Submission, Round,
                  PlatformMember, Milestone, PilotService, Platform, EnterpriseGroup):
        _raw_delete(model.objects.all())
    for inst, (status, level) in first.items():
        if inst in created or not status:
            continue
        RDInstitution.objects.filter(pk=inst).update(status=status, **({"level": level} if level else {}))
    ids = sorted(created)
    for start in range(0, len(ids), 500):
        _raw_delete(RDInstitution.objects.filter(id__in=ids[start:start + 500]))
    RDInstitution.objects.exclude(field="", cluster=None, next_evaluation_year=None).update(
        field="", cluster=None, next_evaluation_year=None)
    RDInstitution.objects.exclude(recognised_on=None).update(recognised_on=None)  # the demo's batch dates
    ExpertProfile.objects.filter(user__username=EXPERT_LOGIN).delete()
    _raw_delete(ExpertProfile.objects.filter(user__username__startswith=EXPERT_PREFIX))
    User.objects.filter(username__startswith=EXPERT_PREFIX, role=Role.EXPERT).delete()
