"""Reads for the project's work: actions, stakeholder engagements, doors to open, status
updates, and the sponsor's dashboard.

Each section's context costs a fixed number of queries, however many rows it shows. The
project page includes the four sections with `work_context(access)`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from programs.models import Membership, Role, Unit, User
from projects.access import ProjectAccess
from projects.models import (
    Action,
    CharterAmendment,
    CriterionAssessment,
    DoorRequest,
    EngagementLevel,
    Phase,
    Project,
    ProjectResults,
    SponsorComment,
    StakeholderEngagement,
    StatusUpdate,
    TransitionPlan,
)
from projects.work_forms import (
    ActionForm,
    AnswerForm,
    CommentForm,
    DoorForm,
    EngagementForm,
    StatusUpdateForm,
)

RECENT_UPDATES = 5


def days_between(earlier: datetime.datetime, later: datetime.date) -> int:
    """Whole calendar days from a moment to a day, in the reader's time zone."""
    return max(0, (later - timezone.localdate(earlier)).days)


def team_members(access: ProjectAccess) -> list[User]:
    """The people on the project's team (those who may own actions), as the access check
    already read them."""
    return list(access.team.members)


def organisation_units(project: Project) -> list[Unit]:
    return list(
        Unit.objects.active().filter(organization_id=project.team.cohort.program.organization_id)
    )


# Actions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    action: Action
    overdue: bool
    # Set while the row is being edited: the row shows this form instead.
    form: ActionForm | None = None


def is_overdue(action: Action, today: datetime.date) -> bool:
    return (
        action.due_on is not None
        and action.due_on < today
        and action.status in Action.OPEN_STATUSES
    )


def action_section(
    access: ProjectAccess,
    *,
    members: list[User] | None = None,
    form: ActionForm | None = None,
    editing: tuple[int, ActionForm] | None = None,
) -> dict[str, object]:
    """Actions with their owners and overdue marks; the form to add one for a team member.

    `form` replaces the empty "add an action" form (e.g. with errors); `editing` shows the
    row with that id as a form.
    """
    project = access.project
    today = timezone.localdate()
    actions = list(project.actions.select_related("owner"))
    rows = [
        ActionRow(
            action=action,
            overdue=is_overdue(action, today),
            form=editing[1] if editing and editing[0] == action.pk else None,
        )
        for action in actions
    ]
    if access.can_edit and form is None:
        members = team_members(access) if members is None else members
        form = ActionForm(members=members, auto_id="new-action-%s")
    return {
        "action_rows": rows,
        "overdue_count": sum(row.overdue for row in rows),
        "open_action_count": sum(a.status in Action.OPEN_STATUSES for a in actions),
        "action_form": form if access.can_edit else None,
        "work_today": today,
    }


# Stakeholders ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """How far the team's engagement reaches: the evidence for "engage actively with
    others"."""

    engagement_count: int
    stakeholder_count: int
    unit_names: list[str]
    by_level: list[tuple[str, int]] = field(default_factory=list)

    @property
    def unit_count(self) -> int:
        return len(self.unit_names)


def reach_of(engagements: list[StakeholderEngagement]) -> Reach:
    counts = dict.fromkeys(EngagementLevel.values, 0)
    for engagement in engagements:
        counts[engagement.level] = counts.get(engagement.level, 0) + 1
    return Reach(
        engagement_count=len(engagements),
        stakeholder_count=len({e.stakeholder.strip().casefold() for e in engagements}),
        unit_names=sorted({e.unit.name for e in engagements if e.unit is not None}),
        by_level=[(label, counts[value]) for value, label in EngagementLevel.choices],
    )


def stakeholder_section(
    access: ProjectAccess, *, form: EngagementForm | None = None
) -> dict[str, object]:
    """The engagement log, newest first, with its reach; the form to log one."""
    project = access.project
    engagements = list(project.engagements.select_related("unit", "recorded_by"))
    if access.can_edit and form is None:
        form = EngagementForm(units=organisation_units(project), auto_id="new-engagement-%s")
    return {
        "engagements": engagements,
        "reach": reach_of(engagements),
        "engagement_form": form if access.can_edit else None,
    }


# Doors to open --------------------------------------------------------------------------


@dataclass(frozen=True)
class DoorRow:
    door: DoorRequest
    # Days open so far for an open request; days it took to answer for an answered one.
    days: int
    answer_form: AnswerForm | None = None


def door_section(
    access: ProjectAccess,
    *,
    form: DoorForm | None = None,
    answering: tuple[int, AnswerForm] | None = None,
) -> dict[str, object]:
    """Doors to open: open requests first (oldest first) with their age, then answered
    ones (latest answer first); the sponsor gets an answer form on each open request."""
    project = access.project
    today = timezone.localdate()
    doors = list(project.doors.select_related("asked_by", "answered_by"))
    open_doors = sorted((d for d in doors if d.is_open), key=lambda d: (d.asked_at, d.pk))
    answered = sorted(
        (d for d in doors if not d.is_open),
        key=lambda d: (d.answered_at, d.pk),
        reverse=True,
    )
    rows = []
    for door in open_doors:
        answer_form = None
        if access.can_respond:
            answer_form = (
                answering[1]
                if answering and answering[0] == door.pk
                else AnswerForm(auto_id=f"door-{door.pk}-%s")
            )
        rows.append(DoorRow(door, days_between(door.asked_at, today), answer_form))
    for door in answered:
        answered_on = timezone.localdate(door.answered_at) if door.answered_at else today
        rows.append(DoorRow(door, days_between(door.asked_at, answered_on)))
    if access.can_edit and form is None:
        form = DoorForm(auto_id="new-door-%s")
    return {
        "door_rows": rows,
        "open_door_count": len(open_doors),
        "door_form": form if access.can_edit else None,
    }


