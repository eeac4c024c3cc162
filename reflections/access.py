"""Fetch-or-404 helpers for journals, team reflections, plans and check-ins.

Personal writing (a reflection, a check-in) is treated as not existing for anyone who may
not read it: 404, whoever they are, exactly as for an id that does not exist. Pages that
are not one person's object (a program's journal pages, a team's reflections) follow
DESIGN.md's rule 5: an outsider to the program gets 404, a member without the right 403.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404

from programs.access import check_roles, memberships_in
from programs.models import Program, Role, User, zone_or_site
from reflections.models import CheckIn, Reflection, TeamReflection
from teams.access import TeamAccess, get_team_for_user, team_access
from teams.models import TeamMember

PARTICIPANTS = frozenset({Role.PARTICIPANT})
RECEIVERS = frozenset({Role.PARTICIPANT, Role.COACH})

FOR_PARTICIPANTS = (
    "The journal, the Be Better Now plan and the weekly check-in belong to the program's "
    "participants."
)
FOR_RECEIVERS = (
    "Participants share entries with their teammates and learning coach; your role in this "
    "program receives none."
)
TEAM_REFLECTION_READERS = (
    "Team reflections are read by the team and its learning coach, and by its executive "
    "sponsor only when the team shares an entry."
)
TEAM_REFLECTION_WRITERS = "Only the team's members write and edit its reflections."
NOT_IN_AUDIENCE = (
    "This team reflection was last saved before you joined the team or took your role on "
    "it, so it was not shared with you. You can read it once the team saves it again."
)


@dataclass(frozen=True)
class ProgramSpace:
    """The reader's place in a program, with their own time zone there."""

    program: Program
    roles: frozenset[str]
    time_zone: str
    team_id: int | None
    # The program is over (past its last day on the reader's clock, or archived): the
    # reader is in their alumni space.
    ended: bool = False

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zone_or_site(self.time_zone)

    @property
    def is_participant(self) -> bool:
        return Role.PARTICIPANT in self.roles


def get_program_space(
    user: User,
    program_id: int,
    *,
    roles: Collection[str],
    refusal: str,
    alumni: bool = False,
) -> ProgramSpace:
    """The program, the user's active roles, time zone and team in it, in one query.

    Raises Http404 when the user has never been a member of the program (or it does not
    exist), PermissionDenied with `refusal` when none of `roles` is among their active
    roles, and when their membership has ended. With `alumni`, a participant of a program
    that is over (ended or archived) keeps their place, as a participant, unless they had
    left before it ended.
    """
    team = TeamMember.objects.filter(
        user_id=OuterRef("user_id"), cohort__program_id=OuterRef("program_id")
    ).values("team_id")[:1]
    rows = memberships_in(user, program_id, team_id=Subquery(team))
    ended = bool(rows) and rows[0].program.has_ended(user.today())
    active = frozenset(m.role for m in rows if m.is_active)
    if alumni and ended and any(m.keeps_alumni_space for m in rows):
        active |= {Role.PARTICIPANT}
    active = check_roles(user, program_id, active, bool(rows), roles, refusal=refusal)
    program = rows[0].program
    return ProgramSpace(
        program=program,
        roles=active,
        time_zone=user.time_zone,
        team_id=rows[0].team_id,  # type: ignore[attr-defined]
        ended=ended,
    )


def get_personal_space_for_user(user: User, program_id: int) -> ProgramSpace:
    """A participant's own space in the program: journal, plan, check-ins and calendar
    feed. It stays theirs after the program ends or is archived (their alumni space)."""
    return get_program_space(
        user, program_id, roles=PARTICIPANTS, refusal=FOR_PARTICIPANTS, alumni=True
    )


def get_shared_space_for_user(user: User, program_id: int) -> ProgramSpace:
    """The "shared with me" page: for participants (their teammates' entries) and coaches
    (their teams' members' entries)."""
    return get_program_space(user, program_id, roles=RECEIVERS, refusal=FOR_RECEIVERS)


