"""The team pulse: its history and averages, opening one, answering one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coaching.forms import PulseAnswerForm, PulseOpenForm
from coaching.models import PULSE_DIMENSIONS, PulseResponse
from coaching.notes import is_team_coach
from coaching.pulse import (
    MIN_PULSE_RESPONSES,
    PULSE_OPEN_DAYS,
    AlreadyAnswered,
    PulseClosed,
    PulseScores,
    do_answer_pulse,
    do_open_pulse,
    get_pulse_for_respondent,
    get_pulse_team,
    pulse_is_open,
    pulse_scores,
    with_pulse_averages,
)
from core.charts import Chart, Scale, Series, line_chart
from programs.http import AuthenticatedHttpRequest


def _pulse_context(request: AuthenticatedHttpRequest, team_id: int) -> dict[str, object]:
    access = get_pulse_team(request.user, team_id)
    team = access.team
    history = [
        pulse_scores(survey)
        for survey in with_pulse_averages(team.pulse_surveys.all()).order_by("-meeting_on")
    ]
    answered = set(
        PulseResponse.objects.filter(survey__team=team, respondent=request.user).values_list(
            "survey_id", flat=True
        )
    )
    coach = is_team_coach(access)
    context: dict[str, object] = {
        "team": team,
        "program": team.cohort.program,
        "is_coach": coach,
        "is_member": access.is_member,
        "history": history,
        "answered": answered,
        "minimum": MIN_PULSE_RESPONSES,
        "open_days": PULSE_OPEN_DAYS,
        "member_count": len(access.members),
        "dimensions": list(PULSE_DIMENSIONS.values()),
    }
    if coach:
        context["chart"] = pulse_chart(team.name, history)
        shown = [scores.survey.pk for scores in history if scores.shown]
        comments: dict[int, list[str]] = {}
        for survey_id, comment in (
            PulseResponse.objects.filter(survey_id__in=shown)
            .exclude(comment="")
            .order_by("comment")
            .values_list("survey_id", "comment")
        ):
            comments.setdefault(survey_id, []).append(comment)
        context["comments"] = comments
    return context


def pulse_chart(team_name: str, history: list[PulseScores]) -> Chart | None:
    """Each dimension's team average at each meeting whose averages are shown, a line per
    dimension: from two such meetings on."""
    shown = sorted((s for s in history if s.shown), key=lambda s: s.survey.meeting_on)
    if len(shown) < 2:
        return None
    return line_chart(
        title=f"Pulse of {team_name}, meeting by meeting",
        description=(
            f"Team average of each of the {len(PULSE_DIMENSIONS)} pulse dimensions, from 1 "
            f"to 5, at the {len(shown)} meetings from {shown[0].survey.meeting_on:%d %b %Y} "
            f"to {shown[-1].survey.meeting_on:%d %b %Y} with at least "
            f"{MIN_PULSE_RESPONSES} answers."
        ),
        x_heading="Meeting",
        x_labels=[f"{s.survey.meeting_on:%d %b}" for s in shown],
        series=[
            Series(label, [s.averages[name] for s in shown])
            for name, label in PULSE_DIMENSIONS.items()
        ],
        y_label="Team average, 1 to 5",
        y_min=1,
        y_max=5,
        scale=Scale(decimals=1),
    )


@require_GET
def team_pulse(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    context = _pulse_context(request, team_id)
    context["open_form"] = PulseOpenForm(initial={"meeting_on": timezone.localdate()})
    return render(request, "coaching/pulse.html", context)


@require_POST
def pulse_open(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    access = get_pulse_team(request.user, team_id)
    form = PulseOpenForm(request.POST)
    if not form.is_valid():
        context = _pulse_context(request, team_id)
        context["open_form"] = form
        return render(request, "coaching/pulse.html", context, status=400)
    survey, created = do_open_pulse(
        team=access.team, by=request.user, meeting_on=form.cleaned_data["meeting_on"]
    )
    when = f"{survey.meeting_on:%d %b %Y}"
    if created:
        messages.success(request, f"The pulse for the meeting of {when} is open.")
    else:
        messages.info(request, f"The pulse for the meeting of {when} was already open.")
    return redirect("coaching:pulse", access.team.pk)


@require_http_methods(["GET", "POST"])
def pulse_answer(request: AuthenticatedHttpRequest, survey_id: int) -> HttpResponse:
    survey = get_pulse_for_respondent(request.user, survey_id)
    if not pulse_is_open(survey):
        messages.info(request, "This pulse has closed: its results are final.")
        return redirect("coaching:pulse", survey.team_id)
    already = PulseResponse.objects.filter(survey=survey, respondent=request.user).exists()
    form = PulseAnswerForm(request.POST or None)
    if request.method == "POST" and not already and form.is_valid():
        try:
            do_answer_pulse(
                survey=survey,
                by=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except AlreadyAnswered:
            already = True
        except PulseClosed:
            messages.info(request, "This pulse closed before your answers arrived.")
            return redirect("coaching:pulse", survey.team_id)
        else:
            messages.success(request, "Thank you: your answers are saved, without your name.")
            return redirect("coaching:pulse", survey.team_id)
    if already:
        messages.info(request, "You have answered this pulse already; answers cannot change.")
        return redirect("coaching:pulse", survey.team_id)
    return render(
        request,
        "coaching/pulse_answer.html",
        {"survey": survey, "team": survey.team, "form": form},
        status=400 if form.errors else 200,
    )