# Status updates -------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateRow:
    update: StatusUpdate
    comments: list[SponsorComment]
    comment_form: CommentForm | None = None


def update_section(
    access: ProjectAccess,
    *,
    form: StatusUpdateForm | None = None,
    commenting: tuple[int, CommentForm] | None = None,
    limit: int | None = RECENT_UPDATES,
) -> dict[str, object]:
    """The latest status updates (all of them when `limit` is None) with the sponsor's
    comments; the form for a new update, and a comment form on each for the sponsor."""
    project = access.project
    updates = project.updates.select_related("author").prefetch_related(
        Prefetch("comments", queryset=SponsorComment.objects.select_related("author"))
    )
    found = list(updates if limit is None else updates[: limit + 1])
    more = limit is not None and len(found) > limit
    rows = []
    for update in found[:limit]:
        comment_form = None
        if access.can_respond:
            comment_form = (
                commenting[1]
                if commenting and commenting[0] == update.pk
                else CommentForm(auto_id=f"update-{update.pk}-%s")
            )
        rows.append(UpdateRow(update, list(update.comments.all()), comment_form))
    if access.can_edit and form is None:
        form = StatusUpdateForm(auto_id="new-update-%s")
    return {
        "update_rows": rows,
        "more_updates": more,
        "update_form": form if access.can_edit else None,
    }


def work_context(access: ProjectAccess) -> dict[str, object]:
    """Everything the project page's actions, stakeholders, doors and updates sections
    need, in a fixed number of queries."""
    return (
        action_section(access)
        | stakeholder_section(access)
        | door_section(access)
        | update_section(access)
    )


# The sponsor's dashboard ----------------------------------------------------------------


PHASE_ORDER = [Phase.CRAFTING, Phase.CARRYING_OUT, Phase.TRANSITIONING, Phase.COMPLETED]


@dataclass(frozen=True)
class SponsoredProject:
    project: Project
    awaiting: list[str]
    open_door_count: int
    oldest_open_days: int | None
    last_update_at: datetime.datetime | None
    actions_done: int = 0
    actions_total: int = 0

    @property
    def phase_step(self) -> int:
        """Which of the four phases the project is in, from 1 (crafting)."""
        return PHASE_ORDER.index(Phase(self.project.phase)) + 1

    @property
    def phase_count(self) -> int:
        return len(PHASE_ORDER)


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on OuterRef("pk"))."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("project").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def sponsored_projects(user: User) -> list[SponsoredProject]:
    """The projects the user sponsors in programs where they are an active sponsor, with
    what awaits them (approvals, amendments, a transition plan, results to confirm), open
    doors, the date of the last status update and how many actions are done. One query,
    however many projects."""
    open_doors = DoorRequest.objects.filter(project=OuterRef("pk"), answered_at__isnull=True)
    actions = Action.objects.filter(project=OuterRef("pk"))
    projects = (
        Project.objects.filter(team__sponsor=user)
        .filter(
            Exists(
                Membership.objects.filter(
                    user=user,
                    program=OuterRef("team__cohort__program"),
                    role=Role.SPONSOR,
                    is_active=True,
                )
            )
        )
        .select_related("team__cohort__program")
        .annotate(
            open_door_count=_count(open_doors),
            oldest_open_at=Subquery(open_doors.order_by("asked_at").values("asked_at")[:1]),
            last_update_at=Subquery(
                StatusUpdate.objects.filter(project=OuterRef("pk"))
                .order_by("-created_at")
                .values("created_at")[:1]
            ),
            criteria_awaiting=_count(
                CriterionAssessment.objects.filter(
                    project=OuterRef("pk"), review=CriterionAssessment.Review.PENDING
                ).exclude(rationale="")
            ),
            plan_awaiting=Exists(
                TransitionPlan.objects.filter(
                    project=OuterRef("pk"), submitted_at__isnull=False, accepted_at__isnull=True
                )
            ),
            amendment_awaiting=Exists(
                CharterAmendment.objects.filter(
                    project=OuterRef("pk"), status=CharterAmendment.Status.PROPOSED
                )
            ),
            results_awaiting=Exists(
                ProjectResults.objects.filter(project=OuterRef("pk"), confirmed_at__isnull=True)
                .exclude(narrative="")
                .filter(project__phase__in=[Phase.TRANSITIONING, Phase.COMPLETED])
            ),
            actions_total=_count(actions),
            actions_done=_count(actions.filter(status=Action.Status.DONE)),
        )
        .order_by("team__cohort__program__name", "team__name", "pk")
    )
    today = timezone.localdate()
    rows = []
    for project in projects:
        awaiting = []
        if project.phase == Phase.CRAFTING and project.charter_submitted_at is not None:
            awaiting.append("Charter submitted for your approval")
        if project.criteria_awaiting:
            n = project.criteria_awaiting
            awaiting.append(f"{n} criteri{'on' if n == 1 else 'a'} awaiting your review")
        if project.amendment_awaiting:
            awaiting.append("Charter amendment awaiting your decision")
        if project.plan_awaiting:
            awaiting.append("Transition plan awaiting your acceptance")
        if project.results_awaiting:
            awaiting.append("Results ready for you to confirm")
        oldest = project.oldest_open_at
        rows.append(
            SponsoredProject(
                project=project,
                awaiting=awaiting,
                open_door_count=project.open_door_count,
                oldest_open_days=days_between(oldest, today) if oldest else None,
                last_update_at=project.last_update_at,
                actions_done=project.actions_done,
                actions_total=project.actions_total,
            )
        )
    return rows
