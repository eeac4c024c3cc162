"""Running a session: one page with the timeline (check-in round, the question, the
question-first round with its timer and the coach's questions, decisions and actions,
the learning round), and one small write per step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from coaching.access import SessionAccess, get_session_for_coach, get_session_to_run
from coaching.forms import (
    AttendanceForm,
    CoachQuestionForm,
    InterventionForm,
    LearningForm,
    NotesForm,
    SessionActionForm,
)
from coaching.models import (
    CoachQuestion,
    Intervention,
    LearningEntry,
    SessionAttendance,
    TeamSession,
)
from coaching.services import (
    do_add_coach_question,
    do_add_session_action,
    do_end_session,
    do_record_attendance,
    do_record_intervention,
    do_save_session_notes,
    do_start_session,
    do_write_learning,
    session_members,
)
from programs.http import AuthenticatedHttpRequest
from projects.models import Action

# Questions only, for this long, unless the team agrees otherwise.
QUESTION_ROUND_MINUTES = 15


def _back(session: TeamSession, anchor: str) -> HttpResponse:
    return redirect(reverse("coaching:run", args=[session.pk]) + f"#{anchor}")


def _context(request: AuthenticatedHttpRequest, access: SessionAccess, **forms: Any) -> dict:
    session = access.session
    team = session.team
    members = session_members(team)
    project = getattr(team, "project", None)
    open_actions: dict[int, list[Action]] = {member.pk: [] for member in members}
    if project is not None:
        for action in Action.objects.filter(project=project, owner__in=members).exclude(
            status=Action.Status.DONE
        ):
            open_actions[action.owner_id].append(action)  # type: ignore[index]
    present = set(
        SessionAttendance.objects.filter(session=session, attended=True).values_list(
            "user_id", flat=True
        )
    )
    entries = (
        LearningEntry.objects.filter(session=session)
        .select_related("author")
        .visible_to(request.user)
    )
    mine = next((entry for entry in entries if entry.author_id == request.user.pk), None)
    bank: dict[str, list[CoachQuestion]] = {label: [] for label in CoachQuestion.Purpose.labels}
    for question in CoachQuestion.objects.for_program(team.cohort.program):
        bank[question.get_purpose_display()].append(question)
    is_member = access.team.is_member
    return {
        "session": session,
        "team": team,
        "access": access,
        "is_open": session.status != TeamSession.Status.DONE,
        "check_in": [(member, open_actions[member.pk]) for member in members],
        "present": present,
        "bank": bank,
        "minutes": QUESTION_ROUND_MINUTES,
        "session_actions": session.actions.select_related("owner"),
        "shared_learning": [e for e in entries if e.shared_at and e.author_id != request.user.pk],
        "attendance_form": forms.get("attendance_form")
        or AttendanceForm(members=members, initial={"present": [str(pk) for pk in present]}),
        "notes_form": forms.get("notes_form")
        or NotesForm(initial={"question": session.question, "decisions": session.decisions}),
        "action_form": forms.get("action_form") or SessionActionForm(members=members),
        "learning_form": (
            forms.get("learning_form")
            or LearningForm(
                initial={
                    "learned": mine.learned if mine else "",
                    "differently": mine.differently if mine else "",
                    "shared": bool(mine and mine.shared_at),
                }
            )
        )
        if is_member
        else None,
        # The coach's own taps, never another coach's (nor anyone else's view).
        "my_interventions": list(
            Intervention.objects.filter(session=session, coach=request.user).select_related(
                "question"
            )
        )
        if access.team.is_coach
        else [],
        "intervention_errors": forms["intervention_form"].errors
        if "intervention_form" in forms
        else None,
        "question_form": forms.get("question_form") or CoachQuestionForm()
        if access.team.is_coach
        else None,
    }


def _invalid(
    request: AuthenticatedHttpRequest, access: SessionAccess, **forms: Any
) -> HttpResponse:
    return render(request, "coaching/run.html", _context(request, access, **forms), status=400)


@require_GET
def run(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    access = get_session_to_run(request.user, session_id)
    return render(request, "coaching/run.html", _context(request, access))


@require_POST
def start(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    access = get_session_to_run(request.user, session_id)
    do_start_session(session=access.session, by=request.user)
    messages.success(request, "The session has started: begin with the check-in round.")
    return _back(access.session, "check-in")


@require_POST
def attendance(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    access = get_session_to_run(request.user, session_id)
    form = AttendanceForm(request.POST, members=session_members(access.session.team))
    if not form.is_valid():
        return _invalid(request, access, attendance_form=form)
    do_record_attendance(session=access.session, present=form.present_members())
    messages.success(request, "Attendance saved.")
    return _back(access.session, "check-in")


@require_POST
def notes(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    access = get_session_to_run(request.user, session_id)
    form = NotesForm(request.POST)
    if not form.is_valid():
        return _invalid(request, access, notes_form=form)
    do_save_session_notes(session=access.session, **form.cleaned_data)
    messages.success(request, "Saved for the team's record.")
    return _back(access.session, "decisions")


@require_POST
def action_new(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    access = get_session_to_run(request.user, session_id)
    form = SessionActionForm(request.POST, members=session_members(access.session.team))
    if not form.is_valid():
        return _invalid(request, access, action_form=form)
    action = do_add_session_action(
        session=access.session,
        by=request.user,
        title=form.cleaned_data["title"],
        owner=form.owner_user(),
        due_on=form.cleaned_data["due_on"],
    )
    messages.success(request, f"Action added to the project for {form.owner_user().display_name}.")
    return _back(access.session, f"action-{action.pk}")


@require_POST
def learning(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    access = get_session_to_run(request.user, session_id)
    if not access.team.is_member:
        messages.info(request, "The learning round is the members' own.")
        return _back(access.session, "learning")
    form = LearningForm(request.POST)
    if not form.is_valid():
        return _invalid(request, access, learning_form=form)
    entry = do_write_learning(session=access.session, author=request.user, **form.cleaned_data)
    messages.success(
        request,
        "Saved and shared with the team." if entry.shared_at else "Saved: only you read it.",
    )
    return _back(access.session, "learning")


@require_POST
def end(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    access = get_session_to_run(request.user, session_id)
    do_end_session(session=access.session, by=request.user)
    messages.success(request, "The session has ended. The team pulse is open for the members.")
    return redirect("coaching:detail", access.session.pk)


@require_POST
def question_new(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    access = get_session_for_coach(request.user, session_id)
    form = CoachQuestionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, access, question_form=form)
    do_add_coach_question(
        program=access.session.team.cohort.program, by=request.user, **form.cleaned_data
    )
    messages.success(request, "Question added to this program's bank.")
    return _back(access.session, "questions")


@require_POST
def intervene(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The coach's one tap: recorded for their private record only."""
    access = get_session_for_coach(request.user, session_id)
    form = InterventionForm(request.POST, program=access.session.team.cohort.program)
    if not form.is_valid():
        return _invalid(request, access, intervention_form=form)
    do_record_intervention(
        session=access.session,
        coach=request.user,
        about=form.cleaned_data["about"],
        question=form.cleaned_data["question"],
    )
    return _back(access.session, "my-record")
