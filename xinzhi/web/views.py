from django.shortcuts import render

from xinzhi.enterprises.models import Enterprise, MonthlyStat


def home(request):
    """The landing page. The cockpit, map and register pages come with the web-platform issue."""
    context = {}
    if request.user.is_authenticated:
        context["enterprise_count"] = Enterprise.objects.restrict(request.user).count()
        latest = MonthlyStat.objects.restrict(request.user).order_by("-year", "-month").values("year", "month").first()
        context["latest_period"] = f"{latest['year']}-{latest['month']:02d}" if latest else None
    return render(request, "web/home.html", context)
