"""The team's strategic project: its charter and where it stands."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from programs.models import Unit
from teams.models import Team


class ProjectType(models.TextChoices):
    PILOT = "pilot", "Pilot"
    EXPERIMENT = "experiment", "Experiment"
    SPREAD = "spread", "Spread a best practice"
    PARTNERSHIP = "partnership", "New partnership"
    OTHER = "other", "Other"


class Phase(models.TextChoices):
    CRAFTING = "crafting", "Crafting"
    CARRYING_OUT = "carrying_out", "Carrying out"
    TRANSITIONING = "transitioning", "Transitioning"
    COMPLETED = "completed", "Completed"


class Project(models.Model):
    """One project per team; the charter sections are plain text written by the team."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="project")
    project_type = models.CharField(
        "type", max_length=20, choices=ProjectType.choices, default=ProjectType.PILOT
    )
    title = models.CharField(max_length=200)
    problem_statement = models.TextField(blank=True)
    strategic_alignment = models.TextField(blank=True)
    intended_outcomes = models.TextField(blank=True)
    success_measures = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    out_of_scope = models.TextField("out of scope", blank=True)
    # Raised by every saved charter edit; an edit based on an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    charter_submitted_at = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.CRAFTING)
    phase_changed_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def charter_sections(self) -> list[tuple[str, str, str]]:
        """(field name, heading, text) of each charter section, in reading order."""
        return [(name, label, getattr(self, name)) for name, label in CHARTER_SECTIONS.items()]


CHARTER_SECTIONS = {
    "title": "Title",
    "problem_statement": "Problem statement",
    "strategic_alignment": "Strategic alignment",
    "intended_outcomes": "Intended outcomes",
    "success_measures": "Success measures",
    "scope": "Scope",
    "out_of_scope": "Out of scope",
}


class Criterion(models.IntegerChoices):
    """The six criteria of an action learning project."""

    MAKE_SOMETHING_HAPPEN = 1, "Makes something happen, not just studies it"
    ENGAGE_OTHERS = 2, "Engages actively with others across the organisation"
    BEYOND_EXPERTISE = 3, "Goes beyond every member's core expertise"
    STRATEGIC = 4, "Is strategic for the organisation"
    CHALLENGE = 5, "Involves challenge and complexity"
    PROGRAM_GOALS = 6, "Contributes to the program's goals"


class CriterionAssessment(models.Model):
    """The team's rationale for one criterion and the sponsor's answer to it."""

    class Review(models.TextChoices):
        PENDING = "pending", "Awaiting the sponsor"
        CONFIRMED = "confirmed", "Confirmed by the sponsor"
        COMMENTED = "commented", "Sponsor asks for more"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.PositiveSmallIntegerField(choices=Criterion.choices)
    rationale = models.TextField(blank=True)
    review = models.CharField(max_length=20, choices=Review.choices, default=Review.PENDING)
    sponsor_comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["criterion"]
        constraints = [
            models.UniqueConstraint(fields=["project", "criterion"], name="criterion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_criterion_display()}"


class CharterChange(models.Model):
    """One saved edit of one charter section: the charter's history."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="changes")
    section = models.CharField(max_length=40)
    old_text = models.TextField(blank=True)
    new_text = models.TextField(blank=True)
    version = models.PositiveIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    # Set when the change came from an amendment the sponsor approved.
    amendment = models.ForeignKey(
        "CharterAmendment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="charter_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · version {self.version}"


class CharterAmendment(models.Model):
    """A change to an approved charter, proposed by the team: which sections, their new
    text and why. It changes the charter only once the sponsor approves it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Awaiting the sponsor"
        APPROVED = "approved", "Approved by the sponsor"
        RETURNED = "returned", "Returned by the sponsor"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="amendments")
    # {section name: proposed text}, and the text each section had when it was proposed.
    new_texts = models.JSONField(default=dict)
    old_texts = models.JSONField(default=dict)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    sponsor_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One amendment at a time waits for the sponsor.
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status="proposed"),
                name="one_open_amendment",
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment of {self.project}"

    def sections(self) -> list[tuple[str, str, str, str]]:
        """(field name, heading, text when proposed, proposed text) in reading order."""
        return [
            (name, label, self.old_texts.get(name, ""), self.new_texts[name])
            for name, label in CHARTER_SECTIONS.items()
            if name in self.new_texts
        ]


