"""The project overview: charter (edited in place), the six criteria and the phase gates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.diff import word_diff
from core.page_cache import render_kept
from programs.http import AuthenticatedHttpRequest
from programs.models import Unit
from projects.access import PROJECT_RELATED, ProjectAccess, get_project_for_user
from projects.forms import (
    AmendmentDecisionForm,
    AmendmentForm,
    ApproveCharterForm,
    CharterSectionForm,
    CloseActionsForm,
    CriterionReviewForm,
    GateForm,
    OverrideForm,
    ProjectNameForm,
    RationaleForm,
    SectionViewForm,
    TransitionPlanForm,
)
from projects.models import (
    CHARTER_SECTIONS,
    Action,
    CharterAmendment,
    CharterChange,
    Criterion,
    CriterionAssessment,
    DoorRequest,
    Phase,
    PhaseEvent,
    Project,
    ProjectType,
    StakeholderEngagement,
    StatusUpdate,
)
from projects.services import (
    CharterConflict,
    do_accept_transition_plan,
    do_approve_charter,
    do_begin_transition,
    do_close_open_actions,
    do_decide_amendment,
    do_edit_charter_section,
    do_name_project,
    do_override_phase,
    do_propose_amendment,
    do_return_charter,
    do_return_transition_plan,
    do_review_criterion,
    do_save_rationale,
    do_save_transition_plan,
    do_submit_charter,
    do_submit_transition_plan,
    missing_for_submission,
    open_actions,
    queried_criteria,
)

PHASE_STEPS = [Phase.CRAFTING, Phase.CARRYING_OUT, Phase.TRANSITIONING, Phase.COMPLETED]


def _count(queryset: QuerySet[Any], field: str = "pk", *, distinct: bool = False) -> Any:
    """A correlated subquery counting `queryset`'s rows for the outer project."""
    counted = queryset.filter(project=OuterRef("pk")).order_by().values("project")
    return Coalesce(
        Subquery(counted.annotate(n=Count(field, distinct=distinct)).values("n")[:1]), 0
    )


def _summary(project: Project) -> dict[str, Any]:
    """Counts for the overview's cards, in one query whatever the numbers (subqueries, not
    joins: joining four lists would multiply their rows)."""
    today = timezone.localdate()
    open_actions = Action.objects.filter(status__in=Action.OPEN_STATUSES)
    open_doors = DoorRequest.objects.filter(answered_at__isnull=True)
    row = (
        Project.objects.filter(pk=project.pk)
        .annotate(
            open_actions=_count(open_actions),
            overdue_actions=_count(open_actions.filter(due_on__lt=today)),
            engagement_count=_count(StakeholderEngagement.objects.all()),
            units_engaged=_count(StakeholderEngagement.objects.all(), "unit", distinct=True),
            open_doors=_count(open_doors),
            oldest_open_door=Subquery(
                open_doors.filter(project=OuterRef("pk"))
                .order_by("asked_at")
                .values("asked_at")[:1]
            ),
            update_count=_count(StatusUpdate.objects.all()),
            last_update=Subquery(
                StatusUpdate.objects.filter(project=OuterRef("pk"))
                .order_by("-created_at")
                .values("created_at")[:1]
            ),
        )
        .values(
            "open_actions",
            "overdue_actions",
            "engagement_count",
            "units_engaged",
            "open_doors",
            "oldest_open_door",
            "update_count",
            "last_update",
        )
        .get()
    )
    return dict(row)


def _criteria(project: Project) -> list[dict[str, Any]]:
    saved = {a.criterion: a for a in CriterionAssessment.objects.filter(project=project)}
    return [
        {"number": value, "label": label, "assessment": saved.get(value)}
        for value, label in Criterion.choices
    ]


def _overview_context(access: ProjectAccess) -> dict[str, Any]:
    project = access.project
    program = project.team.cohort.program
    plan = getattr(project, "transition_plan", None)
    return {
        "project": project,
        "team": project.team,
        "program": program,
        # On the reader's own clock: the request runs in their zone.
        "program_ended": program.has_ended(timezone.localdate()),
        "access": access,
        "members": access.team.members,
        "criteria": _criteria(project),
        "steps": [(phase, Phase(phase).label) for phase in PHASE_STEPS],
        "phase_index": PHASE_STEPS.index(Phase(project.phase)),
        "events": list(PhaseEvent.objects.filter(project=project).select_related("by")[:5]),
        "plan": plan,
        "summary": _summary(project),
        "missing": missing_for_submission(project)
        if project.phase == Phase.CRAFTING and access.can_edit
        else [],
        "units": list(Unit.objects.active().filter(organization_id=program.organization_id))
        if project.phase == Phase.TRANSITIONING and access.can_edit
        else [],
        "phases": Phase.choices,
        "project_types": ProjectType.choices,
        "queried": queried_criteria(project)
        if project.phase == Phase.CRAFTING and project.charter_submitted_at
        else [],
        "close_form": CloseActionsForm(actions=open_actions(project))
        if project.phase == Phase.TRANSITIONING and access.can_edit
        else None,
        # Only an approved, unfinished charter has an amendment waiting for the sponsor.
        "amendments": _amendment_rows(project, waiting=True)
        if project.phase in (Phase.CARRYING_OUT, Phase.TRANSITIONING)
        else [],
    }


