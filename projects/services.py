"""Writes about a project's charter, its six criteria and its phase gates.

The gates are enforced here, not in templates: a view that skips a check still cannot move
a project through a gate it has not passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.events import announce
from core.text import checked_text
from programs.models import Unit, User
from projects.events import (
    AmendmentDecided,
    AmendmentProposed,
    CharterApproved,
    CharterReturned,
    CharterSubmitted,
    CriterionQueried,
    TransitionPlanAccepted,
    TransitionPlanSubmitted,
)
from projects.models import (
    CHARTER_SECTIONS,
    Action,
    CharterAmendment,
    CharterChange,
    Criterion,
    CriterionAssessment,
    Phase,
    PhaseEvent,
    Project,
    ProjectType,
    TransitionPlan,
)
from teams.events import TeamsCreated
from teams.models import Team

REQUIRED_SECTIONS = {"title", "problem_statement"}
SECTION_MAX_LENGTH = {"title": 200}
TEXT_MAX_LENGTH = 20_000


COMPLETED_MESSAGE = (
    "This project is completed: it is kept as it was handed over and can no longer be changed."
)
# Sections an amendment may change: the title and type stay as approved.
AMENDABLE_SECTIONS = [name for name in CHARTER_SECTIONS if name != "title"]


class GateRefused(ValidationError):
    """A phase change that the project's state does not allow, explained in words."""


@dataclass
class CharterConflict(Exception):
    """Someone saved the charter since the editor opened it."""

    project: Project
    change: CharterChange | None


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).get(pk=project.pk)


def _event(
    project: Project, kind: str, from_phase: str, by: User, comment: str = ""
) -> PhaseEvent:
    return PhaseEvent.objects.create(
        project=project,
        kind=kind,
        from_phase=from_phase,
        to_phase=project.phase,
        comment=comment,
        by=by,
    )


def clean_section(section: str, text: str) -> str:
    if section not in CHARTER_SECTIONS:
        raise ValidationError("Unknown charter section.")
    label = CHARTER_SECTIONS[section]
    limit = SECTION_MAX_LENGTH.get(section, TEXT_MAX_LENGTH)
    text = checked_text(text, label=label, max_length=limit)
    if section in REQUIRED_SECTIONS and not text:
        raise ValidationError(f"{label} cannot be empty.")
    return text


def _comment(text: str, label: str = "The comment") -> str:
    """A comment or reason typed into a gate's form (no Django form checks it)."""
    return checked_text(text, label=label, max_length=TEXT_MAX_LENGTH)


def first_title(team_name: str) -> str:
    """The title a project starts with, until its team gives it one."""
    return f"Project of {team_name}"[: SECTION_MAX_LENGTH["title"]]


def do_start_projects(*, teams: Sequence[Team]) -> list[Project]:
    """Give each new team its project, in crafting, in the caller's transaction: a team
    never exists without its project. The team sets the title and type while crafting."""
    return Project.objects.bulk_create(
        Project(team=team, title=first_title(team.name), phase=Phase.CRAFTING) for team in teams
    )


def start_projects_for(event: TeamsCreated) -> None:
    """Subscribed to `TeamsCreated` in `ProjectsConfig.ready`."""
    do_start_projects(teams=event.teams)


def _title_locked(project: Project) -> None:
    if project.phase != Phase.CRAFTING:
        raise ValidationError(
            "The title and type are fixed once the sponsor has approved the charter."
        )


def do_name_project(
    *, project: Project, title: str, project_type: str, base_version: int, by: User
) -> Project:
    """The team sets its project's title and type while crafting. Each change is kept in
    the charter's history; a save from an older version is a CharterConflict."""
    title = clean_section("title", title)
    if project_type not in ProjectType.values:
        raise ValidationError("Choose one of the project types.")
    with transaction.atomic():
        current = _locked(project)
        _title_locked(current)
        change = _newer_change(current, ("title", "project_type"), base_version)
        if change is not None:
            raise CharterConflict(project=current, change=change)
        changes = [
            (section, old, new)
            for section, old, new in (
                ("title", current.title, title),
                (
                    "project_type",
                    current.get_project_type_display(),
                    ProjectType(project_type).label,
                ),
            )
            if old != new
        ]
        if not changes:
            return current
        # Each change is one step of the charter's history, with its own version.
        first = current.version + 1
        current.title, current.project_type = title, project_type
        current.version += len(changes)
        current.save(update_fields=["title", "project_type", "version"])
        CharterChange.objects.bulk_create(
            CharterChange(
                project=current,
                section=section,
                old_text=old,
                new_text=new,
                version=first + index,
                changed_by=by,
            )
            for index, (section, old, new) in enumerate(changes)
        )
    return current


