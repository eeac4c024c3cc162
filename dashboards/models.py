"""What the dashboards keep of their own: what teams published to their cohort's
showcase."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from projects.models import Project


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
