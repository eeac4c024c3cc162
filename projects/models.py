"""The team's strategic project: its charter and where it stands."""

from __future__ import annotations

from django.db import models

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
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.CRAFTING)
    phase_changed_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def charter_sections(self) -> list[tuple[str, str]]:
        return [
            ("Problem statement", self.problem_statement),
            ("Strategic alignment", self.strategic_alignment),
            ("Intended outcomes", self.intended_outcomes),
            ("Success measures", self.success_measures),
            ("Scope", self.scope),
        ]
