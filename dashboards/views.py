"""Pages that join several apps: home by role and the program overview."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from notifications.invitations import asked_for_milestones
from programs.access import get_program_for_user
from programs.http import AuthenticatedHttpRequest
from programs.models import Membership, Milestone, Organization, Program, Role
from reflections.models import Draft
from teams.models import Team, TeamMember


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What each role needs first: participants their team, coaches and sponsors the teams
    they guide, program admins their programs."""
    user = request.user
    # Ended memberships too, for the card that keeps a leaver's writing within reach.
    every_membership = list(
        Membership.objects.filter(user=user).select_related("program", "cohort")
    )
    memberships = [membership for membership in every_membership if membership.is_active]
    programs_by_role: dict[str, list[int]] = {}
    for membership in memberships:
        programs_by_role.setdefault(membership.role, []).append(membership.program_id)

    teams = Team.objects.select_related("cohort__program", "coach", "sponsor", "project")
    today = user.today()
    # Programs that are over, in which the person keeps their own practice.
    alumni = sorted(
        (m for m in every_membership if m.keeps_alumni_space and m.program.has_ended(today)),
        key=lambda m: m.program.ends_on,
        reverse=True,
    )
    context: dict[str, object] = {
        "memberships": memberships,
        "every_membership": every_membership,
        "alumni_memberships": alumni,
        "drafts": list(Draft.objects.unclosed(user)),
    }
    if Role.PARTICIPANT in programs_by_role:
        context["my_teams"] = list(
            teams.filter(
                members__user=user,
                cohort__program_id__in=programs_by_role[Role.PARTICIPANT],
            )
        )
    if Role.COACH in programs_by_role:
        context["coached_teams"] = list(
            teams.filter(coach=user, cohort__program_id__in=programs_by_role[Role.COACH]).annotate(
                member_count=Count("members")
            )
        )
    if Role.SPONSOR in programs_by_role:
        context["sponsored_teams"] = list(
            teams.filter(
                sponsor=user, cohort__program_id__in=programs_by_role[Role.SPONSOR]
            ).annotate(member_count=Count("members"))
        )
    if Role.PROGRAM_ADMIN in programs_by_role:
        context["admin_programs"] = list(
            Program.objects.filter(pk__in=programs_by_role[Role.PROGRAM_ADMIN])
            .select_related("organization")
            .annotate(
                team_count=Count("cohorts__teams", distinct=True),
                participant_count=Count(
                    "memberships",
                    filter=Q(memberships__role=Role.PARTICIPANT, memberships__is_active=True),
                    distinct=True,
                ),
            )
        )
    context["administered_organizations"] = list(
        Organization.objects.administered_by(user).order_by("name")
    )
    return render(request, "dashboards/home.html", context)


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
