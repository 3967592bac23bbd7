"""API pagination with bounded inputs: an absurd page number is a 422 with a Chinese error, not a
database overflow (found by schemathesis). Behind ``core.response_cache.cached_response`` the row count
of a question is kept while its tables are unchanged, so the pages after the first do not count again."""

from __future__ import annotations

from django.core.cache import caches
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .response_cache import CACHE_ALIAS, counted_question_key

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class Pagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码（从1开始）")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（最多{MAX_PAGE_SIZE}）")

    def __init__(self, page_size: int = 50, max_page_size: int = MAX_PAGE_SIZE, **kwargs) -> None:
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request, **params) -> dict:
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        return {self.items_attribute: queryset[offset:offset + page_size], "count": self._count(queryset, request)}

    def _count(self, queryset, request) -> int:
        key = counted_question_key(request)
        if key is None:
            return self._items_count(queryset)
        count = caches[CACHE_ALIAS].get(key)
        if count is None:
            count = self._items_count(queryset)
            caches[CACHE_ALIAS].set(key, count)
        return count
