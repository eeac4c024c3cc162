"""Who held which place on a team, and since when.

Every grant or change of a role (DESIGN.md, privacy rule 7) is written twice, by the
service that makes it: a security event for the installation's operators, and, when it
concerns a team, a `TeamChange` that the team page shows to the people it affects
("Your coach is now …"). The services call these helpers explicitly; nothing here runs
on a signal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from core.models import SecurityEvent
from core.security import record_event, record_events
from programs.models import Membership, User
from teams.models import Team, TeamChange, TeamMember


def record_role_granted(*, membership: Membership, by: User | None, how: str) -> None:
    """A person was given (or given back) a role in a program."""
    record_event(
        SecurityEvent.Kind.ROLE_GRANTED,
        user=membership.user,
        program=membership.program_id,
        role=membership.role,
        how=how,
        by=by.pk if by else None,
        self_granted=by is not None and by.pk == membership.user_id,
    )


def record_role_ended(*, membership: Membership, by: User | None) -> None:
    record_event(
        SecurityEvent.Kind.ROLE_ENDED,
        user=membership.user,
        program=membership.program_id,
        role=membership.role,
        by=by.pk if by else None,
    )


def record_advisor_change(
    *, team: Team, kind: str, person: User | None, previous: User | None, by: User | None
) -> TeamChange:
    """A team's coach or sponsor changed (`kind` is `TeamChange.Kind.COACH` or
    `SPONSOR`); `person` is the new one, None when the place is now empty."""
    record_event(
        SecurityEvent.Kind.ADVISOR_CHANGED,
        user=person,
        team=team.pk,
        place=kind,
        previous=previous.pk if previous else None,
        by=by.pk if by else None,
        self_granted=by is not None and person is not None and by.pk == person.pk,
    )
    return TeamChange.objects.create(
        team=team,
        kind=kind,
        person=person,
        previous=previous,
        by=by,
        changed_at=timezone.now(),
    )


def record_member_moved(
    *, user: User, left: Team | None, joined: Team | None, by: User | None
) -> None:
    """A participant was placed on a team, moved from one to another or taken off one."""
    if left is None and joined is None:
        return
    record_event(
        SecurityEvent.Kind.TEAM_MEMBER_MOVED,
        user=user,
        left_team=left.pk if left else None,
        joined_team=joined.pk if joined else None,
        by=by.pk if by else None,
    )
    now = timezone.now()
    TeamChange.objects.bulk_create(
        [
            TeamChange(team=team, kind=kind, person=user, by=by, changed_at=now)
            for team, kind in ((left, TeamChange.Kind.LEFT), (joined, TeamChange.Kind.JOINED))
            if team is not None
        ]
    )


def record_members_placed(*, members: list[TeamMember], by: User | None, how: str) -> None:
    """Many participants placed on teams at once (a proposal applied, a people import):
    one security event and one team change each, written in two queries."""
    now = timezone.now()
    people = User.objects.in_bulk([member.user_id for member in members])
    record_events(
        SecurityEvent.Kind.TEAM_MEMBER_MOVED,
        [
            (
                people.get(member.user_id),
                {
                    "left_team": None,
                    "joined_team": member.team_id,
                    "by": by.pk if by else None,
                    "how": how,
                },
            )
            for member in members
        ],
    )
    TeamChange.objects.bulk_create(
        TeamChange(
            team_id=member.team_id,
            kind=TeamChange.Kind.JOINED,
            person_id=member.user_id,
            by=by,
            changed_at=now,
        )
        for member in members
    )


@dataclass(frozen=True)
class AdvisorSince:
    """The team's current coach or sponsor and since when they hold the place (None when
    the history does not say: they were set before changes were recorded)."""

    label: str
    person: User | None
    change: TeamChange | None


def team_history(team: Team, *, limit: int = 8) -> list[TeamChange]:
    """The team's latest changes, newest first, with the people named."""
    return list(TeamChange.objects.filter(team=team).select_related("person", "previous")[:limit])


def advisors_since(team: Team, history: list[TeamChange]) -> list[AdvisorSince]:
    """The coach and the sponsor with the change that made them so, if it is among the
    `history` rows (the latest changes)."""
    rows = []
    for label, kind, person_id, person in (
        ("coach", TeamChange.Kind.COACH, team.coach_id, team.coach),
        ("sponsor", TeamChange.Kind.SPONSOR, team.sponsor_id, team.sponsor),
    ):
        latest = next((c for c in history if c.kind == kind), None)
        change = latest if latest is not None and latest.person_id == person_id else None
        rows.append(AdvisorSince(label=label, person=person, change=change))
    return rows
