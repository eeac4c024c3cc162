"""The project's work: actions, stakeholder engagements, doors to open and status updates,
and the sponsor's dashboard.

Each section is a partial (`projects/work/_<section>.html`) that the project page includes.
An htmx request gets the updated partial back; a plain POST is redirected to the project
page; a plain GET of a section shows it on a page of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.page_cache import render_kept
from programs.http import AuthenticatedHttpRequest
from projects.access import ProjectAccess, get_project_for_user
from projects.work import (
    ActionRow,
    action_section,
    door_section,
    is_overdue,
    organisation_units,
    sponsored_projects,
    stakeholder_section,
    team_members,
    update_section,
)
from projects.work_forms import (
    ActionForm,
    AnswerForm,
    CommentForm,
    DoorForm,
    EngagementForm,
    StatusUpdateForm,
)
from projects.work_services import (
    do_answer_door,
    do_ask_door,
    do_comment_on_update,
    do_create_action,
    do_log_engagement,
    do_post_status_update,
    do_update_action,
)

TITLES = {
    "actions": "Actions",
    "stakeholders": "Stakeholder engagement",
    "doors": "Doors to open",
    "updates": "Status updates",
}


# Each section is a partial of the page that shows it on its own.
SECTION_PAGE = "projects/work/section_page.html"


def _section(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    name: str,
    context: dict[str, object],
    *,
    status: int = 200,
) -> HttpResponse:
    """The section as a partial for htmx, or on a page of its own."""
    context = {"project": access.project, "access": access, **context}
    if request.htmx:
        return render(request, f"{SECTION_PAGE}#{name}", context, status=status)
    project = access.project
    context |= {
        "team": project.team,
        "program": project.team.cohort.program,
        "title": TITLES[name],
        "section": name,
    }
    return render(request, SECTION_PAGE, context, status=status)


def _done(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    name: str,
    fresh: Callable[[], dict[str, object]],
) -> HttpResponse:
    """After a successful write: the fresh section for htmx, else back to the project."""
    if request.htmx:
        return _section(request, access, name, fresh())
    return redirect(reverse("projects:detail", args=[access.project.pk]) + f"#{name}")


def _updates_limit(request: AuthenticatedHttpRequest, project_id: int) -> int | None:
    """All updates on the updates page (also when htmx refreshes it), the latest few
    elsewhere."""
    page = reverse("projects:updates", args=[project_id])
    if request.htmx:
        current = request.htmx.current_url
        on_page = current is not None and urlsplit(current).path == page
    else:
        on_page = request.path == page
    return None if on_page else 5


# Actions --------------------------------------------------------------------------------


@require_GET
def actions(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    return _section(request, access, "actions", action_section(access))


@require_POST
def action_create(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    members = team_members(access)
    form = ActionForm(request.POST, members=members, auto_id="new-action-%s")
    if not form.is_valid():
        return _section(
            request,
            access,
            "actions",
            action_section(access, members=members, form=form),
            status=400,
        )
    action = do_create_action(project=access.project, by=request.user, **form.cleaned_data)
    messages.success(request, f"Action “{action.title}” added.")
    return _done(request, access, "actions", lambda: action_section(access, members=members))


@require_GET
def action_row(request: AuthenticatedHttpRequest, project_id: int, action_id: int) -> HttpResponse:
    """One action as a table row (what "Cancel" on an edited row swaps back in)."""
    access = get_project_for_user(request.user, project_id)
    action = get_object_or_404(access.project.actions.select_related("owner"), pk=action_id)
    if not request.htmx:
        return _section(request, access, "actions", action_section(access))
    row = ActionRow(action=action, overdue=is_overdue(action, timezone.localdate()))
    return render(
        request,
        f"{SECTION_PAGE}#action_row",
        {"row": row, "project": access.project, "access": access},
    )


@require_http_methods(["GET", "POST"])
def action_edit(
    request: AuthenticatedHttpRequest, project_id: int, action_id: int
) -> HttpResponse:
    """GET turns the row into a form; POST saves it."""
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    action = get_object_or_404(access.project.actions.select_related("owner"), pk=action_id)
    members = team_members(access)
    auto_id = f"action-{action.pk}-%s"
    status = 200
    if request.method == "POST":
        form = ActionForm.for_action(action, data=request.POST, members=members, auto_id=auto_id)
        if form.is_valid():
            do_update_action(action=action, by=request.user, **form.cleaned_data)
            messages.success(request, f"Action “{action.title}” saved.")
            return _done(
                request, access, "actions", lambda: action_section(access, members=members)
            )
        status = 400
    else:
        form = ActionForm.for_action(action, members=members, auto_id=auto_id)
        if request.htmx:
            row = ActionRow(action, is_overdue(action, timezone.localdate()), form)
            return render(
                request,
                f"{SECTION_PAGE}#action_row",
                {"row": row, "project": access.project, "access": access},
            )
    return _section(
        request,
        access,
        "actions",
        action_section(access, members=members, editing=(action.pk, form)),
        status=status,
    )


# Stakeholders ---------------------------------------------------------------------------


@require_GET
def stakeholders(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    return _section(request, access, "stakeholders", stakeholder_section(access))


@require_POST
def engagement_create(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    units = organisation_units(access.project)
    form = EngagementForm(request.POST, units=units, auto_id="new-engagement-%s")
    if not form.is_valid():
        return _section(
            request, access, "stakeholders", stakeholder_section(access, form=form), status=400
        )
    engagement = do_log_engagement(project=access.project, by=request.user, **form.cleaned_data)
    messages.success(request, f"Engagement with {engagement.stakeholder} logged.")
    return _done(request, access, "stakeholders", lambda: stakeholder_section(access))


# Doors to open --------------------------------------------------------------------------


@require_GET
def doors(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    return _section(request, access, "doors", door_section(access))


@require_POST
def door_create(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    form = DoorForm(request.POST, auto_id="new-door-%s")
    if not form.is_valid():
        return _section(request, access, "doors", door_section(access, form=form), status=400)
    do_ask_door(project=access.project, by=request.user, **form.cleaned_data)
    sponsor = access.project.team.sponsor
    messages.success(
        request,
        f"Request sent to {sponsor.display_name}, who is notified."
        if sponsor
        else "Request saved. The team has no sponsor yet; it waits for one.",
    )
    return _done(request, access, "doors", lambda: door_section(access))


@require_POST
def door_answer(request: AuthenticatedHttpRequest, project_id: int, door_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_respond()
    door = get_object_or_404(access.project.doors.all(), pk=door_id)
    form = AnswerForm(request.POST, auto_id=f"door-{door.pk}-%s")
    if form.is_valid():
        try:
            do_answer_door(door=door, answer=form.cleaned_data["answer"], by=request.user)
        except ValidationError as problem:
            # Answered meanwhile (another tab, a double click): show the answer that stands.
            messages.error(request, " ".join(problem.messages))
            return _section(request, access, "doors", door_section(access), status=409)
        messages.success(request, "Your answer is on the project page for the team.")
        return _done(request, access, "doors", lambda: door_section(access))
    return _section(
        request, access, "doors", door_section(access, answering=(door.pk, form)), status=400
    )


# Status updates -------------------------------------------------------------------------


@require_GET
def updates(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    limit = _updates_limit(request, project_id)
    return _section(request, access, "updates", update_section(access, limit=limit))


@require_POST
def update_create(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    limit = _updates_limit(request, project_id)
    form = StatusUpdateForm(request.POST, auto_id="new-update-%s")
    if not form.is_valid():
        return _section(
            request, access, "updates", update_section(access, form=form, limit=limit), status=400
        )
    do_post_status_update(project=access.project, by=request.user, **form.cleaned_data)
    messages.success(request, "Status update posted.")
    return _done(request, access, "updates", lambda: update_section(access, limit=limit))


@require_POST
def update_comment(
    request: AuthenticatedHttpRequest, project_id: int, update_id: int
) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_respond()
    update = get_object_or_404(access.project.updates.all(), pk=update_id)
    limit = _updates_limit(request, project_id)
    form = CommentForm(request.POST, auto_id=f"update-{update.pk}-%s")
    if not form.is_valid():
        return _section(
            request,
            access,
            "updates",
            update_section(access, commenting=(update.pk, form), limit=limit),
            status=400,
        )
    do_comment_on_update(update=update, by=request.user, body=form.cleaned_data["body"])
    messages.success(request, "Your comment is on the update for the team.")
    return _done(request, access, "updates", lambda: update_section(access, limit=limit))


# The sponsor's dashboard ----------------------------------------------------------------


@require_GET
def sponsor_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every project the reader sponsors, with what waits for them."""
    return render_kept(
        request,
        "projects/work/sponsor_dashboard.html",
        f"sponsor-dashboard:{request.user.pk}",
        lambda: {"rows": sponsored_projects(request.user), "today": timezone.localdate()},
    )
