"""Coach tools: the coach dashboard, coach notes and the team pulse."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboards.charts import Series, legend, line_chart
from dashboards.coach import build_coach_dashboard
from dashboards.forms import (
    CoachNoteForm,
    NoteHandoverForm,
    NoteStartForm,
    PulseAnswerForm,
    PulseOpenForm,
)
from programs.access import get_program_for_user
from programs.http import AuthenticatedHttpRequest
from programs.models import Role
from teams.coaching import (
    MIN_PULSE_RESPONSES,
    PULSE_OPEN_DAYS,
    AlreadyAnswered,
    PulseClosed,
    PulseScores,
    do_answer_pulse,
    do_hand_over_notes,
    do_open_pulse,
    do_record_note_read,
    do_write_coach_note,
    get_coached_team,
    get_note_for_user,
    get_notes_to_hand_over,
    get_pulse_for_respondent,
    get_pulse_team,
    handover_candidates,
    is_team_coach,
    notes_for_team,
    pulse_is_open,
    pulse_scores,
    with_pulse_averages,
)
from teams.models import PULSE_DIMENSIONS, CoachNote, CoachNoteRead, PulseResponse


@require_GET
def coach_dashboard(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Completion heatmap, phases, pulse trends and flags for the teams the reader
    coaches in this program."""
    access = get_program_for_user(request.user, program_id, roles=[Role.COACH])
    dashboard = build_coach_dashboard(
        program=access.program,
        coach=request.user,
        now=timezone.now(),
        page_number=request.GET.get("page"),
    )
    return render(
        request,
        "dashboards/coach/dashboard.html",
        {"program": access.program, "dashboard": dashboard},
    )


@require_GET
def team_notes(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """The notes on the team that the coach may read: their own and those handed over to
    them. A previous coach's notes are not among them unless that coach handed them
    over."""
    access = get_coached_team(request.user, team_id)
    notes = list(notes_for_team(request.user, access.team))
    return render(
        request,
        "dashboards/coach/notes.html",
        {
            "team": access.team,
            "program": access.team.cohort.program,
            "notes": notes,
            "can_hand_over": any(note.author_id == request.user.pk for note in notes),
        },
    )


@require_http_methods(["GET", "POST"])
def note_new(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """Write a coach note; `?start=protocol` starts it from the questioning protocol."""
    access = get_coached_team(request.user, team_id)
    team = access.team
    if request.method == "POST":
        form = CoachNoteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            note = do_write_coach_note(
                team=team,
                by=request.user,
                held_on=data["held_on"],
                body=data["body"],
                task_minutes=data["task_minutes"],
                process_minutes=data["process_minutes"],
            )
            messages.success(
                request, f"Your note on the session of {note.held_on:%d %b %Y} is saved."
            )
            return redirect("coaching:note", note.pk)
    else:
        from_protocol = NoteStartForm(request.GET).from_protocol()
        form = CoachNoteForm(initial=CoachNoteForm.initial_for_new(from_protocol=from_protocol))
    return render(
        request,
        "dashboards/coach/note_form.html",
        {"team": team, "program": team.cohort.program, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def note_detail(request: AuthenticatedHttpRequest, note_id: int) -> HttpResponse:
    """A note, for its author and the coaches it was handed over to; a read by anyone but
    its author is recorded, and its author sees who read it."""
    note = get_note_for_user(request.user, note_id)
    own = note.author_id == request.user.pk
    if not own:
        do_record_note_read(note=note, reader=request.user)
    return render(
        request,
        "dashboards/coach/note_detail.html",
        {
            "note": note,
            "team": note.team,
            "program": note.team.cohort.program,
            "own": own,
            "reads": list(CoachNoteRead.objects.filter(note=note).select_related("reader")[:50])
            if own
            else [],
            "handed_to": [h.coach for h in note.handovers.select_related("coach")] if own else [],
        },
    )


@require_http_methods(["GET", "POST"])
def note_handover(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """Hand over all my notes on a team to another coach of the program: only then does
    that coach (the team's new coach, say) read them."""
    team = get_notes_to_hand_over(request.user, team_id)
    coaches = handover_candidates(team, request.user)
    form = NoteHandoverForm(request.POST or None, coaches=coaches)
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["coach"]
        count = do_hand_over_notes(team=team, by=request.user, to=to)
        plural = "s" if count != 1 else ""
        messages.success(
            request,
            f"{to.display_name} can now read your {count} note{plural} on {team.name}. "
            "You will see here when they read one.",
        )
        return redirect("coaching:note_handover", team.pk)
    mine = list(CoachNote.objects.filter(team=team, author=request.user))
    return render(
        request,
        "dashboards/coach/note_handover.html",
        {
            "team": team,
            "program": team.cohort.program,
            "form": form,
            "notes": mine,
        },
        status=400 if form.errors else 200,
    )


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


def pulse_chart(team_name: str, history: list[PulseScores]) -> str:
    shown = sorted((s for s in history if s.shown), key=lambda s: s.survey.meeting_on)
    if len(shown) < 2:
        return ""
    series = [
        Series(label, [s.averages[name] for s in shown])
        for name, label in PULSE_DIMENSIONS.items()
    ]
    chart = line_chart(
        title=f"Pulse of {team_name}: average of each dimension at each meeting, 1 to 5",
        x_labels=[f"{s.survey.meeting_on:%d %b}" for s in shown],
        series=series,
        y_min=1,
        y_max=5,
    )
    return chart + legend(series)


@require_GET
def team_pulse(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    context = _pulse_context(request, team_id)
    context["open_form"] = PulseOpenForm(initial={"meeting_on": timezone.localdate()})
    return render(request, "dashboards/coach/pulse.html", context)


@require_POST
def pulse_open(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    access = get_pulse_team(request.user, team_id)
    form = PulseOpenForm(request.POST)
    if not form.is_valid():
        context = _pulse_context(request, team_id)
        context["open_form"] = form
        return render(request, "dashboards/coach/pulse.html", context, status=400)
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
        "dashboards/coach/pulse_answer.html",
        {"survey": survey, "team": survey.team, "form": form},
        status=400 if form.errors else 200,
    )
