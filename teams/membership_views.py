"""A program admin ends someone's membership (a participant leaving, a coach stepping
down), or gives it back. Ending is confirmed on a page of its own and deletes nothing that
the person wrote. Program admins only: others in the program get 403, outsiders 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from programs.access import get_program_for_admin
from programs.http import AuthenticatedHttpRequest
from programs.models import Membership, Program, Role
from teams.models import Team, TeamMember
from teams.services import do_end_membership, do_restore_membership


def _membership(
    request: AuthenticatedHttpRequest, program_id: int, membership_id: int
) -> tuple[Program, Membership]:
    program = get_program_for_admin(request.user, program_id).program
    membership = get_object_or_404(
        Membership.objects.filter(program=program).select_related("user", "cohort"),
        pk=membership_id,
    )
    return program, membership


def _names(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


@require_http_methods(["GET", "POST"])
def membership_end(
    request: AuthenticatedHttpRequest, program_id: int, membership_id: int
) -> HttpResponse:
    """GET says what ending the membership does; POST ends it."""
    program, membership = _membership(request, program_id, membership_id)
    person = membership.user.display_name
    if request.method == "POST":
        try:
            ended = do_end_membership(membership=membership, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("teams:people", program.pk)
        text = f"{person} is no longer {membership.get_role_display().lower()} in {program.name}."
        if ended.left_teams:
            text += f" They left {_names(ended.left_teams)}."
        if ended.advised_teams:
            role = "coach" if membership.role == Role.COACH else "sponsor"
            needs = "needs" if len(ended.advised_teams) == 1 else "need"
            text += f" {_names(ended.advised_teams)} now {needs} a {role}."
        messages.success(request, text)
        if membership.user_id == request.user.pk and membership.role == Role.PROGRAM_ADMIN:
            return redirect("home")
        return redirect("teams:people", program.pk)

    team_names: list[str] = []
    advised: list[str] = []
    if membership.role == Role.PARTICIPANT:
        places = TeamMember.objects.filter(user=membership.user, cohort__program=program)
        team_names = sorted(places.values_list("team__name", flat=True))
    elif membership.role in (Role.COACH, Role.SPONSOR):
        field = "coach" if membership.role == Role.COACH else "sponsor"
        teams = Team.objects.filter(cohort__program=program, **{field: membership.user})
        advised = sorted(teams.values_list("name", flat=True))
    other_admins = (
        Membership.objects.program_admins()
        .filter(program=program)
        .exclude(pk=membership.pk)
        .exists()
    )
    context = {
        "program": program,
        "membership": membership,
        "person": person,
        "ended": not membership.is_active and membership.ending != Membership.Ending.ARCHIVED,
        "team_names": team_names,
        "advised": advised,
        "last_admin": membership.role == Role.PROGRAM_ADMIN and not other_admins,
        "is_self": membership.user_id == request.user.pk,
    }
    return render(request, "teams/membership_end.html", context)


@require_POST
def membership_restore(
    request: AuthenticatedHttpRequest, program_id: int, membership_id: int
) -> HttpResponse:
    """Give back a role that ended; the team is chosen again in the team builder."""
    program, membership = _membership(request, program_id, membership_id)
    try:
        do_restore_membership(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = (
            f"{membership.user.display_name} is {membership.get_role_display().lower()} "
            f"in {program.name} again."
        )
        if membership.role == Role.PARTICIPANT:
            text += " Place them on a team in the team builder."
        messages.success(request, text)
    return redirect("teams:people", program.pk)
