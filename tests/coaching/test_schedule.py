"""A member or the coach schedules the team's sessions from the team page; everyone on the
team sees the next one on their own clock."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from coaching.models import SessionAttendance, TeamSession
from coaching.services import do_change_session, do_schedule_session
from tests.conftest import Cast

GOOD = {
    "date": "2026-12-10",
    "time": "14:00",
    "minutes": "90",
    "place": "Board room, Tower B",
    "video_link": "",
    "agenda": "Check-in, then our question: why do discharges wait for the pharmacy?",
}


def test_a_member_schedules_a_session_and_each_reader_sees_it_on_their_own_clock(
    zoned_cast: Cast, now: datetime.datetime, committed: Callable[[], Any]
) -> None:
    cast = zoned_cast
    participant = cast.client_for("participant")
    team_page = participant.get(reverse("teams:detail", args=[cast.team.pk]))
    assert "No session planned." in team_page.text
    assert reverse("coaching:schedule", args=[cast.team.pk]) in team_page.text

    with committed():
        response = participant.post(
            reverse("coaching:schedule", args=[cast.team.pk]), GOOD, follow=True
        )

    session = TeamSession.objects.get(team=cast.team)
    # 14:00 in New York in December is 19:00 UTC.
    assert session.starts_at == datetime.datetime(2026, 12, 10, 19, 0, tzinfo=datetime.UTC)
    assert session.ends_at - session.starts_at == datetime.timedelta(minutes=90)
    assert "Session scheduled for Thursday 10 December 2026 at 14:00" in response.text
    assert "Board room, Tower B" in response.text
    assert {row.user for row in SessionAttendance.objects.filter(session=session)} == {
        cast.participant,
        cast.teammate,
    }

    berlin = cast.client_for("teammate").get(reverse("teams:detail", args=[cast.team.pk]))
    assert "Thursday 10 December 2026, 20:00" in berlin.text
    assert "(Europe/Berlin)" in berlin.text
    assert "Board room, Tower B" in berlin.text
    coach = cast.client_for("coach").get(reverse("teams:detail", args=[cast.team.pk]))
    assert "Thursday 10 December 2026, 19:00" in coach.text


def test_the_sponsor_and_the_program_admin_see_when_but_do_not_schedule(
    zoned_cast: Cast, now: datetime.datetime
) -> None:
    cast = zoned_cast
    do_schedule_session(
        team=cast.team,
        by=cast.participant,
        starts_at=datetime.datetime(2026, 12, 10, 19, 0, tzinfo=datetime.UTC),
        duration=datetime.timedelta(hours=1),
        place="Board room",
    )
    schedule_url = reverse("coaching:schedule", args=[cast.team.pk])
    sponsor = cast.client_for("sponsor").get(reverse("teams:detail", args=[cast.team.pk]))
    assert "Thursday 10 December 2026, 19:00" in sponsor.text
    assert schedule_url not in sponsor.text
    admin = cast.client_for("program_admin").get(reverse("teams:detail", args=[cast.team.pk]))
    assert "Thursday 10 December 2026, 19:00" in admin.text
    # The admin sees that the team meets, not where or about what.
    assert "Board room" not in admin.text
    assert schedule_url not in admin.text


def test_bad_times_get_a_clear_error_and_schedule_nothing(
    zoned_cast: Cast, now: datetime.datetime
) -> None:
    client = zoned_cast.client_for("participant")
    url = reverse("coaching:schedule", args=[zoned_cast.team.pk])
    cases = {
        "Choose a time in the future.": {**GOOD, "date": "2026-12-01"},
        "Give a place or a video link.": {**GOOD, "place": ""},
        # New York's clocks go from 02:00 to 03:00 on 14 March 2027.
        "02:30 does not exist on that day in America/New_York": {
            **GOOD,
            "date": "2027-03-14",
            "time": "02:30",
        },
        "Enter a valid URL.": {**GOOD, "video_link": "not a link at all"},
    }
    for error, data in cases.items():
        response = client.post(url, data)
        assert response.status_code == 400
        assert error in response.text
    assert not TeamSession.objects.exists()


def test_moving_a_session_raises_its_sequence_and_an_unchanged_save_does_not(
    zoned_cast: Cast, now: datetime.datetime
) -> None:
    cast = zoned_cast
    session = do_schedule_session(
        team=cast.team,
        by=cast.participant,
        starts_at=datetime.datetime(2026, 12, 10, 19, 0, tzinfo=datetime.UTC),
        duration=datetime.timedelta(minutes=90),
        place="Board room, Tower B",
        agenda=GOOD["agenda"],
    )
    client = cast.client_for("coach")
    url = reverse("coaching:change", args=[session.pk])
    form = client.get(url)
    # The form shows the coach's own clock (UTC).
    assert 'value="19:00"' in form.text

    same = client.post(url, {**GOOD, "time": "19:00"}, follow=True)
    assert "Nothing changed." in same.text
    session.refresh_from_db()
    assert session.sequence == 0

    moved = client.post(url, {**GOOD, "date": "2026-12-11", "time": "15:00"}, follow=True)
    assert "Session changed: Friday 11 December 2026 at 15:00" in moved.text
    session.refresh_from_db()
    assert session.sequence == 1
    assert session.starts_at == datetime.datetime(2026, 12, 11, 15, 0, tzinfo=datetime.UTC)


def test_a_session_that_has_started_can_no_longer_be_moved(
    cast: Cast, now: datetime.datetime
) -> None:
    session = do_schedule_session(
        team=cast.team,
        by=cast.participant,
        starts_at=datetime.datetime(2026, 12, 10, 19, 0, tzinfo=datetime.UTC),
        duration=datetime.timedelta(minutes=90),
        place="Room 1",
    )
    TeamSession.objects.filter(pk=session.pk).update(status=TeamSession.Status.RUNNING)
    response = cast.client_for("participant").get(
        reverse("coaching:change", args=[session.pk]), follow=True
    )
    assert "This session has started: it can no longer be moved." in response.text
    with pytest.raises(ValueError, match="has not started"):
        do_change_session(
            session=session,
            by=cast.participant,
            starts_at=session.starts_at,
            duration=session.duration,
            place="Room 2",
            video_link="",
            agenda="",
        )
    assert TeamSession.objects.get(pk=session.pk).place == "Room 1"
