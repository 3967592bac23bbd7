"""Register pages: R&D institutions and innovation platforms, detail with status history and annual data,
coverage and counts vs targets. Every read goes through ``restrict``; out-of-scope ids are 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear, Substr
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.core.inputs import check_number
from xinzhi.core.params import choice_param, int_param, text_param, year_param
from xinzhi.core.scope import region_prefix
from xinzhi.evaluation import scoring
from xinzhi.evaluation import services as ev_services
from xinzhi.evaluation.models import Round, Submission
from xinzhi.industries.models import Cluster
from xinzhi.regions.models import Division
from xinzhi.reports.listing import Col, Listing

from . import network as network_module
from . import services
from .models import (
    NATIONAL_LEVELS,
    AnnualData,
    InstitutionLevel,
    InstitutionStatus,
    Milestone,
    Notice,
    PilotService,
    Platform,
    PlatformKind,
    PlatformLevel,
    PlatformMember,
    RDInstitution,
    StatusChange,
)


def _year(field: str):
    return Col(field, {"recognised_year": "认定年度", "next_evaluation_year": "下次评价"}[field],
               lambda o: getattr(o, field), order=(field,), thousands=False)


#: the two registers' columns: shown, sortable (whitelisted ORDER BY fields) and exported
PLATFORM_COLUMNS = (
    Col("name", "名称", lambda p: p.name, order=("name",), link=lambda p: reverse("platforms:platform", args=[p.pk])),
    Col("kind", "类型", lambda p: p.get_kind_display(), order=("kind",)),
    Col("level", "级别", lambda p: p.get_level_display(), order=("level",)),
    Col("division", "所在地", lambda p: p.division.name, order=("division_id",)),
    Col("field", "领域", lambda p: p.field, order=("field",)),
    Col("cluster", "415X集群", lambda p: p.cluster.name if p.cluster_id else None, order=("cluster_id",)),
    Col("status", "状态", lambda p: p.get_status_display(), order=("status",)),
)
INSTITUTION_COLUMNS = (
    Col("name", "名称", lambda i: i.name, order=("name",),
        link=lambda i: reverse("platforms:institution", args=[i.pk])),
    Col("enterprise", "企业", lambda i: i.enterprise.name, order=("enterprise__name",)),
    Col("level", "级别", lambda i: i.get_level_display(), order=("level",)),
    Col("division", "所在地", lambda i: i.enterprise.division.name, order=("enterprise__division_id",)),
    _year("recognised_year"),
    Col("cluster", "415X集群", lambda i: i.cluster.name if i.cluster_id else None, order=("cluster_id",)),
    Col("status", "状态", lambda i: i.get_status_display(), order=("status",)),
    _year("next_evaluation_year"),
)


@capability_required("platforms.view")
def register(request):
    user = request.user
    params = {k: text_param(request.GET, k) for k in ("q", "level", "status", "cluster", "kind", "tab")}
    if params["tab"] == "platforms":
        qs = Platform.objects.restrict(user).select_related("division", "cluster", "lead_enterprise")
        if params["kind"]:
            qs = qs.filter(kind=params["kind"])
        order, columns, title, empty = ("kind", "name"), PLATFORM_COLUMNS, "创新平台", "没有符合条件的平台"
    else:
        qs = RDInstitution.objects.restrict(user).select_related("enterprise__division", "cluster")
        if params["level"]:
            qs = qs.filter(level=params["level"])
        order, columns = ("level", "-recognised_year", "name"), INSTITUTION_COLUMNS
        title, empty = "企业研发机构", "没有符合条件的研发机构"
    if params["q"]:
        qs = qs.filter(Q(name__contains=params["q"]))
    if params["status"]:
        qs = qs.filter(status=params["status"])
    if params["cluster"]:
        qs = qs.filter(cluster_id=params["cluster"])
    listing = Listing(request, columns, qs, default=order, title=title, empty=empty)
    if listing.wants_export:
        return listing.export()
    return render(request, "platforms/register.html", {
        "table": listing.table(), "page": listing.page, "applied": params, "levels": InstitutionLevel.choices,
        "statuses": InstitutionStatus.choices, "kinds": PlatformKind.choices,
        "clusters": Cluster.objects.order_by("kind", "code"),
        "counts": services.counts_vs_targets(user) if user.role != "enterprise" else None,
    })


def _subject_context(user, subject, q: Q) -> dict:
    return {
        "history": StatusChange.objects.restrict(user).filter(q).select_related("actor"),
        "annual": AnnualData.objects.restrict(user).filter(q).order_by("-year"),
        "notices": Notice.objects.restrict(user).filter(q),
        "submissions": Submission.objects.restrict(user).filter(q).select_related("round").order_by("-round__year"),
        "data_fields": [(f, AnnualData._meta.get_field(f).verbose_name) for f in AnnualData.DATA_FIELDS],
    }


def _open_evaluation_rounds(user, subject) -> list[Round]:
    """Open evaluation rounds this subject may join — offered to province staff on its page."""
    if not can(user, "evaluation.round.run"):
        return []
    q = Q(institution=subject) if isinstance(subject, RDInstitution) else Q(platform=subject)
    return ev_services.rounds_open_for(subject, q)


def _report_annual_data(request, subject) -> None:
    """The enterprise (or staff in scope) reports a year's data for its institution (年度数据填报)."""
    try:
        year = int(request.POST.get("year") or "")
        values = {}
        for f in AnnualData.DATA_FIELDS:
            raw = (request.POST.get(f) or "").strip().replace(",", "")
            if raw:
                # finite, non-negative, in range: amounts in yuan, everything else a count (core.numbers)
                label = str(AnnualData._meta.get_field(f).verbose_name)
                try:
                    value = check_number(raw, "元" if "(元)" in label else "个", label=label)
                except ValidationError as exc:
                    raise ValueError(exc.messages[0]) from None
                values[f] = int(round(value))
        if not 2000 <= year <= timezone.localdate().year:
            raise ValueError("年度须在2000年至今年之间")
        if not values:
            raise ValueError("请至少填写一项数据")
    except ValueError as exc:
        messages.error(request, f"未保存：{exc}")
        return
    services.record_annual_data(subject, year, values)
    messages.success(request, f"已保存{year}年度数据（{len(values)}项）")


