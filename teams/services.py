"""Writes about teams."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from programs.models import Cohort, Membership, Role, User
from teams.models import Team, TeamMember


def do_add_team_member(*, team: Team, user: User) -> TeamMember:
    """Put a participant of the team's cohort on the team.

    The database refuses a second team for the same person in one cohort.
    """
    if not Membership.objects.filter(
        user=user, cohort=team.cohort, role=Role.PARTICIPANT, is_active=True
    ).exists():
        raise ValidationError(f"{user} is not a participant of {team.cohort}.")
    member, _ = TeamMember.objects.get_or_create(
        team=team, user=user, defaults={"cohort": team.cohort}
    )
    return member


def do_assign_member(*, cohort: Cohort, user: User, team: Team | None) -> TeamMember | None:
    """Move a participant of the cohort onto `team`, or off every team when it is None."""
    if team is not None and team.cohort_id != cohort.pk:
        raise ValidationError("That team belongs to another cohort.")
    if not Membership.objects.filter(
        user=user, cohort=cohort, role=Role.PARTICIPANT, is_active=True
    ).exists():
        raise ValidationError(f"{user} is not a participant of {cohort.name}.")
    with transaction.atomic():
        TeamMember.objects.filter(cohort=cohort, user=user).exclude(team=team).delete()
        if team is None:
            return None
        member, _ = TeamMember.objects.get_or_create(
            cohort=cohort, user=user, defaults={"team": team}
        )
    return member


def do_create_team(*, cohort: Cohort, name: str) -> Team:
    name = name.strip()
    if not name:
        raise ValidationError("Give the team a name.")
    if Team.objects.filter(cohort=cohort, name__iexact=name).exists():
        raise ValidationError(f"{cohort.name} already has a team called “{name}”.")
    return Team.objects.create(cohort=cohort, name=name)


def do_set_advisors(*, team: Team, coach: User | None, sponsor: User | None) -> Team:
    """Set the team's learning coach and executive sponsor; each must hold that role."""
    program_id = team.cohort.program_id
    for person, role, label in ((coach, Role.COACH, "coach"), (sponsor, Role.SPONSOR, "sponsor")):
        if (
            person is not None
            and not Membership.objects.filter(
                user=person, program_id=program_id, role=role, is_active=True
            ).exists()
        ):
            raise ValidationError(f"{person} is not a {label} in this program.")
    team.coach = coach
    team.sponsor = sponsor
    team.save(update_fields=["coach", "sponsor"])
    return team


def do_delete_team(*, team: Team) -> None:
    """Delete an empty team that has no project yet; members are never dropped silently."""
    if team.members.exists():
        raise ValidationError("Move the team's members to other teams before deleting it.")
    if Team.objects.filter(pk=team.pk, project__isnull=False).exists():
        raise ValidationError("This team already has a project, so it cannot be deleted.")
    team.delete()


@transaction.atomic
def do_apply_proposal(*, cohort: Cohort, groups: list[list[int]], first_number: int) -> list[Team]:
    """Create one team per group of participant ids, named "Team N" from `first_number`.

    Refuses when any of the people has since been placed on a team or left the cohort.
    """
    wanted = [user_id for group in groups for user_id in group]
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
    if eligible != set(wanted) or placed:
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
    TeamMember.objects.bulk_create(
        TeamMember(team=team, cohort=cohort, user_id=user_id)
        for team, group in zip(teams, groups, strict=True)
        for user_id in group
    )
    return teams
