"""Pages that join several apps: home by role and the program overview."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.page_cache import render_kept
from dashboards.homes import Home, build_home, navigation_of
from notifications.invitations import asked_for_milestones
from programs.access import get_program_for_user
from programs.http import AuthenticatedHttpRequest
from programs.models import Membership, Milestone, Organization, Role, User
from reflections.models import Draft
from teams.models import Team, TeamMember


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What needs each of the person's roles now, in a fixed order: participant, coach,
    sponsor, program admin (`dashboards.homes`), kept between visits until a write or the
    next moment that changes it (`core.page_cache`)."""
    user = request.user
    page: dict[str, object] = {}

    def make() -> dict[str, object]:
        parts = build_home(user, now=timezone.now())
        # The header's programs, from the memberships already read.
        page["navigation"] = navigation_of(parts.memberships)
        return home_context(user, parts)

    return render_kept(
        request,
        "dashboards/home.html",
        f"home:{user.pk}",
        make,
        context=page,
        moments=home_moments,
    )


def home_moments(context: dict[str, Any]) -> list[datetime.datetime | None]:
    """When time alone changes the home: a check-in falls due, a reminder goes out, a
    meeting starts."""
    parts: Home = context["home"]
    moments = [m for part in parts.participant for m in (part.due_at, part.next_reminder)]
    return moments + [starts_at for part in parts.coach for _, starts_at in part.meetings]


def home_context(user: User, parts: Home) -> dict[str, object]:
    # Ended memberships too, for the card that keeps a leaver's writing within reach.
    every_membership = parts.memberships
    today = user.today()
    # Programs that are over, in which the person keeps their own practice.
    alumni = sorted(
        (m for m in every_membership if m.keeps_alumni_space and m.program.has_ended(today)),
        key=lambda m: m.program.ends_on,
        reverse=True,
    )
    return {
        "user": user,
        "home": parts,
        "drafts": list(Draft.objects.unclosed(user)),
        "memberships": [m for m in every_membership if m.is_active],
        "every_membership": every_membership,
        "alumni_memberships": alumni,
        "administered_organizations": list(
            Organization.objects.administered_by(user).order_by("name")
        ),
    }


def schedule_positions(
    milestones: list[Milestone], today: datetime.date
) -> list[tuple[Milestone, str]]:
    """Each milestone with where it stands: "past", "current" (the latest one reached, while
    the next is still ahead), "next" (the first one ahead) or "later"."""
    past = [m for m in milestones if m.due_on < today]
    ahead = [m for m in milestones if m.due_on >= today]
    positions = {m.pk: "past" for m in past}
    if past:
        positions[past[-1].pk] = "current"
    for index, milestone in enumerate(ahead):
        positions[milestone.pk] = "next" if index == 0 else "later"
    return [(m, positions[m.pk]) for m in milestones]


@require_GET
def program_detail(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The program overview: dates, cohorts, teams and who takes part."""
    access = get_program_for_user(request.user, program_id)
    program = access.program
    teams = list(
        Team.objects.filter(cohort__program=program)
        .select_related("cohort", "coach", "sponsor", "project")
        .annotate(member_count=Count("members"))
        .order_by("cohort__starts_on", "name")
    )
    if access.is_admin:
        openable = {team.pk for team in teams}
    else:
        my_team_ids = set(
            TeamMember.objects.filter(
                user=request.user, team__cohort__program=program
            ).values_list("team_id", flat=True)
        )
        openable = {
            team.pk
            for team in teams
            if team.pk in my_team_ids or request.user.pk in (team.coach_id, team.sponsor_id)
        }
    role_counts = dict(
        Membership.objects.filter(program=program, is_active=True)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    milestones = list(program.milestones.all())
    return render(
        request,
        "dashboards/program_detail.html",
        {
            "program": program,
            "ended": program.has_ended(request.user.today()),
            "access": access,
            "schedule": schedule_positions(milestones, timezone.localdate()),
            "asked_for_milestones": asked_for_milestones(request.user, program),
            "cohorts": list(program.cohorts.all()),
            "teams": teams,
            "openable_team_ids": openable,
            "role_counts": [(label, role_counts.get(value, 0)) for value, label in Role.choices],
        },
    )
