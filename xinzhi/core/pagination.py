"""API pagination with bounded inputs: an absurd page number is a 422 with a Chinese error, not a
database overflow (found by schemathesis)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class Pagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码（从1开始）")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（最多{MAX_PAGE_SIZE}）")

    def __init__(self, page_size: int = 50, max_page_size: int = MAX_PAGE_SIZE, **kwargs) -> None:
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)
