"""Cached JSON answers for API list endpoints, invalidated by the data versions of the tables they read.

A list page is the same bytes for every user with the same scope asking the same question until one of
the tables behind it is written. So the key is the request path with its query, the user's scope
(:func:`core.scope.scope_key`, never shared across scopes), the language, and the data versions of the
tables the endpoint reads (:mod:`core.versioning`, one query). A write commits a new version with the
data, so the next request misses and is answered from the database; nothing expires stale.

Authentication and the scope check still run on every request (ninja authenticates before the view);
only the reading, validating and rendering of the page is skipped. Only 200 answers are kept.

Use below the route decorator and above ``@paginate``::

    @router.get("/", response=list[EnterpriseOut])
    @cached_response(Enterprise)
    @paginate(Pagination, page_size=50)
    def list_enterprises(request, ...): ...

The body is rendered by ninja on a miss (the cached bytes are exactly what ninja produced) and stored
by a run decorator (:func:`ninja.decorators.decorate_view`) after the response is made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import models
from django.http import HttpResponse
from django.utils.translation import get_language
from ninja.decorators import decorate_view

from .scope import cacheable_scope, unbound_reason
from .versioning import data_versions

CACHE_ALIAS = "responses"
#: set on a request that missed the cache: where to store its answer, where its count is kept
_KEY_ATTRIBUTE = "_xinzhi_response_cache_key"
_COUNT_KEY_ATTRIBUTE = "_xinzhi_count_key"


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=20).hexdigest()


def counted_question_key(request) -> str | None:
    """Key of the row count behind a paginated answer: the endpoint, the scope, the filters and the data
    versions — not the page. Every page of one question shares it (``core.pagination`` keeps the
    count under it), so paging through a list counts once. None outside ``cached_response``."""
    return getattr(request, _COUNT_KEY_ATTRIBUTE, None)


def _store_after_render(run: Callable) -> Callable:
    @wraps(run)
    def store(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        key = getattr(request, _KEY_ATTRIBUTE, None)
        if key is not None and response.status_code == 200 and not response.streaming:
            caches[CACHE_ALIAS].set(key, (response.content, response["Content-Type"]))
        return response

    return store


def cached_response(*models_read: type[models.Model],
                    guard: Callable | None = None) -> Callable[[Callable], Callable]:
    """Serve the view's answer from the response cache while the tables of ``models_read`` are unchanged.

    Every table the view reads must be listed, and tracked by a ``TrackDataVersion`` migration; a
    test (``core.tests.test_response_cache``) checks both against the SQL the endpoints really run.
    ``guard(request)`` (e.g. the capability check of ``accounts.permissions.require``) runs before the
    cache is asked, so a hit never skips it.
    """
    tables = [model._meta.db_table for model in models_read]

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def lookup(request, *args, **kwargs):
            if guard is not None:
                guard(request)
            reason = unbound_reason(request.auth)
            if reason:  # no valid scope: a clear refusal, and nothing cached
                from ninja.errors import HttpError

                raise HttpError(403, reason)
            scope = cacheable_scope(request.auth)
            if not settings.XINZHI_RESPONSE_CACHE or scope is None:
                return view(request, *args, **kwargs)
            versions = data_versions(tables)
            key = "api:" + _digest(request.get_full_path(), scope, get_language() or "", versions)
            hit = caches[CACHE_ALIAS].get(key)
            if hit is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            setattr(request, _KEY_ATTRIBUTE, key)
            filters = sorted((name, repr(value)) for name, value in kwargs.items() if name != "ninja_pagination")
            setattr(request, _COUNT_KEY_ATTRIBUTE, "count:" + _digest(request.path, scope, versions, repr(filters)))
            return view(request, *args, **kwargs)

        lookup.response_cache_tables = tables
        return decorate_view(_store_after_render)(lookup)

    return decorator
