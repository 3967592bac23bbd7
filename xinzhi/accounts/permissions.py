"""Who may do what: one table of capabilities, used by views, services, menus, templates and the API.

A *capability* is something a user may do (``monitoring.view``, ``imports.run``, …). Each names the roles
that have it and, where the department or the region level matters, a *predicate* on the user and the
object acted on. ``can(user, key, obj)`` answers with a :class:`Decision` that carries the Chinese reason
for a refusal; ``require`` raises ``PermissionDenied`` with that reason (shown on the 403 page and in the
API's error body); ``capability_required`` guards a view and labels it, so the role × URL security matrix
is generated from this table for every URL (``web/tests/test_capabilities.py``).

*Which rows* a user sees or changes is a separate question, answered by ``restrict()``
(``xinzhi.core.scope``): a capability says "county staff may edit packages", ``restrict(user, "change")``
says "…of enterprises in their county". The pattern is NetBox's (a permission plus constraints) and
Hypha's (``has_permission(action, user, obj)`` returning the reason), see docs/architecture.md.

Rules that hold for the whole table (checked by tests):
* superusers may do everything;
* leaders (领导) read: no capability marked ``write`` lists them;
* a user without a valid binding (staff without a division, an enterprise user without an enterprise)
  may do nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from xinzhi.core.scope import region_prefix

from .models import Department, Role

PROVINCE, CITY, COUNTY = Role.PROVINCE_STAFF.value, Role.CITY_STAFF.value, Role.COUNTY_STAFF.value
LEADER, ENTERPRISE, EXPERT = Role.LEADER.value, Role.ENTERPRISE.value, Role.EXPERT.value
STAFF = frozenset({PROVINCE, CITY, COUNTY})
LOCAL_STAFF = frozenset({CITY, COUNTY})
READERS = STAFF | {LEADER}
ALL_ROLES = frozenset(r.value for r in Role)

#: a predicate returns the Chinese reason for a refusal, or ``None`` when the user may act on ``obj``
Predicate = Callable[[Any, Any], "str | None"]


@dataclass(frozen=True)
class Capability:
    key: str
    label_zh: str
    roles: frozenset[str]
    refusal_zh: str
    write: bool = False
    predicate: Predicate | None = None


@dataclass(frozen=True)
class Decision:
    """The answer of :func:`can`: truthy when allowed; ``reason`` says why not, in Chinese."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


# --------------------------------------------------------------------------- predicates

def _economy_it(user, obj) -> str | None:
    return None if user.department == Department.ECONOMY_IT else "仅经信部门可以办理此事项"


def _joint_review_department(user, obj) -> str | None:
    if user.department in (Department.SCIENCE, Department.FINANCE, Department.TAX):
        return None
    return "只有同级科技、财政、税务部门可以联合确认"


def _target_region(user, division) -> str | None:
    """Province staff set their cities' targets; city staff their own counties' (the level below)."""
    if division is None:
        return None
    if user.role == PROVINCE and division.level == "city":
        return None
    if user.role == CITY and division.level == "county" and division.parent_id == user.division_id:
        return None
    return "只能修改下一级地区的目标（省定市、市定县）"


def _enterprise_in_region(user, enterprise) -> str | None:
    """An enterprise for itself; local staff for enterprises in their region."""
    if enterprise is None:
        return None
    if user.role == ENTERPRISE:
        return None if user.enterprise_id == enterprise.pk else "企业用户只能为本企业办理"
    if user.role == PROVINCE:
        return None
    if str(enterprise.division_id).startswith(region_prefix(user.division_id)):
        return None
    return "只能为本地区企业办理"


def _own_assignment(user, assignment) -> str | None:
    if assignment is None:
        return None
    if assignment.expert.user_id != user.pk:
        return "只能评审分配给您的项目"
    if assignment.status != "pending":
        return "该评审已提交或已回避"
    return None


def _responsible_region(user, task) -> str | None:
    """Progress on a task is reported by the region responsible for it (work coordination)."""
    if task is None or user.division_id == task.division_id:
        return None
    return "只有任务的责任地区可以报送进展"


def _notice_recipient(user, notice) -> str | None:
    """A 督办 notice is acknowledged and answered by the region it was issued to."""
    if notice is None or user.division_id == notice.division_id:
        return None
    return "只有督办对象可以签收和反馈"


# --------------------------------------------------------------------------- the table

