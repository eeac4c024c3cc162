"""Fetch-or-404 helpers for projects."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from programs.models import User
from projects.models import Project
from teams.access import TeamAccess, team_access


@dataclass(frozen=True)
class ProjectAccess:
    project: Project
    team: TeamAccess


def get_project_for_user(user: User, project_id: int) -> ProjectAccess:
    """The project, if the user may open its team (the same people may read both)."""
    try:
        project = Project.objects.select_related(
            "team__cohort__program__organization", "team__coach", "team__sponsor"
        ).get(pk=project_id)
    except Project.DoesNotExist:
        raise Http404("No such project.") from None
    return ProjectAccess(project=project, team=team_access(user, project.team))