def _amendment_rows(project: Project, *, waiting: bool = False) -> list[dict[str, Any]]:
    """The project's amendments (only the one waiting for the sponsor if `waiting`), each
    with the before/after view of its sections."""
    amendments = CharterAmendment.objects.filter(project=project).select_related(
        "proposed_by", "decided_by"
    )
    if waiting:
        amendments = amendments.filter(status=CharterAmendment.Status.PROPOSED)
    return [
        {
            "amendment": amendment,
            "sections": [
                (label, word_diff(old, new)) for _name, label, old, new in amendment.sections()
            ],
        }
        for amendment in amendments
    ]


@require_GET
def project_detail(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    """The project's overview: phase, charter, criteria, gates and the work at a glance."""
    # What the access check needs; the rest only when the page is made.
    access = get_project_for_user(request.user, project_id, related=())
    return render_kept(
        request,
        "projects/project_detail.html",
        f"project:{request.user.pk}:{project_id}",
        lambda: _overview_context(
            replace(
                access,
                project=Project.objects.select_related(*PROJECT_RELATED).get(pk=project_id),
            )
        ),
        # The page's title.
        context={"project": access.project},
    )


def _section_or_404(section: str) -> str:
    if section not in CHARTER_SECTIONS:
        raise Http404("No such charter section.")
    return section


CHARTER_SECTION_PAGE = "projects/charter_section_page.html"


def _section_template(request: AuthenticatedHttpRequest) -> str:
    if request.htmx:
        return f"{CHARTER_SECTION_PAGE}#charter_section"
    return CHARTER_SECTION_PAGE


def _section_context(project: Project, section: str, **extra: Any) -> dict[str, Any]:
    return {
        "project": project,
        "section": section,
        "label": CHARTER_SECTIONS[section],
        "text": getattr(project, section),
        **extra,
    }


@require_GET
def charter_section(
    request: AuthenticatedHttpRequest, project_id: int, section: str
) -> HttpResponse:
    """One charter section, shown (or, with ?edit, as a form for a team member)."""
    access = get_project_for_user(request.user, project_id)
    section = _section_or_404(section)
    query = SectionViewForm(request.GET)
    editing = query.is_valid() and query.cleaned_data["edit"]
    if editing:
        access.require_edit()
        if access.project.phase != Phase.CRAFTING:
            messages.info(
                request,
                "The sponsor has approved the charter: propose your change as an amendment.",
            )
            return redirect("projects:amendment_new", access.project.pk)
    context = _section_context(access.project, section, access=access, editing=editing)
    # htmx swaps the section in place; a plain visit (no JavaScript) gets a whole page.
    return render(request, _section_template(request), context)


@require_POST
def charter_save(request: AuthenticatedHttpRequest, project_id: int, section: str) -> HttpResponse:
    """Save a section from the version the editor started with; a save from an older
    version shows both texts instead of overwriting (HTTP 409 for htmx)."""
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    section = _section_or_404(section)
    form = CharterSectionForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied("The form was incomplete; reload the page.")
    text, base_version = form.cleaned_data["text"], form.cleaned_data["version"]
    try:
        project = do_edit_charter_section(
            project=access.project,
            section=section,
            text=text,
            base_version=base_version,
            by=request.user,
        )
    except ValidationError as error:
        context = _section_context(
            access.project, section, access=access, editing=True, error=error.messages[0]
        )
        context["text"] = text
        return render(request, _section_template(request), context, status=400)
    except CharterConflict as conflict:
        context = _section_context(
            conflict.project,
            section,
            access=access,
            editing=True,
            conflict=conflict.change,
            mine=text,
        )
        return render(request, _section_template(request), context, status=409)
    if not request.htmx:
        messages.success(request, f"{CHARTER_SECTIONS[section]} saved.")
        return redirect("projects:detail", project.pk)
    return render(
        request,
        f"{CHARTER_SECTION_PAGE}#charter_section",
        _section_context(project, section, access=access, editing=False, saved=True),
    )


@require_POST
def name_project(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    """The team sets its project's title and type while crafting."""
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    form = ProjectNameForm(request.POST)
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"{problems} Nothing was saved.")
        return redirect("projects:detail", access.project.pk)
    try:
        do_name_project(
            project=access.project,
            title=form.cleaned_data["title"],
            project_type=form.cleaned_data["project_type"],
            base_version=form.cleaned_data["version"],
            by=request.user,
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages) + " Nothing was saved.")
    except CharterConflict:
        messages.error(
            request,
            "Someone saved the charter while you were editing: here is the latest version. "
            "Nothing was saved.",
        )
    else:
        messages.success(request, "Title and type saved.")
    return redirect("projects:detail", access.project.pk)


