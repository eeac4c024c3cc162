"""Calendar invitations for team sessions, as iTIP requests (RFC 5546).

Every member and advisor of the team gets one email with the session as a
`METHOD:REQUEST` calendar: the organizer is whoever scheduled the session, every
invitee is an attendee, the UID is the session's own (so a calendar updates its event
rather than adding a second one) and SEQUENCE counts the changes. Times are written in
UTC; each email's text gives the time on its reader's clock.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import mailers
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from coaching.events import SessionScheduled
from coaching.models import TeamSession
from coaching.services import session_members
from core.mail import BulkEmail, compose_email
from core.text import one_line
from programs.models import User


def invitees(session: TeamSession) -> list[User]:
    """The team's active members, its coach and its sponsor (each once)."""
    team = session.team
    people = session_members(team)
    for advisor in (team.coach, team.sponsor):
        if advisor is not None and advisor.is_active and advisor not in people:
            people.append(advisor)
    return people


def _address(user: User, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(one_line(user.display_name))
    if role:
        address.params["role"] = vText(role)
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
    return address


def session_calendar(session: TeamSession, *, now: datetime.datetime) -> bytes:
    """The session as an iTIP request: one VEVENT with ORGANIZER, the ATTENDEEs, a stable
    UID and the session's SEQUENCE."""
    team = session.team
    url = settings.SITE_URL + reverse("coaching:detail", args=[session.pk])
    description = [f"{team.name}: action learning session.", f"Session page: {url}"]
    if session.video_link:
        description.insert(1, f"Video link: {session.video_link}")
    if session.agenda:
        description.insert(1, f"Agenda:\n{session.agenda}")
    event = Event.new(
        uid=session.uid,
        summary=one_line(f"{team.name} · action learning session"),
        start=session.starts_at.astimezone(datetime.UTC),
        end=session.ends_at.astimezone(datetime.UTC),
        stamp=now.astimezone(datetime.UTC),
        sequence=session.sequence,
        description="\n\n".join(description),
        url=url,
    )
    location = session.place or session.video_link
    if location:
        event.add("location", one_line(location))
    event.add("status", "CONFIRMED")
    organizer = session.created_by
    if organizer is not None:
        event.add("organizer", _address(organizer))
    for person in invitees(session):
        event.add("attendee", _address(person, "REQ-PARTICIPANT"), encode=False)
    calendar = Calendar.new(prodid="-//ActionLab//Team session//EN", method="REQUEST")
    calendar.add_component(event)
    return calendar.to_ical()


def invitation_message(session: TeamSession, person: User, calendar: bytes) -> BulkEmail:
    """One invitee's email: the time on their clock in the text, the calendar request."""
    team = session.team
    starts = timezone.localtime(session.starts_at, person.zone)
    context = {
        "person": person,
        "session": session,
        "team": team,
        "starts": starts,
        "ends": timezone.localtime(session.ends_at, person.zone),
        "changed": session.sequence > 0,
        "url": settings.SITE_URL + reverse("coaching:detail", args=[session.pk]),
    }
    verb = "Changed: " if session.sequence else ""
    message = compose_email(
        subject=f"{verb}{team.name} session on {starts:%a} {starts.day} {starts:%b %Y}",
        text_template="coaching/email/invitation.txt",
        context=context,
        to=[person.email],
    )
    message.attach_alternative(calendar.decode(), "text/calendar; method=REQUEST")
    message.attach("invite.ics", calendar, "application/ics")
    return message


def do_send_invitations(*, session_id: int, sequence: int) -> int:
    """Email the calendar request of one version of a session to all its invitees (whoever
    scheduled it too: their calendar needs the event as well). A version already
    replaced by a later change is not sent (its update follows). Returns how many emails
    were sent."""
    session = (
        TeamSession.objects.select_related("team__coach", "team__sponsor", "created_by")
        .filter(pk=session_id, sequence=sequence)
        .first()
    )
    if session is None:
        return 0
    calendar = session_calendar(session, now=timezone.now())
    messages = [invitation_message(session, person, calendar) for person in invitees(session)]
    return mailers.default.send_messages(messages) or 0


def invite_after_commit(event: SessionScheduled) -> None:
    """Hand the invitations to a worker (subscribed after commit: loading the demo sends
    none)."""
    from coaching.tasks import send_invitations

    send_invitations.delay(event.session_id, event.sequence)
