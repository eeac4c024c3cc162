"""The reflection journal: my entries, writing with an autosaved draft, an entry's page
with who can read it and who did, the bin, entries shared with me, and the export."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import PageForm
from core.page_cache import render_kept
from core.pagination import paginate
from programs.http import AuthenticatedHttpRequest
from programs.models import User
from reflections.access import (
    ProgramSpace,
    get_own_reflection,
    get_personal_space_for_user,
    get_reflection_for_user,
    get_shared_space_for_user,
)
from reflections.export import build_export
from reflections.forms import (
    DraftForm,
    JournalSearchForm,
    NextPageForm,
    ReflectionForm,
    WriteQueryForm,
)
from reflections.models import (
    Audience,
    AudienceRole,
    CheckIn,
    ReadReceipt,
    Reflection,
    Tag,
    Visibility,
)
from reflections.services import (
    do_delete_reflection,
    do_discard_draft,
    do_edit_reflection,
    do_record_read,
    do_restore_reflection,
    do_save_draft,
    do_share_reflection_again,
    do_write_reflection,
    open_draft,
    prompt_for_week,
    reflection_readers_now,
    team_in_program,
)
from teams.models import TeamMember

PAGE_SIZE = 20


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def describe_audience(reflection: Reflection, reader: User) -> str:
    """Who can read the entry, in words, addressed to its author or to another reader.

    The audience was fixed when the entry was shared (DESIGN.md, privacy rule 7): the
    people named are those it was shared with who still hold their place; a coach or
    teammate who arrived since is named as not reading it until it is shared again."""
    never = "Sponsors and program admins never read journal entries."
    if reflection.visibility == Visibility.PRIVATE:
        return f"Only you can read this entry. {never}"
    own = reflection.author_id == reader.pk
    their = "your" if own else "their"
    team = reflection.team
    coach = team.coach if team else None
    held = set(reflection_readers_now(reflection))
    shared = set(Audience.objects.filter(reflection=reflection).values_list("reader_id", "role"))
    reading = held & shared
    readers = ["You" if own else reflection.author.display_name]
    if reflection.visibility == Visibility.TEAM and team is not None:
        mates = [
            member.user.display_name
            for member in TeamMember.objects.filter(team=team)
            .exclude(user_id=reflection.author_id)
            .select_related("user")
            .order_by("user__first_name", "user__last_name")
            if (member.user_id, AudienceRole.MEMBER) in reading
        ]
        if mates:
            readers.append(f"{their} teammates on {team.name} ({_join(mates)})")
    if coach is not None and (coach.pk, AudienceRole.COACH) in reading:
        readers.append(f"{their} learning coach, {coach.display_name}")
    later = ""
    if own and held - shared:
        later = (
            " Someone joined your team or became its coach after you shared it: they "
            "do not read it unless you share it again."
        )
    if len(readers) == 1:
        if team is None:
            reason = f"{'you are' if own else 'they are'} not on a team"
        elif held - shared:
            reason = "nobody who holds those places now was there when it was shared"
        else:
            reason = f"{team.name} has no learning coach yet"
        alone = "you" if own else reflection.author.display_name
        return (
            f"Shared with “{reflection.get_visibility_display().lower()}”, but {reason}, so "
            f"only {alone} can read it for now.{later} {never}"
        )
    return f"{_join(readers)} can read this entry.{later} {never}"


# My journal ----------------------------------------------------------------------------


def _readers_count() -> Coalesce:
    readers = (
        ReadReceipt.objects.filter(reflection=OuterRef("pk"))
        .values("reflection")
        .annotate(n=Count("reader", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(readers, output_field=IntegerField()), 0)


@require_GET
def journal(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """My entries in the program, newest first: searchable by words in the title or text,
    filterable by learning theme, 20 to a page."""
    space = get_personal_space_for_user(request.user, program_id)
    if request.htmx:
        return render(request, "reflections/journal.html#results", journal_results(request, space))

    def make() -> dict[str, object]:
        program = space.program
        return journal_results(request, space) | {
            "tags": list(
                Tag.objects.filter(
                    reflections__author=request.user,
                    reflections__program=program,
                    reflections__deleted_at__isnull=True,
                ).distinct()
            ),
            "deleted_count": Reflection.objects.filter(
                author=request.user, program=program, deleted_at__isnull=False
            ).count(),
        }

    return render_kept(
        request,
        "reflections/journal.html",
        f"journal:{request.user.pk}:{program_id}",
        make,
        context={"program": space.program},
    )


def journal_results(request: AuthenticatedHttpRequest, space: ProgramSpace) -> dict[str, object]:
    """The page of the reader's entries that the query string asks for."""
    program = space.program
    search = JournalSearchForm(request.GET).given()
    query, tag = search.get("q", ""), search.get("tag", "")
    entries = Reflection.objects.live().filter(author=request.user, program=program)
    if query:
        entries = entries.filter(Q(title__icontains=query) | Q(body__icontains=query))
    if tag:
        entries = entries.filter(tags__name=tag)
    entries = entries.prefetch_related("tags").annotate(reader_count=_readers_count())
    page = paginate(entries, PageForm(request.GET).number(), per_page=PAGE_SIZE)
    return {
        "program": program,
        "team_id": space.team_id,
        "zone": space.zone,
        "page": page,
        "query": query,
        "tag": tag,
        "searching": bool(query or tag),
    }


