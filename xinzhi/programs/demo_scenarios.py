"""Demo data of the application scenarios (应用场景, issue 17 item 4), called from
:func:`xinzhi.programs.demo_data.load` after the new products and selections exist.

36 scenarios in counties of every city, opened by hospitals, state-owned enterprises, government units
and leading firms of the register (the Jiaxing model, programmes.md §1.6), with 0–4 products applied to
each — excellent new products and new-product projects of enterprises of the scenario's city, or a product
named in free text —
at every stage of 对接 → 试用 → 落地; a few scenarios closed. Written directly (bulk), states consistent
with their dates, each step logged. Deterministic for a seed; its own random stream, so the other demo
data do not change.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from xinzhi.industries.models import Cluster
from xinzhi.regions.models import Division

from . import scenarios as S
from .models import NewProductProject, ProviderKind, Scenario, ScenarioMatch, ScenarioStep, Selection

D = dt.date
COUNT = 36
PROVIDERS = [("第一人民医院", ProviderKind.HOSPITAL), ("中医院", ProviderKind.HOSPITAL),
             ("交通投资集团有限公司", ProviderKind.SOE), ("水务集团有限公司", ProviderKind.SOE),
             ("城市建设投资集团有限公司", ProviderKind.SOE), ("城市管理局", ProviderKind.GOVERNMENT),
             ("应急管理局", ProviderKind.GOVERNMENT), ("数据局", ProviderKind.GOVERNMENT)]
SCENES = [("智慧病房护理机器人", "智慧医疗", "病区夜间巡视与物资配送，需支持电梯联动和院内系统对接"),
          ("供水管网漏损智能监测", "智慧水务", "管网压力、流量在线监测与漏点定位，漏损率降低2个百分点"),
          ("桥梁结构健康监测", "智慧交通", "在役桥梁应变、振动在线监测与预警，数据接入市级平台"),
          ("城市内涝积水预警", "城市治理", "易涝点水位实时监测与预警发布"),
          ("危化品仓储安全监测", "安全生产", "可燃气体、温湿度和视频智能识别一体化监测"),
          ("工厂产线质检视觉替代", "智能制造", "关键工序外观缺陷在线检测，漏检率低于0.1%"),
          ("园区综合能源管理", "绿色低碳", "光储充一体化与负荷预测，园区能耗降低10%"),
          ("政务数据安全流通", "数字政府", "数据分级分类与隐私计算，支持跨部门共享"),
          ("港口集装箱无人集卡", "智慧物流", "堆场内集装箱自动驾驶转运"),
          ("医用耗材国产化替代", "生物医药", "高值医用耗材院内试用与临床评价")]
#: the 415X cluster each demo scene draws on (a demo choice, not a classification from a source)
SCENE_CLUSTERS = {"智慧病房护理机器人": "robots_cnc", "供水管网漏损智能监测": "new_gen_it", "桥梁结构健康监测": "new_gen_it",
                  "城市内涝积水预警": "security_networking", "危化品仓储安全监测": "security_networking",
                  "工厂产线质检视觉替代": "high_end_equipment", "园区综合能源管理": "smart_electrical",
                  "政务数据安全流通": "security_networking", "港口集装箱无人集卡": "high_end_equipment",
                  "医用耗材国产化替代": "biomedicine_devices"}
FREE_PRODUCTS = ["巡检机器人", "边缘计算网关", "智能水表", "毫米波雷达", "AI视觉检测系统", "储能变流器"]


def load(seed: int, ent_id: np.ndarray, info: dict) -> dict[str, int]:
    rng = np.random.default_rng([seed, 12])
    counties = sorted({str(info[int(e)][2]) for e in ent_id})
    by_city: dict[str, list[str]] = {}
    for code in counties:
        by_city.setdefault(code[:4], []).append(code)
    names = dict(Division.objects.filter(level="city").values_list("code", "name"))
    cities = sorted(by_city)
    # scenarios promote local products (the Jiaxing model): applicants are enterprises of the scenario's city
    products: dict[str, list] = {}
    for s in Selection.objects.order_by("id").values_list("pk", "enterprise_id", "name", "division_id")[:600]:
        products.setdefault(s[3][:4], []).append(("selection", *s[:3]))
    for p in NewProductProject.objects.order_by("id").values_list("pk", "enterprise_id", "name", "division_id")[:600]:
        products.setdefault(p[3][:4], []).append(("new_product", *p[:3]))
    locals_: dict[str, list[int]] = {}
    for e in ent_id:
        locals_.setdefault(str(info[int(e)][2])[:4], []).append(int(e))
    known_clusters = set(Cluster.objects.values_list("code", flat=True))
    scens, plans = [], []
    for i in range(COUNT):
        city = cities[i % len(cities)]
        county = by_city[city][int(rng.integers(len(by_city[city])))]
        scene, field, need = SCENES[i % len(SCENES)]
        opened = D(2025, 3, 1) + dt.timedelta(days=int(rng.integers(0, 200)))
        if rng.random() < 0.3:  # a leading firm of the city opens a scenario lab
            near = locals_[city]
            eid = near[int(rng.integers(len(near)))]
            provider, kind, provider_ent = info[eid][1], ProviderKind.ENTERPRISE, eid
        else:
            unit, kind = PROVIDERS[int(rng.integers(len(PROVIDERS)))]
            provider, provider_ent = names.get(city[:4] + "00", "") + unit, None
        cluster = SCENE_CLUSTERS.get(scene)
        scens.append(Scenario(name=f"{scene}应用场景", provider_name=provider, provider_kind=kind,
                              provider_enterprise_id=provider_ent, division_id=county, field=field, need=need,
                              cluster_id=cluster if cluster in known_clusters else None,
                              opened_on=opened, deadline=opened + dt.timedelta(days=90)))
        plans.append(int(rng.integers(0, 5)))
    # one scenario per (county, name, date): nudge a repeated date
    seen = set()
    for s in scens:
        while (s.division_id, s.name, s.opened_on) in seen:
            s.opened_on += dt.timedelta(days=1)
        seen.add((s.division_id, s.name, s.opened_on))
    Scenario.objects.bulk_create(scens)
    matches, steps = [], []
    for s, n in zip(scens, plans, strict=True):
        steps.append(ScenarioStep(scenario=s, action="open", from_state="", to_state=S.OPEN, on=s.opened_on,
                                  note="演示数据"))
        pool = products.get(s.division_id[:4], [])
        chosen = rng.choice(len(pool), size=min(n, len(pool)), replace=False) if pool else []
        for j in chosen:
            source, pk, eid, name = pool[int(j)]
            applied = s.opened_on + dt.timedelta(days=int(rng.integers(3, 60)))
            if any(m.scenario is s and m.enterprise_id == eid and m.product_name == name for m in matches):
                continue
            m = ScenarioMatch(scenario=s, enterprise_id=eid, product_name=name[:200], applied_on=applied,
                              selection_id=pk if source == "selection" else None,
                              new_product_id=pk if source == "new_product" else None)
            depth, on = int(rng.integers(0, 4)), applied
            for field in ("talking_on", "trial_on", "landed_on")[:depth]:
                on += dt.timedelta(days=int(rng.integers(10, 60)))
                setattr(m, field, on)
            m.state = (S.APPLIED, S.TALKING, S.TRIAL, S.DONE)[depth]
            if depth < 3 and rng.random() < 0.15:
                m.declined_on, m.state, m.note = on + dt.timedelta(days=20), S.DECLINED, "技术指标未达场景要求"
            matches.append(m)
        if n and not any(m.scenario is s for m in matches):  # no product drawn: a free-text one
            near = locals_[s.division_id[:4]]
            matches.append(ScenarioMatch(scenario=s, enterprise_id=near[int(rng.integers(len(near)))],
                                         product_name=FREE_PRODUCTS[int(rng.integers(len(FREE_PRODUCTS)))],
                                         applied_on=s.opened_on + dt.timedelta(days=10), state=S.APPLIED))
    ScenarioMatch.objects.bulk_create(matches)
    for m in matches:
        steps.append(ScenarioStep(scenario=m.scenario, match=m, action="apply", from_state="", to_state=S.APPLIED,
                                  on=m.applied_on, note="演示数据"))
        before = S.APPLIED
        for action, field, target in (("talk", "talking_on", S.TALKING), ("trial", "trial_on", S.TRIAL),
                                      ("land", "landed_on", S.DONE)):
            if getattr(m, field):
                steps.append(ScenarioStep(scenario=m.scenario, match=m, action=action, from_state=before, to_state=target,
                                          on=getattr(m, field)))
                before = target
        if m.declined_on:
            steps.append(ScenarioStep(scenario=m.scenario, match=m, action="decline", from_state=before,
                                      to_state=S.DECLINED, on=m.declined_on, note=m.note))
    # the scenario follows its matches: 已对接 from the first match in talks, 已落地 from the first landing
    changed = []
    for s in scens:
        mine = [m for m in matches if m.scenario is s]
        talks = sorted(m.talking_on for m in mine if m.talking_on)
        lands = sorted(m.landed_on for m in mine if m.landed_on)
        if talks:
            s.state, s.matched_on = S.MATCHED, talks[0]
            steps.append(ScenarioStep(scenario=s, action="match", from_state=S.OPEN, to_state=S.MATCHED, on=talks[0]))
        if lands:
            s.state, s.landed_on = S.LANDED, lands[0]
            steps.append(ScenarioStep(scenario=s, action="land", from_state=S.MATCHED, to_state=S.LANDED, on=lands[0]))
        elif not mine and s.opened_on < D(2025, 6, 1):
            s.state, s.closed_on, s.close_reason = S.CLOSED, s.deadline, "征集期满无产品报名"
            steps.append(ScenarioStep(scenario=s, action="close", from_state=S.OPEN, to_state=S.CLOSED, on=s.deadline,
                                      note=s.close_reason))
        changed.append(s)
    Scenario.objects.bulk_update(changed, ["state", "matched_on", "landed_on", "closed_on", "close_reason"])
    ScenarioStep.objects.bulk_create(steps)
    return {"scenarios": len(scens), "scenario_matches": len(matches)}


def clear() -> None:
    for model in (ScenarioStep, ScenarioMatch, Scenario):
        model.objects.all()._raw_delete(model.objects.db)
