"""Fetch-or-404 helpers for projects."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from programs.access import is_program_admin
from programs.models import User
from projects.models import Phase, Project
from teams.access import TeamAccess, team_access
from teams.models import TeamMember


@dataclass(frozen=True)
class ProjectAccess:
    """Who the reader is to the project. Team members edit; the sponsor reads, approves,
    comments and answers; the coach and program admins read."""

    project: Project
    team: TeamAccess

    @property
    def is_completed(self) -> bool:
        return self.project.phase == Phase.COMPLETED

    @property
    def can_edit(self) -> bool:
        """A team member, while the project is not completed (a completed project is
        read-only for everyone)."""
        return self.team.is_member and not self.is_completed

    @property
    def is_sponsor(self) -> bool:
        return self.team.is_sponsor

    @property
    def can_respond(self) -> bool:
        """The sponsor answering, commenting or deciding, while the project is open."""
        return self.is_sponsor and not self.is_completed

    @property
    def is_admin(self) -> bool:
        return is_program_admin(self.team.roles)

    def require_open(self) -> None:
        if self.is_completed:
            raise PermissionDenied(
                "This project is completed: it is kept as it was handed over and can no "
                "longer be changed."
            )

    def require_edit(self) -> None:
        if not self.team.is_member:
            raise PermissionDenied("Only the team's members change its project.")
        self.require_open()

    def require_sponsor(self) -> None:
        if not self.is_sponsor:
            raise PermissionDenied("Only the team's executive sponsor can do this.")

    def require_respond(self) -> None:
        """The sponsor, on a project that is not completed."""
        self.require_sponsor()
        self.require_open()

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied("Only the program's admins can do this.")


# What the project's pages show of its team, program and transition plan, read with it.
PROJECT_RELATED = (
    "team__cohort__program__organization",
    "team__coach",
    "team__sponsor",
    "transition_plan__new_owner_unit",
)


def get_project_for_user(
    user: User, project_id: int, *, related: tuple[str, ...] = PROJECT_RELATED
) -> ProjectAccess:
    """The project, if the user may open its team (the same people may read both), read
    with `related` (the access check needs the team and its cohort only)."""
    on_team = TeamMember.objects.filter(team=OuterRef("team"), user=user)
    try:
        project = (
            Project.objects.select_related("team__cohort", *related)
            .annotate(reader_on_team=Exists(on_team))
            .get(pk=project_id)
        )
    except Project.DoesNotExist:
        raise Http404("No such project.") from None
    team = team_access(user, project.team, is_member=project.reader_on_team)
    return ProjectAccess(project=project, team=team)
