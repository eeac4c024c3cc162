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
from teams.coaching import stage_is_open, stage_opens_on
from teams.models import SelfAssessment

OPEN = "open: figures when the stage closes"


def closed_stages(program: Program) -> dict[str, SelfAssessmentStage]:
    return {s.stage: s for s in SelfAssessmentStage.objects.filter(program=program)}


def stage_is_closed(program: Program, stage: str) -> bool:
    return SelfAssessmentStage.objects.filter(program=program, stage=stage).exists()


@transaction.atomic
def do_close_self_assessment_stage(
    *,
    program: Program,
    stage: str,
    by: User,
    now: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> SelfAssessmentStage:
    """Close one stage of the program's self-assessment and count its figures, once.
    Closing a closed stage again is refused, and so is closing a stage before its
    milestone opened it (when `today` is given). A later stage also keeps, per competency,
    the average change since the first closed stage over the same people (five or more)."""
    if stage not in SelfAssessment.Stage.values:
        raise ValidationError("No such stage.")
    if today is not None and not stage_is_open(program, stage, today):
        raise ValidationError(
            f"This stage opens on {stage_opens_on(program, stage):%d %B %Y}, with the "
            "program's milestone; it cannot close before."
        )
    first = (
        SelfAssessmentStage.objects.filter(program=program)
        .order_by("closed_at", "pk")
        .values_list("stage", "counted_user_ids")
        .first()
    )
    answers = SelfAssessment.objects.filter(program=program, stage=stage)
    if first is not None:
        answers = answers.filter(user_id__in=first[1])
    values: dict[str, dict[int, int]] = defaultdict(dict)
    counted: list[int] = []
    for user_id, ratings in answers.order_by("user_id").values_list("user_id", "ratings"):
        counted.append(user_id)
        for competency, value in (ratings or {}).items():
            if isinstance(value, int) and 1 <= value <= 5:
                values[competency][user_id] = value
    # The first stage's ratings of the same people (that stage is closed: they no longer
    # change), so growth compares each person with themself.
    before: dict[int, dict[str, object]] = {}
    if first is not None and first[0] != stage:
        before = dict(
            SelfAssessment.objects.filter(
                program=program, stage=first[0], user_id__in=counted
            ).values_list("user_id", "ratings")
        )
    figures: dict[str, list[float | int | None] | None] = {}
    for competency, found in values.items():
        if len(found) < MIN_GROUP:
            figures[competency] = None
            continue
        figure: list[float | int | None] = [
            round(sum(found.values()) / len(found), 1),
            len(found),
        ]
        pairs = [
            (value, (before.get(user_id) or {}).get(competency))
            for user_id, value in found.items()
        ]
        same = [(now, then) for now, then in pairs if isinstance(then, int)]
        if before and len(same) >= MIN_GROUP:
            figure.append(round(sum(now - then for now, then in same) / len(same), 1))
            figure.append(len(same))
        figures[competency] = figure
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
    average, people = figure[0], figure[1]
    return f"{average:.1f} ({people} people)"


def growth_figure(closed: SelfAssessmentStage | None, competency: str) -> str:
    """The change since the first closed stage, over the same people, for a later stage."""
    if closed is None:
        return OPEN
    figure = closed.figures.get(competency)
    if not figure or len(figure) < 4:
        return HIDDEN
    change, people = figure[2], figure[3]
    return f"{change:+.1f} ({people} people)"
