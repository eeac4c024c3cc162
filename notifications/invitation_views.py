"""A person asks for a program's milestones as calendar invitations."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from notifications.invitations import do_request_milestone_invitations
from programs.access import get_program_for_user
from programs.http import AuthenticatedHttpRequest


@require_POST
def milestone_invitations(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Send me the program's milestones as invitations (and the ones added later)."""
    program = get_program_for_user(request.user, program_id).program
    planned = do_request_milestone_invitations(user=request.user, program=program)
    if planned:
        count = len(planned)
        messages.success(
            request,
            f"{count} milestone invitation{'s' if count != 1 else ''} on the way to "
            f"{request.user.email}; changes to the schedule will update your calendar.",
        )
    else:
        messages.success(
            request,
            "Your calendar already has the program's milestones; changes will update it.",
        )
    return redirect("dashboards:program", program.pk)
