"""Demo data of the project workspace (called by ``xinzhi demo`` after the register demo, which creates the
projects and their 2024–2025 monthly progress).

What :func:`load` adds, deterministically for a seed, to the register demo's projects:

* the plan: 415X cluster (from the industry, ``industries.ClusterIndustry``), major-project flag (planned
  total ≥ 1 bn CNY, the 千项万亿 manufacturing floor of the domain file §1.1), “两重/两新” candidates,
  responsible unit and person, planned and actual start and completion dates — most projects on time,
  about a quarter late by 1–2 months and a tenth by 3–8 months; registered projects planned to start in
  2025 that have not started (start-delay warnings);
* annual planned investment for 2024 and 2025, set around what the project then completed (so
  the investment completion rate is near but mostly under 100 %, and some projects fall 10 or 30 points
  behind 序时进度);
* milestones (land, permits, main works, equipment, trial production) with completion dates;
* the stage history as approved transitions, and a few pending proposals (city review, province approval
  of majors) so the demo logins have work;
* on-site supervision visits in 2025 with problems, responsible departments and deadlines, most resolved.

Written with :func:`xinzhi.core.bulk.insert_frame` / ``update_frame`` (no row-by-row saves); :func:`clear`
removes it (the plan fields are reset on the register's projects).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import numpy as np
import polars as pl
from django.db import transaction

from xinzhi.core.bulk import insert_frame, read_frame, update_frame

from .models import (
    AnnualPlan,
    InvestmentProject,
    ProjectMilestone,
    StageTransition,
    SupervisionProblem,
    SupervisionVisit,
)

Log = Callable[[str], None] | None
MAJOR_TOTAL = 1_000_000_000  # 千项万亿 manufacturing entry floor, 1 bn CNY (domain file §1.1)
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "华", "平", "刚"]
MILESTONES = ["取得建设用地", "取得施工许可", "主体结构封顶", "主要设备安装", "试生产"]
FINDINGS = ["主体工程按计划推进，现场施工人员约{}人。", "设备采购合同已签订，部分设备到货安装。",
            "厂房建设进度滞后于计划，企业称受资金到位影响。", "项目前期手续基本齐全，正在办理施工许可。",
            "现场调研项目建设和投资完成情况，企业反映要素保障需求。"]
PROBLEMS = [("能耗指标尚未落实", "发展改革局"), ("建设用地报批进度慢", "自然资源和规划局"),
            ("环评审批尚未完成", "生态环境分局"), ("项目融资缺口较大", "金融办"),
            ("施工许可办理滞后", "住房和城乡建设局"), ("电力增容接入未完成", "供电公司")]
DEMO_NOTE = "演示数据"
AS_OF = datetime.date(2025, 12, 31)  # the demo's last reported month


def _say(log: Log) -> Callable[[str], None]:
    return log or (lambda _message: None)


def _month_start(t: np.ndarray) -> list[datetime.date]:
    return [datetime.date(2022 + int(x) // 12, int(x) % 12 + 1, 1) for x in t]


def _add_days(dates: list[datetime.date], days: np.ndarray) -> list[datetime.date]:
    return [d + datetime.timedelta(days=int(n)) for d, n in zip(dates, days, strict=True)]


def _clusters(industries: pl.Series) -> pl.Series:
    """The 415X cluster of each industry code: the longest configured prefix that matches."""
    mapping = read_frame("SELECT industry_id, cluster_id FROM industries_clusterindustry")
    if mapping.height == 0:
        return pl.Series([None] * len(industries), dtype=pl.String)
    mapping = mapping.with_columns(pl.col("industry_id").cast(pl.String), pl.col("cluster_id").cast(pl.String))
    frame = pl.DataFrame({"i": range(len(industries)), "code": industries.cast(pl.String)})
    found = None
    for n in (4, 3, 2, 1):
        part = frame.with_columns(key=pl.col("code").str.slice(0, n)).join(
            mapping.unique("industry_id", keep="first").rename({"industry_id": "key"}), on="key", how="inner")
        part = part.select("i", "cluster_id")
        found = part if found is None else pl.concat([found, part.join(found, on="i", how="anti")])
    out = frame.join(found, on="i", how="left").sort("i")
    return out["cluster_id"]


def load(scale: str, seed: int, log: Log = None) -> dict[str, int]:
    say = _say(log)
    clear()
    rng = np.random.default_rng(seed + 1618)
    projects = read_frame(
        "SELECT p.id, p.division_code, p.industry_code, p.stage, p.start_year, p.planned_total, e.name AS ent "
        "FROM investment_investmentproject p LEFT JOIN enterprises_enterprise e ON e.id = p.enterprise_id "
        "ORDER BY p.id")
    if projects.height == 0:
        return {}
    progress = read_frame("SELECT project_id, year, month, ytd_completed FROM investment_projectprogress")
    progress = progress.with_columns(pl.col("project_id", "year", "month", "ytd_completed").cast(pl.Int64),
                                     t=(pl.col("year").cast(pl.Int64) - 2022) * 12 + pl.col("month").cast(pl.Int64) - 1)
    n = projects.height
    ids = projects["id"].cast(pl.Int64).to_numpy()
    stage = projects["stage"].to_numpy()
    start_year = projects["start_year"].fill_null(0).cast(pl.Int64).to_numpy()
    total = projects["planned_total"].cast(pl.Int64).to_numpy()

    # month indices (t = (year − 2022)·12 + month − 1) of the first and last month with spending
    spend = progress.sort(["project_id", "t"]).with_columns(
        inc=pl.col("ytd_completed") - pl.col("ytd_completed").shift(1).over(["project_id", "year"]).fill_null(0))
    span = spend.group_by("project_id").agg(first=pl.col("t").min(), last=pl.col("t").filter(pl.col("inc") > 0).max())
    span = pl.DataFrame({"project_id": ids}).join(span, on="project_id", how="left")
    first = span["first"].fill_null(-1).to_numpy()
    last = span["last"].fill_null(-1).to_numpy()

    started = np.isin(stage, ["construction", "completed"])
    completed = stage == "completed"
    # actual start: the first reported month when it started in 2024 or later, else a month of its start year
    start_t = np.where((first >= 24) & (start_year >= 2024), first, (np.maximum(start_year, 2022) - 2022) * 12
                       + rng.integers(0, 12, n))
    start_t = np.where(started, np.minimum(start_t, np.where(first >= 0, first, start_t)), start_t)
    end_t = np.where(completed, np.where(last >= 0, last, np.minimum(start_t + rng.integers(10, 24, n), 23)), -1)
    delay = rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 6, 8], n)  # planned → actual, months
    slip = rng.choice([0, 0, 0, 0, 0, 1, 2, 3, 5], n)
    duration = rng.integers(14, 36, n)
    planned_start_t = np.where(started, start_t - delay, 0)
    # not started: registered projects planned for 2025 (some late) or 2026; reserve projects 2026–2027
    registered = stage == "registered"
    planned_start_t = np.where(registered, np.where(rng.random(n) < 0.5, 36 + rng.integers(3, 12, n),
                                                    48 + rng.integers(0, 12, n)), planned_start_t)
    reserve = stage == "reserve"
    planned_start_t = np.where(reserve, 48 + rng.integers(3, 24, n), planned_start_t)
    # under construction: the register demo ends them in 2026 or later, so most are planned for then;
    # about one in eight is past its planned completion already (completion-delay warnings)
    building = stage == "construction"
    overdue = building & (rng.random(n) < 0.12)
    planned_end_t = np.where(completed, end_t - slip,
                             np.where(building, np.where(overdue, 47 - rng.integers(0, 6, n), 48 + rng.integers(0, 18, n)),
                                      planned_start_t + duration))
    planned_end_t = np.maximum(planned_end_t, planned_start_t + 6)

    day = rng.integers(0, 27, n)
    planned_start = _add_days(_month_start(planned_start_t), day)
    planned_completion = _add_days(_month_start(planned_end_t), rng.integers(0, 27, n))
    actual_start = _add_days(_month_start(start_t), rng.integers(0, 27, n))
    actual_completion = _add_days(_month_start(np.maximum(end_t, 0)), rng.integers(0, 27, n))
    clusters = _clusters(projects["industry_code"])
    major = total >= MAJOR_TOTAL
    names = [SURNAMES[a] + GIVEN[b] for a, b in zip(rng.integers(0, len(SURNAMES), n),
                                                     rng.integers(0, len(GIVEN), n), strict=True)]
    units = projects["ent"].fill_null("").to_list()
    iso = lambda values, mask: [d.isoformat() if m else None for d, m in zip(values, mask, strict=True)]  # noqa: E731
    update = pl.DataFrame({
        "id": ids,
        "cluster_code": clusters,
        "is_major": major,
        "dual_candidate": major & (rng.random(n) < 0.15),
        "responsible_unit": [u or "县经信局" for u in units],
        "responsible_person": names,
        "planned_start": iso(planned_start, np.ones(n, bool)),
        "planned_completion": iso(planned_completion, np.ones(n, bool)),
        "actual_start": iso(actual_start, started),
        "actual_completion": iso(actual_completion, completed),
    }, schema_overrides={"cluster_code": pl.String})

    # annual plans for each year with reported spending: the year's completed amount ÷ a factor around 1
    year_total = progress.group_by(["project_id", "year"]).agg(done=pl.col("ytd_completed").max())
    year_total = year_total.filter(pl.col("done") > 0)
    factor = np.clip(rng.normal(0.97, 0.14, year_total.height), 0.45, 1.25)
    plans = year_total.with_columns(planned_investment=(pl.col("done") / pl.Series(factor) / 10000).round(0).cast(pl.Int64) * 10000)
    plans = plans.select(project_id="project_id", year=pl.col("year").cast(pl.Int64), planned_investment="planned_investment")
    # 2026 plans of projects still building or about to start
    next_year = np.flatnonzero(building | registered)
    plans = pl.concat([plans, pl.DataFrame({
        "project_id": ids[next_year], "year": np.full(len(next_year), 2026),
        "planned_investment": (np.round(total[next_year] * rng.uniform(0.2, 0.45, len(next_year)) / 10000) * 10000).astype(np.int64)})])

    # milestones between the planned start and completion
    k = len(MILESTONES)
    sel = np.flatnonzero(~reserve)
    rows = []
    ms_p = np.repeat(sel, k)
    ms_k = np.tile(np.arange(k), len(sel))
    frac = (ms_k - 1) / (k - 1)
    frac = np.where(ms_k == 0, -0.1, frac)
    ms_t = planned_start_t[ms_p] + np.round(frac * (planned_end_t[ms_p] - planned_start_t[ms_p])).astype(int)
    planned_dates = _add_days(_month_start(ms_t), rng.integers(0, 27, len(ms_p)))
    late = delay[ms_p] + rng.integers(0, 2, len(ms_p))
    done_t = ms_t + late
    is_done = (done_t <= 47) & ((stage[ms_p] != "registered") | (ms_k == 0))
    done_dates = _add_days(_month_start(done_t), rng.integers(0, 27, len(ms_p)))
    milestones = pl.DataFrame({
        "project_id": ids[ms_p], "name": [MILESTONES[i] for i in ms_k],
        "planned_date": [d.isoformat() for d in planned_dates],
        "completed_on": [d.isoformat() if ok else None for d, ok in zip(done_dates, is_done, strict=True)],
        "note": "",
    })
    del rows

    # stage history: approved transitions (dated), and pending proposals
    hist = []
    order = ["reserve", "registered", "construction", "completed"]
    reg_t = np.maximum(planned_start_t - rng.integers(2, 8, n), 0)
    dates = {"registered": _add_days(_month_start(reg_t), day),
             "construction": actual_start, "completed": actual_completion}
    level = np.array([order.index(s) for s in stage])
    for to in ("registered", "construction", "completed"):
        mask = level >= order.index(to)
        idx = np.flatnonzero(mask)
        when = [dates[to][i] for i in idx]
        hist.append(pl.DataFrame({
            "project_id": ids[idx], "from_stage": order[order.index(to) - 1], "to_stage": to,
            "effective_date": [d.isoformat() for d in when], "reason": DEMO_NOTE, "status": "approved",
            "proposed_at": [f"{d.isoformat()} 09:00:00+00:00" for d in when],
            "reviewed_at": [f"{(d + datetime.timedelta(days=5)).isoformat()} 10:00:00+00:00" for d in when],
            "approved_at": [f"{(d + datetime.timedelta(days=12)).isoformat()} 10:00:00+00:00"
                            if to == "registered" and major[i] else None for d, i in zip(when, idx, strict=True)],
            "decision_note": "同意",
        }))
    pending = np.flatnonzero((reserve | registered) & (rng.random(n) < 0.08))
    pending_status = np.where(major[pending] & reserve[pending] & (rng.random(len(pending)) < 0.5), "reviewed",
                              "proposed")
    hist.append(pl.DataFrame({
        "project_id": ids[pending], "from_stage": stage[pending],
        "to_stage": np.where(reserve[pending], "registered", "construction"),
        "effective_date": ["2026-01-15"] * len(pending), "reason": "材料已齐，申请变更阶段", "status": pending_status,
        "proposed_at": ["2026-01-15 09:00:00+00:00"] * len(pending),
        "reviewed_at": [("2026-01-20 10:00:00+00:00" if s == "reviewed" else None) for s in pending_status],
        "approved_at": [None] * len(pending), "decision_note": "",
    }))
    transitions = pl.concat(hist, how="vertical_relaxed")

    # supervision visits in 2025 to projects under construction (and some registered ones)
    candidates = np.flatnonzero(building | (registered & (planned_start_t < 48)))
    visited = candidates[rng.random(len(candidates)) < 0.35]
    per = rng.integers(1, 4, len(visited))
    v_p = np.repeat(visited, per)
    v_day = rng.integers(0, 364, len(v_p))
    v_dates = [datetime.date(2025, 1, 1) + datetime.timedelta(days=int(d)) for d in v_day]
    workers = rng.integers(30, 400, len(v_p))
    texts = [FINDINGS[i].format(w) for i, w in zip(rng.integers(0, len(FINDINGS), len(v_p)), workers, strict=True)]
    visits = pl.DataFrame({
        "project_id": ids[v_p], "visited_on": [d.isoformat() for d in v_dates],
        "inspectors": [f"{SURNAMES[a]}{GIVEN[b]}、{SURNAMES[c]}{GIVEN[d]}" for a, b, c, d in
                       rng.integers(0, [len(SURNAMES), len(GIVEN), len(SURNAMES), len(GIVEN)], (len(v_p), 4))],
        "findings": texts, "attachment": "", "recorded_at": [f"{d.isoformat()} 18:00:00+00:00" for d in v_dates],
    })

    with transaction.atomic():
        update_frame("investment_investmentproject", update, ["id"])
        insert_frame(AnnualPlan._meta.db_table, plans)
        insert_frame(ProjectMilestone._meta.db_table, milestones)
        insert_frame(StageTransition._meta.db_table, transitions)
        insert_frame(SupervisionVisit._meta.db_table, visits)
        stored = read_frame("SELECT id, project_id, visited_on FROM investment_supervisionvisit ORDER BY id")
        with_problem = stored.filter(pl.Series(rng.random(stored.height) < 0.45))
        m = with_problem.height
        kinds = rng.integers(0, len(PROBLEMS), m)
        visit_day = [datetime.date.fromisoformat(str(d)[:10]) for d in with_problem["visited_on"]]
        deadline = [d + datetime.timedelta(days=int(x)) for d, x in zip(visit_day, rng.integers(20, 75, m), strict=True)]
        resolved = rng.random(m) < 0.7
        resolved_on = [d + datetime.timedelta(days=int(x)) for d, x in zip(visit_day, rng.integers(7, 90, m), strict=True)]
        resolved = resolved & np.array([r <= AS_OF for r in resolved_on], dtype=bool)
        problems = pl.DataFrame({
            "visit_id": with_problem["id"].cast(pl.Int64), "description": [PROBLEMS[i][0] for i in kinds],
            "department": [PROBLEMS[i][1] for i in kinds], "deadline": [d.isoformat() for d in deadline],
            "resolved_on": [r.isoformat() if ok else None for r, ok in zip(resolved_on, resolved, strict=True)],
            "resolution": ["已协调解决" if ok else "" for ok in resolved],
        })
        insert_frame(SupervisionProblem._meta.db_table, problems)
    say(f"投资项目计划、节点、阶段记录与督导写入 {n} 个项目")
    return {"project_plans": plans.height, "project_milestones": milestones.height,
            "stage_transitions": transitions.height, "supervision_visits": visits.height,
            "supervision_problems": problems.height}


@transaction.atomic
def clear() -> None:
    """Remove what :func:`load` wrote and reset the plan fields of the register's projects."""
    for model in (SupervisionProblem, SupervisionVisit, StageTransition, ProjectMilestone, AnnualPlan):
        qs = model.objects.all()
        qs._raw_delete(qs.db)
    InvestmentProject.objects.exclude(planned_start=None, actual_start=None, cluster=None, is_major=False,
                                      responsible_person="").update(
        cluster=None, is_major=False, dual_candidate=False, responsible_unit="", responsible_person="",
        planned_start=None, planned_completion=None, actual_start=None, actual_completion=None)