def _newer_change(
    project: Project, sections: Sequence[str], base_version: int
) -> CharterChange | None:
    """The latest save of one of `sections` after `base_version`, if any: each section
    has its own history, so a save of another section is no conflict."""
    return (
        CharterChange.objects.filter(
            project=project, section__in=sections, version__gt=base_version
        )
        .select_related("changed_by")
        .order_by("-version")
        .first()
    )


def _charter_locked(project: Project) -> None:
    if project.phase == Phase.COMPLETED:
        raise GateRefused(COMPLETED_MESSAGE)
    if project.phase != Phase.CRAFTING:
        raise GateRefused(
            "The sponsor has approved the charter: propose a change as an amendment, which "
            "the sponsor approves or returns."
        )


def do_edit_charter_section(
    *, project: Project, section: str, text: str, base_version: int, by: User
) -> Project:
    """Save one charter section while crafting, if nobody saved that same section since
    `base_version` (the charter version the editor opened).

    The row lock makes two saves from the same version queue up: the first one wins and
    the second gets a CharterConflict with the text that is now saved, never overwriting it.
    Saves of different sections never conflict.
    """
    text = clean_section(section, text)
    with transaction.atomic():
        current = _locked(project)
        _charter_locked(current)
        change = _newer_change(current, (section,), base_version)
        if change is not None:
            raise CharterConflict(project=current, change=change)
        old = getattr(current, section)
        if old == text:
            return current
        setattr(current, section, text)
        current.version += 1
        current.save(update_fields=[section, "version"])
        CharterChange.objects.create(
            project=current,
            section=section,
            old_text=old,
            new_text=text,
            version=current.version,
            changed_by=by,
        )
    return current


def do_save_rationale(*, project: Project, criterion: int, rationale: str) -> CriterionAssessment:
    """The team's rationale for a criterion, while crafting (the approved charter includes
    its criteria); a changed rationale goes back to the sponsor."""
    if criterion not in Criterion.values:
        raise ValidationError("Unknown criterion.")
    _charter_locked(Project.objects.only("phase").get(pk=project.pk))
    rationale = checked_text(rationale, label="The rationale", max_length=TEXT_MAX_LENGTH)
    assessment, created = CriterionAssessment.objects.get_or_create(
        project=project, criterion=criterion, defaults={"rationale": rationale}
    )
    if not created and assessment.rationale != rationale:
        assessment.rationale = rationale
        assessment.review = CriterionAssessment.Review.PENDING
        assessment.save(update_fields=["rationale", "review", "updated_at"])
    return assessment


def do_review_criterion(
    *, project: Project, criterion: int, confirm: bool, comment: str, by: User
) -> CriterionAssessment:
    """The sponsor confirms a criterion, or comments on what is missing; a comment is
    announced to the team (without its text). Only while crafting: an approved charter's
    criteria stand as approved."""
    _charter_locked(Project.objects.only("phase").get(pk=project.pk))
    assessment = CriterionAssessment.objects.filter(project=project, criterion=criterion).first()
    if assessment is None or not assessment.rationale:
        raise ValidationError("The team has not written a rationale for this criterion yet.")
    comment = _comment(comment)
    if not confirm and not comment:
        raise ValidationError("Say what the team should add or change.")
    assessment.review = (
        CriterionAssessment.Review.CONFIRMED if confirm else CriterionAssessment.Review.COMMENTED
    )
    assessment.sponsor_comment = comment
    assessment.save(update_fields=["review", "sponsor_comment", "updated_at"])
    if not confirm:
        announce(
            CriterionQueried(
                project_id=project.pk,
                project_title=project.title,
                by_id=by.pk,
                criterion=criterion,
                criterion_label=Criterion(criterion).label,
                queried_at=assessment.updated_at.isoformat(),
            )
        )
    return assessment


def missing_for_submission(project: Project) -> list[str]:
    """What still keeps the charter from going to the sponsor, in words."""
    missing = [
        f"{CHARTER_SECTIONS[name]} is empty"
        for name in REQUIRED_SECTIONS
        if not getattr(project, name).strip()
    ]
    written = set(
        CriterionAssessment.objects.filter(project=project)
        .exclude(rationale="")
        .values_list("criterion", flat=True)
    )
    missing.extend(
        f"no rationale yet for “{label}”"
        for value, label in Criterion.choices
        if value not in written
    )
    return missing


