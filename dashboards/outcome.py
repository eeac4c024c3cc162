"""Self-assessment figures for the outcome report, frozen per stage.

DESIGN.md privacy rule 4 for self-assessments: the report shows nothing for a stage while
participants still answer it. A program admin closes the stage; its averages are counted
then, once, and kept (`SelfAssessmentStage`): a closed stage takes no more answers, and
what happens afterwards (a membership ended and restored, an account deleted) changes no
figure. The people counted are those who answered the stage, among the people counted in
the program's first closed stage when there is one, so every stage describes the same
group; a competency rated by fewer than MIN_GROUP of them shows "fewer than 5".
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dashboards.analytics import HIDDEN, MIN_GROUP
from dashboards.models import SelfAssessmentStage
from programs.models import Program, User
from teams.models import SelfAssessment

OPEN = "open: figures when the stage closes"


def closed_stages(program: Program) -> dict[str, SelfAssessmentStage]:
    return {s.stage: s for s in SelfAssessmentStage.objects.filter(program=program)}


def stage_is_closed(program: Program, stage: str) -> bool:
    return SelfAssessmentStage.objects.filter(program=program, stage=stage).exists()


@transaction.atomic
def do_close_self_assessment_stage(
    *, program: Program, stage: str, by: User, now: datetime.datetime | None = None
) -> SelfAssessmentStage:
    """Close one stage of the program's self-assessment and count its figures, once.
    Closing a closed stage again is refused."""
    if stage not in SelfAssessment.Stage.values:
        raise ValidationError("No such stage.")
    earlier = (
        SelfAssessmentStage.objects.filter(program=program)
        .order_by("closed_at", "pk")
        .values_list("counted_user_ids", flat=True)
        .first()
    )
    answers = SelfAssessment.objects.filter(program=program, stage=stage)
    if earlier is not None:
        answers = answers.filter(user_id__in=earlier)
    values: dict[str, list[int]] = defaultdict(list)
    counted: list[int] = []
    for user_id, ratings in answers.order_by("user_id").values_list("user_id", "ratings"):
        counted.append(user_id)
        for competency, value in (ratings or {}).items():
            if isinstance(value, int) and 1 <= value <= 5:
                values[competency].append(value)
    figures: dict[str, list[float | int] | None] = {
        competency: [round(sum(found) / len(found), 1), len(found)]
        if len(found) >= MIN_GROUP
        else None
        for competency, found in values.items()
    }
    try:
        with transaction.atomic():
            return SelfAssessmentStage.objects.create(
                program=program,
                stage=stage,
                closed_at=now or timezone.now(),
                closed_by=by,
                people=len(counted),
                figures=figures,
                counted_user_ids=counted,
            )
    except IntegrityError:
        raise ValidationError("This stage is closed already.") from None


def stage_figure(closed: SelfAssessmentStage | None, competency: str) -> str:
    """The report's cell for a competency at a stage."""
    if closed is None:
        return OPEN
    figure = closed.figures.get(competency)
    if not figure:
        return HIDDEN
    average, people = figure
    return f"{average:.1f} ({people} people)"
