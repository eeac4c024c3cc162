"""Program analytics for program admins, on the page and as CSV files."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Page
from django.http import Http404, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from core.forms import PageForm
from core.page_cache import render_kept
from core.pagination import paginate
from dashboards.analytics import CACHE_SECONDS, Table, program_analytics, table_csv
from dashboards.charts import participation_chart, phases_chart
from programs.access import get_program_for_admin
from programs.http import AuthenticatedHttpRequest

# A table longer than this (the teams of a large program) is shown a page at a time; its
# CSV file holds every row.
ROWS_PER_PAGE = 50


@dataclass(frozen=True)
class ShownTable:
    table: Table
    page: Page[list[object]]
    body: SafeString
    param: str


def shown_table(table: Table, params: QueryDict) -> ShownTable:
    """One page of `table`, its rows made into HTML here rather than in a template loop,
    which costs far less for a long table."""
    name = f"{table.slug}_page"
    page = paginate(table.rows, PageForm(params, name=name).number(), per_page=ROWS_PER_PAGE)
    body = format_html_join(
        "\n",
        "<tr>{}</tr>",
        (
            (
                format_html_join(
                    "",
                    '<td data-label="{}">{}</td>',
                    zip(table.columns, row, strict=True),
                ),
            )
            for row in page.object_list
        ),
    )
    return ShownTable(
        table=table,
        page=page,
        body=body,
        param=name,
    )


@require_GET
def analytics(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = get_program_for_admin(request.user, program_id)

    def make() -> dict[str, object]:
        data = program_analytics(program=access.program, today=timezone.localdate())
        return {
            "data": data,
            "participation_chart": participation_chart(data),
            "phases_chart": phases_chart(data.table("phases")),
            "tables": [shown_table(table, request.GET) for table in data.tables],
        }

    return render_kept(
        request,
        "dashboards/analytics/analytics.html",
        f"analytics:{request.user.pk}:{program_id}",
        make,
        context={"program": access.program},
        # The figures are recounted when their count is `CACHE_SECONDS` old.
        moments=lambda part: [part["data"].counted_at + datetime.timedelta(seconds=CACHE_SECONDS)],
    )


@require_GET
def analytics_csv(request: AuthenticatedHttpRequest, program_id: int, table: str) -> HttpResponse:
    access = get_program_for_admin(request.user, program_id)
    found = program_analytics(program=access.program, today=timezone.localdate()).table(table)
    if found is None:
        raise Http404("No such table.")
    filename = f"{slugify(access.program.name)}-{found.slug}.csv"
    response = HttpResponse(table_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
