"""Demo data for a project's work: actions, stakeholder engagements, doors to open, status
updates and a sponsor comment."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from programs.models import Unit, User
from projects.models import (
    Action,
    DoorRequest,
    EngagementLevel,
    Project,
    SponsorComment,
    StakeholderEngagement,
    StatusUpdate,
)


def seed_project_work(*, project: Project, members: Sequence[User], sponsor: User | None) -> None:
    """Give a project a believable few weeks of work: actions (one overdue), engagements
    across units and levels, two doors to open (one answered) and two status updates, one
    with a sponsor comment. Idempotent: each part is added only if the project has none."""
    if not members:
        return
    today = timezone.localdate()
    now = timezone.now()

    def member(index: int) -> User:
        return members[index % len(members)]

    def at(days_ago: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days_ago)

    with transaction.atomic():
        if not project.actions.exists():
            for title, index, due_in, status in (
                ("Map today's process with frontline staff", 0, -21, Action.Status.DONE),
                ("Pull six months of baseline data", 1, -5, Action.Status.DOING),
                ("Draft the pilot checklist", 2, 6, Action.Status.DOING),
                ("Agree the pilot start date with unit leaders", 3, 12, Action.Status.TO_DO),
                ("Book the mid-point review with the sponsor", 0, 20, Action.Status.TO_DO),
                ("Confirm report access with Information Services", 1, 9, Action.Status.BLOCKED),
            ):
                Action.objects.create(
                    project=project,
                    title=title,
                    owner=member(index),
                    due_on=today + datetime.timedelta(days=due_in),
                    status=status,
                )

        if not project.engagements.exists():
            units = list(
                Unit.objects.filter(organization=project.team.cohort.program.organization)
            )
            for stakeholder, unit_index, level, days_ago, note in (
                (
                    "Director of Patient Access",
                    0,
                    EngagementLevel.ENLIST,
                    30,
                    "Agreed to co-lead the daily huddle.",
                ),
                ("Unit nurse managers", 1, EngagementLevel.INVOLVE, 24, "Walked the process."),
                ("Chief Financial Officer", 2, EngagementLevel.CONSULT, 17, "Cost of a bed-day."),
                ("Frontline staff forum", 1, EngagementLevel.CONSULT, 12, ""),
                ("Patient and family advisory council", None, EngagementLevel.INFORM, 6, ""),
                ("Hospital operations committee", 3, EngagementLevel.INFORM, 2, "Short briefing."),
            ):
                StakeholderEngagement.objects.create(
                    project=project,
                    stakeholder=stakeholder,
                    unit=units[unit_index % len(units)]
                    if units and unit_index is not None
                    else None,
                    level=level,
                    engaged_on=today - datetime.timedelta(days=days_ago),
                    note=note,
                    recorded_by=member(unit_index or 0),
                )

        if not project.doors.exists():
            answered = DoorRequest.objects.create(
                project=project,
                kind=DoorRequest.Kind.INTRODUCTION,
                request="An introduction to the Chief Medical Officer, to present the pilot.",
                asked_by=member(0),
                answer="Done: you have 20 minutes at the next medical executive committee."
                if sponsor
                else "",
                answered_by=sponsor,
                answered_at=at(15) if sponsor else None,
                notified_at=at(19),
            )
            still_open = DoorRequest.objects.create(
                project=project,
                kind=DoorRequest.Kind.RESOURCE,
                request="Two hours a week of an analyst's time for the next six weeks.",
                asked_by=member(1),
                notified_at=at(9),
            )
            DoorRequest.objects.filter(pk=answered.pk).update(asked_at=at(19))
            DoorRequest.objects.filter(pk=still_open.pk).update(asked_at=at(9))

        if not project.updates.exists():
            first = StatusUpdate.objects.create(
                project=project,
                author=member(0),
                progress="Mapped the current process with staff from three units; "
                "the main delay is the time between a discharge order and the bed being clean.",
                next_steps="Pull baseline data; draft the pilot checklist.",
                risks="Analyst time is not confirmed yet.",
            )
            second = StatusUpdate.objects.create(
                project=project,
                author=member(1),
                progress="Baseline data half done; the checklist draft is with the unit leaders.",
                next_steps="Agree the pilot start date; present to the medical executive "
                "committee.",
                risks="Without analyst time the baseline slips by two weeks.",
            )
            StatusUpdate.objects.filter(pk=first.pk).update(created_at=at(14))
            StatusUpdate.objects.filter(pk=second.pk).update(created_at=at(3))
            if sponsor is not None:
                comment = SponsorComment.objects.create(
                    update=first,
                    author=sponsor,
                    body="Good start. Bring the cost of a bed-day to the committee; "
                    "it is the number they will ask for.",
                )
                SponsorComment.objects.filter(pk=comment.pk).update(created_at=at(13))
