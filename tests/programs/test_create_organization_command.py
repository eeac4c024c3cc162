"""`manage.py create_organization`: a scripted install creates an organisation and invites
its first admin, as the site admin's page does."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from programs.models import Organization, OrganizationInvitation

pytestmark = pytest.mark.django_db


def test_the_command_creates_the_organisation_and_emails_the_invitation(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_organization",
            "--name",
            "Hillcrest Clinics",
            "--admin-email",
            "Director@Hillcrest.example",
            "--time-zone",
            "Europe/London",
            stdout=out,
        )
    organization = Organization.objects.get(name="Hillcrest Clinics")
    assert organization.time_zone == "Europe/London"
    invitation = OrganizationInvitation.objects.get(organization=organization)
    assert invitation.email == "director@hillcrest.example"
    assert mail.outbox[0].to == ["director@hillcrest.example"]
    assert "/organisations/invitations/" in out.getvalue()


def test_a_second_run_with_the_same_name_stops_with_a_message() -> None:
    call_command("create_organization", "--name", "Hillcrest", "--admin-email", "a@example.org")
    with pytest.raises(CommandError, match="There is already an organisation called"):
        call_command(
            "create_organization", "--name", "Hillcrest", "--admin-email", "b@example.org"
        )
    assert OrganizationInvitation.objects.count() == 1


def test_a_wrong_time_zone_creates_nothing() -> None:
    with pytest.raises(CommandError, match="not a known IANA time zone"):
        call_command(
            "create_organization",
            "--name",
            "Hillcrest",
            "--admin-email",
            "a@example.org",
            "--time-zone",
            "Moon/Base",
        )
    assert not Organization.objects.exists()
