"""A program admin's pages about people and teams: the people list and the team builder."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import PageForm
from core.pagination import paginate
from programs.access import get_program_for_admin
from programs.http import AuthenticatedHttpRequest
from programs.models import (
    Cohort,
    Discipline,
    Invitation,
    Membership,
    Profile,
    Program,
    Role,
    Unit,
)
from teams.builder_forms import AdvisorsForm, PlaceMemberForm, ProposalForm, TeamNameForm
from teams.composition import MemberFacts, measure
from teams.models import Team, TeamMember
from teams.people_forms import PeopleFilterForm
from teams.proposal import OpenTeam, mix_score, plan_proposal, team_count_for
from teams.services import (
    do_apply_proposal,
    do_assign_member,
    do_create_team,
    do_delete_team,
    do_rename_team,
    do_set_advisors,
    team_deletion_blockers,
)

PAGE_SIZE = 25


def _admin_program(request: AuthenticatedHttpRequest, program_id: int) -> Program:
    return get_program_for_admin(request.user, program_id).program


def _profiles_by_user(program: Program, user_ids: list[int]) -> dict[int, Profile]:
    return {
        profile.user_id: profile
        for profile in Profile.objects.filter(
            organization_id=program.organization_id, user_id__in=user_ids
        ).select_related("unit")
    }


# People -------------------------------------------------------------------------------


def _filtered_members(program: Program, filters: dict[str, Any]) -> QuerySet[Membership]:
    members = Membership.objects.filter(program=program, is_active=True).select_related(
        "user", "cohort"
    )
    if "role" in filters:
        members = members.filter(role=filters["role"])
    in_org = {"user__profiles__organization_id": program.organization_id}
    if "unit" in filters:
        members = members.filter(**in_org, user__profiles__unit_id=filters["unit"])
    if "discipline" in filters:
        members = members.filter(**in_org, user__profiles__discipline=filters["discipline"])
    team = filters.get("team", "")
    if team == "none":
        on_team = TeamMember.objects.filter(user=OuterRef("user"), cohort=OuterRef("cohort"))
        members = members.filter(role=Role.PARTICIPANT).filter(~Exists(on_team))
    elif team.isdigit():
        members = members.filter(
            user__team_memberships__team_id=int(team),
            user__team_memberships__team__cohort__program=program,
        )
    return members.order_by("user__last_name", "user__first_name", "role")


def _with_profile_and_team(
    members: QuerySet[Membership], program: Program
) -> QuerySet[Membership]:
    """Each membership with the person's job title, unit and discipline in the program's
    organisation and their team in the program, read in the same query as the page."""
    profile = Profile.objects.filter(
        user=OuterRef("user"), organization_id=program.organization_id
    )
    team = TeamMember.objects.filter(user=OuterRef("user"), cohort__program=program)
    return members.annotate(
        profile_job_title=Subquery(profile.values("job_title")[:1]),
        profile_unit=Subquery(profile.values("unit__name")[:1]),
        profile_discipline=Subquery(profile.values("discipline")[:1]),
        on_team_id=Subquery(team.values("team_id")[:1]),
        on_team_name=Subquery(team.values("team__name")[:1]),
    )


def _person_row(membership: Membership) -> dict[str, object]:
    """A row of the people list, from a membership read by `_with_profile_and_team`."""
    facts = vars(membership)
    discipline = facts["profile_discipline"]
    team_id = facts["on_team_id"]
    on_team = membership.role == Role.PARTICIPANT and team_id is not None
    return {
        "membership": membership,
        "job_title": facts["profile_job_title"],
        "unit": facts["profile_unit"],
        "discipline": dict(Discipline.choices).get(discipline, discipline or ""),
        "team": {"pk": team_id, "name": facts["on_team_name"]} if on_team else None,
    }


def _filtered_invitations(program: Program, status: str) -> QuerySet[Invitation]:
    now = timezone.now()
    invitations = Invitation.objects.filter(program=program).select_related("cohort")
    if status == Invitation.Status.PENDING:
        invitations = invitations.pending(now)
    elif status == Invitation.Status.ACCEPTED:
        invitations = invitations.filter(accepted_at__isnull=False)
    elif status == Invitation.Status.REVOKED:
        invitations = invitations.filter(accepted_at__isnull=True, revoked_at__isnull=False)
    elif status == Invitation.Status.EXPIRED:
        invitations = invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
        )
    return invitations.order_by("-created_at")


@require_GET
def people(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Everyone in the program, filterable by role, unit, discipline and team, and the
    program's invitations by status; both paginated."""
    program = _admin_program(request, program_id)
    params = request.GET
    query = PeopleFilterForm(params)
    filters = query.given()
    page = paginate(
        _with_profile_and_team(_filtered_members(program, filters), program),
        PageForm(params).number(),
        per_page=PAGE_SIZE,
    )
    rows = [_person_row(m) for m in page.object_list]
    former_page = paginate(
        Membership.objects.filter(program=program, is_active=False)
        .select_related("user", "cohort")
        .order_by("-ended_at", "user__last_name", "user__first_name", "role"),
        PageForm(params, name="fpage").number(),
        per_page=PAGE_SIZE,
    )
    status = filters.get("status", "")
    invitation_page = paginate(
        _filtered_invitations(program, status),
        PageForm(params, name="ipage").number(),
        per_page=PAGE_SIZE,
    )
    now = timezone.now()
    invitations = [(inv, inv.status(now)) for inv in invitation_page.object_list]
    return render(
        request,
        "teams/people.html",
        {
            "program": program,
            "rows": rows,
            "page": page,
            "invitations": invitations,
            "invitation_page": invitation_page,
            "former_page": former_page,
            "filters": query.selected(),
            "status": status,
            "roles": Role.choices,
            "disciplines": Discipline.choices,
            "statuses": Invitation.Status.choices,
            "units": list(Unit.objects.filter(organization_id=program.organization_id)),
            "teams": list(Team.objects.filter(cohort__program=program).select_related("cohort")),
        },
    )


