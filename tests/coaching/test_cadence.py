"""The coach dashboard shows each team's session cadence: sessions held, weeks since the
latest, and who came to it as a count (completion, never content); a team that has not met
for four weeks is flagged."""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse

from coaching.models import SessionAttendance, TeamSession
from coaching.services import do_end_session, do_schedule_session
from tests.coaching.test_coach_record import run_a_session_with_interventions
from tests.conftest import Cast

HELD = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


def test_the_coach_sees_weeks_since_the_last_session_and_its_attendance(cast: Cast) -> None:
    with time_machine.travel(HELD - datetime.timedelta(days=1), tick=False):
        session = do_schedule_session(
            team=cast.team,
            by=cast.coach,
            starts_at=HELD,
            duration=datetime.timedelta(hours=1),
            place="Room 4",
            agenda="A canary agenda",
        )
    SessionAttendance.objects.filter(session=session, user=cast.participant).update(attended=True)
    SessionAttendance.objects.filter(session=session, user=cast.teammate).update(attended=False)
    with time_machine.travel(HELD + datetime.timedelta(hours=1), tick=False):
        do_end_session(session=session, by=cast.coach)
    assert TeamSession.objects.get().status == TeamSession.Status.DONE

    url = reverse("dashboards:coach_dashboard", args=[cast.program.pk])
    with time_machine.travel(HELD + datetime.timedelta(weeks=2), tick=False):
        page = cast.client_for("coach").get(url)
    assert "1 held; the latest 2 weeks ago (2 Nov 2026), 1 of 2 members there" in page.text
    assert "No team session for" not in page.text
    assert "A canary agenda" not in page.text

    with time_machine.travel(HELD + datetime.timedelta(weeks=5), tick=False):
        page = cast.client_for("coach").get(url)
    assert "No team session for 5 weeks." in page.text


def test_attendance_shows_on_the_team_page_as_counts_to_the_coach_and_admins_only(
    cast: Cast,
) -> None:
    with time_machine.travel(HELD - datetime.timedelta(days=1), tick=False):
        session = do_schedule_session(
            team=cast.team,
            by=cast.coach,
            starts_at=HELD,
            duration=datetime.timedelta(hours=1),
            place="Room 4",
        )
    SessionAttendance.objects.filter(session=session, user=cast.participant).update(attended=True)
    with time_machine.travel(HELD + datetime.timedelta(hours=1), tick=False):
        do_end_session(session=session, by=cast.coach)
    url = reverse("teams:detail", args=[cast.team.pk])
    for who in ("coach", "program_admin"):
        assert "2 Nov 2026: 1 of 2 members" in cast.client_for(who).get(url).text
    for who in ("participant", "teammate", "sponsor"):
        assert "1 of 2 members" not in cast.client_for(who).get(url).text


def test_members_and_the_coach_find_past_sessions_on_the_team_page(cast: Cast) -> None:
    with time_machine.travel(HELD - datetime.timedelta(days=1), tick=False):
        session = do_schedule_session(
            team=cast.team,
            by=cast.coach,
            starts_at=HELD,
            duration=datetime.timedelta(hours=1),
            place="Room 4",
        )
    TeamSession.objects.filter(pk=session.pk).update(question="Why do discharges wait?")
    with time_machine.travel(HELD + datetime.timedelta(hours=1), tick=False):
        do_end_session(session=session, by=cast.coach)
    url = reverse("teams:detail", args=[cast.team.pk])
    record = reverse("coaching:run", args=[session.pk])
    for who in ("participant", "coach"):
        page = cast.client_for(who).get(url).text
        assert record in page
        assert "Why do discharges wait?" in page
    for who in ("sponsor", "program_admin"):
        page = cast.client_for(who).get(url).text
        assert record not in page
        assert "Why do discharges wait?" not in page


def test_the_coach_sees_the_process_share_of_each_session_from_their_own_notes(
    cast: Cast,
) -> None:
    run_a_session_with_interventions(cast)
    url = reverse("dashboards:coach_dashboard", args=[cast.program.pk])
    with time_machine.travel(HELD + datetime.timedelta(weeks=5), tick=False):
        page = cast.client_for("coach").get(url)
    # 20 of the session's 60 minutes were on the process.
    assert "2 Dec: 33%" in page.text
