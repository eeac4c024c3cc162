"""The team runs its session on one page: check-in round from each member's open actions,
the question, a question-first round with a timer and the coach's questions, decisions
and new actions (the project's own, their owners told), a learning round private to each
member until shared; ending it opens the team pulse."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from coaching.models import (
    CoachQuestion,
    LearningEntry,
    PulseSurvey,
    SessionAttendance,
    TeamSession,
)
from coaching.services import do_schedule_session
from notifications.models import Notification
from projects.models import Action
from tests import factories as f
from tests.conftest import Cast

STARTS = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)


def session_of(cast: Cast) -> TeamSession:
    return do_schedule_session(
        team=cast.team,
        by=cast.coach,
        starts_at=STARTS + datetime.timedelta(minutes=5),
        duration=datetime.timedelta(minutes=90),
        place="Room 4",
    )


def url(name: str, session: TeamSession) -> str:
    return reverse(f"coaching:{name}", args=[session.pk])


def test_a_team_runs_its_session_end_to_end(
    cast: Cast, now: datetime.datetime, committed: Callable[[], Any]
) -> None:
    Action.objects.create(
        project=cast.project, title="Map the discharge process", owner=cast.participant
    )
    Action.objects.create(
        project=cast.project, title="Done already", owner=cast.participant, status="done"
    )
    session = session_of(cast)
    coach, member = cast.client_for("coach"), cast.client_for("participant")

    page = coach.get(url("run", session))
    # The check-in round starts from each member's open actions.
    assert "Map the discharge process" in page.text
    assert "Done already" not in page.text
    # The timer reads as plain text without JavaScript; the script is the site's own.
    assert "Questions only, no answers or advice, for" in page.text
    assert 'data-minutes="15"' in page.text
    assert "/static/js/session_timer.js" in page.text
    # The coach's bank: the shared default questions by purpose.
    assert "What are we assuming that might not be true?" in page.text
    assert "Challenge assumptions" in page.text

    coach.post(url("start", session))
    coach.post(url("attendance", session), {"present": [cast.participant.pk]})
    coach.post(
        url("run_notes", session),
        {"question": "Why do discharges wait?", "decisions": "Pilot on ward 5."},
    )
    with committed():
        member.post(
            url("action_new", session),
            {"title": "Ask pharmacy for data", "owner": cast.teammate.pk, "due_on": "2026-12-09"},
        )
        member.post(
            url("action_new", session),
            {"title": "Book ward 5 huddle", "owner": cast.participant.pk, "due_on": ""},
        )

    session.refresh_from_db()
    assert session.status == TeamSession.Status.RUNNING
    assert session.question == "Why do discharges wait?"
    assert {a.title for a in session.actions.all()} == {
        "Ask pharmacy for data",
        "Book ward 5 huddle",
    }
    # They are the project's actions, and the owner other than whoever added it is told.
    assert Action.objects.filter(project=cast.project, title="Ask pharmacy for data").exists()
    assert Notification.objects.filter(recipient=cast.teammate, kind="action_assigned").exists()
    assert not Notification.objects.filter(
        recipient=cast.participant, kind="action_assigned"
    ).exists()
    assert dict(
        SessionAttendance.objects.filter(session=session).values_list("user_id", "attended")
    ) == {cast.participant.pk: True, cast.teammate.pk: False}

    with committed():
        ended = coach.post(url("end", session), follow=True)
    assert "The team pulse is open for the members." in ended.text
    session.refresh_from_db()
    assert session.status == TeamSession.Status.DONE
    survey = PulseSurvey.objects.get(team=cast.team)
    assert survey.meeting_on == datetime.date(2026, 12, 2)
    assert {n.recipient for n in Notification.objects.filter(kind="pulse_opened")} == {
        cast.participant,
        cast.teammate,
    }
    # The record is closed: nothing more is added.
    late = member.post(url("action_new", session), {"title": "Late", "owner": cast.teammate.pk})
    assert late.status_code == 403


def test_a_learning_entry_is_its_authors_alone_until_shared(
    cast: Cast, now: datetime.datetime
) -> None:
    session = session_of(cast)
    member = cast.client_for("participant")
    saved = member.post(
        url("learning", session),
        {"learned": "I jump to answers.", "differently": "Ask twice first."},
        follow=True,
    )
    assert "Saved: only you read it." in saved.text
    assert "I jump to answers." in saved.text
    for reader in ("teammate", "coach"):
        page = cast.client_for(reader).get(url("run", session))
        assert "I jump to answers." not in page.text
        assert "Nothing shared yet." in page.text

    member.post(
        url("learning", session),
        {"learned": "I jump to answers.", "differently": "Ask twice first.", "shared": "on"},
    )
    assert LearningEntry.objects.get().shared_at is not None
    for reader in ("teammate", "coach"):
        assert "I jump to answers." in cast.client_for(reader).get(url("run", session)).text

    # Taking it back makes it private again.
    member.post(url("learning", session), {"learned": "I jump to answers."})
    assert "I jump to answers." not in cast.client_for("teammate").get(url("run", session)).text


def test_an_empty_learning_entry_or_action_gets_a_clear_error_and_saves_nothing(
    cast: Cast, now: datetime.datetime
) -> None:
    session = session_of(cast)
    member = cast.client_for("participant")
    response = member.post(url("learning", session), {"learned": ""})
    assert response.status_code == 400
    assert "This field is required." in response.text
    stranger = f.UserFactory()
    response = member.post(url("action_new", session), {"title": "X", "owner": stranger.pk})
    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert not LearningEntry.objects.exists()
    assert not session.actions.exists()


def test_the_coach_extends_the_bank_for_their_program_only(
    cast: Cast, now: datetime.datetime
) -> None:
    session = session_of(cast)
    cast.client_for("coach").post(
        url("question_new", session),
        {"purpose": "process", "text": "What is the energy in the room right now?"},
    )
    question = CoachQuestion.objects.get(text="What is the energy in the room right now?")
    assert question.program == cast.program
    assert (
        "What is the energy in the room" in cast.client_for("coach").get(url("run", session)).text
    )
    other_program = f.ProgramFactory()
    assert question not in CoachQuestion.objects.for_program(other_program)
    assert CoachQuestion.objects.for_program(other_program).filter(program=None).count() == 12
