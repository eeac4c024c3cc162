"""Self-assessment against the program's competencies, and the printable outcome report."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dashboards.analytics import HIDDEN, MIN_GROUP, build_analytics
from dashboards.forms import SelfAssessmentForm
from programs.access import get_program_for_user
from programs.http import AuthenticatedHttpRequest
from programs.models import Role
from teams.coaching import do_save_self_assessment
from teams.models import SelfAssessment


@require_http_methods(["GET", "POST"])
def self_assessment(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """A participant rates themselves on the program's competencies at baseline,
    mid-point and end; only they see their own ratings."""
    access = get_program_for_user(request.user, program_id, roles=[Role.PARTICIPANT])
    program = access.program
    competencies = program.competency_list()
    mine = {a.stage: a for a in SelfAssessment.objects.filter(user=request.user, program=program)}
    form = SelfAssessmentForm(
        request.POST or None,
        competencies=competencies,
        stages=list(SelfAssessment.Stage.choices),
        initial={
            "stage": next(
                (v for v, _ in SelfAssessment.Stage.choices if v not in mine),
                SelfAssessment.Stage.END,
            )
        },
    )
    if request.method == "POST" and competencies and form.is_valid():
        saved = do_save_self_assessment(
            user=request.user,
            program=program,
            stage=form.cleaned_data["stage"],
            ratings=form.ratings(),
        )
        messages.success(
            request, f"Your self-assessment for “{saved.get_stage_display()}” is saved."
        )
        return redirect("coaching:self_assessment", program.pk)
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
        },
        status=400 if form.errors else 200,
    )


@require_GET
def outcome_report(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """A printable summary for program admins: participation, projects by phase and the
    average self-assessment per competency and stage (groups of five or more only)."""
    access = get_program_for_user(request.user, program_id, roles=[Role.PROGRAM_ADMIN])
    program = access.program
    today = timezone.localdate()
    data = build_analytics(program=program, today=today)
    competencies = program.competency_list()
    sums: dict[tuple[str, str], list[int]] = defaultdict(list)
    for stage, ratings in SelfAssessment.objects.filter(
        program=program,
        user__memberships__program=program,
        user__memberships__role=Role.PARTICIPANT,
        user__memberships__is_active=True,
    ).values_list("stage", "ratings"):
        for competency, value in (ratings or {}).items():
            if isinstance(value, int) and 1 <= value <= 5:
                sums[(competency, stage)].append(value)

    def average(competency: str, stage: str) -> str:
        values = sums.get((competency, stage), [])
        if len(values) < MIN_GROUP:
            return HIDDEN
        return f"{sum(values) / len(values):.1f} ({len(values)} people)"

    assessment_rows = [
        (competency, [average(competency, stage) for stage in SelfAssessment.Stage.values])
        for competency in competencies
    ]
    return render(
        request,
        "dashboards/outcome/report.html",
        {
            "program": program,
            "today": today,
            "weekly": data.table("weekly"),
            "phases": data.table("phases"),
            "stages": SelfAssessment.Stage.choices,
            "assessment_rows": assessment_rows,
        },
    )
