"""Who hears each step of the loop between a team and its sponsor (the events announced by
`projects`), with what subject and which link.

Each handler runs once the announcer's transaction has committed. It reads the project
afresh, so it tells the people who hold the places now: the team's current sponsor, its
members whose participant membership is active. Nobody is told of their own step. The
subject names things (a project's title, a team's name, a criterion); no text anyone wrote
in the charter, a door request, an update or a comment ever reaches a notification.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from core.events import subscribe
from notifications.kinds import Kind
from notifications.services import do_notify
from programs.models import Membership, Role, User
from projects.events import (
    ActionAssigned,
    AmendmentDecided,
    AmendmentProposed,
    CharterApproved,
    CharterReturned,
    CharterSubmitted,
    CriterionQueried,
    DoorAnswered,
    DoorRequested,
    ProjectEvent,
    SponsorCommented,
    StatusUpdatePosted,
    TransitionPlanAccepted,
    TransitionPlanSubmitted,
)
from projects.models import Project


def _project(event: ProjectEvent) -> Project | None:
    return (
        Project.objects.select_related("team__cohort__program", "team__sponsor")
        .filter(pk=event.project_id)
        .first()
    )


def team_members(project: Project) -> list[User]:
    """The team's members who are still active participants of the program."""
    return list(
        User.objects.filter(
            team_memberships__team=project.team,
            memberships__program=project.team.cohort.program,
            memberships__role=Role.PARTICIPANT,
            memberships__is_active=True,
        ).distinct()
    )


def sponsor(project: Project) -> list[User]:
    return [project.team.sponsor] if project.team.sponsor else []


def program_admins(project: Project) -> list[User]:
    admins = Membership.objects.program_admins().filter(program_id=project.team.cohort.program_id)
    return list(User.objects.filter(pk__in=admins.values("user_id")))


def _notify(
    event: ProjectEvent,
    project: Project,
    *,
    kind: Kind,
    recipients: Iterable[User],
    subject: str,
    link: str,
    dedupe_key: str,
) -> None:
    do_notify(
        kind=kind,
        recipients=[person for person in recipients if person.pk != event.by_id],
        program=project.team.cohort.program,
        subject=subject,
        link=link,
        dedupe_key=dedupe_key,
    )


def _project_link(project: Project, anchor: str = "phase") -> str:
    return f"{reverse('projects:detail', args=[project.pk])}#{anchor}"


def _work_link(project: Project, section: str, anchor: str) -> str:
    return f"{reverse(f'projects:{section}', args=[project.pk])}#{anchor}"


# The charter --------------------------------------------------------------------------


def charter_submitted(event: CharterSubmitted) -> None:
    """The sponsor is asked to approve the charter."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.CHARTER_SUBMITTED,
        recipients=sponsor(project),
        subject=f"Charter submitted for approval: {event.project_title}",
        link=_project_link(project),
        dedupe_key=f"phase-event:{event.phase_event_id}",
    )


def charter_approved(event: CharterApproved) -> None:
    """The team hears that its project is being carried out."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.CHARTER_APPROVED,
        recipients=team_members(project),
        subject=f"Charter approved: {event.project_title}",
        link=_project_link(project),
        dedupe_key=f"phase-event:{event.phase_event_id}",
    )


def charter_returned(event: CharterReturned) -> None:
    """The team hears that the sponsor sent the charter back (the comment is on the page)."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.CHARTER_RETURNED,
        recipients=team_members(project),
        subject=f"Charter returned for changes: {event.project_title}",
        link=_project_link(project),
        dedupe_key=f"phase-event:{event.phase_event_id}",
    )


def amendment_proposed(event: AmendmentProposed) -> None:
    """The sponsor is asked to decide on an amendment of the approved charter."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.CHARTER_SUBMITTED,
        recipients=sponsor(project),
        subject=f"Charter amendment proposed for your approval: {event.project_title}",
        link=_project_link(project, f"amendment-{event.amendment_id}"),
        dedupe_key=f"amendment:{event.amendment_id}",
    )


def amendment_decided(event: AmendmentDecided) -> None:
    """The team hears whether the sponsor approved its amendment (the comment is on the
    page)."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.CHARTER_APPROVED if event.approved else Kind.CHARTER_RETURNED,
        recipients=team_members(project),
        subject=(
            f"Charter amendment {'approved' if event.approved else 'returned'}: "
            f"{event.project_title}"
        ),
        link=reverse("projects:charter_history", args=[project.pk]),
        dedupe_key=f"amendment-decided:{event.amendment_id}",
    )


def criterion_queried(event: CriterionQueried) -> None:
    """The team hears which criterion the sponsor asks more on (not what they asked)."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.CRITERION_QUERIED,
        recipients=team_members(project),
        subject=f"Sponsor asks for more on “{event.criterion_label}”: {event.project_title}",
        link=_project_link(project, f"criterion-{event.criterion}"),
        dedupe_key=f"criterion:{event.project_id}:{event.criterion}:{event.queried_at}",
    )