@require_GET
def charter_history(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    changes = (
        CharterChange.objects.filter(project=access.project)
        .select_related("changed_by", "amendment")
        .order_by("-version")[:200]
    )
    labels = {**CHARTER_SECTIONS, "project_type": "Type"}
    rows = [
        (
            change,
            labels.get(change.section, change.section),
            word_diff(change.old_text, change.new_text),
        )
        for change in changes
    ]
    decisions = PhaseEvent.objects.filter(
        project=access.project,
        kind__in=[PhaseEvent.Kind.CHARTER_APPROVED, PhaseEvent.Kind.CHARTER_RETURNED],
    ).select_related("by")
    return render(
        request,
        "projects/charter_history.html",
        {
            "project": access.project,
            "access": access,
            "rows": rows,
            "decisions": decisions,
            "amendments": _amendment_rows(access.project),
        },
    )


def _criterion_or_404(number: int) -> int:
    if number not in Criterion.values:
        raise Http404("No such criterion.")
    return number


def _criterion_response(
    request: AuthenticatedHttpRequest, access: ProjectAccess, number: int, *, error: str = ""
) -> HttpResponse:
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("projects:detail", access.project.pk)
    item = next(c for c in _criteria(access.project) if c["number"] == number)
    return render(
        request,
        "projects/project_detail.html#criterion",
        {"project": access.project, "access": access, "item": item, "error": error},
        status=400 if error else 200,
    )


INCOMPLETE = "The form was incomplete; reload the page."


@require_POST
def criterion_save(
    request: AuthenticatedHttpRequest, project_id: int, number: int
) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    number = _criterion_or_404(number)
    form = RationaleForm(request.POST)
    if not form.is_valid():
        return _criterion_response(request, access, number, error=INCOMPLETE)
    try:
        do_save_rationale(
            project=access.project, criterion=number, rationale=form.cleaned_data["rationale"]
        )
    except ValidationError as error:
        return _criterion_response(request, access, number, error=error.messages[0])
    return _criterion_response(request, access, number)


@require_POST
def criterion_review(
    request: AuthenticatedHttpRequest, project_id: int, number: int
) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_sponsor()
    number = _criterion_or_404(number)
    form = CriterionReviewForm(request.POST)
    if not form.is_valid():
        return _criterion_response(request, access, number, error=INCOMPLETE)
    try:
        do_review_criterion(
            project=access.project,
            criterion=number,
            confirm=form.confirms(),
            comment=form.cleaned_data["comment"],
            by=request.user,
        )
    except ValidationError as error:
        return _criterion_response(request, access, number, error=error.messages[0])
    return _criterion_response(request, access, number)


GATES = {
    "submit-charter": ("team", "The charter is with the sponsor now."),
    "approve-charter": ("sponsor", "Charter approved: the project is being carried out."),
    "return-charter": ("sponsor", "The charter went back to the team with your comments."),
    "begin-transition": ("team", "The project is transitioning: write the transition plan."),
    "submit-plan": ("team", "The transition plan is with the sponsor now."),
    "accept-plan": ("sponsor", "Transition plan accepted: the project is completed."),
    "return-plan": ("sponsor", "The transition plan went back to the team."),
}


@require_POST
def gate(request: AuthenticatedHttpRequest, project_id: int, action: str) -> HttpResponse:
    """Move the project through a gate; the services refuse what the state does not allow."""
    access = get_project_for_user(request.user, project_id)
    if action not in GATES:
        raise Http404("No such step.")
    who, done = GATES[action]
    if who == "team":
        access.require_edit()
    else:
        access.require_respond()
    project, user = access.project, request.user
    if action == "approve-charter":
        return _approve_charter(request, access)
    form = GateForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    steps = {
        "submit-charter": lambda: do_submit_charter(project=project, by=user),
        "return-charter": lambda: do_return_charter(project=project, by=user, comment=comment),
        "begin-transition": lambda: do_begin_transition(project=project, by=user),
        "submit-plan": lambda: do_submit_transition_plan(project=project, by=user),
        "accept-plan": lambda: do_accept_transition_plan(project=project, by=user),
        "return-plan": lambda: do_return_transition_plan(
            project=project, by=user, comment=comment
        ),
    }
    try:
        steps[action]()
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, done)
    return redirect("projects:detail", project.pk)


