"""Writes about teams."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.deletion import deletion_counts
from core.events import announce
from core.text import checked_text
from programs.events import RoleEnded, RoleGranted
from programs.models import Cohort, Membership, Role, User
from teams.events import AdvisorAssigned, TeamsCreated
from teams.history import (
    record_advisor_change,
    record_member_moved,
    record_members_placed,
    record_role_ended,
    record_role_granted,
)
from teams.models import Team, TeamChange, TeamMember


def do_add_team_member(*, team: Team, user: User, by: User | None = None) -> TeamMember:
    """Put a participant of the team's cohort on the team (recorded, and shown on the team
    page). The database refuses a second team for the same person in one cohort.
    """
    if not Membership.objects.filter(
        user=user, cohort=team.cohort, role=Role.PARTICIPANT, is_active=True
    ).exists():
        raise ValidationError(f"{user} is not a participant of {team.cohort}.")
    member, created = TeamMember.objects.get_or_create(
        team=team, user=user, defaults={"cohort": team.cohort}
    )
    if created:
        record_member_moved(user=user, left=None, joined=team, by=by)
    return member


def do_assign_member(
    *, cohort: Cohort, user: User, team: Team | None, by: User | None = None
) -> TeamMember | None:
    """Move a participant of the cohort onto `team`, or off every team when it is None.

    A move is one step: the old place is removed and the new one added in one transaction.
    What the person wrote for their old team (team reflections, pulses) stays with it,
    and what either team shared before or after is not theirs to read: the audience of
    shared writing is fixed when it is shared. The move is recorded and shown to both
    teams.
    """
    if team is not None and team.cohort_id != cohort.pk:
        raise ValidationError("That team belongs to another cohort.")
    if not Membership.objects.filter(
        user=user, cohort=cohort, role=Role.PARTICIPANT, is_active=True
    ).exists():
        raise ValidationError(f"{user} is not a participant of {cohort.name}.")
    with transaction.atomic():
        old = (
            TeamMember.objects.filter(cohort=cohort, user=user)
            .exclude(team=team)
            .select_related("team")
            .first()
        )
        TeamMember.objects.filter(cohort=cohort, user=user).exclude(team=team).delete()
        member = None
        joined = None
        if team is not None:
            member, created = TeamMember.objects.get_or_create(
                cohort=cohort, user=user, defaults={"team": team}
            )
            joined = team if created else None
        record_member_moved(user=user, left=old.team if old else None, joined=joined, by=by)
    return member


def _team_name(cohort: Cohort, name: str, *, renaming: Team | None = None) -> str:
    """A team's name, checked: not empty, not too long, and unique in the cohort whatever
    its case."""
    name = checked_text(
        name, label="The team's name", max_length=Team._meta.get_field("name").max_length or 200
    )
    if not name:
        raise ValidationError("Give the team a name.")
    others = Team.objects.filter(cohort=cohort, name__iexact=name)
    if renaming is not None:
        others = others.exclude(pk=renaming.pk)
    if others.exists():
        raise ValidationError(f"{cohort.name} already has a team called “{name}”.")
    return name


@transaction.atomic
def do_create_team(*, cohort: Cohort, name: str) -> Team:
    """A new, empty team in the cohort, with its project in crafting."""
    team = Team.objects.create(cohort=cohort, name=_team_name(cohort, name))
    announce(TeamsCreated(teams=(team,)))
    return team


def do_rename_team(*, team: Team, name: str) -> Team:
    """Rename a team; the name stays unique in its cohort."""
    name = _team_name(team.cohort, name, renaming=team)
    if name != team.name:
        team.name = name
        team.save(update_fields=["name"])
    return team


def do_set_advisors(
    *, team: Team, coach: User | None, sponsor: User | None, by: User | None = None
) -> Team:
    """Set the team's learning coach and executive sponsor; each must hold that role.

    Each change is recorded (a security event) and shown on the team page ("Your coach is
    now …"). A new coach or sponsor reads none of what was shared with their predecessor:
    the audience of shared writing is fixed when it is shared (DESIGN.md, rule 7).
    Whoever takes a place is told (`AdvisorAssigned`)."""
    program_id = team.cohort.program_id
    for person, role, label in ((coach, Role.COACH, "coach"), (sponsor, Role.SPONSOR, "sponsor")):
        if (
            person is not None
            and not Membership.objects.filter(
                user=person, program_id=program_id, role=role, is_active=True
            ).exists()
        ):
            # Names nobody: the person was chosen by id and may be anyone's account.
            raise ValidationError(f"The chosen {label} is not an active {label} in this program.")
    previous_coach, previous_sponsor = team.coach, team.sponsor
    with transaction.atomic():
        team.coach = coach
        team.sponsor = sponsor
        team.save(update_fields=["coach", "sponsor"])
        for kind, new, old in (
            (TeamChange.Kind.COACH, coach, previous_coach),
            (TeamChange.Kind.SPONSOR, sponsor, previous_sponsor),
        ):
            if (new.pk if new else None) != (old.pk if old else None):
                change = record_advisor_change(
                    team=team, kind=kind, person=new, previous=old, by=by
                )
                if new is not None:
                    announce(
                        AdvisorAssigned(
                            change_id=change.pk,
                            team_id=team.pk,
                            team_name=team.name,
                            program_id=program_id,
                            place=kind,
                            person_id=new.pk,
                            by_id=by.pk if by else None,
                        )
                    )
    return team


def team_deletion_blockers(team: Team) -> list[str]:
    """Why the team cannot be deleted, in words; empty when it can.

    A team is deleted only while deleting it takes nothing else with it: no members (they
    are moved first, never dropped silently), no project the team has worked on (the
    project is the program's record and goes only with the program; the untouched one
    started with the team goes with it) and nothing written for it (team reflections,
    coach notes, pulses...). The rule follows the `on_delete` cascades, so a model added
    later that hangs off a team blocks deletion too.
    """
    counts = deletion_counts(team)
    counts.pop(Team, None)
    # Who joined, left or advised it is the team's history, not anyone's writing.
    counts.pop(TeamChange, None)
    members = counts.pop(TeamMember, 0)
    # The project is found by name: teams sit below projects and do not import them.
    project_model = next((m for m in counts if m._meta.label == "projects.Project"), None)
    project = getattr(team, "project", None)
    # Every team starts with its project; one nobody has touched yet (still its first
    # version, in crafting, nothing hanging off it) goes with the empty team.
    untouched = (
        project is not None
        and project.phase == "crafting"
        and project.version == 1
        and not project.charter_submitted_at
    )
    if project_model is not None and untouched:
        counts.pop(project_model)
        project_model = None
    has_project = project_model is not None
    blockers = []
    if members:
        plural = "s" if members != 1 else ""
        blockers.append(f"it has {members} member{plural}: move them to other teams first")
    if has_project:
        blockers.append("it has a project, which stays with the program")
    elif counts:
        blockers.append("it holds writing or records (team reflections, coach notes, pulses)")
    return blockers


def do_delete_team(*, team: Team) -> None:
    """Delete a team that nothing depends on yet (see `team_deletion_blockers`)."""
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        blockers = team_deletion_blockers(locked)
        if blockers:
            raise ValidationError(f"“{locked.name}” cannot be deleted: {'; '.join(blockers)}.")
        locked.delete()


# Ending and restoring memberships -----------------------------------------------------


@dataclass(frozen=True)
class EndedMembership:
    membership: Membership
    left_teams: list[str]
    advised_teams: list[str]


@transaction.atomic
def do_end_membership(*, membership: Membership, by: User | None = None) -> EndedMembership:
    """End a person's role in a program: they can no longer open its pages (403), receive
    its reminders or read what others share there. Nothing they wrote is deleted, and they
    can still export it. A participant leaves their team; a coach or sponsor leaves the
    teams they advised without one. The program keeps at least one active program admin.
    Restoring the membership (`do_restore_membership`) gives the role back, not the team.
    The ending, and each team it changes, is recorded and shown on those teams' pages.
    """
    locked = (
        Membership.objects.select_for_update()
        .select_related("user", "program")
        .get(pk=membership.pk)
    )
    if not locked.is_active and locked.ending != Membership.Ending.ARCHIVED:
        raise ValidationError(f"{locked.user.display_name}'s membership has already ended.")
    if (
        locked.role == Role.PROGRAM_ADMIN
        and not Membership.objects.program_admins()
        .filter(program=locked.program)
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise ValidationError(
            "A program keeps at least one program admin: make someone else an admin first."
        )
    locked.is_active = False
    locked.ended_at = timezone.now()
    locked.ending = Membership.Ending.LEFT
    locked.save(update_fields=["is_active", "ended_at", "ending"])
    announce(
        RoleEnded(
            membership_id=locked.pk,
            user_id=locked.user_id,
            program_id=locked.program_id,
            program_name=locked.program.name,
            role=locked.role,
            by_id=by.pk if by else None,
        )
    )

    teams = Team.objects.filter(cohort__program=locked.program)
    left: list[str] = []
    advised: list[str] = []
    record_role_ended(membership=locked, by=by)
    if locked.role == Role.PARTICIPANT:
        places = TeamMember.objects.filter(user=locked.user, cohort__program=locked.program)
        left = sorted(places.values_list("team__name", flat=True))
        for place in places.select_related("team"):
            record_member_moved(user=locked.user, left=place.team, joined=None, by=by)
        places.delete()
    elif locked.role in (Role.COACH, Role.SPONSOR):
        field = "coach" if locked.role == Role.COACH else "sponsor"
        kind = TeamChange.Kind.COACH if locked.role == Role.COACH else TeamChange.Kind.SPONSOR
        mine = teams.filter(**{field: locked.user})
        advised = sorted(mine.values_list("name", flat=True))
        for team in mine:
            record_advisor_change(team=team, kind=kind, person=None, previous=locked.user, by=by)
        mine.update(**{field: None})
    membership.refresh_from_db()
    return EndedMembership(membership=locked, left_teams=left, advised_teams=advised)


@transaction.atomic
def do_restore_membership(*, membership: Membership, by: User | None = None) -> Membership:
    """Give back a role that ended (recorded as a security event). A membership paused by
    archiving comes back with the program instead; the team (or the teams advised) is
    chosen again in the team builder."""
    locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if locked.is_active:
        raise ValidationError(f"{locked.user.display_name}'s membership is active.")
    if locked.ending == Membership.Ending.ARCHIVED:
        raise ValidationError("This membership comes back when the program is restored.")
    locked.is_active, locked.ended_at, locked.ending = True, None, ""
    locked.save(update_fields=["is_active", "ended_at", "ending"])
    record_role_granted(membership=locked, by=by, how="restored")
    announce(
        RoleGranted(
            membership_id=locked.pk,
            user_id=locked.user_id,
            program_id=locked.program_id,
            program_name=locked.program.name,
            role=locked.role,
            how="restored",
            by_id=by.pk if by else None,
        )
    )
    membership.refresh_from_db()
    return locked


@transaction.atomic
def do_apply_proposal(
    *,
    cohort: Cohort,
    groups: list[list[int]],
    first_number: int,
    placements: dict[int, int] | None = None,
    by: User | None = None,
) -> list[Team]:
    """Create one team per group of participant ids, named "Team N" from `first_number`,
    and put the people in `placements` (user id → team id) on those existing teams of the
    cohort, in one transaction. Each placement is recorded and shown on the team's page.

    Refuses when any of the people has since been placed on a team or left the cohort.
    """
    placements = placements or {}
    wanted = [user_id for group in groups for user_id in group] + list(placements)
    eligible = set(
        Membership.objects.filter(
            cohort=cohort, role=Role.PARTICIPANT, is_active=True, user_id__in=wanted
        ).values_list("user_id", flat=True)
    )
    placed = set(
        TeamMember.objects.filter(cohort=cohort, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    existing = set(
        Team.objects.filter(cohort=cohort, pk__in=set(placements.values())).values_list(
            "pk", flat=True
        )
    )
    if eligible != set(wanted) or placed or existing != set(placements.values()):
        raise ValidationError(
            "The unassigned participants changed since this proposal was made. "
            "Review a new proposal."
        )
    taken = set(Team.objects.filter(cohort=cohort).values_list("name", flat=True))
    teams: list[Team] = []
    number = first_number
    for _group in groups:
        while f"Team {number}" in taken:
            number += 1
        teams.append(Team(cohort=cohort, name=f"Team {number}"))
        number += 1
    Team.objects.bulk_create(teams)
    announce(TeamsCreated(teams=tuple(teams)))
    members = TeamMember.objects.bulk_create(
        [
            *(
                TeamMember(team=team, cohort=cohort, user_id=user_id)
                for team, group in zip(teams, groups, strict=True)
                for user_id in group
            ),
            *(
                TeamMember(team_id=team_id, cohort=cohort, user_id=user_id)
                for user_id, team_id in placements.items()
            ),
        ]
    )
    record_members_placed(members=members, by=by, how="proposal")
    return teams