def _can_report(user, subject: RDInstitution | Platform) -> bool:
    """Annual data may be reported for a subject that is not revoked and that the user may change."""
    return (subject.status != InstitutionStatus.REVOKED
            and type(subject).objects.restrict(user, "change").filter(pk=subject.pk).exists())


def _post_annual_data(request, subject: RDInstitution | Platform, can_report: bool, refusal: str, page: str):
    if request.POST.get("action") != "annual_data" or not can_report:
        raise PermissionDenied(refusal)
    _report_annual_data(request, subject)
    return redirect(page, subject.pk)


@capability_required("platforms.view")
def institution_detail(request, pk: int):
    user = request.user
    inst = get_object_or_404(RDInstitution.objects.restrict(user).select_related("enterprise__division", "cluster"), pk=pk)
    can_report = _can_report(user, inst)
    if request.method == "POST":
        return _post_annual_data(request, inst, can_report, "无权填报该机构的年度数据", "platforms:institution")
    return render(request, "platforms/institution_detail.html", {
        "subject": inst, **_subject_context(user, inst, Q(institution=inst)),
        "can_report": can_report, "report_year": timezone.localdate().year - 1,
        "open_rounds": _open_evaluation_rounds(user, inst), "subject_key": "institution",
    })


@capability_required("platforms.view")
def platform_detail(request, pk: int):
    user = request.user
    plat = get_object_or_404(Platform.objects.restrict(user).select_related("division", "cluster", "lead_enterprise"), pk=pk)
    can_report = _can_report(user, plat)
    if request.method == "POST":
        return _post_annual_data(request, plat, can_report, "无权填报该平台的年度数据", "platforms:platform")
    members = PlatformMember.objects.filter(platform=plat).select_related("enterprise__division").order_by("chain_position", "enterprise__name")
    pilot = {}
    if plat.kind == PlatformKind.PILOT_PLATFORM:
        services_qs = PilotService.objects.restrict(user).filter(platform=plat)
        totals = (services_qs.annotate(year=ExtractYear("service_date")).values("year").order_by("-year")
                  .annotate(services_provided=Count("id"), clients_served=Count("client_name", distinct=True),
                            pilot_runs=Sum("pilot_runs"), service_revenue=Sum("revenue")))
        pilot = {"pilot_services": services_qs[:100],
                 "pilot_totals": [{**t, "service_revenue_wan": f"{(t['service_revenue'] or 0) / 10_000:,.1f}"} for t in totals]}
    return render(request, "platforms/platform_detail.html", {
        "subject": plat, "members": members, **_subject_context(user, plat, Q(platform=plat)), **pilot,
        "milestones": Milestone.objects.restrict(user).filter(platform=plat),
        "can_report": can_report, "report_year": timezone.localdate().year - 1,
        "open_rounds": _open_evaluation_rounds(user, plat), "subject_key": "platform",
    })


