"""Pagination for every paginated list: `paginate(items, number, per_page=...)` with the
number read by `core.forms.PageForm`, and `templates/_pagination.html` for its links.

Django's Paginator asks the database twice per page: once for the count, once for the
rows. `OneQueryPaginator` adds `COUNT(*) OVER ()` to the page's own query, so a page of a
queryset costs one query; only a page past the end costs a second, the count Django's
paginator would have made anyway. A list already in memory is paged as Django does.
A page number that is missing, not a number or past the end gives the first or the last
page, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window

TOTAL = "_page_total"


class OneQueryPaginator(Paginator):
    object_list: QuerySet[Any] | Sequence[Any]

    def get_page(self, number: Any) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().get_page(number)
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            wanted = 1
        bottom = (wanted - 1) * self.per_page
        rows = list(
            self.object_list.annotate(**{TOTAL: Window(Count("*"))})[
                bottom : bottom + self.per_page
            ]
        )
        if not rows and wanted == 1 and self.allow_empty_first_page:
            self.__dict__["count"] = 0
            return Page([], 1, self)
        if not rows:
            # A page past the end: Django's rules (the last page), at the cost of a count.
            return super().get_page(number)
        self.__dict__["count"] = getattr(rows[0], TOTAL)
        try:
            self.validate_number(wanted)
        except (PageNotAnInteger, EmptyPage):
            return super().get_page(number)
        return Page(rows, wanted, self)


def paginate(items: QuerySet[Any] | Sequence[Any], number: int, *, per_page: int) -> Page:
    """Page `number` of `items` (as `core.forms.PageForm` reads it from the query string);
    a page past the end gives the last."""
    return OneQueryPaginator(items, per_page).get_page(number)
