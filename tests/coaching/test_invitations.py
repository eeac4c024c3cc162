"""The calendar invitation of a team session follows iTIP (RFC 5546): a METHOD:REQUEST
calendar with the organizer and every invitee as an attendee, one UID for the session
for ever, and a SEQUENCE raised by every change, so that a calendar moves its event
instead of adding a second one."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.urls import reverse
from icalendar import Calendar

from coaching.services import do_change_session, do_schedule_session
from core.events import quiet
from tests.conftest import Cast

STARTS = datetime.datetime(2026, 12, 10, 19, 0, tzinfo=datetime.UTC)


def calendar_of(message: EmailMessage) -> Calendar:
    (attachment,) = [a for a in message.attachments if a.filename == "invite.ics"]
    content = attachment.content
    calendar = Calendar.from_ical(content if isinstance(content, bytes) else content.encode())
    # The same request is the message's calendar part, for mail programs that show a
    # "yes / no / maybe" bar.
    (alternative,) = [a for a in message.alternatives if a.mimetype.startswith("text/calendar")]
    assert "method=REQUEST" in alternative.mimetype
    assert Calendar.from_ical(alternative.content) == calendar
    return calendar


def invitations(mailoutbox: list[EmailMessage]) -> list[EmailMessage]:
    """The calendar invitations among the emails (the notifications are others)."""
    return [m for m in mailoutbox if any(a.filename == "invite.ics" for a in m.attachments)]


def schedule(cast: Cast) -> Any:
    return do_schedule_session(
        team=cast.team,
        by=cast.participant,
        starts_at=STARTS,
        duration=datetime.timedelta(minutes=90),
        place="Board room, Tower B",
        agenda="Why do discharges wait for the pharmacy?",
    )


def test_each_member_and_advisor_gets_one_itip_request(
    zoned_cast: Cast,
    now: datetime.datetime,
    committed: Callable[[], Any],
    mailoutbox: list[EmailMessage],
) -> None:
    cast = zoned_cast
    with committed():
        session = schedule(cast)

    sent = invitations(mailoutbox)
    invited = {cast.participant, cast.teammate, cast.coach, cast.sponsor}
    assert sorted(m.to[0] for m in sent) == sorted(p.email for p in invited)
    for message in sent:
        calendar = calendar_of(message)
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.events
        assert str(event["UID"]) == f"team-session-{session.pk}@actionlab"
        assert event["SEQUENCE"] == 0
        assert event.start == STARTS
        assert event.end == STARTS + datetime.timedelta(minutes=90)
        assert str(event["ORGANIZER"]) == f"mailto:{cast.participant.email}"
        assert event["ORGANIZER"].params["CN"] == cast.participant.display_name
        attendees = event["ATTENDEE"]
        assert {str(a) for a in attendees} == {f"mailto:{p.email}" for p in invited}
        assert all(a.params["PARTSTAT"] == "NEEDS-ACTION" for a in attendees)
        assert str(event["LOCATION"]) == "Board room, Tower B"

    # Each reader gets the time on their own clock in the email's text.
    by_address = {m.to[0]: m for m in sent}
    assert "Thursday 10 December 2026, 14:00 to 15:30 (America/New_York)" in (
        by_address[cast.participant.email].body
    )
    assert "Thursday 10 December 2026, 20:00 to 21:30 (Europe/Berlin)" in (
        by_address[cast.teammate.email].body
    )


def test_a_moved_session_keeps_its_uid_and_raises_its_sequence(
    zoned_cast: Cast,
    now: datetime.datetime,
    committed: Callable[[], Any],
    mailoutbox: list[EmailMessage],
) -> None:
    cast = zoned_cast
    with committed():
        session = schedule(cast)
    first = calendar_of(invitations(mailoutbox)[0]).events[0]
    mailoutbox.clear()

    later = STARTS + datetime.timedelta(days=1)
    with committed():
        do_change_session(
            session=session,
            by=cast.coach,
            starts_at=later,
            duration=datetime.timedelta(hours=2),
            place="Board room, Tower B",
            video_link="",
            agenda=session.agenda,
        )

    moved = invitations(mailoutbox)
    assert len(moved) == 4
    for message in moved:
        assert message.subject.startswith("Changed: Flow Forward session on Fri 11 Dec 2026")
        (event,) = calendar_of(message).events
        assert event["UID"] == first["UID"]
        assert event["SEQUENCE"] == 1
        assert event.start == later
        # The organizer stays whoever scheduled the session, whoever moved it.
        assert event["ORGANIZER"] == first["ORGANIZER"]


def test_the_downloaded_calendar_is_the_same_request(cast: Cast, now: datetime.datetime) -> None:
    session = schedule(cast)
    response = cast.client_for("sponsor").get(reverse("coaching:calendar", args=[session.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "REQUEST"
    assert str(calendar.events[0]["UID"]) == f"team-session-{session.pk}@actionlab"


def test_sessions_loaded_quietly_invite_nobody(
    cast: Cast,
    now: datetime.datetime,
    committed: Callable[[], Any],
    mailoutbox: list[EmailMessage],
) -> None:
    with committed(), quiet():
        schedule(cast)
    assert mailoutbox == []
