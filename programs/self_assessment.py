"""Self-assessment: participants rate themselves on the program's competencies at three
stages, and program admins close each stage to count its figures.

Stages open with the program's milestones (`stage_opening_days`). DESIGN.md privacy rule 4
for self-assessments: the outcome report shows nothing for a stage while participants
still answer it. A program admin closes the stage; its averages are counted then, once,
and kept (`SelfAssessmentStage`): a closed stage takes no more answers, and what happens
afterwards (a membership ended and restored, an account deleted) changes no figure. The
people counted are those who answered the stage, among the people counted in the
program's first closed stage when there is one, so every stage describes the same group;
a competency rated by fewer than MIN_GROUP of them shows "fewer than 5".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.privacy import MIN_GROUP
from programs.models import Milestone, Program, SelfAssessment, SelfAssessmentStage, User

END_WEEKS_BEFORE_CLOSE = 4
# Stage names short enough for a chart's axis.
STAGE_SHORT_LABELS = {
    SelfAssessment.Stage.BASELINE: "Baseline",
    SelfAssessment.Stage.MIDPOINT: "Mid-point",
    SelfAssessment.Stage.END: "End",
}


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


def open_stage_choices(closed: Collection[str]) -> list[tuple[str, str]]:
    """The stages not closed yet, as choices."""
    return [(value, label) for value, label in SelfAssessment.Stage.choices if value not in closed]
