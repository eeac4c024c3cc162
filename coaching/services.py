"""Writes for team sessions: scheduling and changing a session."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from coaching.events import SessionScheduled
from coaching.models import SessionAttendance, TeamSession
from core.events import announce
from programs.models import Role, User
from teams.models import Team, TeamMember


def session_members(team: Team) -> list[User]:
    """The team's members who are active participants of its program: those expected at
    its sessions."""
    return list(
        User.objects.filter(
            pk__in=TeamMember.objects.filter(team=team).values("user_id"),
            memberships__program_id=team.cohort.program_id,
            memberships__role=Role.PARTICIPANT,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _announce(session: TeamSession, by: User) -> None:
    team = session.team
    announce(
        SessionScheduled(
            session_id=session.pk,
            team_id=team.pk,
            team_name=team.name,
            program_id=team.cohort.program_id,
            starts_at=session.starts_at.astimezone(datetime.UTC).isoformat(),
            sequence=session.sequence,
            by_id=by.pk,
        )
    )


@transaction.atomic
def do_schedule_session(
    *,
    team: Team,
    by: User,
    starts_at: datetime.datetime,
    duration: datetime.timedelta,
    place: str = "",
    video_link: str = "",
    agenda: str = "",
    now: datetime.datetime | None = None,
) -> TeamSession:
    """Schedule a session of the team; each current member is expected at it, and the
    members and advisors are told and sent a calendar invitation (`SessionScheduled`)."""
    now = now or timezone.now()
    session = TeamSession.objects.create(
        team=team,
        starts_at=starts_at,
        duration=duration,
        ends_at=starts_at + duration,
        place=place,
        video_link=video_link,
        agenda=agenda,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, user=member) for member in session_members(team)]
    )
    _announce(session, by)
    return session


@transaction.atomic
def do_change_session(
    *,
    session: TeamSession,
    by: User,
    starts_at: datetime.datetime,
    duration: datetime.timedelta,
    place: str,
    video_link: str,
    agenda: str,
    now: datetime.datetime | None = None,
) -> TeamSession:
    """Move or change a planned session. The attendees' calendars get an update of the
    same event (same UID, a higher SEQUENCE); nothing is sent when nothing changed."""
    session = (
        TeamSession.objects.select_for_update().select_related("team__cohort").get(pk=session.pk)
    )
    if session.status != TeamSession.Status.PLANNED:
        raise ValueError("Only a session that has not started can be changed.")
    new = {
        "starts_at": starts_at,
        "duration": duration,
        "place": place,
        "video_link": video_link,
        "agenda": agenda,
    }
    if all(getattr(session, name) == value for name, value in new.items()):
        return session
    for name, value in new.items():
        setattr(session, name, value)
    session.ends_at = starts_at + duration
    session.sequence += 1
    session.updated_at = now or timezone.now()
    session.save()
    _announce(session, by)
    return session
