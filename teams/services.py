"""Writes about teams."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from programs.models import Membership, Role, User
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
