"""Setting up organisations in the app: the site admin's list of organisations, and each
organisation's own page for its admins (units, default time zone, admins, programs)."""

from __future__ import annotations

from typing import Any

from allauth.core.ratelimit import consume_or_429
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.models import SecurityEvent
from core.security import record_event
from programs.access import get_organization_for_admin, require_site_admin
from programs.forms import InvitationSignupForm
from programs.http import AuthenticatedHttpRequest
from programs.models import Organization, OrganizationSignOn, User
from programs.org_forms import (
    MergeUnitForm,
    NewOrganizationForm,
    OrganizationAdminInviteForm,
    OrganizationTimeZoneForm,
    UnitForm,
)
from programs.org_services import (
    do_accept_organization_invitation,
    do_add_unit,
    do_create_organization,
    do_invite_organization_admin,
    do_merge_units,
    do_remove_organization_admin,
    do_rename_unit,
    do_restore_unit,
    do_retire_unit,
    do_revoke_organization_invitation,
    do_set_organization_time_zone,
    do_sign_up_from_organization_invitation,
    organization_invitation_from_token,
)
from programs.services import InvitationProblem, account_to_set_up, user_owns_email

# The site admin's organisations ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def organizations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every organisation of the installation, and a form to create one."""
    require_site_admin(request.user)
    form = NewOrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization, invitation = do_create_organization(
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
            admin_email=form.cleaned_data["admin_email"],
            by=request.user,
        )
        messages.success(
            request,
            f"Organisation “{organization.name}” created; an invitation to administer it "
            f"was sent to {invitation.email}.",
        )
        return redirect("programs:organizations")
    rows = Organization.objects.annotate(
        admin_count=Count("admins", distinct=True),
        program_count=Count("programs", distinct=True),
    ).prefetch_related("admin_invitations")
    now = timezone.now()
    return render(
        request,
        "programs/org/list.html",
        {
            "organizations": [
                (org, [i for i in org.admin_invitations.all() if i.status(now) == "pending"])
                for org in rows
            ],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def site_invite(request: AuthenticatedHttpRequest, organization_id: int) -> HttpResponse:
    """The site admin invites an organisation admin again, e.g. when the first invitation
    expired before anyone accepted it (a new link replaces the open one)."""
    require_site_admin(request.user)
    organization = get_object_or_404(Organization, pk=organization_id)
    form = OrganizationAdminInviteForm(request.POST, organization=organization)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["email"]))
        return redirect("programs:organizations")
    if refused := consume_or_429(request, action="invite"):
        return refused
    invitation = do_invite_organization_admin(
        organization=organization, email=form.cleaned_data["email"], by=request.user
    )
    messages.success(
        request, f"Invitation to administer {organization.name} sent to {invitation.email}."
    )
    return redirect("programs:organizations")


# One organisation, for its admins ---------------------------------------------------------