@require_http_methods(["GET", "POST"])
def write(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Write an entry. What is typed is kept as a draft every few seconds; an unsaved
    draft is offered back, with the choice to continue or discard it."""
    space = get_personal_space_for_user(request.user, program_id)
    program = space.program
    draft = open_draft(request.user, program)
    continuing = draft is not None and WriteQueryForm(request.GET).continues_draft()
    week_prompt = prompt_for_week(program, timezone.now().astimezone(space.zone).date())
    if request.method == "POST":
        form = ReflectionForm(request.POST, program=program)
        if form.is_valid():
            data = form.cleaned_data
            reflection = do_write_reflection(
                author=request.user,
                program=program,
                title=data["title"],
                body=data["body"],
                tags=data["tags"],
                visibility=data["visibility"],
                prompt=data["prompt"],
                draft_token=data["draft_token"],
            )
            messages.success(
                request,
                f"“{reflection.title}” is saved in your journal. "
                + describe_audience(reflection, request.user),
            )
            return redirect("reflections:detail", reflection.pk)
    else:
        initial = ReflectionForm.initial_for_new(
            draft_token=secrets.token_urlsafe(16),
            draft=draft if continuing else None,
            prompt=week_prompt,
        )
        form = ReflectionForm(initial=initial, program=program)
    return render(
        request,
        "reflections/write.html",
        {
            "program": program,
            "team_id": space.team_id,
            "zone": space.zone,
            "form": form,
            "draft": None if continuing else draft,
            "continuing": continuing,
            "week_prompt": week_prompt,
            "team": team_in_program(request.user, program),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def draft_save(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Autosave: keep what is being written. An htmx request gets the "saved at" line
    back; a page that is closing sends a plain POST and gets 204."""
    space = get_personal_space_for_user(request.user, program_id)
    form = DraftForm(request.POST, program=space.program)
    context: dict[str, object] = {"zone": space.zone}
    if not form.is_valid():
        context["draft_error"] = "The draft could not be kept: " + " ".join(
            str(error) for errors in form.errors.values() for error in errors
        )
        return render(request, "reflections/write.html#draft_status", context, status=400)
    data = form.cleaned_data
    draft = do_save_draft(
        user=request.user,
        program=space.program,
        token=data["draft_token"],
        title=data["title"],
        body=data["body"],
        tags=data["tags"],
        visibility=data["visibility"] or Visibility.PRIVATE,
        prompt=data["prompt"],
    )
    if not request.htmx:
        return HttpResponse(status=204)
    context["saved_draft"] = draft
    return render(request, "reflections/write.html#draft_status", context)


@require_POST
def draft_discard(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    space = get_personal_space_for_user(request.user, program_id)
    if do_discard_draft(user=request.user, program=space.program):
        messages.success(request, "Your unsaved draft is discarded.")
    else:
        messages.info(request, "There was no unsaved draft to discard.")
    back = NextPageForm(request.POST)
    target = back.cleaned_data["next"] if back.is_valid() else ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("reflections:write", space.program.pk)


# One entry -----------------------------------------------------------------------------


def read_receipts(**subject: object) -> list[dict[str, object]]:
    """Who read an entry: each reader once, with how often and when last (newest first)."""
    rows = list(
        ReadReceipt.objects.filter(**subject)
        .values("reader")
        .annotate(reads=Count("id"), last_read_at=Max("read_at"))
        .order_by("-last_read_at")
    )
    people = User.objects.in_bulk([row["reader"] for row in rows])
    return [row | {"reader": people[row["reader"]]} for row in rows if row["reader"] in people]


@require_GET
def detail(request: AuthenticatedHttpRequest, reflection_id: int) -> HttpResponse:
    """An entry: its rendered text, who can read it, and for its author who read it.
    Reading someone else's entry is recorded."""
    reflection = get_reflection_for_user(request.user, reflection_id)
    own = reflection.author_id == request.user.pk
    if not own:
        do_record_read(reader=request.user, reflection=reflection)
    return render(
        request,
        "reflections/detail.html",
        {
            "reflection": reflection,
            "program": reflection.program,
            "team_id": reflection.team_id if own else None,
            "own": own,
            "zone": request.user.zone,
            "audience": describe_audience(reflection, request.user),
            "tags": list(reflection.tags.all()),
            "receipts": read_receipts(reflection=reflection) if own else [],
        },
    )


@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, reflection_id: int) -> HttpResponse:
    reflection = get_own_reflection(request.user, reflection_id)
    program = reflection.program
    if request.method == "POST":
        form = ReflectionForm(request.POST, program=program)
        if form.is_valid():
            data = form.cleaned_data
            do_edit_reflection(
                reflection=reflection,
                title=data["title"],
                body=data["body"],
                tags=data["tags"],
                visibility=data["visibility"],
                prompt=data["prompt"],
            )
            messages.success(
                request, "Your changes are saved. " + describe_audience(reflection, request.user)
            )
            return redirect("reflections:detail", reflection.pk)
    else:
        form = ReflectionForm(initial=ReflectionForm.initial_for(reflection), program=program)
    return render(
        request,
        "reflections/write.html",
        {
            "program": program,
            "form": form,
            "reflection": reflection,
            "team": reflection.team,
            "zone": request.user.zone,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def delete(request: AuthenticatedHttpRequest, reflection_id: int) -> HttpResponse:
    """Move an entry to the bin (restorable for 30 days)."""
    reflection = do_delete_reflection(reflection=get_own_reflection(request.user, reflection_id))
    until = (reflection.restorable_until() or timezone.now()).astimezone(request.user.zone)
    messages.success(
        request,
        f"“{reflection.title}” is moved to your deleted entries; nobody else can read it "
        f"now. You can restore it until {until:%-d %B %Y}.",
    )
    return redirect("reflections:journal", reflection.program_id)


@require_POST
def share_again(request: AuthenticatedHttpRequest, reflection_id: int) -> HttpResponse:
    """Share a shared entry again: whoever is the author's coach (and, for "my team and
    coach", on their team) now can read it too."""
    reflection = get_own_reflection(request.user, reflection_id)
    if reflection.visibility == Visibility.PRIVATE:
        messages.error(request, "This entry is private: choose who may read it by editing it.")
        return redirect("reflections:detail", reflection.pk)
    added = do_share_reflection_again(reflection=reflection)
    if added:
        messages.success(request, f"Shared again: {_join(added)} can now read it.")
    else:
        messages.info(request, "Everyone who holds those places now could already read it.")
    return redirect("reflections:detail", reflection.pk)


@require_POST
def restore(request: AuthenticatedHttpRequest, reflection_id: int) -> HttpResponse:
    reflection = do_restore_reflection(
        reflection=get_own_reflection(request.user, reflection_id, deleted=True)
    )
    messages.success(
        request,
        f"“{reflection.title}” is back in your journal. "
        + describe_audience(reflection, request.user),
    )
    return redirect("reflections:detail", reflection.pk)


@require_GET
def deleted(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """My deleted entries, each restorable for 30 days after it was deleted."""
    space = get_personal_space_for_user(request.user, program_id)
    entries = Reflection.objects.filter(
        author=request.user, program=space.program, deleted_at__isnull=False
    ).order_by("-deleted_at")
    page = paginate(entries, PageForm(request.GET).number(), per_page=PAGE_SIZE)
    return render(
        request,
        "reflections/deleted.html",
        {"program": space.program, "team_id": space.team_id, "zone": space.zone, "page": page},
    )


# Shared with me ------------------------------------------------------------------------


@require_GET
def shared(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Entries and check-ins that teammates and coached participants shared with me.
    Titles only: opening one is a read, and is recorded."""
    space = get_shared_space_for_user(request.user, program_id)
    program = space.program
    entries = (
        Reflection.objects.shared_with(request.user)
        .filter(program=program)
        .select_related("author", "team")
    )
    checkins = (
        CheckIn.objects.shared_with(request.user)
        .filter(program=program)
        .select_related("user")
        .order_by("-iso_year", "-iso_week", "user__last_name")
    )
    return render(
        request,
        "reflections/shared.html",
        {
            "program": program,
            "team_id": space.team_id,
            "zone": space.zone,
            "is_participant": space.is_participant,
            "page": paginate(entries, PageForm(request.GET).number(), per_page=PAGE_SIZE),
            "checkin_page": paginate(
                checkins, PageForm(request.GET, name="checkins").number(), per_page=PAGE_SIZE
            ),
        },
    )


# Export --------------------------------------------------------------------------------


@never_cache
@require_GET
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All of my own writing, in every program, as a zip of Markdown files and JSON."""
    now = timezone.now()
    response = HttpResponse(build_export(request.user, now=now), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="actionlab-my-writing-{now:%Y-%m-%d}.zip"'
    )
    return response
