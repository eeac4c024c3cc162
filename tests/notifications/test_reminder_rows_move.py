"""The weekly reminders' delivery rows moved from `reflections` to `notifications`
(notifications 0002, reflections 0010): a row written before the move is read after it,
through the model's new home, with its table unchanged."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notifications.models import ReminderDelivery
from tests import factories as f

BEFORE = [
    ("notifications", "0001_notifications_and_email_deliveries"),
    ("reflections", "0009_team_reflection_revisions"),
]


def _leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_reminder_sent_before_the_move_is_still_in_the_log_after_it() -> None:
    person = f.UserFactory()
    program = f.ProgramFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("reflections", "ReminderDelivery")
    when = datetime.datetime(2026, 11, 16, 8, 0, tzinfo=datetime.UTC)
    row = old.objects.create(
        user_id=person.pk,
        program_id=program.pk,
        kind="checkin",
        iso_year=2026,
        iso_week=47,
        time_zone="Europe/London",
        due_at=when,
        status="sent",
        attempts=1,
        planned_by=uuid.uuid4(),
        created_at=when,
        queued_at=when,
        sent_at=when,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(_leaves())

    moved = ReminderDelivery.objects.get(pk=row.pk)
    assert (moved.user_id, moved.program_id, moved.status) == (person.pk, program.pk, "sent")
    assert ReminderDelivery._meta.db_table == "reflections_reminderdelivery"