def _detail(
    request: AuthenticatedHttpRequest,
    organization: Organization,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    """The organisation's page; a form that failed is passed in bound, with its errors."""
    now = timezone.now()
    sign_on = OrganizationSignOn.objects.filter(organization=organization).first()
    context = {
        "organization": organization,
        "units": list(organization.units.annotate(people=Count("profiles"))),
        "admins": list(organization.admins.select_related("user", "granted_by")),
        "invitations": list(organization.admin_invitations.pending(now)),
        "programs": list(organization.programs.all()),
        "unit_form": UnitForm(organization=organization),
        "time_zone_form": OrganizationTimeZoneForm(initial={"time_zone": organization.time_zone}),
        "admin_form": OrganizationAdminInviteForm(organization=organization),
        "sign_on": sign_on,
        "sign_on_domains": (
            list(sign_on.domains.values_list("domain", flat=True)) if sign_on else []
        ),
        **forms,
    }
    return render(request, "programs/org/detail.html", context, status=status)


@require_http_methods(["GET"])
def organization(request: AuthenticatedHttpRequest, organization_id: int) -> HttpResponse:
    organization = get_organization_for_admin(request.user, organization_id)
    return _detail(request, organization)


@require_POST
def unit_create(request: AuthenticatedHttpRequest, organization_id: int) -> HttpResponse:
    organization = get_organization_for_admin(request.user, organization_id)
    form = UnitForm(request.POST, organization=organization)
    if form.is_valid():
        try:
            unit = do_add_unit(organization=organization, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error)
        else:
            messages.success(request, f"Unit “{unit.name}” added.")
            return redirect("programs:organization", organization.pk)
    return _detail(request, organization, unit_form=form, status=400)


@require_http_methods(["GET", "POST"])
def unit_edit(
    request: AuthenticatedHttpRequest, organization_id: int, unit_id: int
) -> HttpResponse:
    """Rename a unit."""
    organization = get_organization_for_admin(request.user, organization_id)
    unit = get_object_or_404(organization.units.all(), pk=unit_id)
    form = UnitForm(
        request.POST or None, organization=organization, unit=unit, initial={"name": unit.name}
    )
    if request.method == "POST" and form.is_valid():
        old = unit.name
        do_rename_unit(unit=unit, name=form.cleaned_data["name"])
        messages.success(request, f"Unit “{old}” is now called “{unit.name}”.")
        return redirect("programs:organization", organization.pk)
    return render(
        request,
        "programs/org/form.html",
        {
            "organization": organization,
            "form": form,
            "title": f"Rename {unit.name}",
            "submit": "Save name",
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def unit_merge(
    request: AuthenticatedHttpRequest, organization_id: int, unit_id: int
) -> HttpResponse:
    """GET asks which unit to merge into; POST moves the unit's people there and removes it."""
    organization = get_organization_for_admin(request.user, organization_id)
    unit = get_object_or_404(organization.units.all(), pk=unit_id)
    form = MergeUnitForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        into = form.cleaned_data["into"]
        moved = do_merge_units(unit=unit, into=into)
        messages.success(
            request,
            f"“{unit.name}” merged into “{into.name}”: {moved} "
            f"{'person' if moved == 1 else 'people'} moved.",
        )
        return redirect("programs:organization", organization.pk)
    return render(
        request,
        "programs/org/form.html",
        {
            "organization": organization,
            "form": form,
            "title": f"Merge {unit.name} into another unit",
            "body": f"{unit.profiles.count()} people are in {unit.name}. They move to the unit "
            f"you choose, and {unit.name} is removed. This cannot be undone.",
            "submit": "Merge units",
            "danger": True,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def unit_retire(
    request: AuthenticatedHttpRequest, organization_id: int, unit_id: int
) -> HttpResponse:
    organization = get_organization_for_admin(request.user, organization_id)
    unit = get_object_or_404(organization.units.all(), pk=unit_id)
    do_retire_unit(unit=unit)
    messages.success(
        request,
        f"“{unit.name}” is retired: nobody new can be placed in it; people already there keep it.",
    )
    return redirect("programs:organization", organization.pk)


@require_POST
def unit_restore(
    request: AuthenticatedHttpRequest, organization_id: int, unit_id: int
) -> HttpResponse:
    organization = get_organization_for_admin(request.user, organization_id)
    unit = get_object_or_404(organization.units.all(), pk=unit_id)
    do_restore_unit(unit=unit)
    messages.success(request, f"“{unit.name}” is offered again.")
    return redirect("programs:organization", organization.pk)


@require_POST
def time_zone(request: AuthenticatedHttpRequest, organization_id: int) -> HttpResponse:
    organization = get_organization_for_admin(request.user, organization_id)
    form = OrganizationTimeZoneForm(request.POST)
    if not form.is_valid():
        return _detail(request, organization, time_zone_form=form, status=400)
    do_set_organization_time_zone(
        organization=organization, time_zone=form.cleaned_data["time_zone"]
    )
    messages.success(request, f"New people now start in {organization.time_zone}.")
    return redirect("programs:organization", organization.pk)


@require_POST
def admin_invite(request: AuthenticatedHttpRequest, organization_id: int) -> HttpResponse:
    organization = get_organization_for_admin(request.user, organization_id)
    form = OrganizationAdminInviteForm(request.POST, organization=organization)
    if not form.is_valid():
        return _detail(request, organization, admin_form=form, status=400)
    if refused := consume_or_429(request, action="invite"):
        return refused
    invitation = do_invite_organization_admin(
        organization=organization, email=form.cleaned_data["email"], by=request.user
    )
    messages.success(
        request, f"Invitation to administer {organization.name} sent to {invitation.email}."
    )
    return redirect("programs:organization", organization.pk)


@require_http_methods(["GET", "POST"])
def admin_remove(
    request: AuthenticatedHttpRequest, organization_id: int, admin_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST takes the role away (never from the last admin)."""
    organization = get_organization_for_admin(request.user, organization_id)
    admin = get_object_or_404(organization.admins.select_related("user"), pk=admin_id)
    cancel = reverse("programs:organization", args=[organization.pk])
    if request.method == "POST":
        try:
            do_remove_organization_admin(admin=admin, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"{admin.user.display_name} is no longer an admin of {organization.name}."
            )
            if admin.user_id == request.user.pk:
                return redirect("home")
        return redirect(cancel)
    return render(
        request,
        "programs/confirm.html",
        {
            "title": f"Remove {admin.user.display_name} as organisation admin?",
            "body": f"They will no longer manage {organization.name}'s units, admins and "
            "programs. Their roles in programs stay.",
            "blockers": (
                ["it is the organisation's only admin"] if organization.admins.count() == 1 else []
            ),
            "submit": "Remove admin",
            "cancel": cancel,
        },
    )


@require_POST
def invitation_revoke(
    request: AuthenticatedHttpRequest, organization_id: int, invitation_id: int
) -> HttpResponse:
    organization = get_organization_for_admin(request.user, organization_id)
    invitation = get_object_or_404(organization.admin_invitations.all(), pk=invitation_id)
    try:
        do_revoke_organization_invitation(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("programs:organization", organization.pk)


# Accepting an invitation to administer an organisation ----------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an organisation admin's invitation link opens."""
    try:
        found = organization_invitation_from_token(token)
    except InvitationProblem as problem:
        return render(
            request, "programs/invitation_problem.html", {"problem": problem}, status=410
        )
    user = request.user
    if request.method == "POST":
        if not isinstance(user, User):
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            do_accept_organization_invitation(invitation=found, user=user)
        except InvitationProblem as problem:
            return render(
                request, "programs/invitation_problem.html", {"problem": problem}, status=409
            )
        record_event(
            SecurityEvent.Kind.INVITATION_ACCEPTED,
            request=request,
            organization_invitation_id=found.pk,
            organization_id=found.organization_id,
        )
        messages.success(request, f"You are now an admin of {found.organization.name}.")
        return redirect("programs:organization", found.organization_id)
    return render(
        request,
        "programs/org/invitation.html",
        {
            "invitation": found,
            "token": token,
            "owns_email": isinstance(user, User) and user_owns_email(user, found.email),
            "has_account": User.objects.filter(email__iexact=found.email).exists(),
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_signup(request: HttpRequest, token: str) -> HttpResponse:
    """Create the account of the invited address, and only that address, and become an
    admin of the organisation: name, time zone (the browser's suggested) and password."""
    try:
        found = organization_invitation_from_token(token)
    except InvitationProblem as problem:
        return render(
            request, "programs/invitation_problem.html", {"problem": problem}, status=410
        )
    to_set_up = account_to_set_up(found.email)
    if to_set_up is None and User.objects.filter(email__iexact=found.email).exists():
        messages.info(request, f"An account for {found.email} exists already: sign in to accept.")
        return redirect("programs:organization_invitation", token)
    form = InvitationSignupForm(
        request.POST if request.method == "POST" else None,
        email=found.email,
        organization=found.organization,
        account=to_set_up,
    )
    if request.method == "POST" and form.is_valid():
        if request.user.is_authenticated:
            logout(request)
        try:
            user, _ = do_sign_up_from_organization_invitation(
                invitation=found,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                time_zone=form.cleaned_data["time_zone"],
                password=form.cleaned_data["password1"],
            )
        except InvitationProblem as problem:
            return render(
                request, "programs/invitation_problem.html", {"problem": problem}, status=409
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        record_event(
            SecurityEvent.Kind.INVITATION_ACCEPTED,
            request=request,
            organization_invitation_id=found.pk,
            organization_id=found.organization_id,
        )
        messages.success(request, f"You are now an admin of {found.organization.name}.")
        return redirect("programs:organization", found.organization_id)
    return render(
        request,
        "programs/org/invitation_signup.html",
        {"invitation": found, "token": token, "form": form},
        status=400 if request.method == "POST" else 200,
    )
