"""Program analytics for program admins, on the page and as CSV files."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from dashboards.analytics import build_analytics, table_csv
from dashboards.charts import bar_chart
from programs.access import get_program_for_user
from programs.http import AuthenticatedHttpRequest
from programs.models import Role


@require_GET
def analytics(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = get_program_for_user(request.user, program_id, roles=[Role.PROGRAM_ADMIN])
    data = build_analytics(program=access.program, today=timezone.localdate())
    bars = [
        (f"{week.starts_on:%d %b}", None if tally.hidden else tally.completion)
        for week, tally in zip(data.weeks, data.weekly, strict=True)
    ]
    chart = (
        bar_chart(
            title="Weekly check-in completion in percent, by week; weeks with fewer than 5 "
            "participants are left out",
            bars=bars,
            maximum=100,
        )
        if bars
        else ""
    )
    return render(
        request,
        "dashboards/analytics/analytics.html",
        {"program": access.program, "data": data, "chart": chart},
    )


@require_GET
def analytics_csv(request: AuthenticatedHttpRequest, program_id: int, table: str) -> HttpResponse:
    access = get_program_for_user(request.user, program_id, roles=[Role.PROGRAM_ADMIN])
    found = build_analytics(program=access.program, today=timezone.localdate()).table(table)
    if found is None:
        raise Http404("No such table.")
    filename = f"{slugify(access.program.name)}-{found.slug}.csv"
    response = HttpResponse(table_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
