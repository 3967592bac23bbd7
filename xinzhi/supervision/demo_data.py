"""Demo data of work coordination (called by ``xinzhi demo`` after the register demo; see xinzhi/demo/extensions.py).

Deterministic for a seed (only the dates of the open notices depend on the day it runs):

* the **2025 ledger** from the seed (the 16 tasks of ``data/ledger_2025.toml``), tasks 4, 5 and 10 split to the
  11 cities;
* **monthly progress** for every task, January–December 2025, each filed between the 1st and the 5th of the
  next month: most tasks on schedule and completed in December; a few lagging (15–35 points behind, not
  completed: overdue now) and a few stalled (reports stop in the summer);
* **督办 notices** on the lagging and stalled tasks: closed, returned and answered again, acknowledged, and
  just issued;
* **a year of activities** (2025) in every city, one to three a month, with three city-months left empty so
  the 月月有 check has something to find;
* **a dozen typical cases** (published, selected, submitted);
* **R&D reserve funds and post-subsidies** for enterprises of the register (2024–2025);
* a few **notice-board** posts between levels.

Rows are written with ``bulk_create`` (the demo is not audited row by row); :func:`clear` removes all of it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinzhi.accounts.models import User
from xinzhi.enterprises.models import Enterprise
from xinzhi.regions.models import Division

from . import services
from .models import (
    Activity,
    ActivityKind,
    Attachment,
    BoardPost,
    CaseStatus,
    FundKind,
    NoticeStatus,
    ProgressReport,
    RDFundRecord,
    SupervisionNotice,
    Task,
    TaskSource,
    TypicalCase,
)

Log = Callable[[str], Any] | None
YEAR = 2025
SPLIT_TASKS = ("4", "5", "10")
CHAINS = ("智能装备", "新材料", "生物医药", "集成电路", "新能源汽车", "智能传感器", "人形机器人", "高端软件", "节能环保")
KIND_TITLES = {
    ActivityKind.CHAIN_MATCHMAKING: "“十链百场万企”{chain}产业链专场对接会",
    ActivityKind.UPIC_MATCHMAKING: "“高校+平台+企业+产业链”{chain}对接活动",
    ActivityKind.BENCHMARKING: "{chain}领域创新中心对标交流活动",
    ActivityKind.FORUM: "{chain}产业科技创新论坛",
    ActivityKind.ROADSHOW: "{chain}科技成果路演",
    ActivityKind.OTHER: "{chain}企业研发机构开放日",
}
CASES = (
    ("以企业研究院为支点提升规上企业研发机构覆盖率", "rd", "5"),
    ("“企业出题、平台答题”闭环解决关键零部件难题", "loop", "3"),
    ("高企培育“团队式”服务的做法", "hte", "4"),
    ("精细化工中试平台共享服务模式", "pilot", "11"),
    ("“十链百场万企”对接促成产业链协同创新", "platforms", "10"),
    ("研发投入后补助政策直达快享", "policy", "6"),
    ("科技成果“先用后转”加快产业化", "transfer", "3"),
    ("县域高新区与企业研发机构联动", "platforms", "10"),
    ("小升规企业研发活动“清零”行动", "rd", "5"),
    ("科技型中小企业梯度培育库建设", "hte", "4"),
    ("高校院所与产业链龙头共建联合实验室", "loop", "3"),
    ("中试熟化服务助力新材料成果转化", "pilot", "11"),
)
HANGZHOU_RULE = "杭州市企业研发费用财政补助实施细则（2023年征求意见稿）"


def _say(log: Log) -> Callable[[str], None]:
    return log or (lambda _msg: None)


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class _Builder:
    def __init__(self, scale: str, seed: int) -> None:
        self.rng = random.Random(f"supervision-{seed}")
        self.scale = scale
        self.province = User.objects.filter(username="province").first()
        self.cities = list(Division.objects.filter(level="city").order_by("code"))
        self.counties: dict[str, list[str]] = {}
        for code, parent in Division.objects.filter(level="county").values_list("code", "parent_id").order_by("code"):
            self.counties.setdefault(parent, []).append(code)

    # -- ledger and progress ---------------------------------------------------------------------
    def ledger(self) -> list[Task]:
        tasks = services.create_default_ledger(YEAR, self.province)
        by_number = {t.number: t for t in tasks}
        splits = [Task(year=YEAR, number=n, title=by_number[n].title, text=by_number[n].text, group=by_number[n].group,
                       lead_department=f"{city.name}经济和信息化局", division_id=city.code, start_date=dt.date(YEAR, 1, 1),
                       deadline=dt.date(YEAR, 12, 31), indicators=by_number[n].indicators, parent=by_number[n],
                       source=TaskSource.SPLIT, created_by=self.province)
                  for n in SPLIT_TASKS for city in self.cities]
        Task.objects.bulk_create(splits)
        return tasks + list(Task.objects.filter(year=YEAR, source=TaskSource.SPLIT).select_related("division").order_by("id"))

    def progress(self, tasks: list[Task]) -> dict[str, list[Task]]:
        rng = self.rng
        profiles = {"lagging": [], "stalled": []}
        order = list(tasks)
        rng.shuffle(order)
        lagging, stalled = set(t.pk for t in order[:4]), set(t.pk for t in order[4:7])
        reports, completed = [], []
        for task in tasks:
            gap = rng.randint(15, 35) if task.pk in lagging else 0
            last_month = rng.randint(5, 7) if task.pk in stalled else 12
            for month in range(1, last_month + 1):
                schedule = round(month / 12 * 100)
                percent = max(0, min(100, schedule - gap + rng.randint(-4, 4))) if month < 12 or gap else 100
                done_all = month == 12 and not gap
                where = task.division.name if task.division_id != "330000" else "全省"
                reports.append(ProgressReport(
                    task=task, year=YEAR, month=month, percent=percent, completed=done_all,
                    done=f"{where}{month}月：{task.title}按计划推进，累计完成约{percent}%。" if not done_all
                    else f"{where}全年任务已完成。",
                    problems="部分地区进度偏慢，企业参与积极性有待提高" if gap and month % 3 == 0 else "",
                    next_steps="加强调度，逐月跟踪" if gap else "继续按计划推进",
                ))
            if task.pk not in lagging and task.pk not in stalled:
                completed.append(task.pk)
            if task.pk in lagging:
                profiles["lagging"].append(task)
            elif task.pk in stalled:
                profiles["stalled"].append(task)
        ProgressReport.objects.bulk_create(reports, batch_size=1000)
        # filed between the 1st and the 5th of the next month (auto_now_add set "now" on insert)
        for month in range(1, 13):
            for day in range(1, 6):
                ids = [r.pk for r in reports if r.month == month and (r.pk % 5) + 1 == day]
                ProgressReport.objects.filter(pk__in=ids).update(
                    reported_at=_aware(dt.date(YEAR + (month == 12), month % 12 + 1, day)))
        Task.objects.filter(pk__in=completed).update(completed_on=dt.date(YEAR + 1, 1, 5))
        return profiles

    def notices(self, profiles: dict[str, list[Task]]) -> int:
        lagging, stalled = profiles["lagging"], profiles["stalled"]
        today, now = timezone.localdate(), timezone.now()
        items = []
        if lagging:
            t = lagging[0]
            items.append(SupervisionNotice(
                task=t, division_id=t.division_id, subject="加快推进滞后任务", requirement="说明滞后原因，提出追赶措施",
                due_date=dt.date(YEAR, 6, 20), status=NoticeStatus.CLOSED, issued_by=self.province,
                acknowledged_at=_aware(dt.date(YEAR, 6, 11)), answer="已召开专题会议，明确追赶计划，7月起按月调度。",
                answered_at=_aware(dt.date(YEAR, 6, 18)), review_note="同意办结，持续跟踪。",
                closed_at=_aware(dt.date(YEAR, 6, 25))))
        if len(lagging) > 1:
            t = lagging[1]
            items.append(SupervisionNotice(
                task=t, division_id=t.division_id, subject="报送任务推进计划", requirement="10个工作日内报送分月推进计划",
                due_date=dt.date(YEAR, 9, 30), status=NoticeStatus.ANSWERED, issued_by=self.province,
                acknowledged_at=_aware(dt.date(YEAR, 9, 16)), answer="已补充分月推进计划及责任分工（见附表）。",
                answered_at=_aware(dt.date(YEAR, 10, 9)), review_note="请补充分月推进计划的责任人。"))
        for t in stalled[:2]:
            items.append(SupervisionNotice(
                task=t, division_id=t.division_id, subject="补报月度进展", requirement="补报以往月份进展并说明未报原因",
                due_date=today + dt.timedelta(days=10), status=NoticeStatus.ISSUED, issued_by=self.province))
        if len(lagging) > 2:
            t = lagging[2]
            items.append(SupervisionNotice(
                task=t, division_id=t.division_id, subject="逾期任务督办", requirement="说明逾期原因及完成时间",
                due_date=today + dt.timedelta(days=5), status=NoticeStatus.ACKNOWLEDGED, issued_by=self.province,
                acknowledged_at=now))
        SupervisionNotice.objects.bulk_create(items)
        dates = {"加快推进滞后任务": dt.date(YEAR, 6, 10), "报送任务推进计划": dt.date(YEAR, 9, 15),
                 "逾期任务督办": dt.date(YEAR + 1, 1, 10)}
        for subject, day in dates.items():
            SupervisionNotice.objects.filter(subject=subject).update(issued_at=_aware(day))
        SupervisionNotice.objects.filter(subject="补报月度进展").update(issued_at=now - dt.timedelta(days=5))
        return len(items)

    # -- activities, cases, funds, board ---------------------------------------------------------
    def activities(self) -> int:
        rng, rows = self.rng, []
        empty = {(self.cities[i % len(self.cities)].code, m) for i, m in ((2, 2), (5, 7), (9, 11))}
        kinds = list(ActivityKind)
        for city in self.cities:
            counties = self.counties.get(city.code, [])
            for month in range(1, 13):
                if (city.code, month) in empty:
                    continue
                for _ in range(rng.randint(1, 3 if self.scale == "full" else 2)):
                    kind, chain = rng.choice(kinds), rng.choice(CHAINS)
                    division = city.code if not counties or rng.random() < 0.5 else rng.choice(counties)
                    enterprises = rng.randint(15, 120)
                    agreements = rng.randint(0, 12)
                    rows.append(Activity(
                        division_id=division, held_on=dt.date(YEAR, month, rng.randint(1, 28)),
                        title=f"{city.name}{KIND_TITLES[kind].format(chain=chain)}", kind=kind,
                        organiser=f"{city.name}经济和信息化局", chain=chain, participants=enterprises * rng.randint(2, 4),
                        enterprises=enterprises, agreements=agreements, problems_posted=rng.randint(0, 20),
                        outcome=f"签约项目{agreements}个" if agreements else "",
                        created_by=self.province))
        Activity.objects.bulk_create(rows, batch_size=1000)
        return len(rows)

    def cases(self) -> int:
        rng, rows = self.rng, []
        statuses = [CaseStatus.PUBLISHED] * 8 + [CaseStatus.SELECTED] * 2 + [CaseStatus.SUBMITTED] * 2
        for i, (title, theme, number) in enumerate(CASES):
            city = self.cities[i % len(self.cities)]
            counties = self.counties.get(city.code, [])
            division = rng.choice(counties) if counties and i % 2 else city.code
            name = Division.objects.filter(code=division).values_list("name", flat=True).first() or city.name
            n = rng.randint(20, 200)
            rows.append(TypicalCase(
                division_id=division, title=f"{name}：{title}", theme=theme, task_number=number,
                problem=f"{name}在推进任务{number}中面临企业积极性不高、资源分散等问题。",
                measures="建立工作专班，实行清单化管理；组织政策宣讲和上门服务；整合高校、平台和龙头企业资源。",
                results=f"服务企业{n}家，解决技术难题{n // 5}项，带动研发投入增长{rng.randint(8, 30)}%。",
                replicability="适用于产业集群特征明显的县（市、区）。", status=statuses[i],
                published_at=_aware(dt.date(YEAR, 3 + i % 9, 15)) if statuses[i] == CaseStatus.PUBLISHED else None))
        TypicalCase.objects.bulk_create(rows)
        return len(rows)

    def funds(self) -> int:
        rng = self.rng
        per_city = 12 if self.scale == "full" else 4
        rows = []
        for city in self.cities:
            prefix = city.code[:4]
            ids = list(Enterprise.objects.filter(division__code__startswith=prefix).order_by("id")
                       .values_list("id", "division_id")[: per_city * 3])
            rng.shuffle(ids)
            for eid, division in ids[:per_city]:
                for year in (2024, 2025):
                    if year == 2024 and rng.random() < 0.4:
                        continue
                    rows.append(RDFundRecord(enterprise_id=eid, division_id=division, kind=FundKind.RESERVE, year=year,
                                             amount=rng.randint(50, 800) * 10_000, basis="企业研发准备金制度（企业自行建立）"))
                if rng.random() < 0.5:
                    basis = HANGZHOU_RULE if prefix == "3301" else f"{city.name}研发投入后补助（地方规定，演示数据）"
                    rows.append(RDFundRecord(enterprise_id=eid, division_id=division, kind=FundKind.POST_SUBSIDY,
                                             year=2025, amount=rng.randint(5, 200) * 10_000, basis=basis,
                                             paid_on=dt.date(2025, rng.randint(5, 11), rng.randint(1, 28))))
        RDFundRecord.objects.bulk_create(rows, batch_size=1000)
        return len(rows)

    def board(self) -> int:
        posts = [BoardPost(division_id="330000", title="关于按月报送重点任务进展的通知",
                           body="请各地于每月5日前报送上月任务进展，逾期未报的任务将亮黄灯。", posted_by=self.province)]
        if self.cities:
            posts.append(BoardPost(division_id=self.cities[0].code, title=f"{self.cities[0].name}“十链百场万企”活动安排",
                                   body="下月将举办智能装备、生物医药两场专场对接会，欢迎各县（市、区）组织企业参加。"))
        counties = self.counties.get(self.cities[0].code, []) if self.cities else []
        if counties:
            posts.append(BoardPost(division_id=counties[0], title="研发投入后补助兑现情况",
                                   body="本年度研发投入后补助已全部拨付到位。"))
        BoardPost.objects.bulk_create(posts)
        return len(posts)


def load(scale: str, seed: int, log: Log = None) -> dict[str, int]:
    say = _say(log)
    clear()
    with transaction.atomic():
        builder = _Builder(scale, seed)
        tasks = builder.ledger()
        profiles = builder.progress(tasks)
        counts = {
            "tasks": len(tasks), "progress_reports": ProgressReport.objects.count(),
            "supervision_notices": builder.notices(profiles), "activities": builder.activities(),
            "typical_cases": builder.cases(), "rd_fund_records": builder.funds(), "board_posts": builder.board(),
        }
    say(f"工作督办演示数据：任务{counts['tasks']}项，活动{counts['activities']}场")
    return counts


@transaction.atomic
def clear() -> None:
    """Remove everything of this app (demo or not: ``xinzhi demo --force`` starts from an empty register)."""
    for model in (SupervisionNotice, Attachment, ProgressReport, BoardPost, RDFundRecord, TypicalCase, Activity):
        model.objects.all()._raw_delete(model.objects.db)
    Task.objects.filter(parent__isnull=False).delete()
    Task.objects.all().delete()
