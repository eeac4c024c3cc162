from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.panels import team_sections
from programs.http import AuthenticatedHttpRequest
from programs.models import Profile
from teams.access import get_team_for_user
from teams.composition import MemberFacts, measure
from teams.history import advisors_since, team_history


@require_GET
def team_detail(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """The team home: members with unit and discipline, coach and sponsor (since when),
    the latest changes to who is on the team, project and how far the team reaches
    across the organisation."""
    access = get_team_for_user(request.user, team_id)
    team = access.team
    program = team.cohort.program
    # The access helper has read the members, in name order; only their profiles are left.
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(
            organization_id=program.organization_id, user__in=access.members
        ).select_related("unit")
    }
    rows = [(user, profiles.get(user.pk)) for user in access.members]
    composition = measure(
        [MemberFacts.of(user, profile) for user, profile in rows],
        min_size=program.team_min_size,
        max_size=program.team_max_size,
    )
    history = team_history(team)
    return render(
        request,
        "teams/team_detail.html",
        {
            # Who holds the team's places since when, and the latest changes: every grant
            # or change of a role is shown to the people it affects (DESIGN.md, rule 7).
            "advisors": advisors_since(team, history),
            "history": history,
            "team": team,
            "program": program,
            # On the reader's own clock: the request runs in their zone.
            "program_ended": program.has_ended(timezone.localdate()),
            "access": access,
            "rows": rows,
            "composition": composition,
            # The reverse one-to-one was joined by the access helper.
            "project": getattr(team, "project", None),
            # What the apps above add to the team page (its sessions).
            "sections": team_sections(request, access),
        },
    )
