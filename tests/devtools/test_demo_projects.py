"""The demo's project work: believable, and seeding again adds nothing."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from devtools.demo.projects import seed_project_work
from projects.work import sponsored_projects
from tests import factories as f
from tests.conftest import Cast


def test_seeded_work_is_believable_and_seeding_again_adds_nothing(cast: Cast) -> None:
    f.UnitFactory(organization=cast.program.organization, name="Finance")
    f.UnitFactory(organization=cast.program.organization, name="Nursing")
    members = [cast.participant, cast.teammate]
    seed_project_work(project=cast.project, members=members, sponsor=cast.sponsor)
    counts = [
        cast.project.actions.count(),
        cast.project.engagements.count(),
        cast.project.doors.count(),
        cast.project.updates.count(),
    ]
    seed_project_work(project=cast.project, members=members, sponsor=cast.sponsor)
    assert [
        cast.project.actions.count(),
        cast.project.engagements.count(),
        cast.project.doors.count(),
        cast.project.updates.count(),
    ] == counts
    assert counts[0] >= 4
    assert counts[2:] == [2, 2]
    today = timezone.localdate()
    assert (
        cast.project.actions.filter(due_on__lt=today).exclude(status="done").count() == 1
    )  # one overdue
    assert cast.project.doors.filter(answered_at__isnull=True).count() == 1
    assert cast.project.engagements.values("unit").distinct().count() >= 2
    assert cast.project.engagements.values("level").distinct().count() == 4
    assert cast.project.updates.filter(comments__author=cast.sponsor).count() == 1
    [row] = sponsored_projects(cast.sponsor)
    assert row.open_door_count == 1
    assert row.oldest_open_days == 9
    html = (
        cast.client_for("participant")
        .get(reverse("projects:actions", args=[cast.project.pk]))
        .content.decode()
    )
    assert html.count('class="overdue-flag">Overdue<') == 1