@transaction.atomic
def do_submit_charter(*, project: Project, by: User) -> Project:
    current = _locked(project)
    if current.phase != Phase.CRAFTING:
        raise GateRefused("Only a charter in the crafting phase goes to the sponsor.")
    if current.charter_submitted_at:
        raise GateRefused("The charter is already with the sponsor.")
    missing = missing_for_submission(current)
    if missing:
        raise GateRefused("The charter cannot be submitted yet: " + "; ".join(missing) + ".")
    current.charter_submitted_at = timezone.now()
    current.save(update_fields=["charter_submitted_at"])
    event = _event(current, PhaseEvent.Kind.CHARTER_SUBMITTED, current.phase, by)
    announce(
        CharterSubmitted(
            project_id=current.pk,
            project_title=current.title,
            by_id=by.pk,
            phase_event_id=event.pk,
        )
    )
    return current


def queried_criteria(project: Project) -> list[CriterionAssessment]:
    """The criteria on which the sponsor still asks for more."""
    return list(
        CriterionAssessment.objects.filter(
            project=project, review=CriterionAssessment.Review.COMMENTED
        )
    )


@transaction.atomic
def do_approve_charter(
    *, project: Project, by: User, comment: str, override_reason: str = ""
) -> Project:
    """Approving the charter moves the project from crafting to carrying out.

    The sponsor's comment goes with the approval. A criterion the sponsor still queries
    blocks the approval unless the sponsor overrides it explicitly, with a reason that is
    kept on the project's record."""
    comment = _comment(comment)
    override_reason = _comment(override_reason, "The reason for the override")
    if not comment:
        raise GateRefused("Write a comment for the team with your approval.")
    current = _locked(project)
    if current.phase != Phase.CRAFTING or not current.charter_submitted_at:
        raise GateRefused("There is no submitted charter to approve.")
    queried = queried_criteria(current)
    if queried and not override_reason:
        names = "; ".join(f"{q.criterion}. {q.get_criterion_display()}" for q in queried)
        raise GateRefused(
            f"You still ask for more on {names}. Confirm "
            f"{'it' if len(queried) == 1 else 'them'} first, or approve over the query: tick "
            "the override and say why."
        )
    first = CriterionAssessment.objects.filter(
        project=current, criterion=Criterion.MAKE_SOMETHING_HAPPEN
    ).first()
    if first is None or first.review != CriterionAssessment.Review.CONFIRMED:
        raise GateRefused(
            "Confirm the first criterion — the project makes something happen, not just "
            "studies it — before approving the charter."
        )
    current.phase = Phase.CARRYING_OUT
    current.phase_changed_at = timezone.now()
    current.charter_submitted_at = None
    current.save(update_fields=["phase", "phase_changed_at", "charter_submitted_at"])
    event = _event(current, PhaseEvent.Kind.CHARTER_APPROVED, Phase.CRAFTING, by, comment)
    if queried:
        labels = ", ".join(str(q.criterion) for q in queried)
        event.override_reason = f"Criteria still queried: {labels}. {override_reason}"
        event.save(update_fields=["override_reason"])
    announce(
        CharterApproved(
            project_id=current.pk,
            project_title=current.title,
            by_id=by.pk,
            phase_event_id=event.pk,
        )
    )
    return current


@transaction.atomic
def do_return_charter(*, project: Project, by: User, comment: str) -> Project:
    comment = _comment(comment)
    current = _locked(project)
    if current.phase != Phase.CRAFTING or not current.charter_submitted_at:
        raise GateRefused("There is no submitted charter to return.")
    if not comment:
        raise GateRefused("Tell the team what to change before returning the charter.")
    current.charter_submitted_at = None
    current.save(update_fields=["charter_submitted_at"])
    event = _event(current, PhaseEvent.Kind.CHARTER_RETURNED, current.phase, by, comment)
    announce(
        CharterReturned(
            project_id=current.pk,
            project_title=current.title,
            by_id=by.pk,
            phase_event_id=event.pk,
        )
    )
    return current


@transaction.atomic
def do_begin_transition(*, project: Project, by: User) -> Project:
    current = _locked(project)
    if current.phase != Phase.CARRYING_OUT:
        raise GateRefused("Only a project being carried out moves on to transitioning.")
    current.phase = Phase.TRANSITIONING
    current.phase_changed_at = timezone.now()
    current.save(update_fields=["phase", "phase_changed_at"])
    _event(current, PhaseEvent.Kind.TRANSITION_STARTED, Phase.CARRYING_OUT, by)
    return current


