"""Fetch-or-404 helpers for teams."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import Http404

from programs.access import is_program_admin, require_member
from programs.models import User
from teams.models import Team


@dataclass(frozen=True)
class TeamAccess:
    team: Team
    user_id: int
    roles: frozenset[str]
    is_member: bool

    @cached_property
    def members(self) -> list[User]:
        """The team's members by name, read when a page shows them."""
        return [
            m.user
            for m in self.team.members.select_related("user").order_by(
                "user__last_name", "user__first_name"
            )
        ]

    @property
    def is_coach(self) -> bool:
        return self.team.coach_id == self.user_id

    @property
    def is_sponsor(self) -> bool:
        return self.team.sponsor_id == self.user_id


def team_access(user: User, team: Team, *, is_member: bool | None = None) -> TeamAccess:
    """Check that the user may open this team: a team member, its coach or sponsor, or an
    admin of its program. Outsiders to the program get 404, other members 403.
    `is_member`: whether the user is on the team, when the caller read it already."""
    roles = require_member(user, team.cohort.program_id)
    if is_member is None:
        is_member = team.members.filter(user=user).exists()
    allowed = (
        is_member
        or team.coach_id == user.pk
        or team.sponsor_id == user.pk
        or is_program_admin(roles)
    )
    if not allowed:
        raise PermissionDenied(
            "Only this team, its coach, its sponsor and program admins can open it."
        )
    return TeamAccess(team=team, user_id=user.pk, roles=roles, is_member=is_member)


def get_team_for_user(user: User, team_id: int) -> TeamAccess:
    """The team, if the user may open it."""
    try:
        team = Team.objects.select_related(
            "cohort__program__organization", "coach", "sponsor", "project"
        ).get(pk=team_id)
    except Team.DoesNotExist:
        raise Http404("No such team.") from None
    return team_access(user, team)
