"""Application scenarios (应用场景, issue 17 item 4 / seed task 12): domain operations.

No provincial scenario-opening mechanism was found; the model is Jiaxing's 嘉政办发〔2025〕17号
(programmes.md §1.6) — scenarios opened by leading firms, state-owned enterprises and government units,
listed in scenario catalogues, with new technologies and products applied to them. The states and who may
take each step are in :mod:`xinzhi.programs.scenarios`; the reference targets are labelled parameters
(``data/parameters.toml`` [scenarios], 待核实).

Every write checks the capability, the region scope of the **stored** scenario (``restrict(user,
"change")``) and the state rules; every step is a :class:`ScenarioStep` and is audited (django-auditlog,
``apps.ready``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Value
from django.db.models.functions import Concat, Substr

from xinzhi.accounts.permissions import can, require
from xinzhi.core.scope import CHANGE, region_prefix
from xinzhi.enterprises.models import Enterprise
from xinzhi.industries.models import Cluster
from xinzhi.regions.models import Division

from . import notices, scenarios
from .models import NewProductProject, ProviderKind, Scenario, ScenarioMatch, ScenarioStep, Selection
from .services import Refused, parameters


def scenario_parameters() -> dict:
    """The [scenarios] parameters: Jiaxing's reference targets and the default collection period (待核实)."""
    return parameters()["scenarios"]


# --------------------------------------------------------------------------- who sees what

def visible_scenarios(user):
    """Staff and leaders: the scenarios of their region; an enterprise: the scenarios still collecting
    (征集中 — the published catalogue), the ones it provides and the ones it applied to; experts: none."""
    if getattr(user, "role", "") == "enterprise" and not user.is_superuser:
        eid = user.enterprise_id
        if eid is None:
            return Scenario.objects.none()
        ids = ScenarioMatch.objects.filter(enterprise_id=eid).values("scenario_id")
        return Scenario.objects.filter(Q(state=scenarios.OPEN) | Q(provider_enterprise_id=eid) | Q(pk__in=ids))
    return Scenario.objects.restrict(user)


def visible_matches(user, scenario: Scenario):
    """The products applied to ``scenario`` that ``user`` may see: staff of the scenario's region all of
    them, an enterprise only its own."""
    if getattr(user, "role", "") == "enterprise" and not user.is_superuser:
        return scenario.matches.filter(enterprise_id=user.enterprise_id)
    if not Scenario.objects.restrict(user).filter(pk=scenario.pk).exists():
        return ScenarioMatch.objects.none()
    return scenario.matches.all()


def may_manage(user, scenario: Scenario) -> bool:
    return bool(can(user, "programs.scenario.manage")) and \
        Scenario.objects.restrict(user, CHANGE).filter(pk=scenario.pk).exists()


# --------------------------------------------------------------------------- opening a scenario

def _in_user_region(user, division_code: str) -> bool:
    if user.is_superuser or user.role == "province_staff":
        return True
    return bool(user.division_id) and str(division_code).startswith(region_prefix(user.division_id))


