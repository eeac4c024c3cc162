"""My profile (name, time zone, unit, discipline and title in each organisation, and the
ways to my account's settings), and a program admin's correction of a member's unit,
discipline and title."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from programs.access import get_program_for_admin
from programs.forms import OrganizationProfileForm, PersonForm
from programs.http import AuthenticatedHttpRequest
from programs.models import Organization, Profile, User
from programs.services import do_update_person, do_update_profile


def _organizations_of(user: User) -> list[tuple[Organization, Profile | None]]:
    """The organisations in which the person has a profile or an active membership."""
    profiles = {
        p.organization_id: p
        for p in Profile.objects.filter(user=user).select_related("organization", "unit")
    }
    organizations = Organization.objects.filter(
        pk__in={
            *profiles,
            *user.memberships.filter(is_active=True).values_list(
                "program__organization_id", flat=True
            ),
        }
    )
    return [(org, profiles.get(org.pk)) for org in organizations]


@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My profile: my name and time zone, and my unit, discipline and job title in each
    organisation I belong to."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    person = PersonForm(
        data,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "time_zone": user.time_zone,
        },
    )
    places = [
        (
            organization,
            OrganizationProfileForm(
                data, organization=organization, profile=profile, prefix=f"org{organization.pk}"
            ),
        )
        for organization, profile in _organizations_of(user)
    ]
    forms_valid = person.is_valid() and all(form.is_valid() for _, form in places)
    if request.method == "POST" and forms_valid:
        before = user.time_zone
        do_update_person(user=user, **person.cleaned_data)
        for organization, form in places:
            do_update_profile(user=user, organization=organization, **form.cleaned_data)
        note = ""
        if user.time_zone != before:
            note = f" Your dates, times, check-in week and reminders now follow {user.time_zone}."
        messages.success(request, "Your profile is saved." + note)
        return redirect("programs:profile")
    return render(
        request,
        "programs/profile.html",
        {"person": person, "places": places},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def member(request: AuthenticatedHttpRequest, program_id: int, user_id: int) -> HttpResponse:
    """A program admin corrects a member's unit, discipline and job title in the program's
    organisation. The person's name and time zone are theirs alone."""
    program = get_program_for_admin(request.user, program_id).program
    person = User.objects.filter(pk=user_id, memberships__program=program).distinct().first()
    if person is None:
        raise Http404("No such person in this program.")
    profile = Profile.objects.filter(user=person, organization_id=program.organization_id).first()
    form = OrganizationProfileForm(
        request.POST or None, organization=program.organization, profile=profile
    )
    if request.method == "POST" and form.is_valid():
        do_update_profile(user=person, organization=program.organization, **form.cleaned_data)
        messages.success(
            request, f"{person.display_name}’s unit, discipline and job title are saved."
        )
        return redirect("teams:people", program.pk)
    return render(
        request,
        "programs/member_profile.html",
        {"program": program, "person": person, "form": form},
        status=400 if form.errors else 200,
    )