class PhaseEvent(models.Model):
    """What moved a project along (or back): submissions, approvals, returns, overrides."""

    class Kind(models.TextChoices):
        CHARTER_SUBMITTED = "charter_submitted", "Charter submitted to the sponsor"
        CHARTER_APPROVED = "charter_approved", "Charter approved by the sponsor"
        CHARTER_RETURNED = "charter_returned", "Charter returned by the sponsor"
        TRANSITION_STARTED = "transition_started", "Transition started"
        PLAN_SUBMITTED = "plan_submitted", "Transition plan submitted"
        PLAN_ACCEPTED = "plan_accepted", "Transition plan accepted by the sponsor"
        PLAN_RETURNED = "plan_returned", "Transition plan returned by the sponsor"
        OVERRIDE = "override", "Gate overridden by a program admin"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phase_events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    from_phase = models.CharField(max_length=20, choices=Phase.choices)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
    comment = models.TextField(blank=True)
    # Set when the sponsor approved although a criterion was still queried: why.
    override_reason = models.TextField("reason for approving over a query", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"


class TransitionPlan(models.Model):
    """Who owns the work after the program, and how it is sustained."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="transition_plan"
    )
    new_owner_name = models.CharField("new owner", max_length=200)
    new_owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="new owner's unit"
    )
    sustainment = models.TextField("how the work is sustained")
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"Transition of {self.project} to {self.new_owner_name}"


class Action(models.Model):
    class Status(models.TextChoices):
        TO_DO = "todo", "To do"
        DOING = "doing", "Doing"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"
        # How an open action is closed when its project completes, as the team decides.
        DROPPED = "dropped", "Dropped"
        HANDED_OVER = "handed", "Handed to the new owner"

    # Still to be worked on: neither done nor closed at completion.
    OPEN_STATUSES = (Status.TO_DO, Status.DOING, Status.BLOCKED)
    # Set only while the team closes its open actions as the project completes
    # (`do_close_open_actions`), never by editing an action.
    COMPLETION_STATUSES = (Status.DROPPED, Status.HANDED_OVER)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TO_DO)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["project", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title


class EngagementLevel(models.TextChoices):
    INFORM = "inform", "Inform"
    CONSULT = "consult", "Consult"
    INVOLVE = "involve", "Involve"
    ENLIST = "enlist", "Enlist"


class StakeholderEngagement(models.Model):
    """Evidence for "engage actively with others": who was engaged, from where, how far."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="engagements")
    stakeholder = models.CharField(max_length=200)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.CharField(max_length=10, choices=EngagementLevel.choices)
    engaged_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-engaged_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.stakeholder} ({self.get_level_display()})"


class DoorRequest(models.Model):
    """A "door to open": the team asks its sponsor for an introduction, a resource or a
    decision; the sponsor answers."""

    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", "An introduction"
        RESOURCE = "resource", "A resource"
        DECISION = "decision", "A decision"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="doors")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    request = models.TextField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["project", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.project}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class StatusUpdate(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    progress = models.TextField()
    next_steps = models.TextField()
    risks = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Update on {self.project}"


class SponsorComment(models.Model):
    update = models.ForeignKey(StatusUpdate, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.update}"


class SuccessMeasure(models.Model):
    """One success measure of the project: where it stood (baseline), where the team aims
    (target) and what was achieved, written by the team as plain short text ("42 days",
    "3 units")."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField("measure", max_length=200)
    baseline = models.CharField(max_length=200, blank=True)
    target = models.CharField(max_length=200, blank=True)
    achieved = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ProjectResults(models.Model):
    """The narrative of results, the sponsor's confirmation of them and the new owner's
    confirmation of the hand-over."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="results")
    narrative = models.TextField("narrative of results", blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handover_confirmed_at = models.DateTimeField(null=True, blank=True)
    handover_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who pressed "confirm" on the hand-over page, by name, as they typed it: the new owner
    # themself, or the person who confirmed for a new owner without an account.
    handover_confirmed_name = models.CharField(max_length=200, blank=True)
    # True when the person who confirmed said they did so on the new owner's behalf.
    handover_on_behalf = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Results of {self.project}"
