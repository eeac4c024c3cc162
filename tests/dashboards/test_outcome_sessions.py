"""The outcome report counts each team's sessions held in the app and their attendance
(members who came of those expected), on its project cards and in its CSV; a session
only planned or still running is not counted."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from coaching.models import TeamSession
from coaching.services import (
    do_end_session,
    do_record_attendance,
    do_schedule_session,
    do_start_session,
)
from programs.models import User
from teams.models import Team
from tests.conftest import Cast

DAY = datetime.datetime(2026, 11, 2, 14, 0, tzinfo=datetime.UTC)


def held(team: Team, coach: User, present: list[User], *, weeks: int) -> TeamSession:
    session = do_schedule_session(
        team=team,
        by=coach,
        starts_at=DAY + datetime.timedelta(weeks=weeks),
        duration=datetime.timedelta(minutes=90),
        place="Room 4",
    )
    do_start_session(session=session, by=coach)
    do_record_attendance(session=session, present=present)
    do_end_session(session=session, by=coach)
    return session


@pytest.fixture
def sessions(cast: Cast) -> Cast:
    with time_machine.travel(DAY - datetime.timedelta(days=1), tick=False):
        # Two members on the team: both come to the first session, one to the second.
        held(cast.team, cast.coach, [cast.participant, cast.teammate], weeks=0)
        held(cast.team, cast.coach, [cast.participant], weeks=2)
        # Planned, not held: not counted.
        do_schedule_session(
            team=cast.team,
            by=cast.coach,
            starts_at=DAY + datetime.timedelta(weeks=4),
            duration=datetime.timedelta(minutes=60),
        )
    return cast


def test_each_card_counts_the_sessions_held_and_their_attendance(sessions: Cast) -> None:
    response = sessions.client_for("program_admin").get(
        reverse("dashboards:report", args=[sessions.program.pk])
    )
    assert response.status_code == 200
    assert (
        "2 sessions held in the app; attendance 3 of 4 expected (75%)."
        in response.content.decode()
    )
    # The other team has held none.
    assert "No session held in the app yet." in response.content.decode()


def test_the_csv_counts_sessions_and_attendance_per_team(sessions: Cast) -> None:
    response = sessions.client_for("program_admin").get(
        reverse("dashboards:report_csv", args=[sessions.program.pk])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    figures = {
        row[header.index("Team")]: (
            row[header.index("Sessions held")],
            row[header.index("Attendance (members who came)")],
            row[header.index("Attendance (members expected)")],
        )
        for row in rows[1:]
    }
    assert figures[sessions.team.name] == ("2", "3", "4")
    assert figures[sessions.other_team.name] == ("0", "0", "0")
