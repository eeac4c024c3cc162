"""A program admin's people import (upload, preview, confirm) and export, as CSV."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs.access import get_program_for_admin
from programs.http import AuthenticatedHttpRequest
from programs.models import Discipline, Program, Role
from teams.import_forms import CohortQueryForm, ConfirmImportForm, PeopleFileForm
from teams.models import PeopleImport
from teams.people_import import (
    COLUMNS,
    HEADER_SYNONYMS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    do_import_people,
    do_upload_people_file,
    example_csv,
    export_people_csv,
    plan_import,
    rejected_rows_csv,
)


def _people_import(program: Program, import_id: int) -> PeopleImport:
    """An import belongs to its program: another program's import is not found."""
    return get_object_or_404(
        PeopleImport.objects.select_related("program", "cohort", "uploaded_by"),
        program=program,
        pk=import_id,
    )


@require_http_methods(["GET", "POST"])
def import_start(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The upload form, with the columns explained; a good file goes on to its preview."""
    program = get_program_for_admin(request.user, program_id).program
    query = CohortQueryForm(request.GET, program=program)
    form = PeopleFileForm(
        request.POST or None,
        request.FILES or None,
        program=program,
        initial={"cohort": query.cleaned_data["cohort"]} if query.is_valid() else {},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        people_import = do_upload_people_file(
            program=program,
            cohort=form.cleaned_data["cohort"],
            filename=upload.name or "people.csv",
            content=form.text,
            by=request.user,
        )
        return redirect("teams:import_preview", program.pk, people_import.pk)
    cohorts = list(program.cohorts.all())
    return render(
        request,
        "teams/import/upload.html",
        {
            "program": program,
            "form": form,
            "cohorts": cohorts,
            "columns": COLUMNS,
            "synonyms": HEADER_SYNONYMS,
            "disciplines": Discipline.choices,
            "roles": Role.choices,
            "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
            "max_rows": MAX_ROWS,
            "recent": program.people_imports.select_related("cohort", "uploaded_by")[:5],
        },
        status=400 if form.errors else 200,
    )


@require_GET
def import_preview(
    request: AuthenticatedHttpRequest, program_id: int, import_id: int
) -> HttpResponse:
    """Every row of the file with what confirming would do, or what stops it."""
    program = get_program_for_admin(request.user, program_id).program
    people_import = _people_import(program, import_id)
    plan = None if people_import.applied_at else plan_import(people_import)
    return render(
        request,
        "teams/import/preview.html",
        {"program": program, "people_import": people_import, "plan": plan, "columns": COLUMNS},
    )


@require_POST
def import_confirm(
    request: AuthenticatedHttpRequest, program_id: int, import_id: int
) -> HttpResponse:
    """Write every row, or nothing (or, when the admin chose so, the valid rows only);
    either way, back to the preview with the outcome."""
    program = get_program_for_admin(request.user, program_id).program
    people_import = _people_import(program, import_id)
    form = ConfirmImportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was imported: choose which rows to import.")
        return redirect("teams:import_preview", program.pk, people_import.pk)
    plan = do_import_people(
        people_import=people_import,
        by=request.user,
        create_units=form.cleaned_data["create_units"],
        valid_rows_only=form.cleaned_data["rows"] == ConfirmImportForm.VALID,
    )
    if plan.applied:
        messages.success(request, f"Imported. {plan.summary}")
    elif plan.file_error:
        messages.error(request, f"Nothing was imported. {plan.file_error}")
    else:
        problems = len(plan.problem_rows)
        rows = "row has a problem" if problems == 1 else "rows have problems"
        messages.error(
            request, f"Nothing was imported: {problems:,} {rows}. They are marked below."
        )
    return redirect("teams:import_preview", program.pk, people_import.pk)


@require_GET
def rejected_rows(
    request: AuthenticatedHttpRequest, program_id: int, import_id: int
) -> HttpResponse:
    """The rows not imported (or, before confirming, those with a problem) as CSV, as the
    file had them, with a `reason` column; every cell safe to open in a spreadsheet."""
    program = get_program_for_admin(request.user, program_id).program
    people_import = _people_import(program, import_id)
    stem = slugify(people_import.filename.removesuffix(".csv")) or "people"
    response = HttpResponse(
        "\ufeff" + rejected_rows_csv(people_import), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{stem}-rows-not-imported.csv"
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def export_people(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The program's people as CSV (optionally one cohort's), ready to import again."""
    program = get_program_for_admin(request.user, program_id).program
    query = CohortQueryForm(request.GET, program=program)
    if not query.is_valid():
        raise Http404("No such cohort.")
    cohort = query.cleaned_data["cohort"]
    name = slugify(program.name) or "program"
    if cohort is not None:
        name += f"-{slugify(cohort.name) or 'cohort'}"
    filename = f"{name}-people-{timezone.localdate():%Y-%m-%d}.csv"
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    response = HttpResponse(
        "\ufeff" + export_people_csv(program, cohort=cohort),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def example_file(request: HttpRequest) -> HttpResponse:
    """An empty people file: the header row only."""
    response = HttpResponse(example_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "people-example.csv")
    return response