@capability_required("platforms.overview")
def coverage(request):
    user = request.user
    year = year_param(request.GET, "year", timezone.localdate().year - 1)
    by = choice_param(request.GET, "by", ("city", "county", "industry"), "city")
    return render(request, "platforms/coverage.html", {
        "rows": services.coverage(user, year, by), "year": year, "by": by, "counts": services.counts_vs_targets(user),
    })


@capability_required("platforms.overview")
def chain(request):
    """The cultivation chain (培育链路): holders of a level meeting or nearly meeting the next level's criteria."""
    user = request.user
    steps = services.load_chain()["steps"]
    step = int_param(request.GET, "step", 0, 0, len(steps) - 1)
    year = year_param(request.GET, "year", timezone.localdate().year - 1)
    _, region = _network_filters(request)
    data = services.cultivation_chain(user, step, year, region)
    page = Paginator(data["rows"], 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "platforms/chain.html", {
        **data, "page": page, "regions": _region_choices(user), "region": region or "", "query": query.urlencode(),
    })


@capability_required("platforms.overview")
def national(request):
    """National titles in the user's scope — monitored, not graded by the province: national technology
    centres, national platforms, and the milestones towards national titles (bids, branches, acceptance)."""
    user = request.user
    institutions = (RDInstitution.objects.restrict(user).filter(level__in=NATIONAL_LEVELS)
                    .select_related("enterprise__division").order_by("enterprise__division_id", "name"))
    platforms = (Platform.objects.restrict(user).filter(level=PlatformLevel.NATIONAL)
                 .select_related("division", "lead_enterprise").order_by("kind", "division_id", "name"))
    latest = (AnnualData.objects.restrict(user).filter(institution__in=institutions).order_by("institution_id", "-year")
              .values("institution_id", "year", "rd_expense", "rd_staff", "invention_patents"))
    data: dict[int, dict] = {}
    for row in latest:
        data.setdefault(row["institution_id"], {**row, "rd_expense_wan": f"{(row['rd_expense'] or 0) / 10_000:,.0f}"})
    rows = [(inst, data.get(inst.pk)) for inst in institutions]
    by_city = (institutions.exclude(status=InstitutionStatus.REVOKED)
               .annotate(city=Substr("enterprise__division__code", 1, 4)).values("city").order_by("city")
               .annotate(n=Count("id")))
    names = {c[:4]: n for c, n in Division.objects.filter(level="city").values_list("code", "name")}
    return render(request, "platforms/national.html", {
        "institutions": rows, "platforms": platforms,
        "by_city": [{"name": names.get(r["city"], r["city"]), "n": r["n"]} for r in by_city],
        "milestones": Milestone.objects.restrict(user).select_related("platform__division").order_by("due_on", "id"),
    })


