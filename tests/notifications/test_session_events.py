"""A scheduled or moved team session tells the team's members and advisors, each with the
time on their own clock, and nobody else: not whoever scheduled it, not the program admin,
not another team, not a member who has left."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coaching.services import do_change_session, do_schedule_session
from notifications.kinds import Kind
from notifications.models import Notification
from programs.models import Membership
from tests import factories as f
from tests.conftest import Cast

STARTS = datetime.datetime(2026, 12, 10, 19, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)):
        yield


def subjects() -> dict[str, str]:
    return {
        n.recipient.email: n.subject
        for n in Notification.objects.filter(kind=Kind.SESSION_SCHEDULED).select_related(
            "recipient"
        )
    }


def test_a_scheduled_session_tells_the_team_and_its_advisors_on_their_own_clocks(
    cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    cast.teammate.time_zone = "Europe/Berlin"
    cast.teammate.save(update_fields=["time_zone"])
    # A member who has left the program is still on the team's list, but hears nothing.
    left = f.add_participant(cast.team)
    Membership.objects.filter(user=left).update(is_active=False, ended_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        session = do_schedule_session(
            team=cast.team,
            by=cast.participant,
            starts_at=STARTS,
            duration=datetime.timedelta(hours=1),
            place="Room 4",
        )

    assert subjects() == {
        cast.teammate.email: "Flow Forward meets on Thu 10 Dec 2026, 20:00 (Europe/Berlin)",
        cast.coach.email: "Flow Forward meets on Thu 10 Dec 2026, 19:00 (UTC)",
        cast.sponsor.email: "Flow Forward meets on Thu 10 Dec 2026, 19:00 (UTC)",
    }
    link = reverse("coaching:detail", args=[session.pk])
    assert set(
        Notification.objects.filter(kind=Kind.SESSION_SCHEDULED).values_list("link", flat=True)
    ) == {link}

    # Moving it tells them again; the coach who moved it is not told.
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        do_change_session(
            session=session,
            by=cast.coach,
            starts_at=STARTS + datetime.timedelta(days=1),
            duration=datetime.timedelta(hours=1),
            place="Room 4",
            video_link="",
            agenda="",
        )
    moved = Notification.objects.filter(
        kind=Kind.SESSION_SCHEDULED, subject__contains="moved its session"
    )
    assert {n.recipient for n in moved} == {cast.participant, cast.teammate, cast.sponsor}
    assert moved.get(recipient=cast.teammate).subject == (
        "Flow Forward moved its session to Fri 11 Dec 2026, 20:00 (Europe/Berlin)"
    )
