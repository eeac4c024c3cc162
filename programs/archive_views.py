"""Archiving a program, restoring it, and deleting it for good from the archive.

Archiving comes first and can be undone; deleting is possible only for an archived program,
after typing its name. Program admins only: others in the program get 403, outsiders 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.deletion import deletion_counts, describe_counts
from programs.access import get_program_for_admin
from programs.forms import DeleteProgramForm
from programs.http import AuthenticatedHttpRequest
from programs.models import Membership, Program, Role
from programs.services import do_archive_program, do_delete_program, do_restore_program


def _admin_program(request: AuthenticatedHttpRequest, program_id: int) -> Program:
    return get_program_for_admin(request.user, program_id).program


@require_http_methods(["GET", "POST"])
def archive(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """GET asks for confirmation; POST archives the program."""
    program = _admin_program(request, program_id)
    if request.method == "POST":
        try:
            paused = do_archive_program(program=program, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"“{program.name}” is archived. {paused} membership{'s' if paused != 1 else ''} "
                "paused; nothing was deleted. Restore it at any time from this page.",
            )
        return redirect("dashboards:program", program.pk)
    others = (
        Membership.objects.filter(program=program, is_active=True)
        .exclude(role=Role.PROGRAM_ADMIN)
        .count()
    )
    return render(request, "programs/archive.html", {"program": program, "others": others})


@require_POST
def restore(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    program = _admin_program(request, program_id)
    try:
        restored = do_restore_program(program=program)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"“{program.name}” is restored: {restored} membership{'s' if restored != 1 else ''} "
            "active again, with reminders and calendar feeds.",
        )
    return redirect("dashboards:program", program.pk)


@require_http_methods(["GET", "POST"])
def delete(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Delete an archived program for good: the page says what goes with it, and the admin
    types the program's name to confirm."""
    program = _admin_program(request, program_id)
    form = DeleteProgramForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        name = program.name
        try:
            do_delete_program(program=program, confirm_name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{name}” and everything in it were deleted for good.")
            return redirect("home")
    summary = describe_counts(deletion_counts(program)) if program.is_archived else []
    return render(
        request,
        "programs/delete.html",
        {"program": program, "form": form, "summary": summary},
        status=400 if form.errors else 200,
    )
