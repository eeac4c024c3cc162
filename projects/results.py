"""Results: each success measure's baseline, target and what was achieved, the narrative of
results, the sponsor's confirmation and the new owner's confirmation of the hand-over.

The team writes its results until the sponsor confirms them; a confirmed result changes no
more (the outcome report quotes it). The sponsor confirms once the project is transitioning
or completed, with at least one measure and every measure's achieved value written.

The new owner named in the transition plan is a name, not an account: the team or the
sponsor sends them a signed link (`handover_token`) to a page where they confirm the
hand-over while signed in. Whoever confirms is recorded as they are (their account and the
name they give); if the new owner has no account, someone who has one (usually the sponsor)
confirms for them and ticks "on their behalf", which the report says in words.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.text import checked_text
from programs.models import User
from projects.models import Phase, Project, ProjectResults, SuccessMeasure, TransitionPlan

FIELD_MAX = 200
NARRATIVE_MAX = 20_000
MAX_MEASURES = 20
HANDOVER_SALT = "projects.handover"


def results_of(project: Project) -> ProjectResults:
    """The project's results as saved, or empty ones (unsaved: reading writes nothing)."""
    return ProjectResults.objects.filter(project=project).first() or ProjectResults(
        project=project
    )


def _unconfirmed(project: Project) -> ProjectResults:
    results = ProjectResults.objects.select_for_update().get_or_create(project=project)[0]
    if results.confirmed_at is not None:
        raise ValidationError("The sponsor has confirmed these results; they no longer change.")
    return results


def _measure_fields(*, name: str, baseline: str, target: str, achieved: str) -> dict[str, str]:
    fields = {
        "name": checked_text(name, label="The measure", max_length=FIELD_MAX),
        "baseline": checked_text(baseline, label="The baseline", max_length=FIELD_MAX),
        "target": checked_text(target, label="The target", max_length=FIELD_MAX),
        "achieved": checked_text(achieved, label="What was achieved", max_length=FIELD_MAX),
    }
    if not fields["name"]:
        raise ValidationError("Name the measure.")
    return fields


@transaction.atomic
def do_add_measure(
    *, project: Project, name: str, baseline: str = "", target: str = "", achieved: str = ""
) -> SuccessMeasure:
    """Add a success measure to the project's results."""
    _unconfirmed(project)
    if SuccessMeasure.objects.filter(project=project).count() >= MAX_MEASURES:
        raise ValidationError(f"A project keeps at most {MAX_MEASURES} measures.")
    fields = _measure_fields(name=name, baseline=baseline, target=target, achieved=achieved)
    return SuccessMeasure.objects.create(project=project, **fields)


@transaction.atomic
def do_edit_measure(
    *, measure: SuccessMeasure, name: str, baseline: str, target: str, achieved: str
) -> SuccessMeasure:
    """Change a measure's name, baseline, target or what was achieved."""
    _unconfirmed(measure.project)
    fields = _measure_fields(name=name, baseline=baseline, target=target, achieved=achieved)
    for field, value in fields.items():
        setattr(measure, field, value)
    measure.save(update_fields=[*fields, "updated_at"])
    return measure


@transaction.atomic
def do_remove_measure(*, measure: SuccessMeasure) -> None:
    _unconfirmed(measure.project)
    measure.delete()


@transaction.atomic
def do_save_narrative(*, project: Project, narrative: str) -> ProjectResults:
    """The team's narrative of what the project achieved."""
    results = _unconfirmed(project)
    results.narrative = checked_text(
        narrative, label="The narrative of results", max_length=NARRATIVE_MAX
    )
    results.save(update_fields=["narrative"])
    return results


def missing_for_confirmation(project: Project) -> list[str]:
    """What keeps the sponsor from confirming the results, in words."""
    missing = []
    if project.phase not in (Phase.TRANSITIONING, Phase.COMPLETED):
        missing.append("the project is not transitioning or completed yet")
    measures = list(SuccessMeasure.objects.filter(project=project))
    if not measures:
        missing.append("no success measure is written yet")
    missing.extend(
        f"nothing achieved is written for “{m.name}”" for m in measures if not m.achieved
    )
    results = ProjectResults.objects.filter(project=project).first()
    if results is None or not results.narrative:
        missing.append("the narrative of results is empty")
    return missing


@transaction.atomic
def do_confirm_results(*, project: Project, by: User) -> ProjectResults:
    """The sponsor confirms the results at completion; they are fixed from then on."""
    results = _unconfirmed(project)
    missing = missing_for_confirmation(project)
    if missing:
        raise ValidationError("The results cannot be confirmed yet: " + "; ".join(missing) + ".")
    results.confirmed_at = timezone.now()
    results.confirmed_by = by
    results.save(update_fields=["confirmed_at", "confirmed_by"])
    return results


def handover_token(plan: TransitionPlan) -> str:
    """The signed part of the hand-over link. It names the plan and the new owner it was
    written for, so a plan rewritten for someone else needs a new link."""
    return signing.dumps({"plan": plan.pk, "owner": plan.new_owner_name}, salt=HANDOVER_SALT)


def plan_for_token(token: str) -> TransitionPlan | None:
    """The transition plan a hand-over link leads to, or None for a link that was altered or
    whose plan now names another owner."""
    try:
        data = signing.loads(token, salt=HANDOVER_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("plan"), int):
        return None
    plan = (
        TransitionPlan.objects.select_related(
            "project__team__cohort__program", "project__team__sponsor", "new_owner_unit"
        )
        .filter(pk=data["plan"])
        .first()
    )
    if plan is None or plan.new_owner_name != data.get("owner"):
        return None
    return plan


@transaction.atomic
def do_confirm_handover(
    *, plan: TransitionPlan, by: User, name: str, on_behalf: bool
) -> ProjectResults:
    """The new owner (or someone for them) confirms that they take the work over. Only an
    accepted plan (a completed project) is handed over, once."""
    if plan.accepted_at is None:
        raise ValidationError(
            "The sponsor has not accepted the transition plan yet; the hand-over is "
            "confirmed after that."
        )
    results = ProjectResults.objects.select_for_update().get_or_create(project=plan.project)[0]
    if results.handover_confirmed_at is not None:
        raise ValidationError("The hand-over is confirmed already.")
    name = checked_text(name, label="Your name", max_length=FIELD_MAX)
    if not name:
        raise ValidationError("Give your name.")
    results.handover_confirmed_at = timezone.now()
    results.handover_confirmed_by = by
    results.handover_confirmed_name = name
    results.handover_on_behalf = on_behalf
    results.save(
        update_fields=[
            "handover_confirmed_at",
            "handover_confirmed_by",
            "handover_confirmed_name",
            "handover_on_behalf",
        ]
    )
    return results
