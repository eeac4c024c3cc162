"""Team reflections: written together, edited by any member, with conflicts shown
instead of lost."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import PageForm
from core.pagination import paginate
from programs.http import AuthenticatedHttpRequest
from reflections.access import (
    TeamReflectionAccess,
    get_team_reflection_for_user,
    get_team_reflections_for_user,
)
from reflections.forms import TeamReflectionForm
from reflections.models import TeamReflection
from reflections.services import (
    EditConflict,
    do_edit_team_reflection,
    do_record_team_read,
    do_write_team_reflection,
)
from reflections.views import read_receipts

PAGE_SIZE = 20


def _zone(request: AuthenticatedHttpRequest, access: TeamReflectionAccess) -> ZoneInfo:
    return request.user.zone


@require_GET
def team_list(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """The team's reflections, newest change first; the sponsor sees only those shared."""
    access = get_team_reflections_for_user(request.user, team_id)
    team = access.team.team
    # Only what was shared with the reader: the sponsor sees what the team shared, and
    # nobody sees what the team last saved before they took their place on it.
    entries = (
        TeamReflection.objects.for_user(request.user)
        .filter(team=team)
        .select_related("updated_by")
    )
    return render(
        request,
        "reflections/team_list.html",
        {
            "team": team,
            "program": team.cohort.program,
            "access": access,
            "zone": _zone(request, access),
            "page": paginate(entries, PageForm(request.GET).number(), per_page=PAGE_SIZE),
        },
    )


@require_http_methods(["GET", "POST"])
def team_write(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    access = get_team_reflections_for_user(request.user, team_id, write=True)
    team = access.team.team
    form = TeamReflectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entry = do_write_team_reflection(
            team=team,
            by=request.user,
            title=data["title"],
            body=data["body"],
            share_with_sponsor=data["share_with_sponsor"],
        )
        messages.success(
            request,
            f"“{entry.title}” is saved. Your team and its learning coach can read it"
            + (", and so can your executive sponsor." if entry.share_with_sponsor else "."),
        )
        return redirect("reflections:team_detail", entry.pk)
    return render(
        request,
        "reflections/team_form.html",
        {
            "team": team,
            "program": team.cohort.program,
            "form": form,
            "zone": _zone(request, access),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def team_detail(request: AuthenticatedHttpRequest, team_reflection_id: int) -> HttpResponse:
    entry, access = get_team_reflection_for_user(request.user, team_reflection_id)
    do_record_team_read(
        reader=request.user, team_reflection=entry, reader_is_member=access.is_member
    )
    return render(
        request,
        "reflections/team_detail.html",
        {
            "receipts": read_receipts(team_reflection=entry) if access.is_member else [],
            "entry": entry,
            "team": entry.team,
            "program": entry.team.cohort.program,
            "access": access,
            "zone": _zone(request, access),
            "edits": list(entry.edits.select_related("editor")[:20]),
            # A coach or sponsor who took the place after the team's last save does not
            # read it yet; the page says so rather than naming them as readers.
            "advisors_reading": set(
                entry.audience.filter(
                    reader_id__in=[entry.team.coach_id, entry.team.sponsor_id]
                ).values_list("reader_id", flat=True)
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def team_edit(request: AuthenticatedHttpRequest, team_reflection_id: int) -> HttpResponse:
    """Edit a team reflection. The form carries the version it started from; saving over
    a newer version shows both texts (HTTP 409) and lets the person choose."""
    entry, access = get_team_reflection_for_user(request.user, team_reflection_id, write=True)
    context: dict[str, object] = {
        "entry": entry,
        "team": entry.team,
        "program": entry.team.cohort.program,
        "zone": _zone(request, access),
    }
    status = 200
    if request.method == "POST":
        form = TeamReflectionForm(request.POST)
        if form.is_valid() and form.cleaned_data["version"] is None:
            form.add_error(None, "This form lacks the version it started from; reload the page.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_edit_team_reflection(
                    team_reflection=entry,
                    by=request.user,
                    title=data["title"],
                    body=data["body"],
                    share_with_sponsor=data["share_with_sponsor"],
                    base_version=data["version"],
                )
            except EditConflict as conflict:
                current = conflict.current
                context["conflict"] = {
                    "mine": data,
                    "theirs": current,
                    "fields": conflict.fields,
                }
                # Saving this form again means: mine where both changed the same field,
                # knowingly over theirs; the fields only one side changed as merged.
                form = TeamReflectionForm(
                    initial={
                        "title": conflict.merged.get("title", data["title"]),
                        "body": conflict.merged.get("body", data["body"]),
                        "share_with_sponsor": data["share_with_sponsor"],
                        "version": current.version,
                    }
                )
                status = 409
            else:
                if not request.htmx:
                    messages.success(request, f"Saved version {entry.version}.")
                    return redirect("reflections:team_detail", entry.pk)
                context["saved"] = True
                form = TeamReflectionForm(initial=TeamReflectionForm.initial_for(entry))
        else:
            status = 400
    else:
        form = TeamReflectionForm(initial=TeamReflectionForm.initial_for(entry))
    context["form"] = form
    template = "reflections/team_form.html"
    if request.htmx:
        template += "#editor"
    return render(request, template, context, status=status)
