from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from programs.http import AuthenticatedHttpRequest
from projects.access import get_project_for_user


@require_GET
def project_detail(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    """The project charter (read-only for now), its phase and the people around it."""
    access = get_project_for_user(request.user, project_id)
    project = access.project
    members = list(project.team.members.select_related("user").order_by("user__last_name"))
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "team": project.team,
            "program": project.team.cohort.program,
            "access": access,
            "members": [member.user for member in members],
        },
    )