def get_reflection_for_user(user: User, reflection_id: int) -> Reflection:
    """A reflection the user may read (see `ReflectionQuerySet.for_user`); 404 otherwise,
    whoever asks: an entry not shared with someone does not exist for them."""
    found = (
        Reflection.objects.for_user(user)
        .select_related("author", "program__organization", "team__coach", "prompt")
        .filter(pk=reflection_id)
        .first()
    )
    if found is None:
        raise Http404("No such reflection.")
    return found


def get_own_reflection(user: User, reflection_id: int, *, deleted: bool = False) -> Reflection:
    """One of the user's own reflections, live (or, with `deleted`, in the bin); 404 for
    anyone else's."""
    found = (
        Reflection.objects.filter(author=user, pk=reflection_id, deleted_at__isnull=not deleted)
        .select_related("program__organization", "team__coach", "prompt")
        .first()
    )
    if found is None:
        raise Http404("No such reflection.")
    return found


def get_checkin_for_user(user: User, checkin_id: int) -> CheckIn:
    """A check-in whose content the user may read; 404 otherwise."""
    found = (
        CheckIn.objects.for_user(user)
        .select_related("user", "program__organization")
        .filter(pk=checkin_id)
        .first()
    )
    if found is None:
        raise Http404("No such check-in.")
    return found


@dataclass(frozen=True)
class TeamReflectionAccess:
    """Who the reader is to a team's reflections: members write and read all, the coach
    reads all, the sponsor reads only what the team shares."""

    team: TeamAccess
    is_member: bool
    is_coach: bool
    is_sponsor: bool

    @property
    def can_write(self) -> bool:
        return self.is_member

    @property
    def sees_only_shared(self) -> bool:
        return not (self.is_member or self.is_coach)


def _team_reflection_access(team: TeamAccess) -> TeamReflectionAccess:
    # The role must still be held in the program, not only named on the team.
    access = TeamReflectionAccess(
        team=team,
        is_member=team.is_member and Role.PARTICIPANT in team.roles,
        is_coach=team.is_coach and Role.COACH in team.roles,
        is_sponsor=team.is_sponsor and Role.SPONSOR in team.roles,
    )
    if not (access.is_member or access.is_coach or access.is_sponsor):
        raise PermissionDenied(TEAM_REFLECTION_READERS)
    return access


def get_team_reflections_for_user(
    user: User, team_id: int, *, write: bool = False
) -> TeamReflectionAccess:
    """A team's reflections as the user may see them. Outsiders to the program get 404,
    members of the program who are not on the team, its coach or its sponsor get 403; with
    `write`, everyone but the team's members gets 403."""
    access = _team_reflection_access(get_team_for_user(user, team_id))
    if write and not access.can_write:
        raise PermissionDenied(TEAM_REFLECTION_WRITERS)
    return access


def get_team_reflection_for_user(
    user: User, team_reflection_id: int, *, write: bool = False
) -> tuple[TeamReflection, TeamReflectionAccess]:
    """One team reflection. As for the team's list, plus: the sponsor gets 403 for an
    entry the team has not shared, and anyone who was not in its audience when the team
    last saved it (a new member, a new coach or sponsor) gets 403 too."""
    found = (
        TeamReflection.objects.select_related(
            "team__cohort__program__organization",
            "team__coach",
            "team__sponsor",
            "created_by",
            "updated_by",
        )
        .filter(pk=team_reflection_id)
        .first()
    )
    if found is None:
        raise Http404("No such team reflection.")
    access = _team_reflection_access(team_access(user, found.team))
    if access.sees_only_shared and not found.share_with_sponsor:
        raise PermissionDenied(TEAM_REFLECTION_READERS)
    # The audience was fixed when the team last saved it (DESIGN.md, privacy rule 7).
    if not TeamReflection.objects.for_user(user).filter(pk=found.pk).exists():
        raise PermissionDenied(NOT_IN_AUDIENCE)
    if write and not access.can_write:
        raise PermissionDenied(TEAM_REFLECTION_WRITERS)
    return found, access
