"""A year of each project's work: phases and their events, criteria, the transition
plan, an action a week, stakeholders, doors to open, status updates."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from devtools.demo.program import TEAMS
from devtools.demo.reflections import FOCUSES, STEPS
from devtools.scale.data import (
    ACTION_TITLES,
    DOOR_REQUESTS,
    PROJECT_OBJECTS,
    PROJECT_VERBS,
    RATIONALE,
    STAKEHOLDERS,
)
from projects.models import (
    Action,
    Criterion,
    CriterionAssessment,
    DoorRequest,
    EngagementLevel,
    Phase,
    PhaseEvent,
    Project,
    ProjectType,
    SponsorComment,
    StakeholderEngagement,
    StatusUpdate,
    TransitionPlan,
)

if TYPE_CHECKING:
    from devtools.scale.seeder import Seeder


def seed_projects(s: Seeder) -> None:
    rng, w, weeks = s.rng, s.writer, s.spec.weeks
    projects: list[tuple[Any, ...]] = []
    criteria: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    plans: list[tuple[Any, ...]] = []
    actions: list[tuple[Any, ...]] = []
    engagements: list[tuple[Any, ...]] = []
    doors: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    comments: list[tuple[Any, ...]] = []
    update_first = w.reserve(StatusUpdate, s.spec.teams * (weeks // 4 + 1))
    update_id = update_first
    template = TEAMS[0]["project"]
    for team in s.teams:
        members = [p.user_id for p in team.members]
        # Phase boundaries, in weeks since the start, in proportion to the history.
        approved = max(1, round(weeks * rng.uniform(0.12, 0.22)))
        transition = approved + max(1, round(weeks * rng.uniform(0.45, 0.8)))
        completed = transition + max(1, round(weeks * rng.uniform(0.08, 0.2)))
        if weeks < approved:
            phase, since = Phase.CRAFTING, 0
        elif weeks < transition:
            phase, since = Phase.CARRYING_OUT, approved
        elif weeks < completed:
            phase, since = Phase.TRANSITIONING, transition
        else:
            phase, since = Phase.COMPLETED, completed
        created = s.at(s.starts_on)
        submitted = s.at(s.week_start(approved - 1), 15)
        title = (
            f"{PROJECT_VERBS[team.index % len(PROJECT_VERBS)]} "
            f"{PROJECT_OBJECTS[team.index * 7 % len(PROJECT_OBJECTS)]}"
        )
        in_crafting = phase == Phase.CRAFTING
        charter_submitted = submitted if in_crafting and weeks >= approved - 1 else None
        projects.append(
            (
                team.project_id,
                team.team_id,
                list(ProjectType)[team.index % len(ProjectType)],
                title,
                template["problem"],
                template["alignment"],
                template["outcomes"],
                template["measures"],
                template["scope"],
                "",
                1,
                charter_submitted,
                phase,
                s.at(s.week_start(since)),
                created,
            )
        )
        written = list(Criterion) if not in_crafting or charter_submitted else list(Criterion)[:3]
        review = (
            CriterionAssessment.Review.PENDING
            if in_crafting
            else CriterionAssessment.Review.CONFIRMED
        )
        criteria += [(team.project_id, c, RATIONALE, review, "", submitted) for c in written]
        member = members[0]
        if charter_submitted or not in_crafting:
            events.append(
                (
                    team.project_id,
                    PhaseEvent.Kind.CHARTER_SUBMITTED,
                    Phase.CRAFTING,
                    Phase.CRAFTING,
                    "",
                    member,
                    submitted,
                )
            )
        if not in_crafting:
            events.append(
                (
                    team.project_id,
                    PhaseEvent.Kind.CHARTER_APPROVED,
                    Phase.CRAFTING,
                    Phase.CARRYING_OUT,
                    "Clear and bold. Go.",
                    team.sponsor_id,
                    s.at(s.week_start(approved)),
                )
            )
        if phase in (Phase.TRANSITIONING, Phase.COMPLETED):
            events.append(
                (
                    team.project_id,
                    PhaseEvent.Kind.TRANSITION_STARTED,
                    Phase.CARRYING_OUT,
                    Phase.TRANSITIONING,
                    "",
                    member,
                    s.at(s.week_start(transition)),
                )
            )
            done = phase == Phase.COMPLETED
            plan_submitted: datetime.datetime | None = s.at(
                s.week_start(transition) + datetime.timedelta(days=9)
            )
            if not done and plan_submitted and plan_submitted > s.now - datetime.timedelta(days=1):
                plan_submitted = None  # still being written
            if plan_submitted is not None:
                events.append(
                    (
                        team.project_id,
                        PhaseEvent.Kind.PLAN_SUBMITTED,
                        Phase.TRANSITIONING,
                        Phase.TRANSITIONING,
                        "",
                        member,
                        plan_submitted,
                    )
                )
            accepted = s.at(s.week_start(completed)) if done else None
            if done:
                events.append(
                    (
                        team.project_id,
                        PhaseEvent.Kind.PLAN_ACCEPTED,
                        Phase.TRANSITIONING,
                        Phase.COMPLETED,
                        "",
                        team.sponsor_id,
                        accepted,
                    )
                )
            plans.append(
                (
                    team.project_id,
                    "Director of Operations",
                    team.members[0].unit_id,
                    "A monthly review of the measures in the unit's operations meeting.",
                    plan_submitted,
                    accepted,
                    team.sponsor_id if done else None,
                )
            )

        # A year of work: an action a week, stakeholders, doors, monthly updates.
        for week in range(weeks):
            opened = s.week_start(week) + datetime.timedelta(days=week % 5)
            due = opened + datetime.timedelta(weeks=rng.randint(1, 5))
            if due < s.today - datetime.timedelta(days=14):
                status = Action.Status.DONE if rng.random() < 0.92 else Action.Status.BLOCKED
            elif due < s.today:
                status = rng.choice([Action.Status.DONE, Action.Status.DOING])
            else:
                status = rng.choice([Action.Status.TO_DO, Action.Status.DOING])
            at = s.at(opened)
            actions.append(
                (
                    team.project_id,
                    ACTION_TITLES[(team.index + week) % len(ACTION_TITLES)],
                    members[week % len(members)],
                    due,
                    status,
                    at,
                    at,
                )
            )
            if week % 4 == 1:
                engagements.append(
                    (
                        team.project_id,
                        STAKEHOLDERS[(team.index + week) % len(STAKEHOLDERS)],
                        s.units[(team.index + week) % len(s.units)].pk,
                        list(EngagementLevel)[week // 4 % len(EngagementLevel)],
                        opened,
                        "",
                        members[(week + 1) % len(members)],
                        at,
                    )
                )
            if week % 8 == 3:
                kind, request = DOOR_REQUESTS[week // 8 % len(DOOR_REQUESTS)]
                answered = week < weeks - 3
                doors.append(
                    (
                        team.project_id,
                        kind,
                        request,
                        members[week % len(members)],
                        at,
                        "Done: you have twenty minutes at the next committee." if answered else "",
                        team.sponsor_id if answered else None,
                        s.at(opened + datetime.timedelta(days=4)) if answered else None,
                        s.at(opened + datetime.timedelta(days=5)) if answered else None,
                    )
                )
            if week % 4 == 3:
                updates.append(
                    (
                        update_id,
                        team.project_id,
                        STEPS[(team.index + week) % len(STEPS)],
                        FOCUSES[(team.index + week) % len(FOCUSES)],
                        "Pharmacy staffing over the holidays." if week % 8 == 3 else "",
                        members[week % len(members)],
                        at,
                    )
                )
                if week % 8 == 7:
                    comments.append(
                        (
                            update_id,
                            team.sponsor_id,
                            "Good progress. Who else needs to hear about this?",
                            s.at(opened + datetime.timedelta(days=2)),
                        )
                    )
                update_id += 1
    if update_id > update_first + s.spec.teams * (weeks // 4 + 1):
        raise RuntimeError("More status updates than reserved ids.")
    w.write(
        Project,
        (
            "id team project_type title problem_statement strategic_alignment "
            "intended_outcomes success_measures scope out_of_scope version "
            "charter_submitted_at phase phase_changed_at created_at"
        ),
        projects,
    )
    w.write(
        CriterionAssessment,
        "project criterion rationale review sponsor_comment updated_at",
        criteria,
    )
    w.write(
        PhaseEvent,
        "project kind from_phase to_phase comment by at",
        events,
    )
    w.write(
        TransitionPlan,
        ("project new_owner_name new_owner_unit sustainment submitted_at accepted_at accepted_by"),
        plans,
    )
    w.write(
        Action,
        "project title owner due_on status created_at updated_at",
        actions,
    )
    w.write(
        StakeholderEngagement,
        "project stakeholder unit level engaged_on note recorded_by created_at",
        engagements,
    )
    w.write(
        DoorRequest,
        "project kind request asked_by asked_at answer answered_by answered_at notified_at",
        doors,
    )
    w.write(
        StatusUpdate,
        "id project progress next_steps risks author created_at",
        updates,
    )
    w.write(SponsorComment, "update author body created_at", comments)
