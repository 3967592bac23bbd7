from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from xinzhi.enterprises.models import Enterprise, MonthlyStat


@login_required
def home(request):
    """Where each role lands: enterprises on their own profile, everybody else on the overview."""
    user = request.user
    if user.role == "enterprise" and user.enterprise_id:
        return redirect("enterprises:detail", user.enterprise_id)
    latest = MonthlyStat.objects.restrict(user).order_by("-year", "-month").values("year", "month").first()
    context = {
        "enterprise_count": Enterprise.objects.restrict(user).count(),
        "latest_period": f"{latest['year']}-{latest['month']:02d}" if latest else None,
    }
    return render(request, "web/home.html", context)