def open_scenario(user, data: dict, on: dt.date, *, import_batch=None) -> Scenario:
    """Staff open a scenario for a county of their region. ``data``: name, provider (text) or provider_uscc
    (an enterprise of the register), provider_kind, division (county code), cluster (code, optional), field,
    need, opened_on, deadline (empty: ``default_open_days`` after opening, 待核实)."""
    require(user, "programs.scenario.manage")
    name = str(data.get("name") or "").strip()
    if not name:
        raise Refused("场景名称不能为空")
    division = Division.objects.filter(code=str(data.get("division") or "").strip(), level="county").first()
    if division is None:
        raise Refused("所在县（市、区）须为有效的县级区划")
    if not _in_user_region(user, division.code):
        raise Refused("只能为本地区开放应用场景")
    provider_enterprise = None
    uscc = str(data.get("provider_uscc") or "").strip().upper()
    if uscc:
        provider_enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if provider_enterprise is None:
            raise Refused(f"场景提供方的统一社会信用代码“{uscc}”未在企业库中找到")
    provider = str(data.get("provider") or "").strip() or (provider_enterprise.name if provider_enterprise else "")
    if not provider:
        raise Refused("场景提供方不能为空（填写单位名称，或企业库中企业的统一社会信用代码）")
    kind = str(data.get("provider_kind") or "").strip() or (ProviderKind.ENTERPRISE if provider_enterprise else "")
    if kind not in ProviderKind.values:
        labels = dict(ProviderKind.choices)
        kind = next((v for v, label in labels.items() if label == kind), "")
        if not kind:
            raise Refused("提供方类型须为：" + "、".join(ProviderKind.labels))
    cluster = None
    if str(data.get("cluster") or "").strip():
        code = str(data["cluster"]).strip()
        cluster = Cluster.objects.filter(Q(code=code) | Q(name=code)).first()
        if cluster is None:
            raise Refused(f"415X集群“{code}”不存在")
    field = str(data.get("field") or "").strip()
    if not field:
        raise Refused("应用领域不能为空")
    need = str(data.get("need") or "").strip()
    if not need:
        raise Refused("需求描述不能为空")
    opened_on = data.get("opened_on") or on
    deadline = data.get("deadline") or opened_on + dt.timedelta(days=int(scenario_parameters()["default_open_days"]))
    if deadline < opened_on:
        raise Refused("征集截止日期不能早于开放日期")
    if opened_on > on:
        raise Refused("开放日期不能晚于今天")
    if Scenario.objects.filter(division=division, name=name, opened_on=opened_on).exists():
        raise Refused(f"{division.name}已于 {opened_on:%Y-%m-%d} 开放同名场景“{name}”")
    try:
        with transaction.atomic():
            scenario = Scenario.objects.create(
                name=name[:200], provider_name=provider[:200], provider_kind=kind, provider_enterprise=provider_enterprise,
                division=division, cluster=cluster, field=field[:100], need=need, opened_on=opened_on, deadline=deadline,
                opened_by=user, import_batch=import_batch)
            ScenarioStep.objects.create(scenario=scenario, action="open", from_state="", to_state=scenarios.OPEN,
                                        on=opened_on, actor=user)
    except IntegrityError as exc:  # a concurrent twin
        raise Refused(f"{division.name}已于 {opened_on:%Y-%m-%d} 开放同名场景“{name}”") from exc
    return scenario


def _last_on(scenario: Scenario, match: ScenarioMatch | None = None) -> dt.date | None:
    steps = scenario.steps.filter(match=match) if match is not None else scenario.steps.filter(match=None)
    return steps.order_by("-on").values_list("on", flat=True).first()


def act_scenario(user, scenario_id: int, action: str, on: dt.date, note: str = "") -> Scenario:
    """Staff confirm a scenario matched (已对接) or landed (已落地), or close it (with a reason)."""
    require(user, "programs.scenario.manage")
    with transaction.atomic():
        scenario = Scenario.objects.restrict(user, CHANGE).select_for_update().filter(pk=scenario_id).first()
        if scenario is None:
            raise PermissionDenied("未找到该场景，或不在您的办理范围内")
        states = list(scenario.matches.values_list("state", flat=True))
        target, reason = scenarios.decide_scenario(scenario.state, action, states, note)
        if target is None:
            raise Refused(reason)
        last = _last_on(scenario)
        if last and on < last:
            raise Refused(f"办理日期不能早于上一步的日期（{last:%Y-%m-%d}）")
        before = scenario.state
        scenario.state = target
        if action == "match":
            scenario.matched_on = on
        elif action == "land":
            scenario.landed_on = on
        elif action == "close":
            scenario.closed_on, scenario.close_reason = on, note.strip()[:500]
        scenario.save()
        ScenarioStep.objects.create(scenario=scenario, action=action, from_state=before, to_state=target, on=on,
                                    actor=user, note=note.strip()[:500])
    return scenario


# --------------------------------------------------------------------------- applying a product

