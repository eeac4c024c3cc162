"""Coach notes: written and read by the team's learning coach only, nowhere else."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from coaching.models import CoachNote
from coaching.notes import QUESTIONING_PROTOCOL, do_write_coach_note
from programs.models import User
from tests.conftest import Cast

NOT_COACHES = ("participant", "teammate", "sponsor", "program_admin", "other_participant")
SECRET = "The sponsor dominates; the team goes quiet when she speaks."


def write_note(cast: Cast) -> CoachNote:
    return do_write_coach_note(
        team=cast.team,
        by=cast.coach,
        held_on=datetime.date(2026, 10, 1),
        body=SECRET,
        task_minutes=45,
        process_minutes=15,
    )


def valid_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "held_on": "2026-10-01",
        "body": "We tried silent brainstorming.",
        "task_minutes": "40",
        "process_minutes": "20",
    }
    return data | changes


def test_coach_writes_a_note_and_reads_it_back(cast: Cast) -> None:
    client = cast.client_for("coach")
    response = client.post(reverse("coaching:note_new", args=[cast.team.pk]), valid_data())
    note = CoachNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching:note", args=[note.pk])
    assert note.author == cast.coach
    assert note.process_percent == 33
    html = client.get(response["Location"]).content.decode()
    assert "We tried silent brainstorming." in html
    assert "33% of the session" in html


def test_a_note_can_start_from_the_questioning_protocol(cast: Cast) -> None:
    response = cast.client_for("coach").get(
        reverse("coaching:note_new", args=[cast.team.pk]) + "?start=protocol"
    )
    html = response.content.decode()
    for question in (
        "What did we try?",
        "What happened?",
        "What did we learn?",
        "What will we do differently?",
    ):
        assert question in QUESTIONING_PROTOCOL
        assert question in html


def test_notes_list_shows_the_time_split(cast: Cast) -> None:
    write_note(cast)
    html = cast.client_for("coach").get(reverse("coaching:notes", args=[cast.team.pk]))
    assert "45 min" in html.content.decode()
    assert "15 min (25%)" in html.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        valid_data(body=""),
        valid_data(task_minutes="0", process_minutes="0"),
        valid_data(task_minutes="-5"),
        valid_data(held_on="not a date"),
        valid_data(held_on="2099-01-01"),
    ],
)
def test_bad_input_gets_a_form_error_and_saves_nothing(cast: Cast, data: dict) -> None:
    response = cast.client_for("coach").post(
        reverse("coaching:note_new", args=[cast.team.pk]), data
    )
    assert response.status_code == 400
    assert "nothing has been saved yet" in response.content.decode()
    assert not CoachNote.objects.exists()


@pytest.mark.parametrize("who", NOT_COACHES)
@pytest.mark.parametrize("name", ["coaching:notes", "coaching:note_new"])
def test_notes_of_a_team_are_closed_to_everyone_but_its_coach(
    cast: Cast, who: str, name: str
) -> None:
    write_note(cast)
    response = cast.client_for(who).get(reverse(name, args=[cast.team.pk]))
    assert response.status_code == 403
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize("who", NOT_COACHES)
def test_participants_sponsors_and_admins_cannot_write_a_note(cast: Cast, who: str) -> None:
    response = cast.client_for(who).post(
        reverse("coaching:note_new", args=[cast.team.pk]), valid_data()
    )
    assert response.status_code == 403
    assert not CoachNote.objects.exists()


@pytest.mark.parametrize("who", (*NOT_COACHES, "outsider"))
def test_a_note_does_not_exist_for_anyone_but_the_teams_coach(cast: Cast, who: str) -> None:
    note = write_note(cast)
    response = cast.client_for(who).get(reverse("coaching:note", args=[note.pk]))
    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_another_teams_coach_cannot_read_the_note(cast: Cast) -> None:
    note = write_note(cast)
    other_coach = cast.other_team.coach
    assert isinstance(other_coach, User)
    client = Client()
    client.force_login(other_coach)
    assert client.get(reverse("coaching:note", args=[note.pk])).status_code == 404
    assert client.get(reverse("coaching:notes", args=[cast.team.pk])).status_code == 403


def test_a_coach_whose_membership_ended_no_longer_reads_the_notes(cast: Cast) -> None:
    note = write_note(cast)
    cast.coach.memberships.update(is_active=False)
    client = cast.client_for("coach")
    assert client.get(reverse("coaching:note", args=[note.pk])).status_code in (403, 404)
    assert client.get(reverse("coaching:notes", args=[cast.team.pk])).status_code == 403


def test_notes_never_appear_on_the_team_project_or_home_pages(cast: Cast) -> None:
    write_note(cast)
    for who in ("participant", "sponsor", "program_admin", "coach"):
        client = cast.client_for(who)
        for url in (
            reverse("home"),
            reverse("teams:detail", args=[cast.team.pk]),
            reverse("projects:detail", args=[cast.project.pk]),
            reverse("dashboards:program", args=[cast.program.pk]),
        ):
            assert SECRET not in client.get(url).content.decode()


def test_the_django_admin_shows_a_notes_metadata_but_never_its_body(cast: Cast) -> None:
    note = write_note(cast)
    root = User.objects.create_superuser(email="root@example.org", password="a-long-password-1")
    client = Client()
    client.force_login(root)
    listing = client.get("/admin/coaching/coachnote/")
    detail = client.get(f"/admin/coaching/coachnote/{note.pk}/change/")
    assert listing.status_code == detail.status_code == 200
    assert "Flow Forward" in listing.content.decode()
    assert SECRET not in listing.content.decode()
    assert SECRET not in detail.content.decode()
