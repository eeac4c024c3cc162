"""A program admin makes herself a coach through the people import, or by inviting her
own address with the coach role, hoping the grant goes unnoticed.

Before: the import wrote her coach membership with a bulk insert and the invitation went out
with no trace; the security log had nothing. Now both are recorded as a role given, marked
as given to herself, like any grant of a role. (What a new coach may read is fixed at share
time elsewhere, which makes the grant itself harmless; this is the record.)
"""

from __future__ import annotations

from django.urls import reverse

from core.models import SecurityEvent
from programs.models import Membership, Role
from teams.models import PeopleImport
from tests.conftest import Cast


def self_grants(cast: Cast) -> list[SecurityEvent]:
    return [
        event
        for event in SecurityEvent.objects.filter(
            kind=SecurityEvent.Kind.ROLE_GRANTED, user=cast.program_admin
        )
        if event.details.get("self_granted") is True
    ]


def test_listing_herself_as_coach_in_an_import_is_recorded(cast: Cast) -> None:
    admin = cast.program_admin
    people_import = PeopleImport.objects.create(
        program=cast.program,
        cohort=cast.team.cohort,
        uploaded_by=admin,
        filename="people.csv",
        content=(
            "Email,Role,First name,Last name\n"
            f"{admin.email},Learning coach,Dana,Admin\n"
            f"{admin.email},Executive sponsor,Dana,Admin\n"
        ),
    )
    client = cast.client_for("program_admin")
    client.post(reverse("teams:import_confirm", args=[cast.program.pk, people_import.pk]))

    assert Membership.objects.get(user=admin, program=cast.program, role=Role.COACH).is_active
    events = self_grants(cast)
    assert sorted(event.details["role"] for event in events) == [Role.COACH, Role.SPONSOR]
    for event in events:
        assert event.details["how"] == "import"
        assert event.details["by"] == admin.pk
        assert event.details["program"] == cast.program.pk


def test_inviting_her_own_address_as_coach_is_recorded(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    response = client.post(
        reverse("programs:invite", args=[cast.program.pk]),
        {"email": cast.program_admin.email.upper(), "role": Role.COACH},
    )
    assert response.status_code == 302
    [event] = self_grants(cast)
    assert event.details["role"] == Role.COACH
    assert event.details["how"] == "own invitation"


def test_inviting_someone_else_records_no_self_grant(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    client.post(
        reverse("programs:invite", args=[cast.program.pk]),
        {"email": "new.coach@example.org", "role": Role.COACH},
    )
    assert self_grants(cast) == []
