"""The demo's completed project: a four-week experiment carried through every gate, with
its measures (baseline, target, achieved), a narrative of results the sponsor confirmed,
and a hand-over its new owner confirmed. Built through the services, like the rest of the
demo."""

from __future__ import annotations

from programs.models import Program, Unit
from projects.models import Action, Criterion, CriterionAssessment, Phase, Project
from projects.results import (
    do_add_measure,
    do_confirm_handover,
    do_confirm_results,
    do_save_narrative,
)
from projects.services import (
    do_accept_transition_plan,
    do_approve_charter,
    do_begin_transition,
    do_review_criterion,
    do_save_rationale,
    do_save_transition_plan,
    do_submit_charter,
    do_submit_transition_plan,
)
from projects.work_services import do_update_action
from teams.models import TeamMember

COMPLETED_TEAM = "Right Med, Right Time"

MEASURES = [
    ("Medication discrepancies per patient at admission", "1.9", "below 1.0", "0.7"),
    ("Time to complete reconciliation", "26 hours", "under 12 hours", "9 hours"),
    ("Patients over 65 reconciled by a pharmacist", "18%", "80%", "86%"),
]

NARRATIVE = (
    "Over four weeks, pharmacists took medication histories for 412 admissions through the "
    "ED. Discrepancies fell from 1.9 to 0.7 per patient and reconciliation was done within "
    "nine hours on average. Two near-misses with anticoagulants were caught at admission. "
    "Pharmacy has folded the role into its admission rota from next quarter."
)


def seed_completed_project(*, program: Program) -> Project | None:
    """Carry the demo's experiment team through to completion, once."""
    project = (
        Project.objects.filter(team__cohort__program=program, team__name=COMPLETED_TEAM)
        .select_related("team__sponsor")
        .first()
    )
    if project is None or project.phase == Phase.COMPLETED or project.team.sponsor is None:
        return project
    sponsor = project.team.sponsor
    first = TeamMember.objects.filter(team=project.team).select_related("user").order_by("pk")
    membership = first.first()
    if membership is None:
        return project
    member = membership.user
    written = set(
        CriterionAssessment.objects.filter(project=project)
        .exclude(rationale="")
        .values_list("criterion", flat=True)
    )
    for criterion in Criterion:
        if criterion not in written:
            do_save_rationale(
                project=project,
                criterion=criterion,
                rationale=f"The experiment {criterion.label[0].lower()}{criterion.label[1:]}.",
            )
    if project.charter_submitted_at is None:
        do_submit_charter(project=project, by=member)
    for criterion in Criterion:
        do_review_criterion(
            project=project, criterion=criterion, confirm=True, comment="", by=sponsor
        )
    do_approve_charter(
        project=project, by=sponsor, comment="A tight design with a clear comparison. Run it."
    )
    for name, baseline, target, achieved in MEASURES:
        do_add_measure(
            project=project, name=name, baseline=baseline, target=target, achieved=achieved
        )
    do_begin_transition(project=project, by=member)
    for action in Action.objects.filter(project=project).exclude(status=Action.Status.DONE):
        do_update_action(
            action=action,
            title=action.title,
            owner=action.owner or member,
            due_on=action.due_on,
            status=Action.Status.DONE,
            by=member,
        )
    do_save_narrative(project=project, narrative=NARRATIVE)
    unit = Unit.objects.filter(organization=program.organization, name="Pharmacy").first()
    unit = unit or Unit.objects.filter(organization=program.organization).order_by("pk").first()
    if unit is None:
        return project
    project.refresh_from_db()
    do_save_transition_plan(
        project=project,
        new_owner_name="Director of Pharmacy Services",
        new_owner_unit=unit,
        sustainment=(
            "Admission reconciliation is a standing pharmacist role on the ED rota, "
            "reported monthly to the medication safety committee."
        ),
    )
    plan = do_submit_transition_plan(project=project, by=member)
    do_accept_transition_plan(project=project, by=sponsor)
    project.refresh_from_db()
    do_confirm_results(project=project, by=sponsor)
    plan.refresh_from_db()
    # The director has no account in the demo: the sponsor confirms for her, as recorded.
    do_confirm_handover(plan=plan, by=sponsor, name=sponsor.display_name, on_behalf=True)
    return project
