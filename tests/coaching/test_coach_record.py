"""The coach marks interventions with one tap (task or process, a bank question, the
moment); when the session ends, the time split and the questions used become the coach's
private note of the session. Members, the sponsor and the program admin see none of it."""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse

from coaching.models import CoachNote, CoachQuestion, Intervention, TeamSession
from coaching.services import do_schedule_session, time_split
from tests.conftest import Cast

START = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
CANARY = "What are we assuming that might not be true?"


def run_a_session_with_interventions(cast: Cast) -> TeamSession:
    """Ten minutes on the task, a process intervention for twenty, the challenge question
    back on the task for thirty: 40 minutes on the task, 20 on the process."""
    with time_machine.travel(START, tick=False) as clock:
        session = do_schedule_session(
            team=cast.team,
            by=cast.coach,
            starts_at=START,
            duration=datetime.timedelta(hours=1),
            place="Room 4",
        )
        coach = cast.client_for("coach")
        coach.post(reverse("coaching:start", args=[session.pk]))
        clock.shift(datetime.timedelta(minutes=10))
        coach.post(reverse("coaching:intervene", args=[session.pk]), {"about": "process"})
        clock.shift(datetime.timedelta(minutes=20))
        question = CoachQuestion.objects.get(text=CANARY)
        coach.post(reverse("coaching:intervene", args=[session.pk]), {"question": question.pk})
        clock.shift(datetime.timedelta(minutes=30))
        coach.post(reverse("coaching:end", args=[session.pk]))
    session.refresh_from_db()
    return session


def test_the_coachs_taps_become_their_private_note_with_the_split_and_questions(
    cast: Cast,
) -> None:
    session = run_a_session_with_interventions(cast)
    assert [i.about for i in Intervention.objects.filter(session=session)] == [
        "process",
        "task",
    ]
    note = session.coach_note
    assert note is not None
    assert note.author == cast.coach
    assert (note.task_minutes, note.process_minutes) == (40, 20)
    assert "Questions used:\n- " + CANARY in note.body
    assert note.held_on == datetime.date(2026, 12, 2)

    page = cast.client_for("coach").get(reverse("coaching:note", args=[note.pk]))
    assert page.status_code == 200
    assert CANARY in page.text
    run_page = cast.client_for("coach").get(reverse("coaching:run", args=[session.pk]))
    assert "My coach note of this session" in run_page.text


def test_members_the_sponsor_and_the_program_admin_see_nothing_of_the_coachs_record(
    cast: Cast,
) -> None:
    session = run_a_session_with_interventions(cast)
    note = session.coach_note
    assert note is not None
    for who in ("participant", "teammate"):
        client = cast.client_for(who)
        run_page = client.get(reverse("coaching:run", args=[session.pk]))
        assert run_page.status_code == 200
        assert "My record" not in run_page.text
        assert "Interventions" not in run_page.text
        assert client.get(reverse("coaching:note", args=[note.pk])).status_code == 404
        assert client.get(reverse("coaching:notes", args=[cast.team.pk])).status_code == 403
    for who in ("sponsor", "program_admin"):
        client = cast.client_for(who)
        assert client.get(reverse("coaching:run", args=[session.pk])).status_code == 403
        assert client.get(reverse("coaching:note", args=[note.pk])).status_code == 404
        assert client.get(reverse("coaching:notes", args=[cast.team.pk])).status_code == 403
        detail = client.get(reverse("coaching:detail", args=[session.pk]))
        assert "Interventions" not in detail.text
        assert CANARY not in detail.text
    # Nor can anyone else tap for the coach.
    for who in ("participant", "sponsor", "program_admin"):
        response = cast.client_for(who).post(
            reverse("coaching:intervene", args=[session.pk]), {"about": "task"}
        )
        assert response.status_code == 403
    assert CoachNote.objects.count() == 1


def test_the_split_counts_each_stretch_as_what_the_latest_tap_was_about() -> None:
    session = TeamSession(pk=1)
    taps = [
        Intervention(session=session, about="process", at=START + datetime.timedelta(minutes=5)),
        Intervention(session=session, about="task", at=START + datetime.timedelta(minutes=35)),
        # A tap after the end counts at the end.
        Intervention(session=session, about="process", at=START + datetime.timedelta(hours=3)),
    ]
    split = time_split(taps, START, START + datetime.timedelta(minutes=60))
    assert (split.task_minutes, split.process_minutes) == (30, 30)
    assert split.process_percent == 50
    # No tap at all: the whole session was on the task; under a minute still counts one.
    assert time_split([], START, START + datetime.timedelta(minutes=45)).task_minutes == 45
    assert time_split([], START, START).task_minutes == 1
