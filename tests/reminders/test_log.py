"""The reminder log: program admins see every delivery by week and status."""

from __future__ import annotations

import datetime
import uuid

from django.urls import reverse

from notifications.models import ReminderDelivery
from tests.conftest import Cast

WHEN = datetime.datetime(2026, 10, 4, 12, 0, tzinfo=datetime.UTC)


def deliver(cast: Cast, user_attr: str, week: int, status: str, reason: str = "") -> None:
    ReminderDelivery.objects.create(
        user=getattr(cast, user_attr),
        program=cast.program,
        kind="checkin",
        iso_year=2026,
        iso_week=week,
        time_zone="America/New_York",
        due_at=WHEN,
        status=status,
        reason=reason,
        planned_by=uuid.uuid4(),
        created_at=WHEN,
        queued_at=WHEN,
    )


def test_a_program_admin_sees_weeks_statuses_and_failure_reasons(cast: Cast) -> None:
    deliver(cast, "participant", 40, "sent")
    deliver(cast, "teammate", 40, "failed", "SMTPServerDisconnected: Connection closed")
    deliver(cast, "other_participant", 40, "skipped", "Checked in before the reminder went out.")

    response = cast.client_for("program_admin").get(
        reverse("notifications:reminder_log", args=[cast.program.pk])
    )

    assert response.status_code == 200
    assert response.context["weeks"] == [
        {
            "label": "2026-W40",
            "iso_year": 2026,
            "iso_week": 40,
            "queued": 0,
            "sent": 1,
            "skipped": 1,
            "failed": 1,
        }
    ]
    assert b"SMTPServerDisconnected: Connection closed" in response.content
    assert b"Terry Teammate" in response.content


def test_the_log_is_paginated(cast: Cast) -> None:
    for week in range(1, 53):
        deliver(cast, "participant", week, "sent")

    client = cast.client_for("program_admin")
    url = reverse("notifications:reminder_log", args=[cast.program.pk])

    assert len(client.get(url).context["page"]) == 50
    assert len(client.get(url, {"page": 2}).context["page"]) == 2


def test_an_empty_log_says_what_will_appear(cast: Cast) -> None:
    response = cast.client_for("program_admin").get(
        reverse("notifications:reminder_log", args=[cast.program.pk])
    )
    assert b"No reminders yet" in response.content
