"""Fetch-or-404 helpers for projects."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from programs.models import Role, User
from projects.models import Project
from teams.access import TeamAccess, team_access


@dataclass(frozen=True)
class ProjectAccess:
    """Who the reader is to the project. Team members edit; the sponsor reads, approves,
    comments and answers; the coach and program admins read."""

    project: Project
    team: TeamAccess

    @property
    def can_edit(self) -> bool:
        return self.team.is_member

    @property
    def is_sponsor(self) -> bool:
        return self.team.is_sponsor

    @property
    def is_admin(self) -> bool:
        return Role.PROGRAM_ADMIN in self.team.roles

    def require_edit(self) -> None:
        if not self.can_edit:
            raise PermissionDenied("Only the team's members change its project.")

    def require_sponsor(self) -> None:
        if not self.is_sponsor:
            raise PermissionDenied("Only the team's executive sponsor can do this.")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied("Only the program's admins can do this.")


def get_project_for_user(user: User, project_id: int) -> ProjectAccess:
    """The project, if the user may open its team (the same people may read both)."""
    try:
        project = Project.objects.select_related(
            "team__cohort__program__organization",
            "team__coach",
            "team__sponsor",
            "transition_plan__new_owner_unit",
        ).get(pk=project_id)
    except Project.DoesNotExist:
        raise Http404("No such project.") from None
    return ProjectAccess(project=project, team=team_access(user, project.team))
