"""The coach dashboard."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.forms import PageForm
from core.page_cache import render_kept
from dashboards.coach import build_coach_dashboard
from programs.access import get_program_for_user
from programs.http import AuthenticatedHttpRequest
from programs.models import Role


@require_GET
def coach_dashboard(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Completion heatmap, phases, pulse trends and flags for the teams the reader
    coaches in this program."""
    access = get_program_for_user(request.user, program_id, roles=[Role.COACH])
    return render_kept(
        request,
        "dashboards/coach/dashboard.html",
        f"coach-dashboard:{request.user.pk}:{program_id}",
        lambda: {
            "dashboard": build_coach_dashboard(
                program=access.program,
                coach=request.user,
                now=timezone.now(),
                page_number=PageForm(request.GET).number(),
            )
        },
        context={"program": access.program},
    )