def apply_product(user, scenario_id: int, enterprise: Enterprise, data: dict, on: dt.date) -> ScenarioMatch:
    """An enterprise (or staff for an enterprise of their region) applies a product to a scenario still
    collecting: ``data`` names one of ``selection`` (id of its excellent product / advanced achievement),
    ``new_product`` (id of its new-product project) or ``product`` (free text), and an optional ``note``."""
    require(user, "programs.scenario.apply", enterprise)
    scenario = visible_scenarios(user).filter(pk=scenario_id).first()
    if scenario is None:
        raise PermissionDenied("未找到该场景，或不在您的办理范围内")
    why = scenarios.may_apply(scenario.state, scenario.deadline, on)
    if why:
        raise Refused(why)
    selection = new_product = None
    if data.get("selection"):
        selection = Selection.objects.filter(pk=data["selection"], enterprise=enterprise).first()
        if selection is None:
            raise Refused("所选优秀新产品（先进技术成果）不属于该企业")
        name = selection.name
    elif data.get("new_product"):
        new_product = NewProductProject.objects.filter(pk=data["new_product"], enterprise=enterprise).first()
        if new_product is None:
            raise Refused("所选新产品项目不属于该企业")
        name = new_product.name
    else:
        name = str(data.get("product") or "").strip()
        if not name:
            raise Refused("请选择本企业的优秀新产品、新产品项目，或填写产品（技术）名称")
    if scenario.matches.filter(enterprise=enterprise, product_name=name[:200]).exists():
        raise Refused(f"该企业已以“{name}”报名此场景")
    with transaction.atomic():
        match = ScenarioMatch.objects.create(scenario=scenario, enterprise=enterprise, product_name=name[:200],
                                             selection=selection, new_product=new_product, applied_on=on,
                                             note=str(data.get("note") or "").strip()[:500], applied_by=user)
        ScenarioStep.objects.create(scenario=scenario, match=match, action="apply", from_state="",
                                    to_state=scenarios.APPLIED, on=on, actor=user, note=match.note)
    return match


def act_match(user, match_id: int, action: str, on: dt.date, note: str = "") -> ScenarioMatch:
    """Staff of the scenario's region record a match's progress: 对接 → 试用 → 落地, or 未采用 (with a reason)."""
    require(user, "programs.scenario.manage")
    with transaction.atomic():
        match = ScenarioMatch.objects.select_for_update().filter(
            pk=match_id, scenario__in=Scenario.objects.restrict(user, CHANGE)).first()
        if match is None:
            raise PermissionDenied("未找到该对接记录，或不在您的办理范围内")
        scenario = match.scenario
        target, reason = scenarios.decide_match(match.state, action, scenario.state, note)
        if target is None:
            raise Refused(reason)
        last = _last_on(scenario, match)
        if last and on < last:
            raise Refused(f"办理日期不能早于上一步的日期（{last:%Y-%m-%d}）")
        before = match.state
        match.state = target
        setattr(match, {"talk": "talking_on", "trial": "trial_on", "land": "landed_on", "decline": "declined_on"}[action], on)
        if note.strip():
            match.note = note.strip()[:500]
        match.save()
        ScenarioStep.objects.create(scenario=scenario, match=match, action=action, from_state=before, to_state=target,
                                    on=on, actor=user, note=note.strip()[:500])
        notices.match_stepped(match, action, note)
    return match


# --------------------------------------------------------------------------- counts as of a date

def counts_by_city(user, on: dt.date) -> list[dict]:
    """Per city, as of ``on``: scenarios opened, matched (已对接 on or before ``on``, landed ones included),
    landed, and products applied — in the user's scope; the last row is the total."""
    def per_city(qs, date_field, region="division_id"):
        rows = (qs.filter(**{f"{date_field}__lte": on}).annotate(city=Concat(Substr(region, 1, 4), Value("00")))
                .values("city").annotate(n=Count("id")).order_by())
        return {r["city"]: r["n"] for r in rows}

    base = Scenario.objects.restrict(user)
    opened, matched, landed = per_city(base, "opened_on"), per_city(base, "matched_on"), per_city(base, "landed_on")
    applied = per_city(ScenarioMatch.objects.restrict(user), "applied_on", "scenario__division_id")
    cities = sorted(set(opened) | set(applied))
    names = dict(Division.objects.filter(code__in=cities).values_list("code", "name"))
    rows = [{"code": c, "name": names.get(c, c), "opened": opened.get(c, 0), "matched": matched.get(c, 0),
             "landed": landed.get(c, 0), "applied": applied.get(c, 0)} for c in cities]
    total = {key: sum(r[key] for r in rows) for key in ("opened", "matched", "landed", "applied")}
    rows.append({"code": "", "name": "合计", **total})
    return rows
