"""Demo data for the innovation programmes (called by ``xinzhi demo`` after the register and platforms demos).

Deterministic for a seed. Calibrated (full scale) so the 2025 targets are in reach but not all met:

* **new-product projects**: ≈ 4,700 approvals in 2024 and ≈ 5,100 in 2025 (target ≥ 5,000), spread over the
  months with more in the second half; applications still in review and a few rejected; approvals of 2024
  appraised in 2025 (≈ 90 % pass);
* **excellent new products** 96 in 2025 (target ≥ 100: just missed), **advanced achievements** 108
  (met); 2024: 102 / 97;
* **major S&T projects**: ≈ 400 provincial projects a year (尖兵, 领雁, other major) plus tracked national
  ones; units in rank order with the first unit an enterprise in most projects; enterprise-involved ≈ 87 %,
  enterprise-led ≈ 72 % overall, with 领雁 below 70 %;
* **the closed loop**: solvers from the platforms registers (pilot platforms, innovation centres, key
  research institutes) and universities; ≈ 600 problems posed from January 2025 to November 2026 moving
  through the stages with realistic durations, a few stalled (no step for more than 60 days before
  2026-11-30), a few withdrawn; the demo ``enterprise`` login's enterprise poses some; a ``solver`` login
  (enterprise user of a pilot-platform solver, password as the other demo logins).

* **standards and 对标达标** (:mod:`.demo_benchmarking`): 300 standards and 450 benchmarking plans with
  their results across the 415X clusters.

The small scale writes about 3 % of it (standards and plans: 40 and 60). Rows are written with ``bulk_create``; :func:`clear` removes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import transaction

from xinzhi.accounts.models import Role, User
from xinzhi.accounts.services import DEMO_PASSWORD
from xinzhi.enterprises.models import Enterprise
from xinzhi.industries.models import ClusterIndustry
from xinzhi.platforms.models import Platform, PlatformKind, RDInstitution

from . import demo_benchmarking, demo_calls, demo_scenarios, loop
from .models import (
    Acceptance,
    Contract,
    ContractMilestone,
    MajorProject,
    MarketEvaluation,
    NewProductProject,
    Problem,
    ProblemStep,
    ProjectUnit,
    Proposal,
    Selection,
    Solver,
)

SOLVER_LOGIN = "solver"
D = dt.date
LOOP_END = D(2026, 11, 30)
MILESTONES, MILESTONE_DAYS = ("样机研制", "中试验证", "小批量试产", "用户试用"), (50, 100, 150, 200)

SCALES = {
    "small": {"np": {2024: 140, 2025: 152}, "sel": {2024: (4, 3), 2025: (3, 4)}, "projects": 40, "national": 3,
              "problems": 40, "institutes": 8},
    "full": {"np": {2024: 4700, 2025: 5100}, "sel": {2024: (102, 97), 2025: (96, 108)}, "projects": 400,
             "national": 20, "problems": 600, "institutes": 40},
}
#: month weights of approvals (more in the second half, the provincial batches)
MONTH_WEIGHTS = np.array([2, 3, 6, 8, 8, 9, 9, 10, 10, 11, 12, 12], dtype=float)
UNIVERSITIES = [("浙江大学", "330106"), ("浙江工业大学", "330105"), ("宁波大学", "330211"), ("杭州电子科技大学", "330113"),
                ("温州大学", "330304"), ("中国计量大学", "330113"), ("浙江理工大学", "330113"), ("浙江师范大学", "330702")]
INSTITUTES = [("之江实验室", "330110"), ("浙江省机电设计研究院", "330105"), ("中国科学院宁波材料技术与工程研究所", "330211"),
              ("浙江省化工研究院", "330108"), ("西湖大学", "330106")]
OUTSIDE = ["中国科学院上海微系统与信息技术研究所", "清华大学", "上海交通大学", "中国科学技术大学"]
FIELDS = ["智能传感器", "工业机器人", "新材料", "精细化工", "生物医药", "集成电路", "新能源汽车零部件", "高端装备",
          "工业软件", "氢能装备"]
PROBLEM_TITLES = ["{f}关键部件国产化替代", "{f}高可靠封装工艺", "{f}在线检测与质量追溯", "{f}能耗降低30%工艺改造",
                  "{f}核心算法优化", "{f}小批量柔性生产线", "{f}耐高温长寿命材料", "{f}精度提升一个数量级"]
PRODUCT_NOUNS = ["智能控制器", "高精度传感器", "节能电机", "新型复合材料", "工业软件平台", "精密减速器", "环保涂料",
                 "医用导管", "储能模组", "数控系统"]

Log = Callable[[str], Any] | None


def load(scale: str, seed: int, log: Log = None) -> dict[str, int]:
    clear()
    p = SCALES[scale]
    rng = np.random.default_rng([seed, 17])
    rows = list(Enterprise.objects.order_by("id").values_list("id", "name", "division_id", "industry_id"))
    if not rows:
        return {}
    ent_id = np.array([r[0] for r in rows])
    info = {r[0]: r for r in rows}
    mapping = sorted(ClusterIndustry.objects.values_list("industry_id", "cluster_id"), key=lambda r: -len(r[0]))

    def cluster_of(industry: str) -> str | None:
        return next((c for prefix, c in mapping if industry.startswith(prefix)), None)

    with transaction.atomic():
        counts = _new_products(p, rng, ent_id, info, cluster_of)
        counts |= _projects(p, rng, ent_id, info)
        counts |= _loop(p, rng, ent_id, info, cluster_of)
        counts |= demo_calls.load(scale, rng, ent_id, info, FIELDS)
        # standards and 对标达标 with their own stream: the figures above do not move
        counts |= demo_benchmarking.load(scale, np.random.default_rng([seed, 13]), ent_id, info, cluster_of,
                                         brand_rng=np.random.default_rng([seed, 13, 1]))
        counts |= demo_scenarios.load(seed, ent_id, info)
    if log:
        log("创新项目演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def _dates_in(rng, year: int, n: int) -> list[dt.date]:
    months = rng.choice(12, size=n, p=MONTH_WEIGHTS / MONTH_WEIGHTS.sum()) + 1
    days = rng.integers(1, 29, size=n)
    return [D(year, int(m), int(d)) for m, d in zip(months, days, strict=True)]


def _new_products(p, rng, ent_id, info, cluster_of) -> dict[str, int]:
    objs = []
    for year, approvals in p["np"].items():
        n = int(approvals * 1.12)  # applications: some still in review or rejected
        picks = rng.choice(ent_id, size=n)
        approved_dates = _dates_in(rng, year, n)
        fate = rng.random(n)
        for i in range(n):
            eid = int(picks[i])
            _, name, div, industry = info[eid]
            approved_on = approved_dates[i]
            applied = approved_on - dt.timedelta(days=int(rng.integers(40, 90)))
            county_on = applied + dt.timedelta(days=int(rng.integers(5, 15)))
            city_on = county_on + dt.timedelta(days=int(rng.integers(5, 20)))
            product = f"{name[:6]}{PRODUCT_NOUNS[int(rng.integers(len(PRODUCT_NOUNS)))]}{i + 1:05d}"
            obj = NewProductProject(enterprise_id=eid, division_id=div, name=product, cluster_id=cluster_of(industry),
                                    year=year, applied_on=applied, kind="product" if fate[i] < 0.8 else "technology")
            share_approved = approvals / n
            if fate[i] < share_approved:
                obj.stage, obj.county_on, obj.city_on, obj.approved_on = "approved", county_on, city_on, approved_on
                if year == 2024 and rng.random() < 0.7:
                    obj.appraised_on = approved_on + dt.timedelta(days=int(rng.integers(200, 330)))
                    passed = rng.random() < 0.9
                    obj.stage = "appraised" if passed else "failed"
                    obj.appraisal_result = "主要技术指标达到合同要求，同意通过鉴定验收" if passed else "关键指标未达到要求，建议整改后重新验收"
            elif fate[i] < share_approved + 0.04:
                obj.stage, obj.county_on, obj.review_note = "rejected", county_on, "创新性不足，不予推荐"
            elif approved_on.month >= 11:
                obj.stage, obj.county_on = "county", county_on  # the year-end batch still in review
            else:
                obj.stage, obj.county_on, obj.city_on = "city", county_on, city_on
            objs.append(obj)
    NewProductProject.objects.bulk_create(objs, batch_size=2000)
    approved = list(NewProductProject.objects.filter(approved_on__isnull=False).values_list("id", "enterprise_id", "name", "division_id"))
    sels = []
    for year, (excellent, achievements) in p["sel"].items():
        for kind, n in (("excellent", excellent), ("achievement", achievements)):
            idx = rng.choice(len(approved), size=min(n, len(approved)), replace=False)
            published = D(year, 11, 20) if kind == "excellent" else D(year, 9, 15)
            for rank, k in enumerate(idx):
                pid, eid, name, div = approved[int(k)]
                prize = ("一等奖" if rank < n * 0.08 else "二等奖" if rank < n * 0.3 else "三等奖") if kind == "excellent" else ""
                sels.append(Selection(kind=kind, enterprise_id=eid, division_id=div, name=name, year=year,
                                      published_on=published, prize=prize, new_product_id=pid if kind == "excellent" else None))
    Selection.objects.bulk_create(sels, batch_size=2000)
    return {"new_products": len(objs), "selections": len(sels)}


def _projects(p, rng, ent_id, info) -> dict[str, int]:
    projects, unit_specs = [], []
    programmes = [("jianbing", 0.92, 0.80), ("lingyan", 0.80, 0.64), ("major", 0.88, 0.74)]  # P(involved), P(led)
    batches = {2024: [D(2024, 3, 20), D(2024, 7, 15), D(2024, 11, 10)], 2025: [D(2025, 3, 18), D(2025, 7, 10), D(2025, 11, 12)]}
    for year in (2024, 2025):
        for j in range(p["projects"] + p["national"]):
            national = j >= p["projects"]
            code, p_inv, p_led = programmes[j % 3] if not national else ("national", 0.9, 0.7)
            approved_on = batches[year][int(rng.integers(3))]
            n_units = int(rng.integers(2, 6))
            r = rng.random()
            if r < p_led:
                ent_rank = int(rng.integers(1, 4))           # an enterprise in the top three
            elif r < p_inv:
                ent_rank = int(rng.integers(4, max(n_units, 4) + 2))  # an enterprise further down
                n_units = max(n_units, ent_rank)
            else:
                ent_rank = 0                                  # no enterprise
            units = []
            for rank in range(1, n_units + 1):
                if rank == ent_rank:
                    eid = int(rng.choice(ent_id))
                    units.append({"rank": rank, "name": info[eid][1], "kind": "enterprise", "enterprise_id": eid,
                                  "in_province": True, "division": info[eid][2]})
                elif rng.random() < 0.1:
                    units.append({"rank": rank, "name": OUTSIDE[int(rng.integers(len(OUTSIDE)))], "kind": "institute",
                                  "enterprise_id": None, "in_province": False, "division": None})
                else:
                    name, div = (UNIVERSITIES + INSTITUTES)[int(rng.integers(len(UNIVERSITIES) + len(INSTITUTES)))]
                    kind = "university" if (name, div) in UNIVERSITIES else "institute"
                    units.append({"rank": rank, "name": name, "kind": kind, "enterprise_id": None, "in_province": True,
                                  "division": div})
            seen = set()
            units = [u for u in units if not (u["name"] in seen or seen.add(u["name"]))]
            lead = next((u for u in units if u["kind"] == "enterprise"), None)
            division = lead["division"] if lead else next((u["division"] for u in units if u["division"]), "330106")
            field = FIELDS[int(rng.integers(len(FIELDS)))]
            projects.append(MajorProject(
                name=f"{year}年{field}重大攻关项目{j + 1:03d}", programme=code, year=year, approved_on=approved_on,
                division_id=division, field=field, recommended_by_province=national,
                lead_enterprise_id=units[0]["enterprise_id"] if units[0]["kind"] == "enterprise" else None))
            unit_specs.append(units)
    created = MajorProject.objects.bulk_create(projects, batch_size=2000)
    objs = [ProjectUnit(project=proj, rank=u["rank"], name=u["name"], kind=u["kind"], in_province=u["in_province"],
                        enterprise_id=u["enterprise_id"]) for proj, units in zip(created, unit_specs, strict=True) for u in units]
    ProjectUnit.objects.bulk_create(objs, batch_size=5000)
    return {"major_projects": len(created), "project_units": len(objs)}


def _loop(p, rng, ent_id, info, cluster_of) -> dict[str, int]:
    solvers = []
    for plat in Platform.objects.filter(kind__in=[PlatformKind.PILOT_PLATFORM, PlatformKind.INNOVATION_CENTRE]).order_by("id"):
        solvers.append(Solver(name=plat.name, kind=plat.kind, division_id=plat.division_id, platform=plat,
                              enterprise_id=plat.lead_enterprise_id, fields=plat.field, cluster_id=plat.cluster_id))
    for inst in RDInstitution.objects.filter(level="provincial_key_institute").select_related("enterprise").order_by("id")[:p["institutes"]]:
        solvers.append(Solver(name=inst.name, kind="rd_institution", division_id=inst.enterprise.division_id,
                              institution=inst, enterprise_id=inst.enterprise_id, fields=inst.field, cluster_id=inst.cluster_id))
    for name, div in UNIVERSITIES + INSTITUTES:
        solvers.append(Solver(name=name, kind="university" if (name, div) in UNIVERSITIES else "institute",
                              division_id=div, fields="、".join(FIELDS[:5])))
    seen = set()
    solvers = [s for s in solvers if not (s.name in seen or seen.add(s.name))]
    solvers = Solver.objects.bulk_create(solvers)
    login_solver = next((s for s in solvers if s.kind == PlatformKind.PILOT_PLATFORM and s.enterprise_id), None)
    if login_solver is not None:
        user = User(username=SOLVER_LOGIN, role=Role.ENTERPRISE, enterprise_id=login_solver.enterprise_id,
                    full_name=f"{login_solver.name} 解题联络员")
        user.set_password(DEMO_PASSWORD)
        user.save()
    actor = User.objects.filter(username="xihu").first()
    demo_ent = Enterprise.objects.filter(division_id="330106").order_by("id").values_list("id", flat=True).first()
    start = D(2025, 1, 1)
    span = (LOOP_END - start).days
    n = p["problems"]
    problems, plans = [], []
    for i in range(n):
        eid = int(demo_ent) if (demo_ent and i % 25 == 0) else int(rng.choice(ent_id))
        _, name, div, industry = info[eid]
        field = FIELDS[int(rng.integers(len(FIELDS)))]
        posed = start + dt.timedelta(days=int(rng.integers(0, span - 5)))
        # stage durations (days) and how far it gets, drawn once; the chain stops at LOOP_END
        durations = [int(rng.integers(5, 25)), int(rng.integers(3, 20)), int(rng.integers(10, 45)),
                     int(rng.integers(15, 60)), int(rng.integers(160, 250)), 183, 183]
        withdraw = rng.random() < 0.03
        stalled = rng.random() < 0.05
        # most problems move on until the demo's end; a few stop (stalled) or are withdrawn early
        reach = int(rng.integers(0, 4)) if stalled else int(rng.integers(0, 3)) if withdraw else 6
        dates, d = [posed], posed
        for k in range(reach):
            d = d + dt.timedelta(days=durations[k])
            if d > LOOP_END:
                break
            dates.append(d)
        stage_dates = dates[:7]
        confidential = rng.random() < 0.15
        pr = Problem(enterprise_id=eid, division_id=div, title=PROBLEM_TITLES[i % len(PROBLEM_TITLES)].format(f=field),
                     field=field, cluster_id=cluster_of(industry), goal=f"{field}关键指标达到国际先进水平，实现批量应用",
                     acceptance_criteria="关键性能指标提升30%以上；连续运行500小时无故障；通过第三方检测",
                     budget=int(rng.integers(20, 800)) * 10_000, deadline=posed + dt.timedelta(days=540),
                     confidential=confidential, posed_at=posed)
        for (state, col), date in zip(loop.FUNNEL, stage_dates, strict=False):
            setattr(pr, col, date)
            pr.state = state
        if withdraw and pr.state in (loop.POSED, loop.VETTED, loop.PUBLISHED):
            pr.withdrawn_at = min(stage_dates[-1] + dt.timedelta(days=10), LOOP_END)
            pr.state = loop.WITHDRAWN
        last = max([x for x in (*stage_dates, pr.withdrawn_at) if x])
        if pr.state == loop.CONTRACTED:  # milestones done every 50 days are recorded steps
            last = max([last] + [pr.contracted_at + dt.timedelta(days=m) for m in MILESTONE_DAYS
                                 if pr.contracted_at + dt.timedelta(days=m) <= LOOP_END and not stalled])
        pr.last_step_at = min(last, LOOP_END)
        if pr.vetted_at:
            pr.classification, pr.support = ("工艺攻关" if i % 2 else "关键核心技术"), ["co_funding", "matching", "recommend"][i % 3]
        problems.append(pr)
        plans.append(stage_dates)
    problems = Problem.objects.bulk_create(problems)
    steps, proposals = [], []
    for pr in problems:
        steps.append(ProblemStep(problem=pr, action="pose", from_state="", to_state=loop.POSED, on=pr.posed_at))
        prev = loop.POSED
        for (state, col), action in zip(loop.FUNNEL[1:], ["vet", "route" if pr.confidential else "publish", "propose",
                                                          "contract", "accept", "evaluate"], strict=True):
            on = getattr(pr, col)
            if on is None:
                break
            steps.append(ProblemStep(problem=pr, action=action, from_state=prev, to_state=state, on=on, actor=actor))
            prev = state
        if pr.withdrawn_at:
            steps.append(ProblemStep(problem=pr, action="withdraw", from_state=prev, to_state=loop.WITHDRAWN, on=pr.withdrawn_at))
        if pr.answered_at:
            k = int(rng.integers(1, 4))
            for j, s in enumerate(rng.choice(len(solvers), size=k, replace=False)):
                proposals.append(Proposal(problem=pr, solver=solvers[int(s)], summary=f"{pr.field}联合攻关方案（{j + 1}）",
                                          price=int(pr.budget * rng.uniform(0.6, 1.0)), months=int(rng.integers(6, 18)),
                                          submitted_on=pr.answered_at + dt.timedelta(days=j * 3),
                                          chosen=bool(pr.contracted_at) and j == 0))
    ProblemStep.objects.bulk_create(steps, batch_size=5000)
    proposals = Proposal.objects.bulk_create(proposals, batch_size=5000)
    by_problem = {pp.problem_id: pp for pp in proposals if pp.chosen}
    pilots = list(Platform.objects.filter(kind=PlatformKind.PILOT_PLATFORM).values_list("id", flat=True))
    contracts, accepts, evals = [], [], []
    for pr in problems:
        if pr.contracted_at and pr.pk in by_problem:
            contracts.append(Contract(problem=pr, proposal=by_problem[pr.pk], signed_on=pr.contracted_at,
                                      amount=by_problem[pr.pk].price))
        if pr.verified_at:
            accepts.append(Acceptance(problem=pr, on=pr.verified_at, place=f"{info[pr.enterprise_id][1]}生产车间", passed=True,
                                      result="对照验收指标逐项检测，全部达到", pilot_platform_id=(pilots[pr.pk % len(pilots)] if pilots and pr.pk % 3 == 0 else None)))
        if pr.market_at:
            evals.append(MarketEvaluation(problem=pr, months=6, on=pr.market_at, sales=int(rng.integers(50, 3000)) * 10_000,
                                          cost_saved=int(rng.integers(10, 500)) * 10_000, adopters=int(rng.integers(0, 6))))
    contracts = Contract.objects.bulk_create(contracts)
    ContractMilestone.objects.bulk_create([
        ContractMilestone(contract=c, title=t, due_on=c.signed_on + dt.timedelta(days=days),
                          done_on=(c.signed_on + dt.timedelta(days=days))
                          if c.signed_on + dt.timedelta(days=days) <= c.problem.last_step_at else None)
        for c in contracts for t, days in zip(MILESTONES, MILESTONE_DAYS, strict=True)])
    Acceptance.objects.bulk_create(accepts)
    MarketEvaluation.objects.bulk_create(evals)
    return {"solvers": len(solvers), "problems": len(problems), "problem_steps": len(steps), "proposals": len(proposals)}


def clear() -> None:
    demo_scenarios.clear()
    demo_benchmarking.clear()
    demo_calls.clear()
    for model in (MarketEvaluation, Acceptance, ContractMilestone, Contract, Proposal, ProblemStep):
        model.objects.all()._raw_delete(model.objects.db)
    Problem.invited_solvers.through.objects.all().delete()
    for model in (Problem, Solver, Selection, NewProductProject, ProjectUnit, MajorProject):
        model.objects.all()._raw_delete(model.objects.db)
    User.objects.filter(username=SOLVER_LOGIN).delete()
