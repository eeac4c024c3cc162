"""What the dashboards keep of their own: the self-assessment figures of a closed stage, and
what teams published to their cohort's showcase."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from programs.models import Program
from projects.models import Project
from teams.models import SelfAssessment


class SelfAssessmentStage(models.Model):
    """A stage of a program's self-assessment (baseline, mid-point, end) that a program
    admin closed, with the figures the outcome report shows for it: counted once, when the
    stage closed, and never again. Ending or restoring a membership, a late or changed
    answer, or a deleted account changes no figure shown for a closed stage, so no two
    views of the report differ by one person's ratings."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=10, choices=SelfAssessment.Stage.choices)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The people counted: everyone who had answered this stage when it closed, among those
    # counted in the program's first closed stage when there is one (the same people
    # across stages).
    people = models.PositiveIntegerField()
    # Competency → average rating (one decimal) and how many people it is over; None for a
    # competency rated by fewer than MIN_GROUP of them.
    figures = models.JSONField(default=dict)
    counted_user_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "stage"], name="selfassessmentstage_closed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} of {self.program}, closed"


class ShowcaseItem(models.Model):
    """A team's project as the team published it to its cohort's showcase: the charter's
    title, problem and intended outcomes, and the results (measures and narrative), copied
    when the team published (or published again), so that what the cohort reads is what the
    team chose to show. Withdrawing deletes it."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    team_name = models.CharField(max_length=200)
    problem = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    results = models.TextField(blank=True)
    # [{"name", "baseline", "target", "achieved"}, ...] as they stood when published.
    measures = models.JSONField(default=list)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["team_name", "pk"]

    def __str__(self) -> str:
        return f"{self.title} · {self.team_name} (showcase)"
