"""How every list of the API is paged (REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS)."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_PAGE = 200
# Past any real count, and within a 64-bit integer: databases refuse larger ones (a 500).
MAX_OFFSET = 2**62


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=``: a limit above MAX_PAGE gives MAX_PAGE items, an offset past the
    end an empty page. Values that are not whole numbers fall back to the defaults."""

    max_limit = MAX_PAGE

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), MAX_OFFSET)
