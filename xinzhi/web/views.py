from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from xinzhi.accounts.permissions import can
from xinzhi.enterprises.models import Enterprise, MonthlyStat


@login_required
def home(request):
    """Where each role lands: staff and leaders on the cockpit, enterprises on their own profile, experts on
    their assignments; ``?overview`` shows the plain overview."""
    user = request.user
    if user.role == "enterprise" and user.enterprise_id:
        return redirect("enterprises:detail", user.enterprise_id)
    if user.role == "expert":
        return redirect("evaluation:my_assignments")
    if can(user, "monitoring.view") and request.GET.get("overview") is None:
        return redirect("monitoring:cockpit")
    latest = MonthlyStat.objects.restrict(user).order_by("-year", "-month").values("year", "month").first()
    context = {
        "enterprise_count": Enterprise.objects.restrict(user).count(),
        "latest_period": f"{latest['year']}-{latest['month']:02d}" if latest else None,
    }
    return render(request, "web/home.html", context)
