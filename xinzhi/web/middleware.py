"""Project middleware: the interface language, and the signed-in user loaded once.

The interface language is Simplified Chinese unless the person chose another one.

Django's ``LocaleMiddleware`` also follows the browser's ``Accept-Language``; here it does not, so a
civil servant whose browser happens to be set to English still gets the Chinese interface (the
platform's official language) until they pick English in the header switcher, which posts to
``/i18n/setlang/`` and stores the choice in the language cookie.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import get_user
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Activate the language from the language cookie, else ``LANGUAGE_CODE`` (zh-hans)."""

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            code = translation.get_supported_language_variant(code)
        except LookupError:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class LoadedUserMiddleware:
    """Replace the lazy ``request.user`` by the user itself, once per request (after authentication).

    Django wraps the user in a ``SimpleLazyObject`` so that a request that never asks does not load
    it. Here every signed-in request needs it (the audit log's actor, the scope of every query, the
    page header), and every attribute read through the wrapper — dozens per page in templates —
    costs a proxy call. Anonymous requests load nothing either way (no user id in the session).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = get_user(request)  # the same object the lazy wrapper would have loaded
        return self.get_response(request)


class BadParameterMiddleware:
    """Malformed query parameters are the client's mistake: a 400 with a Chinese message, never a 500.

    * a query string carrying a NUL character is refused before any view runs (PostgreSQL refuses NUL in
      text, so a search for ``a%00b`` was a 500);
    * ``core.params.BadParameter`` raised by a view (a year that is not a year, NaN for an amount) is
      answered with the 400 page naming the parameter and the reason — JSON under ``/api/``.
    """

    NUL_ZH = "请求参数含有空字符（NUL），请检查链接"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query or any("\x00" in v for vs in request.GET.lists() for v in vs[1]):
            return self._answer(request, self.NUL_ZH)
        return self.get_response(request)

    def process_exception(self, request, exception):
        from xinzhi.core.params import BadParameter

        if isinstance(exception, BadParameter):
            return self._answer(request, str(exception))
        return None

    @staticmethod
    def _answer(request, message: str):
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.template.loader import render_to_string

        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "errors": []}, status=400,
                                json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(render_to_string("400.html", {"exception": message}, request=request))


class NoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in user and every API answer, so no
    shared proxy or browser cache keeps a page with region-scoped data (or serves it after sign-out).

    An answer that set its own ``Cache-Control`` keeps it (the county boundaries GeoJSON: public data,
    ``private, max-age``); static files are served by WhiteNoise before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and getattr(user, "is_authenticated", False)
        if (signed_in or request.path.startswith("/api/")) and not response.has_header("Cache-Control"):
            from django.utils.cache import patch_cache_control

            patch_cache_control(response, private=True, no_store=True)
        return response