def do_save_transition_plan(
    *, project: Project, new_owner_name: str, new_owner_unit: Unit, sustainment: str
) -> TransitionPlan:
    """Write or revise the transition plan; a revised plan goes back to draft."""
    if project.phase != Phase.TRANSITIONING:
        raise GateRefused("The transition plan is written once the project is transitioning.")
    if new_owner_unit.organization_id != project.team.cohort.program.organization_id:
        raise ValidationError("The new owner's unit must belong to the organisation.")
    name_length = TransitionPlan._meta.get_field("new_owner_name").max_length or 200
    plan, _ = TransitionPlan.objects.update_or_create(
        project=project,
        defaults={
            "new_owner_name": checked_text(
                new_owner_name, label="The new owner's name", max_length=name_length
            ),
            "new_owner_unit": new_owner_unit,
            "sustainment": _comment(sustainment, "How the work is sustained"),
            "submitted_at": None,
            "accepted_at": None,
            "accepted_by": None,
        },
    )
    return plan


CLOSING_STATUSES = (Action.Status.DONE, Action.Status.DROPPED, Action.Status.HANDED_OVER)


def open_actions(project: Project) -> list[Action]:
    """The project's actions still to be worked on, by due date."""
    return list(
        Action.objects.filter(project=project, status__in=Action.OPEN_STATUSES).select_related(
            "owner"
        )
    )


def _refuse_open_actions(project: Project) -> None:
    count = len(open_actions(project))
    if count:
        raise GateRefused(
            f"{count} action{'s are' if count != 1 else ' is'} still open: the team decides "
            "for each whether it is done, dropped or handed to the new owner before the "
            "project completes."
        )


@transaction.atomic
def do_close_open_actions(
    *, project: Project, decisions: Mapping[int, str], by: User
) -> list[Action]:
    """Close the open actions as the team decided while transitioning: done, dropped or
    handed to the new owner. `decisions` maps action ids to one of those statuses; actions
    not in it stay open. Returns the actions closed."""
    current = _locked(project)
    if current.phase != Phase.TRANSITIONING:
        raise GateRefused("Open actions are closed while the project is transitioning.")
    if any(status not in CLOSING_STATUSES for status in decisions.values()):
        raise ValidationError("Choose done, dropped or handed to the new owner.")
    closed = []
    for action in open_actions(current):
        status = decisions.get(action.pk)
        if status:
            action.status = status
            action.save(update_fields=["status", "updated_at"])
            closed.append(action)
    return closed


@transaction.atomic
def do_submit_transition_plan(*, project: Project, by: User) -> TransitionPlan:
    current = _locked(project)
    plan = TransitionPlan.objects.filter(project=current).first()
    if current.phase != Phase.TRANSITIONING or plan is None:
        raise GateRefused("Write the transition plan before submitting it.")
    _refuse_open_actions(current)
    if not (plan.new_owner_name and plan.sustainment):
        raise GateRefused("The plan needs the new owner and how the work is sustained.")
    if plan.submitted_at:
        raise GateRefused("The transition plan is already with the sponsor.")
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["submitted_at"])
    event = _event(current, PhaseEvent.Kind.PLAN_SUBMITTED, current.phase, by)
    announce(
        TransitionPlanSubmitted(
            project_id=current.pk,
            project_title=current.title,
            by_id=by.pk,
            phase_event_id=event.pk,
        )
    )
    return plan


@transaction.atomic
def do_accept_transition_plan(*, project: Project, by: User) -> Project:
    """Accepting the transition plan completes the project."""
    current = _locked(project)
    plan = TransitionPlan.objects.filter(project=current).first()
    if current.phase != Phase.TRANSITIONING or plan is None or not plan.submitted_at:
        raise GateRefused(
            "A project completes only with a transition plan — the new owner by name and "
            "unit, and how the work is sustained — submitted to the sponsor."
        )
    _refuse_open_actions(current)
    plan.accepted_at = timezone.now()
    plan.accepted_by = by
    plan.save(update_fields=["accepted_at", "accepted_by"])
    current.phase = Phase.COMPLETED
    current.phase_changed_at = timezone.now()
    current.save(update_fields=["phase", "phase_changed_at"])
    event = _event(current, PhaseEvent.Kind.PLAN_ACCEPTED, Phase.TRANSITIONING, by)
    announce(
        TransitionPlanAccepted(
            project_id=current.pk,
            project_title=current.title,
            by_id=by.pk,
            phase_event_id=event.pk,
        )
    )
    return current


@transaction.atomic
def do_return_transition_plan(*, project: Project, by: User, comment: str) -> TransitionPlan:
    comment = _comment(comment)
    current = _locked(project)
    plan = TransitionPlan.objects.filter(project=current).first()
    if plan is None or not plan.submitted_at or plan.accepted_at:
        raise GateRefused("There is no submitted transition plan to return.")
    if not comment:
        raise GateRefused("Tell the team what to change before returning the plan.")
    plan.submitted_at = None
    plan.save(update_fields=["submitted_at"])
    _event(current, PhaseEvent.Kind.PLAN_RETURNED, current.phase, by, comment)
    return plan


