from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coaching.access import (
    get_session_for_user,
    get_session_record_to_share,
    get_session_to_change,
    get_team_to_schedule,
)
from coaching.forms import SessionForm, ShareRecordForm
from coaching.invitations import session_calendar
from coaching.models import SessionAttendance, TeamSession
from coaching.services import (
    do_change_session,
    do_schedule_session,
    do_share_session_record,
    do_stop_sharing_session_record,
    shared_record,
)
from programs.http import AuthenticatedHttpRequest


def _when(session: TeamSession, request: AuthenticatedHttpRequest) -> str:
    local = timezone.localtime(session.starts_at, request.user.zone)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


@require_http_methods(["GET", "POST"])
def schedule(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """A member or the coach schedules a session of the team."""
    access = get_team_to_schedule(request.user, team_id)
    form = SessionForm(request.POST or None, zone=request.user.zone, now=timezone.now())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = do_schedule_session(
            team=access.team,
            by=request.user,
            starts_at=data["starts_at"],
            duration=data["duration"],
            place=data["place"],
            video_link=data["video_link"],
            agenda=data["agenda"],
        )
        messages.success(
            request,
            f"Session scheduled for {_when(session, request)}. The team and its advisors "
            "get a calendar invitation.",
        )
        return redirect("coaching:detail", session.pk)
    return render(
        request,
        "coaching/session_form.html",
        {"team": access.team, "form": form, "session": None},
        status=400 if form.errors else 200,
    )


@require_GET
def detail(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The session: when on the reader's clock, where, the agenda, who is expected."""
    access = get_session_for_user(request.user, session_id)
    session = access.session
    attendees = [
        row.user
        for row in SessionAttendance.objects.filter(session=session)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ]
    note = session.coach_note
    return render(
        request,
        "coaching/session_detail.html",
        {
            "session": session,
            "team": session.team,
            "access": access,
            "attendees": attendees,
            "shared_record": shared_record(session, request.user, is_member=access.team.is_member),
            # The share button: for the coach who wrote the session's record only.
            "may_share_record": note is not None and note.author_id == request.user.pk,
        },
    )


@require_POST
def share_record(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The coach who wrote the session's record shares its figures with the team's members
    (the split and the questions used, never the note's text) or stops sharing them."""
    access = get_session_record_to_share(request.user, session_id)
    session = access.session
    form = ShareRecordForm(request.POST)
    if session.coach_note is None:
        messages.info(request, "There is no record of yours for this session to share yet.")
    elif not form.is_valid():
        messages.error(request, "Choose to share your record or to stop sharing it.")
    elif form.cleaned_data["share"]:
        do_share_session_record(session=session, by=request.user)
        messages.success(
            request,
            "Shared with the team's members: the task/process split and the questions used. "
            "Your note's text stays private.",
        )
    else:
        do_stop_sharing_session_record(session=session, by=request.user)
        messages.success(request, "Your record of this session is no longer shared with the team.")
    return redirect(reverse("coaching:detail", args=[session.pk]) + "#shared-record")


@require_http_methods(["GET", "POST"])
def change(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """Move or change a planned session; the invitees' calendars get the update."""
    access = get_session_to_change(request.user, session_id)
    session = access.session
    if session.status != TeamSession.Status.PLANNED:
        messages.info(request, "This session has started: it can no longer be moved.")
        return redirect("coaching:detail", session.pk)
    form = SessionForm(
        request.POST or None,
        initial=SessionForm.initial_for(session, request.user.zone),
        zone=request.user.zone,
        now=timezone.now(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        before = session.sequence
        session = do_change_session(
            session=session,
            by=request.user,
            starts_at=data["starts_at"],
            duration=data["duration"],
            place=data["place"],
            video_link=data["video_link"],
            agenda=data["agenda"],
        )
        if session.sequence == before:
            messages.info(request, "Nothing changed.")
        else:
            messages.success(
                request,
                f"Session changed: {_when(session, request)}. The team and its advisors get "
                "the update in their calendars.",
            )
        return redirect("coaching:detail", session.pk)
    return render(
        request,
        "coaching/session_form.html",
        {"team": session.team, "form": form, "session": session},
        status=400 if form.errors else 200,
    )


@require_GET
def calendar_file(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The session's calendar invitation, to add it by hand."""
    session = get_session_for_user(request.user, session_id).session
    response = HttpResponse(
        session_calendar(session, now=timezone.now()),
        content_type="text/calendar; charset=utf-8; method=REQUEST",
    )
    response["Content-Disposition"] = f'attachment; filename="team-session-{session.pk}.ics"'
    return response
