"""Pages of the application scenarios (应用场景, issue 17 item 4): the catalogue with counts by city, a
scenario with its matches, the opening form. Thin: the rules are in ``scenarios``, the writes in
``scenario_services``. Reads go through ``visible_scenarios``; out-of-scope ids are 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.core.params import date_param
from xinzhi.industries.models import Cluster
from xinzhi.regions.models import Division
from xinzhi.reports.listing import Listing

from . import lists, scenarios
from . import scenario_services as svc
from .models import NewProductProject, ProviderKind, Scenario, Selection
from .services import Refused, enterprise_acted_for
from .views import _date


@capability_required("programs.view")
def scenario_list(request):
    user = request.user
    today = timezone.localdate()
    on = date_param(request.GET, "on", today)
    state = (request.GET.get("state") or "").strip()
    qs = svc.visible_scenarios(user).select_related("division", "cluster")
    if state in scenarios.LABELS:
        qs = qs.filter(state=state)
    listing = Listing(request, lists.SCENARIO_COLUMNS, qs, default=("-opened_on", "-id"), title="应用场景",
                      empty="暂无应用场景")
    if listing.wants_export:
        return listing.export()
    overview = bool(can(user, "programs.overview"))
    return render(request, "programs/scenarios.html", {
        "table": listing.table(), "page": listing.page, "on": on, "states": list(scenarios.LABELS.items()),
        "applied": state, "overview": overview, "counts": svc.counts_by_city(user, on) if overview else [],
        "targets": svc.scenario_parameters(), "may_open": bool(can(user, "programs.scenario.manage")),
    })


def _counties(user):
    qs = Division.objects.filter(level="county")
    if not (user.is_superuser or user.role == "province_staff"):
        qs = qs.filter(code__startswith=user.division.prefix if user.division_id else "none")
    return qs.order_by("code")


@capability_required("programs.scenario.manage")
def scenario_new(request):
    user = request.user
    if request.method == "POST":
        post = request.POST
        try:
            scenario = svc.open_scenario(user, {
                "name": post.get("name"), "provider": post.get("provider"), "provider_uscc": post.get("provider_uscc"),
                "provider_kind": post.get("provider_kind"), "division": post.get("division"),
                "cluster": post.get("cluster"), "field": post.get("field"), "need": post.get("need"),
                "opened_on": _date(post.get("opened_on")), "deadline": _date(post.get("deadline"))},
                timezone.localdate())
        except (Refused, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已开放应用场景"))
            return redirect("programs:scenario", scenario.pk)
    return render(request, "programs/scenario_new.html", {
        "form": request.POST, "counties": _counties(user), "clusters": Cluster.objects.order_by("kind", "code"),
        "kinds": ProviderKind.choices, "today": timezone.localdate(),
        "default_days": svc.scenario_parameters()["default_open_days"]})


def _post(request, scenario: Scenario):
    user, post = request.user, request.POST
    on = _date(post.get("on"), timezone.localdate())
    what = post.get("what", "")
    if what == "scenario":
        svc.act_scenario(user, scenario.pk, post.get("action", ""), on, post.get("note", ""))
        return _("已办理：%(step)s") % {"step": scenarios.SCENARIO_STEPS[post["action"]].label}
    if what == "match":
        svc.act_match(user, int(post.get("match") or 0), post.get("action", ""), on, post.get("note", ""))
        return _("已登记对接进展：%(step)s") % {"step": scenarios.MATCH_STEPS[post["action"]].label}
    if what == "apply":
        enterprise = enterprise_acted_for(user, post.get("uscc"))
        if enterprise is None:
            raise Refused(_("统一社会信用代码未找到，或该企业不在本地区"))
        source, _sep, ident = (post.get("source") or "").partition(":")
        data = {"product": post.get("product"), "note": post.get("note")}
        if source in ("selection", "new_product") and ident.isdigit():
            data[source] = int(ident)
        svc.apply_product(user, scenario.pk, enterprise, data, timezone.localdate())
        return _("已报名，等待场景所在地经信部门对接")
    raise Refused(_("未知的办理事项"))


@capability_required("programs.view")
def scenario_detail(request, pk: int):
    user = request.user
    scenario = get_object_or_404(svc.visible_scenarios(user).select_related("division", "cluster"), pk=pk)
    if request.method == "POST":
        try:
            done = _post(request, scenario)
        except (Refused, PermissionDenied) as exc:
            messages.error(request, str(exc))
            if request.POST.get("what") != "apply":
                return redirect("programs:scenario", pk)
        else:
            messages.success(request, done)
            return redirect("programs:scenario", pk)
    manage = svc.may_manage(user, scenario)
    matches = list(svc.visible_matches(user, scenario).select_related("enterprise", "selection"))
    for m in matches:
        m.actions = scenarios.match_actions(m.state, scenario.state) if manage else []
    may_apply = bool(can(user, "programs.scenario.apply")) and not scenarios.may_apply(
        scenario.state, scenario.deadline, timezone.localdate())
    own = []
    if may_apply and user.role == "enterprise":
        own = [(f"selection:{s.pk}", f"{s.get_kind_display()}：{s.name}") for s in
               Selection.objects.filter(enterprise_id=user.enterprise_id).order_by("-year", "name")]
        own += [(f"new_product:{p.pk}", f"新产品项目：{p.name}") for p in
                NewProductProject.objects.filter(enterprise_id=user.enterprise_id).order_by("-year", "name")]
    steps = scenario.steps.all()
    if user.role == "enterprise":
        steps = steps.filter(Q(match=None) | Q(match__enterprise_id=user.enterprise_id))
    return render(request, "programs/scenario_detail.html", {
        "scenario": scenario, "matches": matches, "manage": manage,
        "actions": scenarios.scenario_actions(scenario.state) if manage else [], "may_apply": may_apply,
        "own_products": own, "form": request.POST if request.method == "POST" else {},
        "steps": steps.select_related("match"), "today": timezone.localdate()})