# Team builder ---------------------------------------------------------------------------


def _cohort(program: Program, cohort_id: int) -> Cohort:
    return get_object_or_404(Cohort.objects.filter(program=program), pk=cohort_id)


def _candidates(program: Program, cohort: Cohort) -> tuple[list[Membership], dict[int, Profile]]:
    participants = list(
        Membership.objects.filter(cohort=cohort, role=Role.PARTICIPANT, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return participants, _profiles_by_user(program, [m.user_id for m in participants])


def _builder_context(program: Program, cohort: Cohort) -> dict[str, Any]:
    participants, profiles = _candidates(program, cohort)
    team_of = dict(TeamMember.objects.filter(cohort=cohort).values_list("user_id", "team_id"))
    teams = list(Team.objects.filter(cohort=cohort).select_related("coach", "sponsor", "project"))
    by_team: dict[int, list[dict[str, Any]]] = {team.pk: [] for team in teams}
    unassigned: list[dict[str, Any]] = []
    for membership in participants:
        row = {"user": membership.user, "profile": profiles.get(membership.user_id)}
        team_id = team_of.get(membership.user_id, 0)
        by_team.get(team_id, unassigned).append(row)
    advisors = (
        Membership.objects.filter(
            program=program, role__in=[Role.COACH, Role.SPONSOR], is_active=True
        )
        .select_related("user")
        .order_by("user__last_name")
    )
    coaches = [m.user for m in advisors if m.role == Role.COACH]
    sponsors = [m.user for m in advisors if m.role == Role.SPONSOR]
    team_rows = [
        {
            "team": team,
            "members": by_team[team.pk],
            "composition": measure(
                [MemberFacts.of(r["user"], r["profile"]) for r in by_team[team.pk]],
                min_size=program.team_min_size,
                max_size=program.team_max_size,
            ),
        }
        for team in teams
    ]
    return {
        "program": program,
        "cohort": cohort,
        "teams": team_rows,
        "unassigned": unassigned,
        "coaches": coaches,
        "sponsors": sponsors,
        "participant_count": len(participants),
    }


def _builder_response(
    request: AuthenticatedHttpRequest, program: Program, cohort: Cohort, *, status: int = 200
) -> HttpResponse:
    if request.htmx:
        return render(
            request,
            "teams/builder.html#builder",
            _builder_context(program, cohort),
            status=status,
        )
    return redirect("teams:builder", program.pk, cohort.pk)


@require_GET
def builder(request: AuthenticatedHttpRequest, program_id: int, cohort_id: int) -> HttpResponse:
    """The team builder: participants, teams with their cross-boundary measures, and the
    coach and sponsor of each team."""
    program = _admin_program(request, program_id)
    cohort = _cohort(program, cohort_id)
    return render(request, "teams/builder.html", _builder_context(program, cohort))


def _form_error(form: forms.Form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@require_POST
def builder_assign(
    request: AuthenticatedHttpRequest, program_id: int, cohort_id: int
) -> HttpResponse:
    """Place a participant on a team, move them to another team in one step, or take them
    off their team (no team chosen)."""
    program = _admin_program(request, program_id)
    cohort = _cohort(program, cohort_id)
    form = PlaceMemberForm(request.POST, cohort=cohort)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return _builder_response(request, program, cohort, status=400)
    user, team = form.cleaned_data["user"], form.cleaned_data["team"]
    do_assign_member(cohort=cohort, user=user, team=team, by=request.user)
    messages.success(
        request,
        f"{user.display_name} moved to {team.name}."
        if team
        else f"{user.display_name} is unassigned.",
    )
    return _builder_response(request, program, cohort)


@require_POST
def builder_team_create(
    request: AuthenticatedHttpRequest, program_id: int, cohort_id: int
) -> HttpResponse:
    """A new team by name, with its project in crafting."""
    program = _admin_program(request, program_id)
    cohort = _cohort(program, cohort_id)
    form = TeamNameForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_form_error(form))
        team = do_create_team(cohort=cohort, name=form.cleaned_data["name"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _builder_response(request, program, cohort, status=400)
    messages.success(request, f"Team “{team.name}” created.")
    return _builder_response(request, program, cohort)


@require_POST
def builder_team_rename(
    request: AuthenticatedHttpRequest, program_id: int, cohort_id: int, team_id: int
) -> HttpResponse:
    """Rename a team; the name stays unique in the cohort."""
    program = _admin_program(request, program_id)
    cohort = _cohort(program, cohort_id)
    team = get_object_or_404(cohort.teams.select_related("cohort"), pk=team_id)
    old_name = team.name
    form = TeamNameForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_form_error(form))
        do_rename_team(team=team, name=form.cleaned_data["name"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _builder_response(request, program, cohort, status=400)
    messages.success(request, f"“{old_name}” is now called “{team.name}”.")
    return _builder_response(request, program, cohort)


@require_POST
def builder_team_advisors(
    request: AuthenticatedHttpRequest, program_id: int, cohort_id: int, team_id: int
) -> HttpResponse:
    """Set a team's coach and sponsor from the program's active coaches and sponsors."""
    program = _admin_program(request, program_id)
    cohort = _cohort(program, cohort_id)
    team = get_object_or_404(cohort.teams.select_related("cohort"), pk=team_id)
    form = AdvisorsForm(request.POST, cohort=cohort)
    try:
        if not form.is_valid():
            raise ValidationError(_form_error(form))
        do_set_advisors(
            team=team,
            coach=form.cleaned_data["coach"],
            sponsor=form.cleaned_data["sponsor"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _builder_response(request, program, cohort, status=400)
    messages.success(request, f"Coach and sponsor of {team.name} saved.")
    return _builder_response(request, program, cohort)


@require_http_methods(["GET", "POST"])
def builder_team_delete(
    request: AuthenticatedHttpRequest, program_id: int, cohort_id: int, team_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST deletes an empty team without a project."""
    program = _admin_program(request, program_id)
    cohort = _cohort(program, cohort_id)
    team = get_object_or_404(cohort.teams.all(), pk=team_id)
    if request.method == "POST":
        try:
            do_delete_team(team=team)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Team “{team.name}” deleted.")
        return redirect("teams:builder", program.pk, cohort.pk)
    return render(
        request,
        "programs/confirm.html",
        {
            "program": program,
            "title": f"Delete the team “{team.name}”?",
            "body": "Only an empty team without a project or anything written for it can be "
            "deleted. This cannot be undone.",
            "blockers": team_deletion_blockers(team),
            "submit": "Delete team",
            "cancel": reverse("teams:builder", args=[program.pk, cohort.pk]),
        },
    )


def _fingerprint(
    candidates: list[MemberFacts], team_count: int, open_teams: list[OpenTeam]
) -> str:
    """Identifies the input of a proposal, so that applying it can tell whether the
    unassigned participants or the teams with room changed in between."""
    text = repr((sorted(candidates, key=lambda c: c.user_id), team_count, open_teams))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@require_http_methods(["GET", "POST"])
def builder_propose(
    request: AuthenticatedHttpRequest, program_id: int, cohort_id: int
) -> HttpResponse:
    """Propose teams for the unassigned participants (GET shows the proposal; POST
    applies it). The same input always gives the same proposal."""
    program = _admin_program(request, program_id)
    cohort = _cohort(program, cohort_id)
    context = _builder_context(program, cohort)
    rows = context["unassigned"]
    candidates = [MemberFacts.of(r["user"], r["profile"]) for r in rows]
    given = ProposalForm(request.POST if request.method == "POST" else request.GET).given()
    error = None
    team_count = 0
    if not candidates:
        error = "Everyone in this cohort is already on a team."
    elif "team_count" in given:
        team_count = given["team_count"]
    elif "target_size" in given:
        team_count = team_count_for(len(candidates), target_size=given["target_size"])
    else:
        error = "Give a number of teams or a target team size."
    if not error and not 1 <= team_count <= len(candidates):
        error = f"Choose between 1 and {len(candidates)} teams for {len(candidates)} people."
    if error:
        messages.error(request, error)
        return redirect("teams:builder", program.pk, cohort.pk)

    open_teams = [
        OpenTeam(
            team_id=row["team"].pk,
            name=row["team"].name,
            members=tuple(MemberFacts.of(m["user"], m["profile"]) for m in row["members"]),
            room=program.team_max_size - len(row["members"]),
        )
        for row in context["teams"]
        if len(row["members"]) < program.team_max_size
    ]
    plan = plan_proposal(
        candidates,
        team_count=team_count,
        min_size=program.team_min_size,
        max_size=program.team_max_size,
        open_teams=open_teams,
    )
    groups = plan.groups
    fingerprint = _fingerprint(candidates, team_count, open_teams)
    if request.method == "POST":
        if given.get("fingerprint") != fingerprint:
            messages.error(
                request,
                "The unassigned participants changed since this proposal was made. "
                "Here is a new proposal to review.",
            )
            return redirect(
                f"{reverse('teams:builder_propose', args=[program.pk, cohort.pk])}"
                f"?team_count={team_count}"
            )
        try:
            teams = do_apply_proposal(
                cohort=cohort,
                groups=groups,
                first_number=len(context["teams"]) + 1,
                placements=plan.placements,
                by=request.user,
            )
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
            return redirect("teams:builder", program.pk, cohort.pk)
        done = []
        if teams:
            people = sum(len(group) for group in groups)
            done.append(
                f"{len(teams)} team{'s' if len(teams) != 1 else ''} created for {people} "
                f"participant{'s' if people != 1 else ''}; give each a coach and a sponsor."
            )
        if plan.placements:
            count = len(plan.placements)
            done.append(
                f"{count} participant{'s' if count != 1 else ''} placed on existing teams."
            )
        if plan.unplaced:
            done.append(f"{len(plan.unplaced)} still to place by hand.")
        messages.success(request, " ".join(done) or "Nothing to apply.")
        return redirect("teams:builder", program.pk, cohort.pk)

    by_id = {r["user"].pk: r for r in rows}
    facts = {c.user_id: c for c in candidates}
    proposed = [
        {
            "members": [by_id[user_id] for user_id in group],
            "composition": measure(
                [facts[user_id] for user_id in group],
                min_size=program.team_min_size,
                max_size=program.team_max_size,
            ),
        }
        for group in groups
    ]
    team_rows = {row["team"].pk: row for row in context["teams"]}
    joining = [
        {
            "member": by_id[user_id],
            "team": team_rows[team_id]["team"],
            "size_after": len(team_rows[team_id]["members"])
            + sum(1 for t in plan.placements.values() if t == team_id),
        }
        for user_id, team_id in plan.placements.items()
    ]
    return render(
        request,
        "teams/proposal.html",
        {
            "program": program,
            "cohort": cohort,
            "proposed": proposed,
            "joining": joining,
            "unplaced": [by_id[user_id] for user_id in plan.unplaced],
            "notes": plan.notes,
            "can_apply": bool(plan.groups or plan.placements),
            "team_count": team_count,
            "new_team_count": len(groups),
            "fingerprint": fingerprint,
            "candidate_count": len(candidates),
            "score": mix_score(groups, candidates),
        },
    )
