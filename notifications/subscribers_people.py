"""Who hears what happens to people, their writing and their teams (the events announced
by `reflections`, `teams` and `programs`), with what subject and which link.

Each handler runs once the announcer's transaction has committed and tells only the
people the event names: the readers a share added to a piece of writing's audience, the
members of a team asked for its pulse, the person given a place or a role. Nobody is told
of their own step, and `do_notify` leaves out whoever is no longer an active member of
the program. A subject names people, teams, programs and weeks; no title or word of
anyone's writing ever reaches a notification.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse

from coaching.events import PulseOpened, SessionRecordShared, SessionScheduled
from coaching.models import TeamSession
from core.events import subscribe
from notifications.kinds import Kind
from notifications.services import do_notify
from programs.events import RoleEnded, RoleGranted
from programs.models import Program, Role, User
from reflections.events import (
    CheckInShared,
    PartnerNamed,
    ReflectionShared,
    TeamReflectionShared,
)
from teams.events import AdvisorAssigned
from teams.models import TeamChange

# A role given by these paths is the person's own doing (accepting an invitation,
# creating a program): they know already.
OWN_GRANTS = frozenset({"invitation", "created"})


def _people(ids: Iterable[int], *, besides: int | None = None) -> list[User]:
    return list(User.objects.filter(pk__in=[pk for pk in ids if pk != besides]).order_by("pk"))


def _a_role(role: str) -> str:
    """ "a learning coach", "an executive sponsor"."""
    label = Role(role).label.lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _program(program_id: int) -> Program | None:
    return Program.objects.filter(pk=program_id).first()


def _notify(
    *,
    kind: Kind,
    recipients: list[User],
    program_id: int | None,
    subject: str,
    link: str,
    dedupe_key: str = "",
) -> None:
    if not recipients:
        return
    program = None
    if program_id is not None and (program := _program(program_id)) is None:
        return
    do_notify(
        kind=kind,
        recipients=recipients,
        program=program,
        subject=subject,
        link=link,
        dedupe_key=dedupe_key,
    )


# Writing shared with someone ----------------------------------------------------------


def reflection_shared(event: ReflectionShared) -> None:
    """The coach, or the team and its coach, hear that an entry was shared with them."""
    _notify(
        kind=Kind.SHARED_WITH_YOU,
        recipients=_people(event.reader_ids, besides=event.author_id),
        program_id=event.program_id,
        subject=f"{event.author_name} shared a journal entry with you",
        link=reverse("reflections:detail", args=[event.reflection_id]),
        dedupe_key=f"reflection:{event.reflection_id}",
    )


def checkin_shared(event: CheckInShared) -> None:
    """The coach or the accountability partner hears that a check-in was shared."""
    _notify(
        kind=Kind.SHARED_WITH_YOU,
        recipients=_people(event.reader_ids, besides=event.author_id),
        program_id=event.program_id,
        subject=f"{event.author_name} shared their check-in for {event.week} with you",
        link=reverse("reflections:checkin_detail", args=[event.checkin_id]),
        dedupe_key=f"checkin:{event.checkin_id}",
    )


def team_reflection_shared(event: TeamReflectionShared) -> None:
    """The team, its coach and (when the team shares it) its sponsor hear of a team
    reflection; whoever saved it is not told."""
    _notify(
        kind=Kind.SHARED_WITH_YOU,
        recipients=_people(event.reader_ids, besides=event.by_id),
        program_id=event.program_id,
        subject=f"{event.team_name} shared a team reflection with you",
        link=reverse("reflections:team_detail", args=[event.team_reflection_id]),
        dedupe_key=f"team_reflection:{event.team_reflection_id}",
    )


def partner_named(event: PartnerNamed) -> None:
    """A member of the program named as someone's accountability partner hears of it."""
    _notify(
        kind=Kind.PARTNER_NAMED,
        recipients=_people([event.partner_id], besides=event.person_id),
        program_id=event.program_id,
        subject=f"{event.person_name} named you their accountability partner",
        link=reverse("reflections:shared", args=[event.program_id]),
        dedupe_key=f"plan:{event.plan_id}:partner",
    )


# Teams ------------------------------------------------------------------------------------


def pulse_opened(event: PulseOpened) -> None:
    """The team's members (active participants) are asked to answer the pulse; whoever
    opened it is not told."""
    members = User.objects.filter(
        team_memberships__team_id=event.team_id,
        memberships__program_id=event.program_id,
        memberships__role=Role.PARTICIPANT,
        memberships__is_active=True,
    ).exclude(pk=event.by_id)
    meeting = datetime.date.fromisoformat(event.meeting_on)
    _notify(
        kind=Kind.PULSE_OPENED,
        recipients=list(members.distinct().order_by("pk")),
        program_id=event.program_id,
        subject=f"{event.team_name}: a pulse on your meeting of {meeting.day} {meeting:%B %Y}",
        link=reverse("coaching:pulse_answer", args=[event.survey_id]),
        dedupe_key=f"pulse:{event.survey_id}",
    )


