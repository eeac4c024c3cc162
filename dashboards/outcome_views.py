"""Self-assessment against the program's competencies, and the printable outcome report."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.csv import csv_text
from dashboards.analytics import MIN_GROUP, build_analytics
from dashboards.forms import SelfAssessmentForm, StageCloseForm
from dashboards.outcome import (
    closed_stages,
    do_close_self_assessment_stage,
    growth_figure,
    stage_figure,
)
from dashboards.outcome_report import (
    learning_themes,
    outcome_csv_rows,
    project_cards,
)
from dashboards.pdf import render_pdf
from programs.access import get_program_for_admin, get_program_for_user
from programs.http import AuthenticatedHttpRequest
from programs.models import Program, Role
from teams.coaching import do_save_self_assessment, stage_opening_days
from teams.models import SelfAssessment


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
    form.fields["stage"].error_messages["invalid_choice"] = (
        "That stage is not open: it has closed (its ratings can no longer change) or its "
        "milestone has not come yet."
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
            return redirect("dashboards:self_assessment", program.pk)
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
        "dashboards/outcome/self_assessment.html",
        {
            "program": program,
            "form": form,
            "competencies": competencies,
            "stages": SelfAssessment.Stage.choices,
            "rows": rows,
            "has_any": bool(mine),
            "open_stages": open_stages,
            "closed": [label for v, label in SelfAssessment.Stage.choices if v in closed],
            "not_yet": not_yet,
        },
        status=400 if form.errors else 200,
    )


def _report_context(program: Program) -> dict[str, Any]:
    today = timezone.localdate()
    data = build_analytics(program=program, today=today)
    competencies = program.competency_list()
    closed = closed_stages(program)
    opening = stage_opening_days(program)
    stages = SelfAssessment.Stage.values
    assessment_rows = [
        (
            competency,
            [stage_figure(closed.get(stage), competency) for stage in stages],
            [growth_figure(closed.get(stage), competency) for stage in stages[1:]],
        )
        for competency in competencies
    ]
    return {
        "program": program,
        "today": today,
        "weekly": data.table("weekly"),
        "phases": data.table("phases"),
        "stages": SelfAssessment.Stage.choices,
        "later_stages": SelfAssessment.Stage.choices[1:],
        "assessment_rows": assessment_rows,
        "closed": closed,
        "opens_on": [
            (label, opening[value])
            for value, label in SelfAssessment.Stage.choices
            if value not in closed
        ],
        "cards": project_cards(program),
        "themes": learning_themes(program),
        "min_group": MIN_GROUP,
    }


@require_GET
def outcome_report(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """A printable report for program admins, the one a board reads: one card per project
    (title, team, sponsor, problem, measures, stakeholders, doors opened, new owner and
    sustainment), learning themes from shared writing, participation, and the average
    self-assessment per competency and stage with its growth over the same people, as
    counted when the stage closed (groups of five or more only; see dashboards/outcome.py)."""
    access = get_program_for_admin(request.user, program_id)
    program = access.program
    context = _report_context(program)
    context["close_form"] = StageCloseForm(stages=open_stage_choices(context["closed"]))
    return render(request, "dashboards/outcome/report.html", context)


@require_GET
def outcome_report_csv(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The projects of the outcome report, one row each, for a spreadsheet."""
    access = get_program_for_admin(request.user, program_id)
    program = access.program
    response = HttpResponse(
        csv_text(outcome_csv_rows(project_cards(program))), content_type="text/csv; charset=utf-8"
    )
    filename = f"{slugify(program.name)}-outcome-report.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def outcome_report_pdf(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The outcome report as a PDF, made on the server (WeasyPrint; no browser)."""
    access = get_program_for_admin(request.user, program_id)
    program = access.program
    html = render_to_string("dashboards/outcome/report_pdf.html", _report_context(program))
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    filename = f"{slugify(program.name)}-outcome-report.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def open_stage_choices(closed: Collection[str]) -> list[tuple[str, str]]:
    return [(value, label) for value, label in SelfAssessment.Stage.choices if value not in closed]


@require_POST
def self_assessment_close(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """A program admin closes a stage of the self-assessment: its figures are counted now,
    once, and participants can no longer change their ratings for it."""
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
