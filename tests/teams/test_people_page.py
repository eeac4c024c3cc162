"""The program admin's people page: filters, pagination, invitations, query count."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Discipline, Invitation, Role
from tests import factories as f
from tests.conftest import Cast


def people(client: Client, cast: Cast, **params: str) -> str:
    response = client.get(reverse("teams:people", args=[cast.program.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_people_page_lists_members_with_unit_discipline_and_team(cast: Cast) -> None:
    html = people(cast.client_for("program_admin"), cast)
    for name in ("Pat Participant", "Terry Teammate", "Casey Coach", "Sam Sponsor"):
        assert name in html
    assert "Flow Forward" in html
    assert "Nurse" in html


def test_filters_narrow_the_list(cast: Cast) -> None:
    admin = cast.client_for("program_admin")
    coaches = people(admin, cast, role=Role.COACH)
    assert "Casey Coach" in coaches and "Pat Participant" not in coaches
    team = people(admin, cast, team=str(cast.team.pk))
    assert "Pat Participant" in team and "Casey Coach" not in team
    assert cast.other_participant.last_name not in team
    profile = cast.teammate.profiles.get()
    profile.discipline = Discipline.PHYSICIAN
    profile.save()
    physicians = people(admin, cast, discipline=Discipline.PHYSICIAN)
    assert "Terry Teammate" in physicians and "Pat Participant" not in physicians
    unit = people(admin, cast, unit=str(profile.unit_id))
    assert "Terry Teammate" in unit and "Pat Participant" not in unit


def test_participants_without_a_team_can_be_listed(cast: Cast) -> None:
    newcomer = f.UserFactory(first_name="Nora", last_name="Newcomer")
    f.MembershipFactory(user=newcomer, program=cast.program, role=Role.PARTICIPANT)
    html = people(cast.client_for("program_admin"), cast, team="none")
    assert "Nora Newcomer" in html and "Pat Participant" not in html


def test_invitations_are_filtered_by_status(cast: Cast) -> None:
    now = timezone.now()
    common = {"program": cast.program, "role": Role.COACH, "nonce": "n"}
    Invitation.objects.create(
        email="pending@example.org", expires_at=now + datetime.timedelta(days=3), **common
    )
    Invitation.objects.create(
        email="expired@example.org", expires_at=now - datetime.timedelta(days=1), **common
    )
    Invitation.objects.create(
        email="revoked@example.org",
        expires_at=now + datetime.timedelta(days=3),
        revoked_at=now,
        **common,
    )
    admin = cast.client_for("program_admin")
    expired = people(admin, cast, status="expired")
    assert "expired@example.org" in expired
    assert "pending@example.org" not in expired and "revoked@example.org" not in expired
    pending = people(admin, cast, status="pending")
    assert "pending@example.org" in pending and "expired@example.org" not in pending


def test_long_lists_are_paginated(cast: Cast) -> None:
    for _ in range(30):
        f.MembershipFactory(program=cast.program, role=Role.SPONSOR)
    admin = cast.client_for("program_admin")
    first = people(admin, cast, role=Role.SPONSOR)
    assert "Page 1 of 2" in first
    second = people(admin, cast, role=Role.SPONSOR, page="2")
    assert "Page 2 of 2" in second


def count_people_page_queries(size: int) -> int:
    program = f.ProgramFactory()
    cohort = f.CohortFactory(program=program)
    admin = f.UserFactory()
    f.MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)
    teams = [f.TeamFactory(cohort=cohort) for _ in range(max(1, size // 6))]
    for i in range(size):
        f.add_participant(teams[i % len(teams)])
    for i in range(size // 3):
        Invitation.objects.create(
            program=program,
            email=f"i{i}@example.org",
            role=Role.COACH,
            nonce="n",
            expires_at=timezone.now() + datetime.timedelta(days=3),
        )
    client = Client()
    client.force_login(admin)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("teams:people", args=[program.pk])).status_code == 200
    return len(queries)


def test_people_page_runs_the_same_queries_for_30_and_300_participants(db: None) -> None:
    assert count_people_page_queries(30) == count_people_page_queries(300)