CAPABILITIES: dict[str, Capability] = {c.key: c for c in (
    # monitoring
    Capability("monitoring.view", "查看监测数据、地图与报告", READERS, "无权查看监测数据"),
    Capability("monitoring.target.edit", "修改下一级地区的目标", frozenset({PROVINCE, CITY}),
               "无权修改目标", write=True, predicate=_target_region),
    Capability("monitoring.target.allocate", "按基年分解默认目标", frozenset({PROVINCE}),
               "只有省级工作人员可以分解默认目标", write=True),
    Capability("monitoring.report.issue", "签发并存档本地区的简报与报告", STAFF, "无权签发报告", write=True),
    Capability("monitoring.recompute", "重新计算监测结果", frozenset({PROVINCE}),
               "只有省级工作人员可以重新计算监测结果", write=True),
    # register and imports
    Capability("register.view", "查看企业库", READERS, "无权查看企业库"),
    Capability("enterprise.profile.view", "查看企业画像", READERS | {ENTERPRISE}, "无权查看企业画像"),
    Capability("imports.run", "导入数据", STAFF, "无权导入数据", write=True),
    Capability("imports.history.all", "查看所有人的导入记录", frozenset({PROVINCE}), "只能查看本人的导入记录"),
    # cultivation and policy
    Capability("cultivation.view", "查看应享尽享名单、培育库与统计", READERS, "无权查看培育名单"),
    Capability("cultivation.package.view", "查看年度数据包与政策匹配结果", READERS | {ENTERPRISE}, "无权查看数据包"),
    Capability("cultivation.package.edit", "填报年度数据包", STAFF | {ENTERPRISE},
               "无权填报数据包", write=True, predicate=_enterprise_in_region),
    Capability("cultivation.screening.run", "运行全库筛查", frozenset({PROVINCE}),
               "只有省级工作人员可以运行全库筛查", write=True),
    Capability("cultivation.sampling.view", "查看实地核查抽样", READERS, "无权查看核查抽样"),
    Capability("cultivation.sampling.draw", "抽取实地核查对象", frozenset({PROVINCE, CITY}),
               "只有省、市经信部门可以抽取核查对象", write=True),
    Capability("cultivation.sampling.record", "记录核查结果", STAFF, "无权记录核查结果", write=True),
    Capability("cultivation.what_if", "政策参数模拟", frozenset({PROVINCE}), "政策模拟仅供省级工作人员使用"),
    Capability("cultivation.am_list.view", "查看先进制造业企业名单", READERS | {ENTERPRISE}, "无权查看先进制造业企业名单"),
    Capability("cultivation.am_list.propose", "推荐先进制造业企业", LOCAL_STAFF,
               "只有县（市、区）、市经信部门可以推荐先进制造业企业", write=True, predicate=_economy_it),
    Capability("cultivation.am_list.confirm", "联合确认先进制造业企业", LOCAL_STAFF,
               "只有同级科技、财政、税务部门可以联合确认", write=True, predicate=_joint_review_department),
    Capability("cultivation.am_list.publish", "公布先进制造业企业名单", frozenset({PROVINCE}),
               "只有省经信厅可以公布名单", write=True, predicate=_economy_it),
    Capability("policy.screen", "政策匹配", READERS | {ENTERPRISE}, "无权使用政策匹配"),
    # R&D institutions, platforms, evaluation
    Capability("platforms.view", "查看研发机构与平台", READERS | {ENTERPRISE}, "无权查看研发机构库"),
    Capability("platforms.overview", "查看机构覆盖率、目标与创新平台网络", READERS, "无权查看机构覆盖率与平台网络"),
    Capability("evaluation.round.view", "查看认定与评价批次", READERS, "无权查看评审批次"),
    Capability("evaluation.calls", "查看申报通知、本企业申报与通知书", frozenset({ENTERPRISE}), "仅企业用户使用本页"),
    Capability("evaluation.submission.view", "查看申报与评价材料", READERS | {ENTERPRISE}, "无权查看申报材料"),
    Capability("evaluation.round.run", "组织评审、分配专家、作出决定", frozenset({PROVINCE}),
               "仅省级工作人员可组织评审、分配专家和作出决定", write=True),
    Capability("evaluation.apply", "申报认定", STAFF | {ENTERPRISE}, "无权申报", write=True,
               predicate=_enterprise_in_region),
    Capability("evaluation.review", "评审打分", frozenset({EXPERT}), "仅评审专家可以评审", write=True,
               predicate=_own_assignment),
    # work coordination (工作督办)
    Capability("supervision.view", "查看任务清单、进展、督办与月度通报", READERS, "无权查看任务清单"),
    Capability("supervision.task.edit", "载入、新增和分解任务", frozenset({PROVINCE, CITY}),
               "只有省、市级工作人员可以新增和分解任务", write=True),
    Capability("supervision.progress.report", "报送任务月度进展", STAFF, "无权报送任务进展", write=True,
               predicate=_responsible_region),
    Capability("supervision.notice.issue", "下发和审核督办", frozenset({PROVINCE}),
               "只有省级工作人员可以下发和审核督办", write=True),
    Capability("supervision.notice.answer", "签收和反馈督办", STAFF, "无权签收和反馈督办", write=True,
               predicate=_notice_recipient),
    Capability("supervision.activity.edit", "录入科技创新活动", STAFF, "无权录入科技创新活动", write=True),
    Capability("supervision.case.submit", "报送典型案例", STAFF, "无权报送典型案例", write=True),
    Capability("supervision.case.publish", "遴选、编辑和发布典型案例", frozenset({PROVINCE}),
               "只有省级工作人员可以遴选和发布典型案例", write=True),
    Capability("supervision.funds.edit", "登记研发准备金和研发投入后补助", STAFF, "无权登记研发准备金和后补助",
               write=True, predicate=_enterprise_in_region),
    Capability("supervision.board.post", "发布信息共享", STAFF, "无权发布信息", write=True),
    # high-tech investment projects (issue 18): counties manage and propose, cities review, the province
    # approves 入库 of major projects; which projects is restrict() on the stored record
    Capability("investment.view", "查看投资项目、督导与预警", READERS, "无权查看投资项目"),
    Capability("investment.project.edit", "登记和修改投资项目", STAFF, "无权修改投资项目", write=True),
    Capability("investment.transition.propose", "提出项目阶段变更", STAFF, "无权提出阶段变更", write=True),
    Capability("investment.transition.decide", "审核、审批项目阶段变更", frozenset({PROVINCE, CITY}),
               "只有市级、省级经信部门可以审核阶段变更", write=True),
    Capability("investment.supervision.record", "登记一线督导与问题", STAFF, "无权登记督导记录", write=True),
    # unicorn cultivation (issue 18): staff keep the register of innovative enterprises in their region,
    # the province confirms tiers; everyone staff reads the monitoring and the annual report
    Capability("unicorns.view", "查看独角兽企业培育库、监测与年度报告", READERS, "无权查看独角兽企业培育库"),
    Capability("unicorns.edit", "登记创新型企业与融资", STAFF, "无权登记创新型企业与融资", write=True),
    Capability("unicorns.tier.set", "确认独角兽企业层级变动", frozenset({PROVINCE}),
               "只有省级经信部门可以确认层级变动", write=True),
    # innovation programmes (programs): the closed loop, major S&T projects, new products
    Capability("programs.view", "查看企业出题与创新项目", READERS | {ENTERPRISE}, "无权查看企业出题与创新项目"),
    Capability("programs.overview", "查看闭环漏斗、重大项目占比与新产品统计", READERS, "无权查看创新项目统计"),
    Capability("programs.problem.pose", "企业出题", STAFF | {ENTERPRISE}, "无权登记企业技术难题", write=True,
               predicate=_enterprise_in_region),
    Capability("programs.problem.act", "办理企业出题闭环各环节", STAFF | {ENTERPRISE}, "无权办理企业出题事项",
               write=True),
    Capability("programs.major.edit", "登记省重大科技项目及承担单位", frozenset({PROVINCE}),
               "只有省级工作人员可以登记重大科技项目", write=True),
    Capability("programs.new_product.apply", "申报省级工业新产品项目", STAFF | {ENTERPRISE}, "无权申报新产品项目",
               write=True, predicate=_enterprise_in_region),
    Capability("programs.standard.edit", "登记企业参与的标准", STAFF | {ENTERPRISE}, "无权登记标准", write=True,
               predicate=_enterprise_in_region),
    Capability("programs.benchmark.edit", "登记对标达标方案与结果", STAFF | {ENTERPRISE}, "无权登记对标达标方案",
               write=True, predicate=_enterprise_in_region),
    Capability("programs.new_product.review", "审核新产品项目、登记鉴定验收与评选结果", STAFF,
               "无权审核新产品项目", write=True),
    # research-needs call (企业主导的科技攻关需求征集) and the expert-reviewed selections (issue 17)
    Capability("programs.call.submit", "申报科技攻关需求（牵头企业）", frozenset({ENTERPRISE}),
               "只有牵头企业可以申报科技攻关需求", write=True, predicate=_enterprise_in_region),
    Capability("programs.call.vet", "审核、推荐本地区的科技攻关需求", LOCAL_STAFF,
               "只有县（市、区）、设区市经信部门可以审核科技攻关需求", write=True),
    Capability("programs.call.run", "发布需求征集、组织评审、公布排序与推荐立项", frozenset({PROVINCE}),
               "只有省级工作人员可以组织需求征集与评审", write=True),
    Capability("programs.selection.run", "组织优秀新产品与先进技术成果评审并公布", frozenset({PROVINCE}),
               "只有省级工作人员可以组织优秀新产品与先进技术成果评审", write=True),
    # application scenarios (应用场景, issue 17 item 4): staff open their region's scenarios and record the
    # matches' progress; an enterprise applies its own products (which scenario: restrict() on the stored one)
    Capability("programs.scenario.manage", "开放应用场景、登记对接进展", STAFF, "无权开放或办理应用场景",
               write=True),
    Capability("programs.scenario.apply", "以产品报名应用场景", STAFF | {ENTERPRISE}, "无权报名应用场景",
               write=True, predicate=_enterprise_in_region),
    # the account itself
    Capability("help.view", "查看本角色的使用帮助", ALL_ROLES, "无权查看使用帮助"),
    Capability("help.all_roles", "查看各角色的使用帮助", frozenset({PROVINCE}), "只能查看本角色的使用帮助"),
    Capability("jobs.own", "查看本人的后台任务", ALL_ROLES, "无权查看后台任务"),
    Capability("notifications.inbox", "查看本人的通知", ALL_ROLES, "无权查看通知"),
    Capability("api.tokens", "使用数据接口（API令牌）", READERS | {ENTERPRISE}, "您的角色不使用数据接口"),
    Capability("admin.site", "系统管理", frozenset({PROVINCE}), "只有省级管理员可以进入系统管理"),
)}