# Doors to open ------------------------------------------------------------------------


def door_requested(event: DoorRequested) -> None:
    """The sponsor is asked to open a door."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.DOOR_REQUESTED,
        recipients=sponsor(project),
        subject=f"{project.team.name} asks you to open a door: {event.project_title}",
        link=_work_link(project, "doors", f"door-{event.door_id}"),
        dedupe_key=f"door:{event.door_id}",
    )


def door_answered(event: DoorAnswered) -> None:
    """Whoever asked, and the rest of the team, hear that the sponsor answered."""
    if (project := _project(event)) is None:
        return
    people = team_members(project)
    if event.asked_by_id is not None and all(p.pk != event.asked_by_id for p in people):
        # The asker may have moved team since; they still hear the answer while they are
        # in the program (`do_notify` checks that).
        people.extend(User.objects.filter(pk=event.asked_by_id))
    _notify(
        event,
        project,
        kind=Kind.DOOR_ANSWERED,
        recipients=people,
        subject=f"Door request answered: {event.project_title}",
        link=_work_link(project, "doors", f"door-{event.door_id}"),
        dedupe_key=f"door:{event.door_id}",
    )


# Status updates -----------------------------------------------------------------------


def status_update_posted(event: StatusUpdatePosted) -> None:
    """The sponsor hears that the team posted an update."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.STATUS_UPDATE,
        recipients=sponsor(project),
        subject=f"Status update from {project.team.name}: {event.project_title}",
        link=_work_link(project, "updates", f"update-{event.update_id}"),
        dedupe_key=f"update:{event.update_id}",
    )


def sponsor_commented(event: SponsorCommented) -> None:
    """The team hears that the sponsor commented on an update."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.SPONSOR_COMMENT,
        recipients=team_members(project),
        subject=f"Sponsor commented on a status update: {event.project_title}",
        link=_work_link(project, "updates", f"comment-{event.comment_id}"),
        dedupe_key=f"comment:{event.comment_id}",
    )


# The transition -----------------------------------------------------------------------


def transition_plan_submitted(event: TransitionPlanSubmitted) -> None:
    """The sponsor is asked to accept the transition plan."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.TRANSITION_SUBMITTED,
        recipients=sponsor(project),
        subject=f"Transition plan submitted for acceptance: {event.project_title}",
        link=_project_link(project),
        dedupe_key=f"phase-event:{event.phase_event_id}",
    )


def transition_plan_accepted(event: TransitionPlanAccepted) -> None:
    """The team and the program's admins hear that the project is completed."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.TRANSITION_ACCEPTED,
        recipients=[*team_members(project), *program_admins(project)],
        subject=f"Transition plan accepted, project completed: {event.project_title}",
        link=_project_link(project),
        dedupe_key=f"phase-event:{event.phase_event_id}",
    )


# Actions ------------------------------------------------------------------------------


def action_assigned(event: ActionAssigned) -> None:
    """The new owner of an action hears of it (the service announces only an owner other
    than the person who assigned it)."""
    if (project := _project(event)) is None:
        return
    _notify(
        event,
        project,
        kind=Kind.ACTION_ASSIGNED,
        recipients=[p for p in team_members(project) if p.pk == event.owner_id],
        subject=f"Action assigned to you: {event.action_title} ({event.project_title})",
        link=_work_link(project, "actions", f"action-{event.action_id}"),
        dedupe_key=f"action:{event.action_id}:{event.owner_id}:{event.assigned_at}",
    )


def register() -> None:
    """Subscribe the handlers above, each to run after the announcer's commit (called from
    `NotificationsConfig.ready`)."""
    subscribe(CharterSubmitted, charter_submitted, after_commit=True)
    subscribe(CharterApproved, charter_approved, after_commit=True)
    subscribe(CharterReturned, charter_returned, after_commit=True)
    subscribe(CriterionQueried, criterion_queried, after_commit=True)
    subscribe(AmendmentProposed, amendment_proposed, after_commit=True)
    subscribe(AmendmentDecided, amendment_decided, after_commit=True)
    subscribe(DoorRequested, door_requested, after_commit=True)
    subscribe(DoorAnswered, door_answered, after_commit=True)
    subscribe(StatusUpdatePosted, status_update_posted, after_commit=True)
    subscribe(SponsorCommented, sponsor_commented, after_commit=True)
    subscribe(TransitionPlanSubmitted, transition_plan_submitted, after_commit=True)
    subscribe(TransitionPlanAccepted, transition_plan_accepted, after_commit=True)
    subscribe(ActionAssigned, action_assigned, after_commit=True)
