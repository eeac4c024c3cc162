"""Writes about the project's work: actions, stakeholder engagements, doors to open, status
updates and sponsor comments. Each step the other side must hear of is announced
(`projects.events`); `notifications` decides who is told."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.events import announce
from core.mail import compose_email
from programs.models import Unit, User
from projects.events import (
    ActionAssigned,
    DoorAnswered,
    DoorRequested,
    SponsorCommented,
    StatusUpdatePosted,
)
from projects.models import (
    Action,
    DoorRequest,
    Phase,
    Project,
    SponsorComment,
    StakeholderEngagement,
    StatusUpdate,
)

COMPLETED_MESSAGE = (
    "This project is completed: it is kept as it was handed over and can no longer be changed."
)


def _require_open(project: Project) -> None:
    """Every write on a project's work stops once the project is completed."""
    if Project.objects.filter(pk=project.pk, phase=Phase.COMPLETED).exists():
        raise PermissionDenied(COMPLETED_MESSAGE)


# Actions --------------------------------------------------------------------------------


def do_create_action(
    *,
    project: Project,
    title: str,
    owner: User,
    due_on: datetime.date | None,
    by: User,
    status: str = Action.Status.TO_DO,
) -> Action:
    """Add an action to the project. The owner must be on the team (the form checks); an
    owner other than `by` is told."""
    _require_open(project)
    _refuse_completion_status(status)
    action = Action.objects.create(
        project=project, title=title, owner=owner, due_on=due_on, status=status
    )
    _announce_assignment(action, by)
    return action


def do_update_action(
    *,
    action: Action,
    title: str,
    owner: User,
    due_on: datetime.date | None,
    status: str,
    by: User,
) -> Action:
    """Change an action; a new owner other than `by` is told. Dropping an action or
    handing it to the new owner happens only as the project completes
    (`do_close_open_actions`); an action already closed so may keep that state."""
    _require_open(action.project)
    if status != action.status:
        _refuse_completion_status(status)
    reassigned = action.owner_id != owner.pk
    action.title = title
    action.owner = owner
    action.due_on = due_on
    action.status = status
    action.save(update_fields=["title", "owner", "due_on", "status", "updated_at"])
    if reassigned:
        _announce_assignment(action, by)
    return action


COMPLETION_STATUS_MESSAGE = (
    "Dropped and handed to the new owner are chosen when the project completes, for its "
    "open actions."
)


def _refuse_completion_status(status: str) -> None:
    if status in Action.COMPLETION_STATUSES:
        raise ValidationError(COMPLETION_STATUS_MESSAGE)


def _announce_assignment(action: Action, by: User) -> None:
    if action.owner_id is None or action.owner_id == by.pk:
        return
    announce(
        ActionAssigned(
            project_id=action.project.pk,
            project_title=action.project.title,
            by_id=by.pk,
            action_id=action.pk,
            action_title=action.title,
            owner_id=action.owner_id,
            assigned_at=action.updated_at.isoformat(),
        )
    )


# Stakeholders ---------------------------------------------------------------------------


def do_log_engagement(
    *,
    project: Project,
    by: User,
    stakeholder: str,
    unit: Unit | None,
    level: str,
    engaged_on: datetime.date,
    note: str = "",
) -> StakeholderEngagement:
    """Record that the team engaged a stakeholder: the evidence for "engage actively with
    others"."""
    _require_open(project)
    if unit is not None and unit.organization_id != project.team.cohort.program.organization_id:
        raise ValidationError("The unit belongs to another organisation.")
    return StakeholderEngagement.objects.create(
        project=project,
        stakeholder=stakeholder,
        unit=unit,
        level=level,
        engaged_on=engaged_on,
        note=note,
        recorded_by=by,
    )


# Doors to open --------------------------------------------------------------------------


@transaction.atomic
def do_ask_door(*, project: Project, kind: str, request: str, by: User) -> DoorRequest:
    """Ask the team's sponsor to open a door; the sponsor is notified once the request is
    saved (never for a request that is rolled back), without the request's text."""
    _require_open(project)
    door = DoorRequest.objects.create(project=project, kind=kind, request=request, asked_by=by)
    announce(
        DoorRequested(
            project_id=project.pk, project_title=project.title, by_id=by.pk, door_id=door.pk
        )
    )
    return door


def door_url(door: DoorRequest) -> str:
    path = reverse("projects:doors", args=[door.project_id])
    return f"{settings.SITE_URL}{path}#door-{door.pk}"


def do_send_door_request_email(*, door_id: int) -> bool:
    """Email the sponsor about an open door request, unless it was emailed already, was
    answered meanwhile, or the team has no sponsor.

    New requests reach the sponsor as a notification (`DoorRequested`); this email only
    still goes out for requests queued before that, until the queue has drained.

    Safe to run twice: the row is locked and `notified_at` records the sending.
    """
    with transaction.atomic():
        door = (
            DoorRequest.objects.select_for_update(of=("self",))
            .select_related("project__team__sponsor", "project__team__cohort__program", "asked_by")
            .filter(pk=door_id, notified_at__isnull=True, answered_at__isnull=True)
            .first()
        )
        if door is None:
            return False
        sponsor = door.project.team.sponsor
        if sponsor is None or not sponsor.email:
            return False
        context = {
            "door": door,
            "project": door.project,
            "team": door.project.team,
            "program": door.project.team.cohort.program,
            "sponsor": sponsor,
            "asker": door.asked_by,
            "url": door_url(door),
        }
        message = compose_email(
            subject=f"{door.project.team.name} asks you to open a door",
            text_template="projects/email/door_request.txt",
            html_template="projects/email/door_request.html",
            context=context,
            to=[sponsor.email],
        )
        message.send()
        door.notified_at = timezone.now()
        door.save(update_fields=["notified_at"])
    return True


@transaction.atomic
def do_answer_door(*, door: DoorRequest, answer: str, by: User) -> DoorRequest:
    """The sponsor's answer to a door request. A request is answered once."""
    _require_open(door.project)
    locked = DoorRequest.objects.select_for_update().get(pk=door.pk)
    if locked.answered_at is not None:
        raise ValidationError("This request has already been answered.")
    locked.answer = answer
    locked.answered_by = by
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "answered_by", "answered_at"])
    project = locked.project
    announce(
        DoorAnswered(
            project_id=project.pk,
            project_title=project.title,
            by_id=by.pk,
            door_id=locked.pk,
            asked_by_id=locked.asked_by_id,
        )
    )
    return locked


# Status updates -------------------------------------------------------------------------


def do_post_status_update(
    *, project: Project, by: User, progress: str, next_steps: str, risks: str = ""
) -> StatusUpdate:
    """Post a status update; the sponsor is told (without its text)."""
    _require_open(project)
    update = StatusUpdate.objects.create(
        project=project, progress=progress, next_steps=next_steps, risks=risks, author=by
    )
    announce(
        StatusUpdatePosted(
            project_id=project.pk, project_title=project.title, by_id=by.pk, update_id=update.pk
        )
    )
    return update


def do_comment_on_update(*, update: StatusUpdate, by: User, body: str) -> SponsorComment:
    """The sponsor's comment on a status update (the view checks that `by` is the team's
    sponsor); the team is told (without its text)."""
    _require_open(update.project)
    comment = SponsorComment.objects.create(update=update, author=by, body=body)
    project = update.project
    announce(
        SponsorCommented(
            project_id=project.pk,
            project_title=project.title,
            by_id=by.pk,
            update_id=update.pk,
            comment_id=comment.pk,
        )
    )
    return comment
