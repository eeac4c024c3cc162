"""Self-assessment stages: when each opens, and saving a person's ratings."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from programs.models import Milestone, Program, User
from teams.models import SelfAssessment

END_WEEKS_BEFORE_CLOSE = 4


def stage_opening_days(program: Program) -> dict[str, datetime.date]:
    """Self-assessment stages open with the program's milestones: the mid-point with the
    mid-point review, the end of the program with the showcase or the transition,
    whichever comes first; a program without such a milestone opens the mid-point half-way
    through and the end four weeks before its last day.

    The first day each self-assessment stage takes answers (and can be closed), from
    the program's milestones, in one query."""
    firsts: dict[str, datetime.date] = {}
    for kind, due_on in (
        Milestone.objects.filter(
            program=program,
            kind__in=[
                Milestone.Kind.MIDPOINT_REVIEW,
                Milestone.Kind.SHOWCASE,
                Milestone.Kind.TRANSITION,
            ],
        )
        .order_by("due_on")
        .values_list("kind", "due_on")
    ):
        firsts.setdefault(kind, due_on)
    end = [firsts[k] for k in (Milestone.Kind.SHOWCASE, Milestone.Kind.TRANSITION) if k in firsts]
    return {
        SelfAssessment.Stage.BASELINE: program.starts_on,
        SelfAssessment.Stage.MIDPOINT: firsts.get(
            Milestone.Kind.MIDPOINT_REVIEW,
            program.starts_on + (program.ends_on - program.starts_on) / 2,
        ),
        SelfAssessment.Stage.END: min(end)
        if end
        else max(
            program.starts_on,
            program.ends_on - datetime.timedelta(weeks=END_WEEKS_BEFORE_CLOSE),
        ),
    }


def stage_opens_on(program: Program, stage: str) -> datetime.date:
    return stage_opening_days(program)[stage]


def stage_is_open(program: Program, stage: str, today: datetime.date) -> bool:
    """Whether the stage takes ratings (and can be closed) on `today`."""
    return today >= stage_opens_on(program, stage)


def do_save_self_assessment(
    *,
    user: User,
    program: Program,
    stage: str,
    ratings: dict[str, int],
    now: datetime.datetime | None = None,
) -> SelfAssessment:
    """Save the person's ratings for one stage; saving the stage again replaces them.
    A stage whose milestone has not come yet (`stage_is_open`) takes no ratings."""
    now = now or timezone.now()
    if stage not in SelfAssessment.Stage.values:
        raise ValidationError("No such stage.")
    if not stage_is_open(program, stage, timezone.localdate(now)):
        raise ValidationError(
            f"This stage opens on {stage_opens_on(program, stage):%d %B %Y}, with the "
            "program's milestone; it takes no ratings before."
        )
    assessment, _ = SelfAssessment.objects.update_or_create(
        user=user,
        program=program,
        stage=stage,
        defaults={"ratings": ratings, "updated_at": now},
        create_defaults={"ratings": ratings, "created_at": now, "updated_at": now},
    )
    return assessment
