"""The printable outcome report, for program admins."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from core.csv import csv_text
from dashboards.analytics import MIN_GROUP, build_analytics
from dashboards.charts import growth_chart, participation_chart, phases_chart
from dashboards.outcome import growth_figure, stage_figure
from dashboards.outcome_report import (
    learning_themes,
    outcome_csv_rows,
    project_cards,
)
from dashboards.pdf import render_pdf
from programs.access import get_program_for_admin
from programs.forms import StageCloseForm
from programs.http import AuthenticatedHttpRequest
from programs.models import Program, SelfAssessment
from programs.self_assessment import closed_stages, open_stage_choices, stage_opening_days


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
        "participation_chart": participation_chart(data),
        "phases_chart": phases_chart(data.table("phases")),
        "growth_chart": growth_chart(competencies, closed),
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
    counted when the stage closed (groups of five or more only; see
    programs/self_assessment.py)."""
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
