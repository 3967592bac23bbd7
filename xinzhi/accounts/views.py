"""Personal API tokens: issue (shown once), list, revoke."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import ApiToken
from .permissions import capability_required
from .services import issue_token, revoke_token


@capability_required("api.tokens")
def tokens(request):
    new_token = request.session.pop("new_api_token", None)
    return render(request, "accounts/tokens.html", {
        "tokens": ApiToken.objects.filter(user=request.user), "new_token": new_token,
    })


@capability_required("api.tokens")
@require_POST
def token_issue(request):
    name = (request.POST.get("name") or "").strip()[:100]
    if not name:
        messages.error(request, _("请填写令牌用途"))
        return redirect("accounts:tokens")
    request.session["new_api_token"] = issue_token(request.user, name)
    return redirect("accounts:tokens")


@capability_required("api.tokens")
@require_POST
def token_revoke(request, pk: int):
    if revoke_token(request.user, pk):
        messages.success(request, _("令牌已吊销"))
    return redirect("accounts:tokens")
