"""Self-assessment against the program's competencies: a participant rates themselves, and
a program admin closes a stage (from the outcome report) to count its figures."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.charts import Chart, Scale, Series, line_chart
from programs.access import get_program_for_admin, get_program_for_user
from programs.forms import SelfAssessmentForm, StageCloseForm
from programs.http import AuthenticatedHttpRequest
from programs.models import Role, SelfAssessment
from programs.self_assessment import (
    STAGE_SHORT_LABELS,
    closed_stages,
    do_close_self_assessment_stage,
    do_save_self_assessment,
    open_stage_choices,
    stage_opening_days,
)


@require_http_methods(["GET", "POST"])
def self_assessment(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """A participant rates themselves on the program's competencies at baseline,
    mid-point and end; only they see their own ratings. A stage the program admins closed
    takes no more ratings (its figures are final)."""
    access = get_program_for_user(request.user, program_id, roles=[Role.PARTICIPANT])
    program = access.program
    competencies = program.competency_list()
    mine = {a.stage: a for a in SelfAssessment.objects.filter(user=request.user, program=program)}
    closed = closed_stages(program)
    today = timezone.localdate()
    opening = stage_opening_days(program)
    open_stages = [
        (v, label)
        for v, label in SelfAssessment.Stage.choices
        if v not in closed and today >= opening[v]
    ]
    not_yet = [
        (label, opening[v])
        for v, label in SelfAssessment.Stage.choices
        if v not in closed and today < opening[v]
    ]
    form = SelfAssessmentForm(
        request.POST or None,
        competencies=competencies,
        stages=open_stages,
        initial={
            "stage": next(
                (v for v, _ in open_stages if v not in mine),
                open_stages[-1][0] if open_stages else "",
            )
        },
    )
    if request.method == "POST" and competencies and open_stages and form.is_valid():
        try:
            saved = do_save_self_assessment(
                user=request.user,
                program=program,
                stage=form.cleaned_data["stage"],
                ratings=form.ratings(),
            )
        except ValidationError as error:
            form.add_error("stage", error)
        else:
            messages.success(
                request, f"Your self-assessment for “{saved.get_stage_display()}” is saved."
            )
            return redirect("programs:self_assessment", program.pk)
    rows = [
        (
            competency,
            [
                mine[stage].ratings.get(competency) if stage in mine else None
                for stage in SelfAssessment.Stage.values
            ],
        )
        for competency in competencies
    ]
    return render(
        request,
        "programs/self_assessment.html",
        {
            "program": program,
            "form": form,
            "competencies": competencies,
            "stages": SelfAssessment.Stage.choices,
            "rows": rows,
            "has_any": bool(mine),
            "chart": my_growth_chart(rows) if mine else None,
            "open_stages": open_stages,
            "closed": [label for v, label in SelfAssessment.Stage.choices if v in closed],
            "not_yet": not_yet,
        },
        status=400 if form.errors else 200,
    )


def my_growth_chart(rows: list[tuple[str, list[int | None]]]) -> Chart:
    """The person's own rating of each competency at each stage, a line per competency."""
    return line_chart(
        title="My ratings, stage by stage",
        description=(
            "Your own rating, from 1 to 5, of each competency at the start, the mid-point "
            "and the end of the program; a stage you have not rated has no point."
        ),
        x_heading="Stage",
        x_labels=[STAGE_SHORT_LABELS[SelfAssessment.Stage(v)] for v in SelfAssessment.Stage],
        series=[Series(competency, values) for competency, values in rows],
        y_label="My rating, 1 to 5",
        y_min=1,
        y_max=5,
        scale=Scale(missing="not rated"),
    )


@require_POST
def self_assessment_close(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """A program admin closes a stage of the self-assessment: its figures are counted now,
    once, and participants can no longer change their ratings for it. Back to the outcome
    report, where the admin closed it."""
    access = get_program_for_admin(request.user, program_id)
    program = access.program
    closed = closed_stages(program)
    form = StageCloseForm(
        request.POST,
        stages=open_stage_choices(closed),
    )
    if form.is_valid():
        try:
            stage = do_close_self_assessment_stage(
                program=program,
                stage=form.cleaned_data["stage"],
                by=request.user,
                today=timezone.localdate(),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                f"“{stage.get_stage_display()}” is closed: its figures are counted over "
                f"{stage.people} people and will not change.",
            )
    else:
        messages.error(request, "Choose a stage that is still open.")
    return redirect("dashboards:report", program.pk)
