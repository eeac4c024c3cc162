"""The coach dashboard."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.forms import PageForm
from dashboards.coach import build_coach_dashboard
from programs.access import get_program_for_user
from programs.http import AuthenticatedHttpRequest
from programs.models import Role


@require_GET
def coach_dashboard(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Completion heatmap, phases, pulse trends and flags for the teams the reader
    coaches in this program."""
    access = get_program_for_user(request.user, program_id, roles=[Role.COACH])
    dashboard = build_coach_dashboard(
        program=access.program,
        coach=request.user,
        now=timezone.now(),
        page_number=PageForm(request.GET).number(),
    )
    return render(
        request,
        "dashboards/coach/dashboard.html",
        {"program": access.program, "dashboard": dashboard},
    )
