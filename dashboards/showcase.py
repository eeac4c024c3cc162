"""The cohort showcase: a team publishes its charter and results to its cohort, and the
cohort's gallery shows what was published, nothing else.

Who sees a cohort's gallery: its participants, the coaches and sponsors of its teams, and
the program's admins. Only a team's own members publish or withdraw its project. What is
shown is a copy made when the team published: the title, the team, the problem, the
intended outcomes and the results; never any reflection, check-in or note.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from dashboards.models import ShowcaseItem
from programs.access import is_program_admin, require_member
from programs.models import Cohort, Membership, Role, User
from projects.access import ProjectAccess, get_project_for_user
from projects.models import Project, ProjectResults
from teams.models import Team

GALLERY_READERS = (
    "The showcase of a cohort is shared with its participants, the coaches and sponsors of "
    "its teams, and the program's admins."
)
PUBLISHERS = "Only the team's members choose whether to publish its project to the showcase."


@dataclass(frozen=True)
class CohortShowcase:
    cohort: Cohort
    roles: frozenset[str]
    # The reader's own teams in the cohort (as a member), which they may publish.
    own_team_ids: frozenset[int]


def get_showcase_for_user(user: User, cohort_id: int) -> CohortShowcase:
    """The cohort's showcase, if the user may read it. Outsiders to the program (and a
    cohort that does not exist) get 404, members of the program outside the cohort 403."""
    cohort = Cohort.objects.select_related("program").filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    roles = require_member(user, cohort.program_id)
    teams = Team.objects.filter(cohort=cohort)
    own = frozenset(
        teams.filter(members__user=user).values_list("pk", flat=True)
        if Role.PARTICIPANT in roles
        else []
    )
    allowed = (
        is_program_admin(roles)
        or (
            Role.PARTICIPANT in roles
            and Membership.objects.filter(
                user=user, cohort=cohort, role=Role.PARTICIPANT, is_active=True
            ).exists()
        )
        or (Role.COACH in roles and teams.filter(coach=user).exists())
        or (Role.SPONSOR in roles and teams.filter(sponsor=user).exists())
    )
    if not allowed:
        raise PermissionDenied(GALLERY_READERS)
    return CohortShowcase(cohort=cohort, roles=roles, own_team_ids=own)


def get_project_to_publish(user: User, project_id: int) -> ProjectAccess:
    """The project, if the user is one of its team's members (a participant); 404 for
    outsiders, 403 for everyone else in the program."""
    access = get_project_for_user(user, project_id)
    if not (access.team.is_member and Role.PARTICIPANT in access.team.roles):
        raise PermissionDenied(PUBLISHERS)
    return access


def showcase_copy(project: Project) -> dict[str, object]:
    """What the showcase shows of the project, as it stands now."""
    results = ProjectResults.objects.filter(project=project).first()
    return {
        "title": project.title,
        "team_name": project.team.name,
        "problem": project.problem_statement,
        "outcome": project.intended_outcomes,
        "results": results.narrative if results else "",
        "measures": [
            {
                "name": m.name,
                "baseline": m.baseline,
                "target": m.target,
                "achieved": m.achieved,
            }
            for m in project.measures.all()
        ],
    }


@transaction.atomic
def do_publish_showcase(*, project: Project, by: User, now: datetime.datetime) -> ShowcaseItem:
    """Publish the project's charter and results to its cohort's showcase, or publish
    them again as they stand now."""
    item, _ = ShowcaseItem.objects.update_or_create(
        project=project,
        defaults={**showcase_copy(project), "published_at": now, "published_by": by},
    )
    return item


def do_withdraw_showcase(*, project: Project) -> bool:
    """Take the project off its cohort's showcase. Returns whether it was there."""
    deleted, _ = ShowcaseItem.objects.filter(project=project).delete()
    return bool(deleted)
