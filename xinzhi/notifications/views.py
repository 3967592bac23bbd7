"""The inbox (paginated), marking read, the count for the header badge (fetched by the page after it
loads, so no page pays a query for it) and the choice of kinds and e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinzhi.accounts.permissions import capability_required

from . import services


@capability_required("notifications.inbox")
def inbox(request):
    qs = services.inbox(request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": bool(request.GET.get("unread")),
                                                        "unread": services.unread_count(request.user)})


@capability_required("notifications.inbox")
@require_POST
def mark_read(request):
    ids = None if request.POST.get("all") else [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    n = services.mark_read(request.user, ids)
    messages.success(request, _("已标记%(n)s条为已读") % {"n": n})
    return redirect("notifications:inbox")


@capability_required("notifications.inbox")
def unread(request):
    return JsonResponse({"unread": services.unread_count(request.user)})


@capability_required("notifications.inbox")
def preferences(request):
    if request.method == "POST":
        services.save_preferences(request.user, {
            row["kind"]: (f"in_app:{row['kind']}" in request.POST, f"email:{row['kind']}" in request.POST)
            for row in services.preferences(request.user)})
        messages.success(request, _("通知设置已保存"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"rows": services.preferences(request.user),
                                                              "has_email": bool(request.user.email)})
