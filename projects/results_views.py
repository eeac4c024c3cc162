"""The project's results page (measures, narrative, the sponsor's confirmation) and the
hand-over page the new owner reaches by a signed link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs.http import AuthenticatedHttpRequest
from programs.models import Membership, Profile
from projects.access import ProjectAccess, get_project_for_user
from projects.models import Phase, SuccessMeasure, TransitionPlan
from projects.results import (
    do_add_measure,
    do_confirm_handover,
    do_confirm_results,
    do_edit_measure,
    do_remove_measure,
    do_save_narrative,
    handover_token,
    missing_for_confirmation,
    plan_for_token,
    results_of,
)
from projects.results_forms import HandoverForm, MeasureForm, NarrativeForm


def _page(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    *,
    add_form: MeasureForm | None = None,
    narrative_form: NarrativeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    project = access.project
    results = results_of(project)
    plan = TransitionPlan.objects.filter(project=project).first()
    show_link = plan is not None and plan.accepted_at and (access.can_edit or access.is_sponsor)
    return render(
        request,
        "projects/results.html",
        {
            "project": project,
            "access": access,
            "results": results,
            "measures": [
                (m, MeasureForm(initial=_initial(m), prefix=f"m{m.pk}"))
                for m in SuccessMeasure.objects.filter(project=project)
            ],
            "add_form": add_form or MeasureForm(prefix="new"),
            "narrative_form": narrative_form
            or NarrativeForm(initial={"narrative": results.narrative}),
            "editable": access.can_edit and results.confirmed_at is None,
            "missing": missing_for_confirmation(project),
            "plan": plan,
            "handover_url": request.build_absolute_uri(
                reverse("projects:handover", args=[handover_token(plan)])
            )
            if show_link and plan
            else "",
            "completed": project.phase == Phase.COMPLETED,
        },
        status=status,
    )


def _initial(measure: SuccessMeasure) -> dict[str, str]:
    return {
        "name": measure.name,
        "baseline": measure.baseline,
        "target": measure.target,
        "achieved": measure.achieved,
    }


def _measure(access: ProjectAccess, measure_id: int) -> SuccessMeasure:
    measure = SuccessMeasure.objects.filter(project=access.project, pk=measure_id).first()
    if measure is None:
        raise Http404("No such measure.")
    return measure


@require_GET
def results(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    """Everyone who may open the project reads its results; its members write them."""
    access = get_project_for_user(request.user, project_id)
    return _page(request, access)


@require_POST
def measure_add(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    form = MeasureForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            do_add_measure(project=access.project, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The measure is added.")
            return redirect("projects:results", access.project.pk)
    return _page(request, access, add_form=form, status=400)


@require_POST
def measure_edit(
    request: AuthenticatedHttpRequest, project_id: int, measure_id: int
) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    measure = _measure(access, measure_id)
    form = MeasureForm(request.POST, prefix=f"m{measure.pk}")
    if not form.is_valid():
        messages.error(request, "Name the measure; each value takes up to 200 characters.")
        return redirect("projects:results", access.project.pk)
    try:
        do_edit_measure(measure=measure, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"“{measure.name}” is saved.")
    return redirect("projects:results", access.project.pk)


@require_POST
def measure_remove(
    request: AuthenticatedHttpRequest, project_id: int, measure_id: int
) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    measure = _measure(access, measure_id)
    try:
        do_remove_measure(measure=measure)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"“{measure.name}” is removed.")
    return redirect("projects:results", access.project.pk)


@require_POST
def narrative(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    form = NarrativeForm(request.POST)
    if form.is_valid():
        try:
            do_save_narrative(project=access.project, narrative=form.cleaned_data["narrative"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The narrative of results is saved.")
            return redirect("projects:results", access.project.pk)
    return _page(request, access, narrative_form=form, status=400)


@require_POST
def confirm(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    """The sponsor confirms the results."""
    access = get_project_for_user(request.user, project_id)
    access.require_sponsor()
    try:
        do_confirm_results(project=access.project, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "You confirmed the results; they are fixed from now on.")
    return redirect("projects:results", access.project.pk)


@require_http_methods(["GET", "POST"])
def handover(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """The new owner confirms the hand-over, signed in, through the link the team sent
    them. The link is the key; it opens only for someone of the project's organisation, and
    anything else (an altered link, a plan rewritten for another owner) is a 404."""
    plan = plan_for_token(token)
    if plan is None:
        raise Http404("No such hand-over.")
    project = plan.project
    program = project.team.cohort.program
    known = (
        Profile.objects.filter(user=request.user, organization_id=program.organization_id).exists()
        or Membership.objects.filter(user=request.user, program=program, is_active=True).exists()
    )
    if not known:
        raise Http404("No such hand-over.")
    results = results_of(project)
    form = HandoverForm(request.POST or None, initial={"name": request.user.get_full_name() or ""})
    if request.method == "POST" and form.is_valid():
        try:
            do_confirm_handover(
                plan=plan,
                by=request.user,
                name=form.cleaned_data["name"],
                on_behalf=form.cleaned_data["on_behalf"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The hand-over of “{project.title}” is confirmed.")
            return redirect("projects:handover", token)
    return render(
        request,
        "projects/handover.html",
        {
            "project": project,
            "plan": plan,
            "results": results,
            "measures": SuccessMeasure.objects.filter(project=project),
            "form": form,
        },
        status=400 if form.errors else 200,
    )