def _approve_charter(request: AuthenticatedHttpRequest, access: ProjectAccess) -> HttpResponse:
    form = ApproveCharterForm(request.POST)
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"{problems} The charter is not approved yet.")
        return redirect("projects:detail", access.project.pk)
    try:
        do_approve_charter(
            project=access.project,
            by=request.user,
            comment=form.cleaned_data["comment"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, GATES["approve-charter"][1])
    return redirect("projects:detail", access.project.pk)


@require_POST
def close_actions(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    """The team decides, action by action, what happens to the open actions as the project
    completes: done, dropped or handed to the new owner."""
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    form = CloseActionsForm(request.POST, actions=open_actions(access.project))
    if not form.is_valid():
        messages.error(request, "Choose done, dropped or handed over for each action.")
        return redirect("projects:detail", access.project.pk)
    try:
        closed = do_close_open_actions(
            project=access.project, decisions=form.decisions(), by=request.user
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        count = len(closed)
        messages.success(
            request,
            f"{count} action{'s' if count != 1 else ''} closed."
            if count
            else "Nothing was closed: choose what happens to each action.",
        )
    return redirect("projects:detail", access.project.pk)


@require_http_methods(["GET", "POST"])
def amendment_new(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    """The team proposes a change to its approved charter, for the sponsor to approve."""
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    project = access.project
    form = AmendmentForm(request.POST or None, project=project)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                do_propose_amendment(
                    project=project,
                    new_texts=form.new_texts(),
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as refused:
                form.add_error(None, " ".join(refused.messages))
            else:
                messages.success(request, "Amendment proposed: the sponsor decides on it.")
                return redirect("projects:detail", project.pk)
        status = 400
    return render(
        request,
        "projects/amendment_form.html",
        {"project": project, "access": access, "form": form},
        status=status,
    )


@require_POST
def amendment_decide(
    request: AuthenticatedHttpRequest, project_id: int, amendment_id: int
) -> HttpResponse:
    """The sponsor approves an amendment or returns it with a comment."""
    access = get_project_for_user(request.user, project_id)
    access.require_respond()
    amendment = get_object_or_404(access.project.amendments.all(), pk=amendment_id)
    form = AmendmentDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to approve or return the amendment.")
        return redirect("projects:detail", access.project.pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        do_decide_amendment(
            amendment=amendment,
            approve=approve,
            comment=form.cleaned_data["comment"],
            by=request.user,
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            "Amendment approved: the charter now reads as amended."
            if approve
            else "The amendment went back to the team with your comment.",
        )
    return redirect("projects:detail", access.project.pk)


@require_POST
def transition_plan(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, project_id)
    access.require_edit()
    project = access.project
    form = TransitionPlanForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(request, form.problems() + " Nothing was saved.")
        return redirect("projects:detail", project.pk)
    try:
        do_save_transition_plan(
            project=project,
            new_owner_name=form.cleaned_data["new_owner_name"],
            new_owner_unit=form.cleaned_data["new_owner_unit"],
            sustainment=form.cleaned_data["sustainment"],
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "Transition plan saved. Submit it to the sponsor when ready.")
    return redirect("projects:detail", project.pk)


@require_http_methods(["GET", "POST"])
def override(request: AuthenticatedHttpRequest, project_id: int) -> HttpResponse:
    """A program admin overrides a gate, with the reason recorded."""
    access = get_project_for_user(request.user, project_id)
    access.require_admin()
    project = access.project
    error = ""
    form = OverrideForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            do_override_phase(
                project=project,
                to_phase=form.cleaned_data["phase"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"The project is now {project.get_phase_display().lower()}.")
            return redirect("projects:detail", project.pk)
    return render(
        request,
        "projects/override.html",
        {
            "project": project,
            "access": access,
            "phases": [p for p in Phase.choices if p[0] != project.phase],
            "error": error,
            "reason": form["reason"].value() or "",
        },
        status=400 if error else 200,
    )
