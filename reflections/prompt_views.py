"""The program's reflection prompts and their schedule, for its program admins."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from programs.access import get_program_for_admin
from programs.http import AuthenticatedHttpRequest
from programs.models import Program
from reflections.prompt_forms import PromptForm


def week_starts_on(program: Program, week: int) -> datetime.date:
    return program.starts_on + datetime.timedelta(weeks=week - 1)


@require_http_methods(["GET", "POST"])
def prompts(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The program's prompts in schedule order, with a form to add one."""
    program = get_program_for_admin(request.user, program_id).program
    form = PromptForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        form.instance.program = program
        prompt = form.save()
        messages.success(
            request,
            f"Prompt added{f' for week {prompt.week_number}' if prompt.week_number else ''}.",
        )
        return redirect("reflections:prompts", program.pk)
    rows = [
        (prompt, week_starts_on(program, prompt.week_number) if prompt.week_number else None)
        for prompt in program.prompts.all()
    ]
    return render(
        request,
        "reflections/prompts.html",
        {"program": program, "prompts": rows, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def prompt_edit(
    request: AuthenticatedHttpRequest, program_id: int, prompt_id: int
) -> HttpResponse:
    program = get_program_for_admin(request.user, program_id).program
    prompt = get_object_or_404(program.prompts.all(), pk=prompt_id)
    form = PromptForm(request.POST or None, program=program, instance=prompt)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Prompt saved.")
        return redirect("reflections:prompts", program.pk)
    return render(
        request,
        "programs/form.html",
        {
            "form": form,
            "title": "Edit prompt",
            "submit": "Save prompt",
            "cancel": reverse("reflections:prompts", args=[program.pk]),
            "program": program,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def prompt_delete(
    request: AuthenticatedHttpRequest, program_id: int, prompt_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST deletes. Entries written to the prompt keep their
    text and lose only the link to it."""
    program = get_program_for_admin(request.user, program_id).program
    prompt = get_object_or_404(program.prompts.all(), pk=prompt_id)
    if request.method == "POST":
        prompt.delete()
        messages.success(request, "Prompt deleted.")
        return redirect("reflections:prompts", program.pk)
    return render(
        request,
        "programs/confirm.html",
        {
            "program": program,
            "title": "Delete this prompt?",
            "body": f"“{prompt.text}”. Participants will no longer be offered it; entries "
            "already written to it keep their text. This cannot be undone.",
            "submit": "Delete prompt",
            "cancel": reverse("reflections:prompts", args=[program.pk]),
        },
    )
