"""Telling owners that an action of theirs is due tomorrow, or overdue.

A beat task runs `do_notify_action_deadlines` every hour. Each owner hears on their own
clock (`User.zone`), once their day has reached DEADLINES_LOCAL_HOUR: "due tomorrow" the
day before an action's due date, "overdue" the first morning after it, both once per
action and due date (the notification's dedupe key), so a run repeated, or run every
hour, tells them once; moving the due date tells them again about the new one. Done
actions, projects that are completed, and owners who are no longer active participants
of the program are left out.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from notifications.kinds import Kind
from notifications.services import do_notify
from programs.models import Membership, Role
from projects.models import Action, Phase

# The local hour from which an owner hears of their deadlines, so that no email comes at
# midnight.
DEADLINES_LOCAL_HOUR = 7
# An action that fell overdue longer ago than this is not announced any more (one whose
# notice was missed while the scheduler was down, or one overdue before notices began).
OVERDUE_WINDOW = datetime.timedelta(days=7)


def _link(action: Action) -> str:
    return f"{reverse('projects:actions', args=[action.project_id])}#action-{action.pk}"


def do_notify_action_deadlines(*, now: datetime.datetime | None = None) -> int:
    """Notify the owners of actions due tomorrow or overdue, on each owner's clock.
    Returns how many notifications were created; safe to run twice."""
    now = now or timezone.now()
    utc_today = now.astimezone(datetime.UTC).date()
    # A local date is at most a day away from the UTC date: a wide net, narrowed per owner.
    candidates = (
        Action.objects.filter(
            owner__isnull=False,
            owner__is_active=True,
            due_on__gte=utc_today - OVERDUE_WINDOW - datetime.timedelta(days=1),
            due_on__lte=utc_today + datetime.timedelta(days=2),
        )
        .filter(status__in=Action.OPEN_STATUSES)
        .exclude(project__phase=Phase.COMPLETED)
        .select_related("owner", "project__team__cohort__program")
        .order_by("pk")
    )
    participants = set(
        Membership.objects.filter(
            role=Role.PARTICIPANT,
            is_active=True,
            user_id__in=candidates.values("owner_id"),
        ).values_list("user_id", "program_id")
    )
    created = 0
    for action in candidates:
        owner, program = action.owner, action.project.team.cohort.program
        if owner is None or action.due_on is None or (owner.pk, program.pk) not in participants:
            continue
        local = now.astimezone(owner.zone)
        if local.hour < DEADLINES_LOCAL_HOUR:
            continue
        today = local.date()
        if action.due_on == today + datetime.timedelta(days=1):
            kind, when = Kind.ACTION_DUE, "is due tomorrow"
        elif today - OVERDUE_WINDOW <= action.due_on < today:
            kind, when = Kind.ACTION_OVERDUE, "is overdue"
        else:
            continue
        created += len(
            do_notify(
                kind=kind,
                recipients=[owner],
                program=program,
                subject=f"{action.title} {when} ({action.project.title})",
                link=_link(action),
                dedupe_key=f"action:{action.pk}:{action.due_on.isoformat()}",
            )
        )
    return created
