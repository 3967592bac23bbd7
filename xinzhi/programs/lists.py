"""The programme lists as shared lists (``reports.listing``): one column spec per list drives the page's table,
its database sort (whitelisted keys, then ``pk``) and its xlsx export. The querysets come from the views,
already scoped (``visible_problems`` / ``restrict``) and filtered; nothing here reads or writes on its own."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from xinzhi.reports.listing import Col

from . import brand, calls


def _yes_no(flag: bool) -> str:
    return _("是") if flag else _("否")


def _flagged(name: str, flag: bool, tag: str) -> str:
    """The name with its tag in brackets (``名称（保密）``), as the page shows it."""
    return f"{name}（{_(tag)}）" if flag else name


def _unit(u) -> str:
    """One undertaking unit as the page lists it: ``1. 名称（企业，省外）``."""
    outside = "，" + _("省外") if not u.in_province else ""
    return f"{u.rank}. {u.name}（{u.get_kind_display()}{outside}）"


def _units(project) -> str:
    return "；".join(_unit(u) for u in project.units.all())


#: 企业出题 (closed-loop problems): the page shows eight columns, the export adds the deadline and the flag
PROBLEM_COLUMNS = (
    Col("title", "难题名称", lambda p: p.title, order=("title",),
        text=lambda p: _flagged(p.title, p.confidential, "保密"), link=lambda p: reverse("programs:problem", args=[p.pk])),
    Col("enterprise", "出题企业", lambda p: p.enterprise.name, order=("enterprise__name",)),
    Col("division", "所在地", lambda p: p.division.name, order=("division_id",)),
    Col("field", "技术领域", lambda p: p.field, order=("field",)),
    Col("cluster", "415X集群", lambda p: p.cluster.name if p.cluster_id else None, order=("cluster_id",)),
    Col("budget", "预算", lambda p: p.budget, order=("budget",), money=True),
    Col("posed_at", "出题日期", lambda p: p.posed_at, order=("posed_at",)),
    Col("state", "状态", lambda p: p.get_state_display(), order=("state",)),
    Col("deadline", "期望完成日期", lambda p: p.deadline, shown=False),
    Col("confidential", "保密", lambda p: _yes_no(p.confidential), shown=False),
)

#: 重大科技项目 (major S&T projects): the units in rank order; the export adds field, year and flags
PROJECT_COLUMNS = (
    Col("name", "项目名称", lambda p: p.name, order=("name",),
        text=lambda p: _flagged(p.name, p.recommended_by_province, "省推荐")),
    Col("programme", "计划类别", lambda p: p.get_programme_display(), order=("programme",)),
    Col("approved_on", "立项日期", lambda p: p.approved_on, order=("approved_on",)),
    Col("division", "所在地", lambda p: p.division.name, order=("division_id",)),
    Col("units", "承担单位（按排名）", _units, text=lambda p: _units(p) or _("未登记")),
    Col("year", "立项年度", lambda p: p.year, thousands=False, shown=False),
    Col("field", "技术领域", lambda p: p.field, shown=False),
    Col("recommended", "省推荐", lambda p: _yes_no(p.recommended_by_province), shown=False),
)

#: 省级工业新产品 (new-product projects)
NEW_PRODUCT_COLUMNS = (
    Col("name", "产品（技术）名称", lambda p: p.name, order=("name",),
        link=lambda p: reverse("programs:new_product", args=[p.pk])),
    Col("enterprise", "企业", lambda p: p.enterprise.name, order=("enterprise__name",)),
    Col("division", "所在地", lambda p: p.division.name, order=("division_id",)),
    Col("applied_on", "申报日期", lambda p: p.applied_on, order=("applied_on",)),
    Col("approved_on", "立项日期", lambda p: p.approved_on, order=("approved_on",)),
    Col("stage", "状态", lambda p: p.get_stage_display(), order=("stage",)),
    Col("kind", "类型", lambda p: p.get_kind_display(), shown=False),
    Col("year", "计划年度", lambda p: p.year, thousands=False, shown=False),
    Col("cluster", "415X集群", lambda p: p.cluster.name if p.cluster_id else None, shown=False),
    Col("appraised_on", "鉴定验收日期", lambda p: p.appraised_on, shown=False),
    Col("appraisal_result", "鉴定验收结论", lambda p: p.appraisal_result, shown=False),
)

#: 企业参与的标准 (standards): the name carries the tags 修订 and 浙江制造; the export has both as 是/否 columns
STANDARD_COLUMNS = (
    Col("number", "标准号", lambda s: s.number, order=("number",)),
    Col("name", "标准名称", lambda s: s.name, order=("name",), wrap=True,
        text=lambda s: _flagged(_flagged(s.name, s.revision, "修订"), s.zhejiang_made, "浙江制造")),
    Col("level", "级别", lambda s: s.get_level_display(), order=("level",)),
    Col("enterprise", "企业", lambda s: s.enterprise.name, order=("enterprise__name",)),
    Col("role", "角色", lambda s: s.get_role_display(), order=("role",)),
    Col("status", "状态", lambda s: s.get_status_display(), order=("status",)),
    Col("published_on", "发布日期", lambda s: s.published_on, order=("published_on",)),
    Col("cluster", "415X集群", lambda s: s.cluster.name if s.cluster_id else None, order=("cluster_id",)),
    Col("revision", "修订", lambda s: _yes_no(s.revision), shown=False),
    Col("drafter_rank", "起草单位排名", lambda s: s.drafter_rank, shown=False),
    Col("issuer", "发布机构", lambda s: s.issuer, shown=False),
    Col("theme", "专题方向", lambda s: s.get_theme_display() or None, order=("theme",)),
    Col("zhejiang_made", "浙江制造标准", lambda s: _yes_no(s.zhejiang_made), shown=False),
)


def certificate_columns(on):
    """品字标认证证书 with each one's state on ``on`` (the view annotates ``state`` by :func:`.brand.state_on`)."""
    return (
        Col("number", "证书编号", lambda c: c.number, order=("number",)),
        Col("product", "认证产品", lambda c: c.product, order=("product",)),
        Col("enterprise", "企业", lambda c: c.enterprise.name, order=("enterprise__name",)),
        Col("division", "所在地", lambda c: c.division.name, order=("division_id",)),
        Col("standard_number", "依据的浙江制造标准号", lambda c: c.standard_number, order=("standard_number",)),
        Col("issued_on", "发证日期", lambda c: c.issued_on, order=("issued_on",)),
        Col("valid_until", "有效期至", lambda c: c.valid_until, order=("valid_until",)),
        Col("state", "证书状态", lambda c: _(brand.STATE_LABELS[c.state]), order=("state_rank",)),
        Col("certifier", "认证机构", lambda c: c.certifier, shown=False),
        Col("end_kind", "证书终止", lambda c: c.get_end_kind_display() or None, shown=False),
        Col("ended_on", "终止日期", lambda c: c.ended_on, shown=False),
    )