@capability_required("platforms.view")
def pilot_scheme(request):
    """The pilot-scale platforms' build-and-evaluate scheme (pilot_platform.toml) and their service totals."""
    user = request.user
    scheme = services.load_pilot_scheme()
    totals = (PilotService.objects.restrict(user).annotate(year=ExtractYear("service_date"))
              .values("platform_id", "platform__name", "platform__division__name", "year").order_by("platform__name", "-year")
              .annotate(n=Count("id"), clients=Count("client_name", distinct=True), runs=Sum("pilot_runs"),
                        revenue=Sum("revenue")))
    return render(request, "platforms/pilot_scheme.html", {
        "scheme": scheme, "evaluation": scoring.get_scheme(scheme["evaluation"]["scheme"]),
        "totals": [{**t, "revenue_wan": f"{(t['revenue'] or 0) / 10_000:,.1f}"} for t in totals],
    })


def _network_filters(request) -> tuple[str | None, str | None]:
    """The cluster and region filters, ignoring unknown codes (the scope still applies to a known one)."""
    cluster = (request.GET.get("cluster") or "").strip() or None
    if cluster and not Cluster.objects.filter(code=cluster).exists():
        cluster = None
    region = (request.GET.get("region") or "").strip() or None
    if region and not Division.objects.filter(code=region).exists():
        region = None
    return cluster, region


def _region_choices(user) -> list[tuple[str, str]]:
    """Cities and counties inside the user's scope, for the region filter."""
    prefix = "33" if user.is_superuser or not user.division_id else region_prefix(user.division_id)
    rows = (Division.objects.filter(code__startswith=prefix).exclude(level="province")
            .order_by("code").values_list("code", "name", "level"))
    return [(code, name if level == "city" else f"\u3000{name}") for code, name, level in rows]


@capability_required("platforms.overview")
def network_page(request):
    """The platform network (issue §7): members, chains and regions as an ECharts graph."""
    user = request.user
    cluster, region = _network_filters(request)
    data = _graph(request, user, cluster, region)
    return render(request, "platforms/network.html", {
        "graph": data, "clusters": Cluster.objects.order_by("kind", "code"), "regions": _region_choices(user),
        "applied": {"cluster": cluster or "", "region": region or "", "view": request.GET.get("view", "")},
        "kinds": PlatformKind.choices,
    })


def _graph(request, user, cluster: str | None, region: str | None) -> dict:
    """The province-wide view is aggregated by city and kind (expand on click) unless ``view=all`` asks for
    every node; a city or county view is drawn in full."""
    own = None if user.is_superuser or not user.division_id else user.division_id
    province_wide = len(region_prefix(region or own or "330000")) <= 2
    if province_wide and request.GET.get("view") != "all":
        return network_module.overview(user, cluster)
    return network_module.network(user, cluster, region)


@capability_required("platforms.overview")
def network_json(request):
    """The same graph as JSON (``?cluster=&region=``)."""
    user = request.user
    cluster, region = _network_filters(request)
    return JsonResponse(_graph(request, user, cluster, region))


@capability_required("platforms.overview")
def map_points(request):
    """Point layers for the thematic map: ``?layer=institutions|platforms|projects[&cluster=code]``."""
    user = request.user
    layer = request.GET.get("layer") or "institutions"
    if layer not in network_module.LAYERS:
        return JsonResponse({"error": f"layer 须为 {' / '.join(network_module.LAYERS)}"}, status=400)
    cluster, _ = _network_filters(request)
    return JsonResponse(network_module.map_points(user, layer, cluster), json_dumps_params={"ensure_ascii": False})
