"""Demo data of the research-needs call and the excellent-product review (issue 17 items 2 and 4), called
from :func:`xinzhi.programs.demo_data.load` after the platforms demo has filled the expert pool.

* the **2025 call** (企业主导的科技攻关需求征集): 40 (small) / 80 (full) submissions from enterprises of the
  register, with 0–3 partners (universities, institutes, another enterprise); county vetting and city
  recommendation written directly (a few returned, rejected or withdrawn); then, through the real
  services, the expert review round (batch assignment with automatic recusal of lead and partner units),
  the experts' scores, the determinations, the published ranked list (20 recommended, ties kept), the
  recommendation, and three major S&T projects created from recommended needs (approved 2026-01-15);
* the **2026 excellent new products review**: a round with 30 / 150 appraised candidates enrolled and
  assigned, about half of them scored — in progress, nothing published (the 2025 selections stay as the
  programmes demo wrote them).

Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt

from xinzhi.accounts.models import Role, User
from xinzhi.evaluation import services as ev
from xinzhi.evaluation.models import Assignment, ExpertProfile, Purpose, Round

from . import calls, research
from .models import NeedPartner, NeedStep, ResearchCall, ResearchNeed

D = dt.date
NEEDS = {"small": 40, "full": 80}
CANDIDATES = {"small": 30, "full": 150}
PARTNER_UNITS = [("浙江大学", "university"), ("浙江工业大学", "university"), ("宁波大学", "university"),
                 ("杭州电子科技大学", "university"), ("之江实验室", "institute"), ("浙江省机电设计研究院", "institute"),
                 ("中国科学院宁波材料技术与工程研究所", "institute"), ("浙江省化工研究院", "institute")]
NEED_TITLES = ["{f}关键核心部件攻关", "{f}卡脖子材料国产化", "{f}高端工艺装备研制", "{f}共性技术平台开发",
               "{f}可靠性与寿命提升", "{f}智能化产线关键技术"]
CRITERIA = ("soundness", "novelty", "feasibility", "urgency")


def load(scale: str, rng, ent_id, info, fields: list[str]) -> dict[str, int]:
    province = User.objects.filter(role=Role.PROVINCE_STAFF, is_active=True).order_by("id").first()
    if province is None or not ExpertProfile.objects.filter(active=True).exists():
        return {}
    counts = _call(scale, rng, ent_id, info, fields, province)
    counts |= _excellent_round(scale, rng, province)
    return counts


def _call(scale, rng, ent_id, info, fields, province) -> dict[str, int]:
    call = ResearchCall.objects.create(
        year=2025, name="2025年度企业主导的科技攻关需求征集", deadline=D(2025, 4, 30), opened_on=D(2025, 2, 10),
        recommend_quota=int(research.call_parameters()["recommend_quota"]), opened_by=province,
        guide="面向415X先进制造业集群，征集由企业牵头、产学研联合的关键核心技术攻关需求。")
    leads = rng.choice(ent_id, size=NEEDS[scale], replace=False)
    needs, steps, partners = [], [], []
    for i, eid in enumerate(int(e) for e in leads):
        _, name, div, _ = info[eid]
        f = fields[int(rng.integers(len(fields)))]
        submitted = D(2025, 2, 15) + dt.timedelta(days=int(rng.integers(0, 70)))
        budget = int(rng.integers(300, 3000)) * 10_000
        fate = rng.random()
        need = ResearchNeed(call=call, enterprise_id=eid, division_id=div, field=f,
                            title=NEED_TITLES[i % len(NEED_TITLES)].format(f=f) + f"（{name[:6]}）",
                            problem=f"{f}领域关键技术依赖进口，现有工艺良率与寿命不足，制约企业产品升级。",
                            targets="关键指标达到国际同类产品水平；形成发明专利3件以上；实现小批量应用。",
                            budget=budget, self_funded=int(budget * float(rng.uniform(0.5, 0.8))),
                            months=int(rng.choice([24, 36])), submitted_on=submitted)
        path = [("submit", "", calls.SUBMITTED, submitted, "")]
        county_on = submitted + dt.timedelta(days=int(rng.integers(3, 12)))
        city_on = county_on + dt.timedelta(days=int(rng.integers(3, 10)))
        if fate < 0.04:
            path.append(("withdraw", calls.SUBMITTED, calls.WITHDRAWN, county_on, ""))
        elif fate < 0.10:
            path.append(("county_return", calls.SUBMITTED, calls.RETURNED, county_on, "考核指标未量化，请补充"))
        elif fate < 0.14:
            path.append(("county_reject", calls.SUBMITTED, calls.REJECTED, county_on, "不属于关键核心技术攻关范围"))
        else:
            path.append(("county_pass", calls.SUBMITTED, calls.COUNTY, county_on, ""))
            need.county_on = county_on
            if fate < 0.18:
                path.append(("city_reject", calls.COUNTY, calls.REJECTED, city_on, "与已立项项目重复"))
            else:
                path.append(("city_pass", calls.COUNTY, calls.CITY, city_on, ""))
                need.city_on = city_on
        need.state = path[-1][2]
        need.review_note = path[-1][4]
        needs.append((need, path))
    ResearchNeed.objects.bulk_create([n for n, _ in needs])
    for need, path in needs:
        steps += [NeedStep(need=need, action=a, from_state=s, to_state=t, on=on, note=note) for a, s, t, on, note in path]
        chosen = rng.choice(len(PARTNER_UNITS), size=int(rng.integers(0, 3)), replace=False)
        ps = [PARTNER_UNITS[int(k)] for k in chosen]
        if rng.random() < 0.3:
            other = int(rng.choice(ent_id))
            if other != need.enterprise_id:
                ps.append((info[other][1], "enterprise", other))
        for rank, spec in enumerate(ps, start=2):
            partners.append(NeedPartner(need=need, rank=rank, name=spec[0], kind=spec[1],
                                        enterprise_id=spec[2] if len(spec) > 2 else None))
    NeedStep.objects.bulk_create(steps)
    NeedPartner.objects.bulk_create(partners)

    # the expert review through the evaluation framework (real services: recusal, trimmed mean, audit)
    round_ = research.start_review(province, call, D(2025, 5, 8), region_rule="county")
    ev.batch_assign(round_, province)
    quality = {s.pk: float(rng.uniform(5.5, 9.5)) for s in round_.submissions.all()}
    for a in Assignment.objects.filter(submission__round=round_, status="pending").select_related("submission__round").order_by("id"):
        base = quality[a.submission_id]
        scores = {c: max(0, min(10, round((base + float(rng.normal(0, 0.8))) * 2) / 2)) for c in CRITERIA}
        ev.submit_review(a, scores, "需求明确，建议关注考核指标的可验收性。", True)
    research.determine_reviewed(province, call)
    ranked = research.publish_ranking(province, call, D(2025, 6, 20))
    research.recommend(province, call, D(2025, 6, 30))
    projects = 0
    for r in [r for r in ranked if r.recommended][:3]:
        research.create_project(province, r.id, "jianbing" if projects % 2 == 0 else "lingyan", D(2026, 1, 15))
        projects += 1
    return {"research_needs": len(needs), "need_partners": len(partners), "call_review_submissions":
            round_.submissions.count(), "call_recommended": sum(1 for r in ranked if r.recommended),
            "projects_from_call": projects}


def _excellent_round(scale, rng, province) -> dict[str, int]:
    ids = list(research.candidates("excellent", 2026).order_by("id").values_list("id", flat=True))
    if not ids:
        return {}
    picked = sorted(int(x) for x in rng.choice(ids, size=min(CANDIDATES[scale], len(ids)), replace=False))
    round_ = ev.create_round(name="2026年度优秀工业新产品（新技术）评审", purpose=Purpose.SELECTION, year=2026,
                             scheme_code=research.selection_parameters()["excellent_scheme"], deadline=D(2026, 10, 31),
                             actor=province, reviewers_per_submission=5)
    ev.enrol_institutions(round_, province, institution_ids=picked)
    round_.status = Round.Status.REVIEWING
    round_.save()
    ev.batch_assign(round_, province)
    scored = 0
    for a in Assignment.objects.filter(submission__round=round_, status="pending").select_related("submission__round").order_by("id"):
        if a.submission_id % 2:
            continue  # about half the candidates are still being reviewed
        ev.submit_review(a, {c: int(rng.integers(5, 11)) for c in ("innovation", "level", "economic", "prospects")},
                         "", True)
        scored += 1
    return {"excellent_candidates": len(picked), "excellent_reviews": scored}


def clear() -> None:
    Round.objects.filter(purpose=Purpose.SELECTION).delete()
    for model in (NeedStep, NeedPartner):
        model.objects.all()._raw_delete(model.objects.db)
    ResearchNeed.objects.all().delete()
    ResearchCall.objects.all().delete()
