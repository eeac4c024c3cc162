"""Coach notes: the team's notes, writing one, reading one, handing them over."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from coaching.forms import CoachNoteForm, NoteHandoverForm, NoteStartForm
from coaching.models import CoachNote, CoachNoteRead
from coaching.notes import (
    do_hand_over_notes,
    do_record_note_read,
    do_write_coach_note,
    get_coached_team,
    get_note_for_user,
    get_notes_to_hand_over,
    handover_candidates,
    notes_for_team,
)
from programs.http import AuthenticatedHttpRequest


@require_GET
def team_notes(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """The notes on the team that the coach may read: their own and those handed over to
    them. A previous coach's notes are not among them unless that coach handed them
    over."""
    access = get_coached_team(request.user, team_id)
    notes = list(notes_for_team(request.user, access.team))
    return render(
        request,
        "coaching/notes.html",
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
        "coaching/note_form.html",
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
        "coaching/note_detail.html",
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
        "coaching/note_handover.html",
        {
            "team": team,
            "program": team.cohort.program,
            "form": form,
            "notes": mine,
        },
        status=400 if form.errors else 200,
    )