# --------------------------------------------------------------------------- answers

def _bound(user) -> bool:
    """Staff and leaders need a division, enterprise users an enterprise; experts need nothing."""
    if user.role in READERS:
        return bool(user.division_id)
    if user.role == ENTERPRISE:
        return bool(user.enterprise_id)
    return user.role == EXPERT


def can(user, key: str, obj: Any = None) -> Decision:
    """May ``user`` do ``key`` (on ``obj``)? Unknown keys raise ``KeyError``: a typo must not grant."""
    capability = CAPABILITIES[key]
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Decision(False, "请先登录")
    if user.is_superuser:
        return Decision(True)
    if user.role not in capability.roles:
        return Decision(False, capability.refusal_zh)
    if not _bound(user):
        return Decision(False, "您的账号尚未绑定区划或企业，请联系管理员")
    if capability.predicate is not None:
        reason = capability.predicate(user, obj)
        if reason:
            return Decision(False, reason)
    return Decision(True)


def require(user, key: str, obj: Any = None) -> None:
    """Raise ``PermissionDenied`` with the Chinese reason unless ``user`` may do ``key``."""
    decision = can(user, key, obj)
    if not decision:
        raise PermissionDenied(decision.reason)


def capability_required(key: str, otherwise: Callable | None = None) -> Callable:
    """View decorator: sign-in required, then the capability; the view is labelled with it.

    ``otherwise(request)`` may answer a refused user instead of the 403 page (e.g. send an enterprise user
    from the register to its own profile); when it returns ``None`` the refusal stands.
    """
    CAPABILITIES[key]  # fail at import time on a typo

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request, *args, **kwargs):
            decision = can(request.user, key)
            if not decision:
                response = otherwise(request) if otherwise else None
                if response is not None:
                    return response
                raise PermissionDenied(decision.reason)
            return view(request, *args, **kwargs)

        wrapped = login_required(guarded)
        wrapped.capability = key  # read by the generated security matrix
        return wrapped

    return decorator


def roles_with(key: str) -> frozenset[str]:
    """The roles a capability lists (superusers aside) — for documentation and the security matrix."""
    return CAPABILITIES[key].roles