@transaction.atomic
def do_override_phase(*, project: Project, to_phase: str, reason: str, by: User) -> Project:
    """A program admin moves a project past (or back through) a gate, with a reason that
    stays on record."""
    reason = _comment(reason, "The reason")
    current = _locked(project)
    if to_phase not in Phase.values:
        raise ValidationError("Unknown phase.")
    if to_phase == current.phase:
        raise ValidationError("The project is already in that phase.")
    if len(reason) < 10:
        raise ValidationError("Record why the gate is overridden (at least a sentence).")
    from_phase = current.phase
    current.phase = to_phase
    current.phase_changed_at = timezone.now()
    current.charter_submitted_at = None
    current.save(update_fields=["phase", "phase_changed_at", "charter_submitted_at"])
    _event(current, PhaseEvent.Kind.OVERRIDE, from_phase, by, reason)
    return current


# Amendments -----------------------------------------------------------------------------


@transaction.atomic
def do_propose_amendment(
    *, project: Project, new_texts: Mapping[str, str], reason: str, by: User
) -> CharterAmendment:
    """The team proposes changes to its approved charter: the sections whose text differs
    from the charter's, their new text and why. One amendment at a time waits for the
    sponsor; the charter changes only when the sponsor approves it."""
    reason = _comment(reason, "The reason")
    if not reason:
        raise ValidationError("Say why the charter should change.")
    current = _locked(project)
    if current.phase == Phase.COMPLETED:
        raise GateRefused(COMPLETED_MESSAGE)
    if current.phase == Phase.CRAFTING:
        raise GateRefused("While crafting, the team edits the charter directly.")
    if CharterAmendment.objects.filter(
        project=current, status=CharterAmendment.Status.PROPOSED
    ).exists():
        raise GateRefused("An amendment is already with the sponsor: wait for the answer.")
    changed: dict[str, str] = {}
    for section, text in new_texts.items():
        if section not in AMENDABLE_SECTIONS:
            raise ValidationError("The title and type stay as the sponsor approved them.")
        text = clean_section(section, text)
        if text != getattr(current, section):
            changed[section] = text
    if not changed:
        raise ValidationError("Change the text of at least one section.")
    amendment = CharterAmendment.objects.create(
        project=current,
        new_texts=changed,
        old_texts={section: getattr(current, section) for section in changed},
        reason=reason,
        proposed_by=by,
    )
    announce(
        AmendmentProposed(
            project_id=current.pk,
            project_title=current.title,
            by_id=by.pk,
            amendment_id=amendment.pk,
        )
    )
    return amendment


@transaction.atomic
def do_decide_amendment(
    *, amendment: CharterAmendment, approve: bool, comment: str, by: User
) -> CharterAmendment:
    """The sponsor approves an amendment (its sections become the charter, each change
    on the charter's history) or returns it with a comment."""
    comment = _comment(comment)
    current = _locked(amendment.project)
    locked = CharterAmendment.objects.select_for_update().get(pk=amendment.pk)
    if locked.status != CharterAmendment.Status.PROPOSED:
        raise GateRefused("This amendment has already been decided.")
    if current.phase == Phase.COMPLETED:
        raise GateRefused(COMPLETED_MESSAGE)
    if not approve and not comment:
        raise GateRefused("Tell the team why before returning the amendment.")
    if approve:
        changes = [
            (section, getattr(current, section), text)
            for section, text in locked.new_texts.items()
            if getattr(current, section) != text
        ]
        first = current.version + 1
        for section, _old, new in changes:
            setattr(current, section, new)
        current.version += len(changes)
        current.save(update_fields=[*(c[0] for c in changes), "version"])
        CharterChange.objects.bulk_create(
            CharterChange(
                project=current,
                section=section,
                old_text=old,
                new_text=new,
                version=first + index,
                changed_by=locked.proposed_by,
                amendment=locked,
            )
            for index, (section, old, new) in enumerate(changes)
        )
    locked.status = (
        CharterAmendment.Status.APPROVED if approve else CharterAmendment.Status.RETURNED
    )
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.sponsor_comment = comment
    locked.save(update_fields=["status", "decided_by", "decided_at", "sponsor_comment"])
    announce(
        AmendmentDecided(
            project_id=current.pk,
            project_title=current.title,
            by_id=by.pk,
            amendment_id=locked.pk,
            approved=approve,
        )
    )
    return locked
