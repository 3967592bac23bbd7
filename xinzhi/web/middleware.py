"""The interface language: Simplified Chinese unless the person chose another one.

Django's ``LocaleMiddleware`` also follows the browser's ``Accept-Language``; here it does not, so a
civil servant whose browser happens to be set to English still gets the Chinese interface (the
platform's official language) until they pick English in the header switcher, which posts to
``/i18n/setlang/`` and stores the choice in the language cookie.
"""

from __future__ import annotations

from django.conf import settings
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