def session_scheduled(event: SessionScheduled) -> None:
    """The team's members and advisors hear that a session was scheduled or moved, with
    its time on each one's own clock; whoever did it is not told (their calendar gets the
    invitation all the same)."""
    session = TeamSession.objects.select_related("team").filter(pk=event.session_id).first()
    if session is None or session.sequence != event.sequence:
        return  # a later change of the session tells them again
    team = session.team
    ids = set(
        User.objects.filter(
            team_memberships__team_id=event.team_id,
            memberships__program_id=event.program_id,
            memberships__role=Role.PARTICIPANT,
            memberships__is_active=True,
        ).values_list("pk", flat=True)
    )
    ids.update(pk for pk in (team.coach_id, team.sponsor_id) if pk is not None)
    what = "moved its session to" if event.sequence else "meets on"
    for person in _people(sorted(ids), besides=event.by_id):
        starts = session.starts_at.astimezone(person.zone)
        _notify(
            kind=Kind.SESSION_SCHEDULED,
            recipients=[person],
            program_id=event.program_id,
            subject=(
                f"{event.team_name} {what} {starts:%a} {starts.day} {starts:%b %Y}, "
                f"{starts:%H:%M} ({person.time_zone})"
            ),
            link=reverse("coaching:detail", args=[event.session_id]),
            dedupe_key=f"session:{event.session_id}:{event.sequence}",
        )


def session_record_shared(event: SessionRecordShared) -> None:
    """The team's active members hear that the coach shared a session's record (the
    figures; the notification names the team and the session's day, nothing written)."""
    session = TeamSession.objects.filter(pk=event.session_id).first()
    if session is None or session.record_shared_at is None:
        return  # shared and hidden again before anyone was told
    ids = User.objects.filter(
        team_memberships__team_id=event.team_id,
        memberships__program_id=event.program_id,
        memberships__role=Role.PARTICIPANT,
        memberships__is_active=True,
    ).values_list("pk", flat=True)
    for person in _people(sorted(set(ids)), besides=event.by_id):
        day = session.starts_at.astimezone(person.zone)
        _notify(
            kind=Kind.SHARED_WITH_YOU,
            recipients=[person],
            program_id=event.program_id,
            subject=(
                f"Your coach shared the record of {event.team_name}'s session of "
                f"{day.day} {day:%b %Y}"
            ),
            link=reverse("coaching:detail", args=[event.session_id]),
            dedupe_key=f"session_record:{event.session_id}",
        )


def advisor_assigned(event: AdvisorAssigned) -> None:
    """The person made a team's coach or sponsor hears of it, unless they did it."""
    place = "learning coach" if event.place == TeamChange.Kind.COACH else "executive sponsor"
    _notify(
        kind=Kind.ADVISOR_ASSIGNED,
        recipients=_people([event.person_id], besides=event.by_id),
        program_id=event.program_id,
        subject=f"You are now the {place} of {event.team_name}",
        link=reverse("teams:detail", args=[event.team_id]),
        dedupe_key=f"team_change:{event.change_id}",
    )


# Roles ------------------------------------------------------------------------------------


def role_granted(event: RoleGranted) -> None:
    """The person given (or given back) a role hears of it, unless it was their own
    doing."""
    if event.how in OWN_GRANTS:
        return
    _notify(
        kind=Kind.ROLE_CHANGED,
        recipients=_people([event.user_id], besides=event.by_id),
        program_id=event.program_id,
        subject=f"You are now {_a_role(event.role)} in {event.program_name}",
        link=reverse("home"),
    )


def role_ended(event: RoleEnded) -> None:
    """The person whose role ended hears of it, though they may no longer be a member:
    the notification belongs to no program, so that it reaches them."""
    _notify(
        kind=Kind.ROLE_CHANGED,
        recipients=_people([event.user_id], besides=event.by_id),
        program_id=None,
        subject=f"You are no longer {_a_role(event.role)} in {event.program_name}",
        link=reverse("home"),
    )


def register() -> None:
    """Subscribe the handlers above, each to run after the announcer's commit (called from
    `NotificationsConfig.ready`)."""
    subscribe(ReflectionShared, reflection_shared, after_commit=True)
    subscribe(CheckInShared, checkin_shared, after_commit=True)
    subscribe(TeamReflectionShared, team_reflection_shared, after_commit=True)
    subscribe(PartnerNamed, partner_named, after_commit=True)
    subscribe(PulseOpened, pulse_opened, after_commit=True)
    subscribe(AdvisorAssigned, advisor_assigned, after_commit=True)
    subscribe(SessionScheduled, session_scheduled, after_commit=True)
    subscribe(SessionRecordShared, session_record_shared, after_commit=True)
    subscribe(RoleGranted, role_granted, after_commit=True)
    subscribe(RoleEnded, role_ended, after_commit=True)
