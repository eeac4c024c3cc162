"""Program administration: the program, its cohorts and schedule, and invitations."""

from __future__ import annotations

from allauth.core.ratelimit import consume_or_429
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.models import SecurityEvent
from core.security import record_event
from programs.access import get_program_for_user
from programs.forms import (
    CohortForm,
    InvitationForm,
    InvitationSignupForm,
    MilestoneForm,
    NewProgramForm,
    OrganizationProfileForm,
    ProgramForm,
)
from programs.http import AuthenticatedHttpRequest
from programs.invite_forms import INVITE, BulkInvitationForm, PastedAddress
from programs.models import Invitation, Organization, Profile, Program, Role, User
from programs.services import (
    InvitationProblem,
    account_to_set_up,
    do_accept_invitation,
    do_create_program,
    do_delete_milestone,
    do_invite,
    do_invite_many,
    do_resend_invitation,
    do_revoke_invitation,
    do_save_milestone,
    do_save_program,
    do_sign_up_from_invitation,
    invitation_from_token,
    user_owns_email,
)

ADMIN = {Role.PROGRAM_ADMIN}


def _form_page(
    request: HttpRequest,
    *,
    form: object,
    title: str,
    submit: str,
    cancel: str,
    program: Program | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "programs/form.html",
        {"form": form, "title": title, "submit": submit, "cancel": cancel, "program": program},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def program_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An organisation admin starts a program in an organisation they administer, and
    becomes its first program admin."""
    organizations = Organization.objects.administered_by(request.user)
    if not organizations.exists():
        raise PermissionDenied(
            "Only an organisation's admins can start a program: ask yours to start it, or "
            "to make you an organisation admin."
        )
    form = NewProgramForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        program = do_create_program(organization=organization, by=request.user, **data)
        messages.success(request, f"Program “{program.name}” created. Add its first cohort next.")
        return redirect("dashboards:program", program.pk)
    return _form_page(
        request,
        form=form,
        title="New program",
        submit="Create program",
        cancel=reverse("home"),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def program_edit(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    program = get_program_for_user(request.user, program_id, roles=ADMIN).program
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        do_save_program(program=program, save=form.save)
        messages.success(request, "Program details saved.")
        return redirect("dashboards:program", program.pk)
    return _form_page(
        request,
        form=form,
        title=f"Edit {program.name}",
        submit="Save program",
        cancel=reverse("dashboards:program", args=[program.pk]),
        program=program,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def cohort_create(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    program = get_program_for_user(request.user, program_id, roles=ADMIN).program
    form = CohortForm(
        request.POST or None,
        program=program,
        initial={"starts_on": program.starts_on, "ends_on": program.ends_on},
    )
    if request.method == "POST" and form.is_valid():
        form.instance.program = program
        cohort = form.save()
        messages.success(request, f"Cohort “{cohort.name}” added.")
        return redirect("dashboards:program", program.pk)
    return _form_page(
        request,
        form=form,
        title=f"New cohort in {program.name}",
        submit="Add cohort",
        cancel=reverse("dashboards:program", args=[program.pk]),
        program=program,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def cohort_edit(
    request: AuthenticatedHttpRequest, program_id: int, cohort_id: int
) -> HttpResponse:
    program = get_program_for_user(request.user, program_id, roles=ADMIN).program
    cohort = get_object_or_404(program.cohorts.all(), pk=cohort_id)
    form = CohortForm(request.POST or None, program=program, instance=cohort)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Cohort “{cohort.name}” saved.")
        return redirect("dashboards:program", program.pk)
    return _form_page(
        request,
        form=form,
        title=f"Edit {cohort.name}",
        submit="Save cohort",
        cancel=reverse("dashboards:program", args=[program.pk]),
        program=program,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def schedule(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The program's milestones, with a form to add one."""
    program = get_program_for_user(request.user, program_id, roles=ADMIN).program
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.program = program
        milestone = do_save_milestone(milestone=form.instance, save=form.save)
        messages.success(request, f"Milestone “{milestone.title}” added.")
        return redirect("programs:schedule", program.pk)
    return render(
        request,
        "programs/schedule.html",
        {"program": program, "milestones": list(program.milestones.all()), "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def milestone_edit(
    request: AuthenticatedHttpRequest, program_id: int, milestone_id: int
) -> HttpResponse:
    program = get_program_for_user(request.user, program_id, roles=ADMIN).program
    milestone = get_object_or_404(program.milestones.all(), pk=milestone_id)
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        do_save_milestone(milestone=milestone, save=form.save)
        messages.success(request, f"Milestone “{milestone.title}” saved.")
        return redirect("programs:schedule", program.pk)
    return _form_page(
        request,
        form=form,
        title=f"Edit {milestone.title}",
        submit="Save milestone",
        cancel=reverse("programs:schedule", args=[program.pk]),
        program=program,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def milestone_delete(
    request: AuthenticatedHttpRequest, program_id: int, milestone_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    program = get_program_for_user(request.user, program_id, roles=ADMIN).program
    milestone = get_object_or_404(program.milestones.all(), pk=milestone_id)
    if request.method == "POST":
        do_delete_milestone(milestone=milestone)
        messages.success(request, f"Milestone “{milestone.title}” deleted.")
        return redirect("programs:schedule", program.pk)
    return render(
        request,
        "programs/confirm.html",
        {
            "program": program,
            "title": f"Delete the milestone “{milestone.title}”?",
            "body": f"It is dated {milestone.due_on:%d %B %Y}. This cannot be undone.",
            "submit": "Delete milestone",
            "cancel": reverse("programs:schedule", args=[program.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def invite(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Invite one person; the same page has the form to invite many at once."""
    program = get_program_for_user(request.user, program_id, roles=ADMIN).program
    form = InvitationForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        if refused := consume_or_429(request, action="invite"):
            return refused
        invitation = do_invite(
            program=program,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            cohort=form.cleaned_data["cohort"],
            by=request.user,
        )
        messages.success(
            request,
            f"Invitation sent to {invitation.email} as {invitation.get_role_display().lower()}.",
        )
        return redirect("teams:people", program.pk)
    return _invite_page(
        request,
        program=program,
        form=form,
        many=BulkInvitationForm(program=program),
        status=400 if form.errors else 200,
    )


@require_POST
def invite_many(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Invite every pasted address with one role, and say what happened to each entry."""
    program = get_program_for_user(request.user, program_id, roles=ADMIN).program
    many = BulkInvitationForm(request.POST, program=program)
    if not many.is_valid():
        return _invite_page(
            request, program=program, form=InvitationForm(program=program), many=many, status=400
        )
    if refused := consume_or_429(request, action="invite"):
        return refused
    do_invite_many(
        program=program,
        invitations=[
            (email, many.cleaned_data["role"], many.cleaned_data["cohort"])
            for email in many.to_invite
        ],
        by=request.user,
    )
    return _invite_page(
        request,
        program=program,
        form=InvitationForm(program=program),
        many=BulkInvitationForm(program=program),
        results=many.entries,
        role=dict(Role.choices)[many.cleaned_data["role"]],
    )


def _invite_page(
    request: HttpRequest,
    *,
    program: Program,
    form: InvitationForm,
    many: BulkInvitationForm,
    results: list[PastedAddress] | None = None,
    role: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "programs/invite.html",
        {
            "program": program,
            "form": form,
            "many": many,
            "results": results,
            "invited": sum(1 for r in results or [] if r.outcome == INVITE),
            "role": role,
        },
        status=status,
    )


def _admin_invitation(
    request: AuthenticatedHttpRequest, program_id: int, invitation_id: int
) -> Invitation:
    program = get_program_for_user(request.user, program_id, roles=ADMIN).program
    return get_object_or_404(program.invitations.all(), pk=invitation_id)


@require_POST
def invitation_resend(
    request: AuthenticatedHttpRequest, program_id: int, invitation_id: int
) -> HttpResponse:
    invitation = _admin_invitation(request, program_id, invitation_id)
    if refused := consume_or_429(request, action="invite"):
        return refused
    try:
        do_resend_invitation(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new invitation link was sent to {invitation.email}.")
    return redirect("teams:people", program_id)


@require_POST
def invitation_revoke(
    request: AuthenticatedHttpRequest, program_id: int, invitation_id: int
) -> HttpResponse:
    invitation = _admin_invitation(request, program_id, invitation_id)
    try:
        do_revoke_invitation(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("teams:people", program_id)


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens. Accepting needs an account with the invited
    email: an existing one signs in, a new one is created through allauth's sign-up."""
    try:
        found = invitation_from_token(token)
    except InvitationProblem as problem:
        return render(
            request, "programs/invitation_problem.html", {"problem": problem}, status=410
        )
    user = request.user
    owns = isinstance(user, User) and user_owns_email(user, found.email)
    # Someone with an account is asked only what the program's organisation does not
    # know of them yet: unit, discipline, job title.
    place = None
    if owns and isinstance(user, User):
        organization = found.program.organization
        place = OrganizationProfileForm(
            request.POST if request.method == "POST" else None,
            organization=organization,
            profile=Profile.objects.filter(user=user, organization=organization).first(),
            prefix="org",
            only_missing=True,
        )
    if request.method == "POST":
        if not isinstance(user, User):
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if place is not None and not place.is_valid():
            return render(
                request,
                "programs/invitation.html",
                {"invitation": found, "token": token, "owns_email": owns, "place": place},
                status=400,
            )
        try:
            membership = do_accept_invitation(
                invitation=found,
                user=user,
                **(place.cleaned_data if place is not None else {}),
            )
        except InvitationProblem as problem:
            return render(
                request, "programs/invitation_problem.html", {"problem": problem}, status=409
            )
        record_event(
            SecurityEvent.Kind.INVITATION_ACCEPTED,
            request=request,
            invitation_id=found.pk,
            program_id=membership.program_id,
            role=membership.role,
        )
        messages.success(
            request,
            f"Welcome to {membership.program.name}, as {membership.get_role_display().lower()}.",
        )
        return redirect("home")
    return render(
        request,
        "programs/invitation.html",
        {
            "invitation": found,
            "token": token,
            "owns_email": owns,
            "place": place,
            "has_account": User.objects.filter(email__iexact=found.email).exists()
            and account_to_set_up(found.email) is None,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_signup(request: HttpRequest, token: str) -> HttpResponse:
    """Create the account of the invited address, and only that address, and join: name,
    time zone (the browser's suggested), password, and what the admin left empty of unit,
    discipline and job title. The link proves the address, so it needs no confirmation."""
    try:
        found = invitation_from_token(token)
    except InvitationProblem as problem:
        return render(
            request, "programs/invitation_problem.html", {"problem": problem}, status=410
        )
    to_set_up = account_to_set_up(found.email)
    if to_set_up is None and User.objects.filter(email__iexact=found.email).exists():
        messages.info(request, f"An account for {found.email} exists already: sign in to accept.")
        return redirect("programs:invitation", token)
    organization = found.program.organization
    data = request.POST if request.method == "POST" else None
    # An account made by an import: what the admin typed is the start.
    initial = InvitationSignupForm.initial_for(
        zone=organization.time_zone, to_set_up=to_set_up, keep_their_zone=True
    )
    form = InvitationSignupForm(
        data, email=found.email, initial=initial, zone_given=to_set_up is not None
    )
    place = OrganizationProfileForm(
        data,
        organization=organization,
        profile=to_set_up.profiles.filter(organization=organization).first()
        if to_set_up
        else None,
        prefix="org",
        only_missing=True,
    )
    if request.method == "POST" and form.is_valid() and place.is_valid():
        if request.user.is_authenticated:
            logout(request)
        try:
            user, membership = do_sign_up_from_invitation(
                invitation=found,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                time_zone=form.cleaned_data["time_zone"],
                password=form.cleaned_data["password1"],
                **place.cleaned_data,
            )
        except InvitationProblem as problem:
            return render(
                request, "programs/invitation_problem.html", {"problem": problem}, status=409
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        record_event(
            SecurityEvent.Kind.INVITATION_ACCEPTED,
            request=request,
            invitation_id=found.pk,
            program_id=membership.program_id,
            role=membership.role,
        )
        messages.success(
            request,
            f"Welcome to {membership.program.name}, {user.first_name}, as "
            f"{membership.get_role_display().lower()}.",
        )
        return redirect("home")
    return render(
        request,
        "programs/invitation_signup.html",
        {"invitation": found, "token": token, "form": form, "place": place},
        status=400 if request.method == "POST" else 200,
    )
