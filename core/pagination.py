"""A paginator that reads a page and the total in one query.

Django's Paginator asks the database twice per page: once for the count, once for the
rows. `OneQueryPaginator` adds `COUNT(*) OVER ()` to the page's own query, so a page of a
queryset costs one query; only a page past the end costs a second, the count Django's
paginator would have made anyway.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window

TOTAL = "_page_total"


class OneQueryPaginator(Paginator):
    object_list: QuerySet[Any]

    def get_page(self, number: Any) -> Page:
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