def _partners(need) -> str:
    """The partners of a need by name, in rank order (the lead enterprise is rank 1 and has its own column)."""
    return "；".join(p.name for p in need.partners.all())


def _rank(need) -> str | None:
    if need.rank is None:
        return None
    return f"{need.rank}{_('（并列）')}" if need.tied else str(need.rank)


#: the needs of a research call (科技攻关需求征集) before its ranked list is published: no rank, no score
CALL_NEED_COLUMNS = (
    Col("title", "需求名称", lambda n: n.title, order=("title",), link=lambda n: reverse("programs:need", args=[n.pk])),
    Col("enterprise", "牵头企业", lambda n: n.enterprise.name, order=("enterprise__name",)),
    Col("division", "所在县（市、区）", lambda n: n.division.name, order=("division_id",)),
    Col("partners", "合作单位（按排名）", _partners, shown=False),
    Col("field", "技术领域", lambda n: n.field, shown=False),
    Col("cluster", "415X集群", lambda n: n.cluster.name if n.cluster_id else None, shown=False),
    Col("budget", "总预算", lambda n: n.budget, order=("budget",), money=True, decimals=2),
    Col("state", "状态", lambda n: n.state_label, order=("state",)),
)

#: the ranked list (排序名单) once published: rank (ties shown), score with two decimals, recommended or not.
#: ``rank_key`` / ``score_key`` are the view's annotations that sort the unranked needs last on every database.
CALL_RANKED_COLUMNS = (
    Col("rank", "排序", lambda n: n.rank, order=("rank_key",), decimals=0, thousands=False, text=_rank),
    Col("tied", "并列", lambda n: _yes_no(n.tied) if n.rank is not None else None, shown=False),
    *CALL_NEED_COLUMNS[:-1],
    Col("score", "评审总分", lambda n: n.total_score, order=("score_key",), decimals=2),
    CALL_NEED_COLUMNS[-1],
    Col("recommended", "推荐", lambda n: _yes_no(n.state in (calls.SELECTED, calls.PROJECT)), shown=False),
)

