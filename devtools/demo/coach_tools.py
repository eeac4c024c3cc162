"""Demo data for the coach tools: coach notes (written with the questioning protocol) on
each coached team's recent sessions, and a team pulse after each of the last four
fortnightly meetings.

`seed_coaching(program=...)` is idempotent: notes are found by team and session date,
pulses by team and meeting date, answers by pulse and member, so running it again adds
nothing. One team's psychological safety falls over the last meetings, so that the coach
dashboard shows what a flag looks like. Every participant has rated themselves at the
baseline, which the program admin has closed, so that the outcome report shows its frozen
figures; the mid-point is still open.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from coaching.models import PULSE_DIMENSIONS, CoachNote, PulseResponse, PulseSurvey
from dashboards.models import ShowcaseItem
from dashboards.showcase import do_publish_showcase
from programs.models import Membership, Program, Role, SelfAssessment
from programs.self_assessment import (
    do_close_self_assessment_stage,
    do_save_self_assessment,
    stage_is_closed,
)
from projects.models import Phase, Project
from teams.models import Team, TeamMember

NOTES = [
    (
        "What did we try?\nSilent writing before discussion, so that the nurses spoke first.\n\n"
        "What happened?\nThree new ideas in ten minutes; the physicians built on them.\n\n"
        "What did we learn?\nThe quiet start evens out who speaks.\n\n"
        "What will we do differently?\nOpen every working session this way for a month.",
        50,
        25,
    ),
    (
        "What did we try?\nA question-only round about the sponsor's feedback.\n\n"
        "What happened?\nThe team found two assumptions it had never tested.\n\n"
        "What did we learn?\nWe jump to solutions when the sponsor is in the room.\n\n"
        "What will we do differently?\nAsk 'what else?' before agreeing the next action.",
        60,
        30,
    ),
]
MEETINGS = 4
MEETING_EVERY = datetime.timedelta(days=14)


def _score(team_index: int, member_index: int, meeting: int, dimension: int) -> int:
    """A believable 1-5 score that drifts up over the meetings, with some spread."""
    base = 3 + (meeting + dimension + member_index + team_index) % 3 // 2
    return max(1, min(5, base + (1 if meeting == MEETINGS - 1 and dimension == 4 else 0)))


@transaction.atomic
def seed_coaching(*, program: Program) -> None:
    """Coach notes and pulses for every team with a coach in `program`."""
    now = timezone.now()
    today = timezone.localdate()
    teams = list(
        Team.objects.filter(cohort__program=program, coach__isnull=False)
        .prefetch_related("members")
        .order_by("name")
    )
    for team_index, team in enumerate(teams):
        for weeks_ago, (body, task, process) in zip((3, 1), NOTES, strict=True):
            CoachNote.objects.get_or_create(
                team=team,
                held_on=today - datetime.timedelta(weeks=weeks_ago),
                defaults={
                    "author": team.coach,
                    "body": body,
                    "task_minutes": task,
                    "process_minutes": process,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        member_ids = [member.user_id for member in team.members.all()]
        for meeting in range(MEETINGS):
            meeting_on = today - MEETING_EVERY * (MEETINGS - meeting) + datetime.timedelta(days=1)
            survey, _ = PulseSurvey.objects.get_or_create(
                team=team,
                meeting_on=meeting_on,
                # Opened on the meeting's evening: the pulses of past meetings have closed.
                defaults={
                    "opened_by": team.coach,
                    "created_at": datetime.datetime.combine(
                        meeting_on, datetime.time(18), tzinfo=datetime.UTC
                    ),
                },
            )
            for member_index, user_id in enumerate(member_ids):
                scores = {
                    name: _score(team_index, member_index, meeting, dimension)
                    for dimension, name in enumerate(PULSE_DIMENSIONS)
                }
                if team_index == 0 and meeting >= 1:
                    # The first team's psychological safety falls: the dashboard flags it.
                    scores["psychological_safety"] = max(1, 5 - meeting - member_index % 2)
                PulseResponse.objects.get_or_create(
                    survey=survey,
                    respondent_id=user_id,
                    defaults={"created_at": now, "comment": "", **scores},
                )
    seed_self_assessments(program=program)


def seed_self_assessments(*, program: Program) -> None:
    """Baseline ratings of every participant, and the baseline closed by a program admin."""
    baseline = SelfAssessment.Stage.BASELINE
    if stage_is_closed(program, baseline):
        return
    admin = (
        Membership.objects.filter(program=program, role=Role.PROGRAM_ADMIN, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if admin is None:
        return
    competencies = program.competency_list()
    participants = Membership.objects.filter(
        program=program, role=Role.PARTICIPANT, is_active=True
    ).order_by("pk")
    for index, membership in enumerate(participants):
        do_save_self_assessment(
            user=membership.user,
            program=program,
            stage=baseline,
            ratings={
                competency: 2 + (index + number) % 3
                for number, competency in enumerate(competencies)
            },
        )
    do_close_self_assessment_stage(program=program, stage=baseline, by=admin.user)


def seed_showcase(*, program: Program) -> None:
    """The most advanced project of the program (completed, else carrying out) published
    to its cohort's showcase by one of its team's members, through the service."""
    order = [Phase.COMPLETED, Phase.TRANSITIONING, Phase.CARRYING_OUT]
    projects = Project.objects.filter(team__cohort__program=program, phase__in=order)
    chosen = min(projects, key=lambda p: (order.index(Phase(p.phase)), p.pk), default=None)
    if chosen is None or ShowcaseItem.objects.filter(project=chosen).exists():
        return
    member = TeamMember.objects.filter(team=chosen.team).select_related("user").first()
    if member is not None:
        do_publish_showcase(project=chosen, by=member.user, now=timezone.now())
