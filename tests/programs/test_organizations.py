"""Setting up an organisation in the app: the site admin creates it and invites its first
admin; organisation admins manage its units, default time zone and admins."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.models import SecurityEvent
from programs.models import Organization, OrganizationAdmin, OrganizationInvitation, Unit, User
from programs.org_services import do_invite_organization_admin, organization_invitation_token
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/organisations/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def org_url(cast: Cast, name: str = "organization", *args: object) -> str:
    return reverse(f"programs:{name}", args=[cast.program.organization_id, *args])


# The site admin's organisations -------------------------------------------------------------


def test_site_admin_creates_an_organisation_and_its_first_admin_accepts(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = cast.client_for("site_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programs:organizations"),
            {
                "name": "Hillcrest Clinics",
                "time_zone": "America/Chicago",
                "admin_email": "Director@Hillcrest.example",
            },
        )
    assert response.status_code == 302
    organization = Organization.objects.get(name="Hillcrest Clinics")
    assert organization.time_zone == "America/Chicago"
    assert mail.outbox[0].to == ["director@hillcrest.example"]
    assert "administer Hillcrest Clinics" in mail.outbox[0].subject
    page = client.get(reverse("programs:organizations"))
    assert b"Hillcrest Clinics" in page.content
    assert b"director@hillcrest.example" in page.content  # the invitation waiting

    director = f.UserFactory(email="director@hillcrest.example")
    invited = Client()
    invited.force_login(director)
    link = link_in(mail.outbox[0])
    assert b"Accept the invitation" in invited.get(link).content
    response = invited.post(link)
    assert response["Location"] == reverse("programs:organization", args=[organization.pk])
    assert OrganizationAdmin.objects.get(organization=organization).user == director
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.ORGANIZATION_ADMIN_GRANTED,
        details__granted_to=director.pk,
        details__organization_id=organization.pk,
    ).exists()
    # Single use.
    assert invited.post(link).status_code == 410


def test_a_new_person_creates_the_invited_addresss_account_with_name_and_zone(
    cast: Cast,
) -> None:
    invitation = do_invite_organization_admin(
        organization=cast.program.organization, email="new.admin@example.org", by=None
    )
    token = organization_invitation_token(invitation)
    client = Client()
    assert (
        b"Create my account"
        in client.get(reverse("programs:organization_invitation", args=[token])).content
    )
    url = reverse("programs:organization_invitation_signup", args=[token])
    form = client.get(url).content.decode()
    assert "new.admin@example.org" in form and 'name="email"' not in form
    assert 'data-time-zone="suggest"' in form
    response = client.post(
        url,
        {
            "first_name": "Priya",
            "last_name": "Raman",
            "time_zone": "America/Chicago",
            "password1": "a-Strong-passphrase-9",
            "password2": "a-Strong-passphrase-9",
            "email": "someone.else@example.org",  # not a field: ignored
        },
        follow=True,
    )
    assert f"You are now an admin of {cast.program.organization.name}." in (
        response.content.decode()
    )
    person = User.objects.get(email="new.admin@example.org")
    assert (person.display_name, person.time_zone) == ("Priya Raman", "America/Chicago")
    assert OrganizationAdmin.objects.filter(user=person).exists()
    assert not User.objects.filter(email="someone.else@example.org").exists()


def test_opening_an_organisation_invitation_leaves_the_general_sign_up_closed(
    cast: Cast,
) -> None:
    invitation = do_invite_organization_admin(
        organization=cast.program.organization, email="new.admin@example.org", by=None
    )
    token = organization_invitation_token(invitation)
    client = Client()
    client.get(reverse("programs:organization_invitation", args=[token]))
    client.get(reverse("programs:organization_invitation_signup", args=[token]))
    client.post(
        reverse("account_signup"),
        {
            "email": "someone.else@example.org",
            "password1": "a-Strong-passphrase-9",
            "password2": "a-Strong-passphrase-9",
        },
    )
    assert b"Sign Up Closed" in client.get(reverse("account_signup")).content
    assert not User.objects.filter(email="someone.else@example.org").exists()


def test_someone_else_cannot_accept_an_organisation_invitation(cast: Cast) -> None:
    invitation = do_invite_organization_admin(
        organization=cast.program.organization, email="new.admin@example.org", by=None
    )
    url = reverse(
        "programs:organization_invitation", args=[organization_invitation_token(invitation)]
    )
    response = cast.client_for("program_admin").post(url)
    assert response.status_code == 409
    assert not OrganizationAdmin.objects.filter(user=cast.program_admin).exists()


def test_a_duplicate_organisation_name_gets_a_clear_error_and_creates_nothing(
    cast: Cast,
) -> None:
    response = cast.client_for("site_admin").post(
        reverse("programs:organizations"),
        {"name": "lakeside health", "time_zone": "UTC", "admin_email": "x@example.org"},
    )
    assert response.status_code == 400
    assert "There is already an organisation called “lakeside health”." in (
        response.content.decode()
    )
    assert Organization.objects.count() == 1
    assert not OrganizationInvitation.objects.exists()


def test_an_unknown_time_zone_is_refused(cast: Cast) -> None:
    response = cast.client_for("site_admin").post(
        reverse("programs:organizations"),
        {"name": "Hillcrest", "time_zone": "Mars/Olympus", "admin_email": "x@example.org"},
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert not Organization.objects.filter(name="Hillcrest").exists()


def test_the_list_says_what_to_do_when_there_is_no_organisation(db: None) -> None:
    operator = f.UserFactory(is_staff=True)
    client = Client()
    client.force_login(operator)
    response = client.get(reverse("programs:organizations"))
    assert b"No organisations yet. Create the first one below" in response.content


def test_home_shows_the_site_admin_the_way_to_organisations(cast: Cast) -> None:
    response = cast.client_for("site_admin").get(reverse("home"))
    assert reverse("programs:organizations").encode() in response.content


# The organisation's page ----------------------------------------------------------------


def test_home_shows_the_organisation_admin_their_organisation_and_new_program(
    cast: Cast,
) -> None:
    response = cast.client_for("org_admin").get(reverse("home"))
    content = response.content.decode()
    assert org_url(cast) in content
    assert f'href="{reverse("programs:create")}">New program' in content
    assert "You are not part of a program yet" not in content


def test_the_organisation_page_lists_units_admins_and_programs(cast: Cast) -> None:
    response = cast.client_for("org_admin").get(org_url(cast))
    content = response.content.decode()
    assert "System Leadership Academy" in content
    assert cast.participant.profiles.get().unit.name in content
    assert "Orla Orgadmin" in content
    assert "The only admin" in content
    assert f'href="{reverse("programs:create")}">New program' in content


def test_a_new_organisation_says_what_to_add_first(db: None) -> None:
    organization = f.OrganizationFactory(name="Empty Health")
    admin = f.OrganizationAdminFactory(organization=organization).user
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("programs:organization", args=[organization.pk]))
    assert b"No units yet. Add the departments" in response.content
    assert b"No programs yet. Start the first" in response.content


def test_org_admin_adds_a_unit(cast: Cast) -> None:
    response = cast.client_for("org_admin").post(
        org_url(cast, "unit_create"), {"name": "  Pharmacy "}
    )
    assert response.status_code == 302
    assert Unit.objects.filter(organization=cast.program.organization, name="Pharmacy").exists()


def test_a_unit_name_already_taken_gets_a_clear_error_and_adds_nothing(cast: Cast) -> None:
    taken = cast.participant.profiles.get().unit
    before = Unit.objects.count()
    response = cast.client_for("org_admin").post(
        org_url(cast, "unit_create"), {"name": taken.name.upper()}
    )
    assert response.status_code == 400
    assert f"There is already a unit called “{taken.name.upper()}”." in response.content.decode()
    assert b"The unit has not been added" in response.content
    assert Unit.objects.count() == before


def test_org_admin_renames_a_unit(cast: Cast) -> None:
    unit = cast.participant.profiles.get().unit
    response = cast.client_for("org_admin").post(
        org_url(cast, "unit_edit", unit.pk), {"name": "Emergency Department"}
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Emergency Department"


def test_merging_a_unit_moves_its_people_and_removes_it(cast: Cast) -> None:
    merged = cast.participant.profiles.get().unit
    into = cast.teammate.profiles.get().unit
    client = cast.client_for("org_admin")
    confirm = client.get(org_url(cast, "unit_merge", merged.pk))
    assert b"This cannot be undone" in confirm.content
    assert Unit.objects.filter(pk=merged.pk).exists()  # asking changed nothing
    response = client.post(org_url(cast, "unit_merge", merged.pk), {"into": into.pk})
    assert response.status_code == 302
    assert not Unit.objects.filter(pk=merged.pk).exists()
    assert cast.participant.profiles.get().unit == into
    follow = client.get(org_url(cast))
    assert f"“{merged.name}” merged into “{into.name}”: 1 person moved." in (
        follow.content.decode()
    )


def test_merging_without_choosing_a_unit_changes_nothing(cast: Cast) -> None:
    unit = cast.participant.profiles.get().unit
    response = cast.client_for("org_admin").post(
        org_url(cast, "unit_merge", unit.pk), {"into": ""}
    )
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert cast.participant.profiles.get().unit == unit


def test_a_retired_unit_stays_on_profiles_but_is_offered_for_nothing_new(cast: Cast) -> None:
    retired = cast.participant.profiles.get().unit
    other = cast.teammate.profiles.get().unit
    client = cast.client_for("org_admin")
    assert client.post(org_url(cast, "unit_retire", retired.pk)).status_code == 302
    assert cast.participant.profiles.get().unit == retired
    assert retired not in Unit.objects.active()
    # Nobody can be merged into it either.
    merge = client.get(org_url(cast, "unit_merge", other.pk))
    assert f">{retired.name}</option>" not in merge.content.decode()
    assert f">{other.name}</option>" not in merge.content.decode()  # nor into itself
    third = cast.other_participant.profiles.get().unit
    assert f">{third.name}</option>" in merge.content.decode()
    assert b"Retired" in client.get(org_url(cast)).content
    client.post(org_url(cast, "unit_restore", retired.pk))
    assert retired in Unit.objects.active()


def test_org_admin_sets_the_default_time_zone_new_people_start_with(cast: Cast) -> None:
    response = cast.client_for("org_admin").post(
        org_url(cast, "organization_time_zone"), {"time_zone": "Asia/Kolkata"}
    )
    assert response.status_code == 302
    cast.program.organization.refresh_from_db()
    assert cast.program.organization.time_zone == "Asia/Kolkata"


def test_an_unknown_default_time_zone_changes_nothing(cast: Cast) -> None:
    response = cast.client_for("org_admin").post(
        org_url(cast, "organization_time_zone"), {"time_zone": "US/Eastern"}
    )
    assert response.status_code == 400
    assert b"The time zone has not been changed" in response.content
    cast.program.organization.refresh_from_db()
    assert cast.program.organization.time_zone == "America/New_York"


def test_org_admin_invites_another_admin(cast: Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client_for("org_admin").post(
            org_url(cast, "organization_admin_invite"), {"email": "second@example.org"}
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["second@example.org"]
    assert b"second@example.org" in cast.client_for("org_admin").get(org_url(cast)).content


def test_inviting_an_existing_admin_gets_a_clear_error(cast: Cast) -> None:
    response = cast.client_for("org_admin").post(
        org_url(cast, "organization_admin_invite"), {"email": cast.org_admin.email.upper()}
    )
    assert response.status_code == 400
    assert b"is already an admin of this organisation" in response.content
    assert not OrganizationInvitation.objects.exists()


def test_the_last_admin_cannot_be_removed(cast: Cast) -> None:
    role = cast.org_admin.organization_admin_roles.get()
    client = cast.client_for("org_admin")
    confirm = client.get(org_url(cast, "organization_admin_remove", role.pk))
    assert b"the organisation&#x27;s only admin" in confirm.content.lower()
    response = client.post(org_url(cast, "organization_admin_remove", role.pk), follow=True)
    assert b"An organisation needs at least one admin" in response.content
    assert OrganizationAdmin.objects.filter(pk=role.pk).exists()


def test_an_admin_removes_another_after_confirming(cast: Cast) -> None:
    second = f.OrganizationAdminFactory(organization=cast.program.organization)
    client = cast.client_for("org_admin")
    confirm = client.get(org_url(cast, "organization_admin_remove", second.pk))
    assert b"Remove admin" in confirm.content
    assert OrganizationAdmin.objects.filter(pk=second.pk).exists()
    assert client.post(org_url(cast, "organization_admin_remove", second.pk)).status_code == 302
    assert not OrganizationAdmin.objects.filter(pk=second.pk).exists()
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.ORGANIZATION_ADMIN_REMOVED, details__removed=second.user_id
    ).exists()


def test_a_retired_unit_is_not_offered_when_a_team_logs_a_stakeholder(cast: Cast) -> None:
    retired = cast.participant.profiles.get().unit
    kept = cast.teammate.profiles.get().unit
    cast.client_for("org_admin").post(org_url(cast, "unit_retire", retired.pk))
    page = cast.client_for("participant").get(
        reverse("projects:stakeholders", args=[cast.project.pk])
    )
    content = page.content.decode()
    assert f">{kept.name}</option>" in content
    assert f">{retired.name}</option>" not in content


def test_site_admin_invites_again_when_the_first_invitation_lapsed(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    organization = f.OrganizationFactory(name="Hillcrest Clinics")
    first = do_invite_organization_admin(
        organization=organization, email="director@hillcrest.example", by=None
    )
    client = cast.client_for("site_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programs:organization_site_invite", args=[organization.pk]),
            {"email": "director@hillcrest.example"},
        )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.revoked_at is not None  # the old link stops working
    assert [m.to for m in mail.outbox] == [["director@hillcrest.example"]]
    assert organization.admin_invitations.pending(first.created_at).count() == 1


def test_site_admin_inviting_without_an_email_is_told_and_nothing_is_sent(cast: Cast) -> None:
    response = cast.client_for("site_admin").post(
        reverse("programs:organization_site_invite", args=[cast.program.organization_id]),
        {"email": "not an email"},
        follow=True,
    )
    assert b"Enter a valid email address." in response.content
    assert not OrganizationInvitation.objects.exists()


def test_org_admin_withdraws_an_invitation_and_its_link_stops_working(cast: Cast) -> None:
    invitation = do_invite_organization_admin(
        organization=cast.program.organization, email="second@example.org", by=cast.org_admin
    )
    link = reverse(
        "programs:organization_invitation", args=[organization_invitation_token(invitation)]
    )
    response = cast.client_for("org_admin").post(
        org_url(cast, "organization_invitation_revoke", invitation.pk), follow=True
    )
    assert b"The invitation to second@example.org was withdrawn." in response.content
    assert Client().get(link).status_code == 410