#: 应用场景 (application scenarios): the export adds the provider's kind, the need and the dates
SCENARIO_COLUMNS = (
    Col("name", "场景名称", lambda s: s.name, order=("name",), link=lambda s: reverse("programs:scenario", args=[s.pk])),
    Col("provider", "场景提供方", lambda s: s.provider_name, order=("provider_name",)),
    Col("division", "所在地", lambda s: s.division.name, order=("division_id",)),
    Col("field", "应用领域", lambda s: s.field, order=("field",)),
    Col("cluster", "415X集群", lambda s: s.cluster.name if s.cluster_id else None, order=("cluster_id",)),
    Col("opened_on", "开放日期", lambda s: s.opened_on, order=("opened_on",)),
    Col("deadline", "征集截止日期", lambda s: s.deadline, order=("deadline",)),
    Col("state", "状态", lambda s: s.state_label, order=("state",)),
    Col("provider_kind", "提供方类型", lambda s: s.get_provider_kind_display(), shown=False),
    Col("need", "需求描述", lambda s: s.need, shown=False),
    Col("matched_on", "对接日期", lambda s: s.matched_on, shown=False),
    Col("landed_on", "落地日期", lambda s: s.landed_on, shown=False),
)

def benchmark_columns(on):
    """对标达标方案 of one cluster as of ``on``: a result recorded after ``on`` shows as 未出结果."""
    def result(p) -> str:
        return p.get_result_display() if p.result and p.result_on and p.result_on <= on else _("未出结果")

    def result_on(p):
        return p.result_on if p.result and p.result_on and p.result_on <= on else None

    return (
        Col("product", "产品名称", lambda p: p.product, order=("product",),
            link=lambda p: reverse("programs:benchmark_plan", args=[p.pk])),
        Col("enterprise", "企业", lambda p: p.enterprise.name, order=("enterprise__name",)),
        Col("division", "所在地", lambda p: p.division.name, order=("division_id",)),
        Col("benchmark", "对标对象", lambda p: p.benchmark, order=("benchmark",)),
        Col("level", "对标水平", lambda p: p.get_level_display(), order=("level",)),
        Col("planned_on", "方案发布日期", lambda p: p.planned_on, order=("planned_on",)),
        Col("result", "对标结果", result, order=("result",)),
        Col("result_on", "结果日期", result_on, order=("result_on",)),
        Col("indicators", "对比的关键指标", lambda p: p.indicators, shown=False),
        Col("result_note", "结果说明", lambda p: p.result_note if result_on(p) else "", shown=False),
        Col("cluster", "415X集群", lambda p: p.cluster.name if p.cluster_id else None, shown=False),
        Col("cluster_inferred", "集群来源", lambda p: (_("按行业推断") if p.cluster_inferred else _("登记时选择"))
            if p.cluster_id else None, shown=False),
    )
