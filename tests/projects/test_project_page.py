"""The project overview: phase, next step, criteria and the work at a glance."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Action, DoorRequest, StakeholderEngagement, StatusUpdate
from tests import factories as f
from tests.conftest import Cast


def add_work(cast: Cast, n: int) -> None:
    project = cast.project
    unit = f.UnitFactory(organization=cast.program.organization)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Action.objects.bulk_create(
        Action(project=project, title=f"Action {i}", owner=cast.participant, due_on=yesterday)
        for i in range(n)
    )
    StakeholderEngagement.objects.bulk_create(
        StakeholderEngagement(
            project=project,
            stakeholder=f"Person {i}",
            unit=unit,
            level="consult",
            engaged_on=yesterday,
        )
        for i in range(n)
    )
    DoorRequest.objects.bulk_create(
        DoorRequest(
            project=project, kind="introduction", request=f"Ask {i}", asked_by=cast.participant
        )
        for i in range(n)
    )
    StatusUpdate.objects.bulk_create(
        StatusUpdate(
            project=project, progress="On track", next_steps="More", author=cast.participant
        )
        for _ in range(n)
    )


def overview_queries(cast: Cast, who: str) -> tuple[int, str]:
    client = cast.client_for(who)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:detail", args=[cast.project.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_overview_counts_the_work_and_marks_overdue_actions(cast: Cast) -> None:
    add_work(cast, 3)
    _, html = overview_queries(cast, "participant")
    assert "3 open" in html and "3 overdue" in html
    assert "3 engagements across 1 unit" in html


def test_overview_runs_the_same_queries_with_1_and_50_of_everything(cast: Cast) -> None:
    add_work(cast, 1)
    for who in ("participant", "sponsor", "coach", "program_admin"):
        small, _ = overview_queries(cast, who)
        add_work(cast, 49)
        large, _ = overview_queries(cast, who)
        assert small == large, who
        assert large <= 10, (who, large)


def test_the_team_sees_what_is_missing_before_submitting(cast: Cast) -> None:
    _, html = overview_queries(cast, "participant")
    assert "Still missing:" in html
    assert "Submit the charter to the sponsor" in html


def test_readers_see_no_editing_controls(cast: Cast) -> None:
    _, html = overview_queries(cast, "coach")
    assert "Submit the charter" not in html
    assert "Save rationale" not in html
    assert "?edit" not in html
