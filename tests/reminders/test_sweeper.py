"""The sweeper hands deliveries stuck in queued to the workers again."""

from __future__ import annotations

import datetime

import time_machine
from django.core import mail

from notifications.models import ReminderDelivery
from notifications.reminders import do_plan_reminders, do_requeue_stuck_reminders
from programs.models import User
from tests.reminders.conftest import Person

PLANNED_AT = datetime.datetime(2026, 5, 17, 12, 0, tzinfo=datetime.UTC)


def _planned_but_lost(person: Person) -> User:
    member = person("Europe/London")
    # The tick committed, but its message never reached a worker.
    with time_machine.travel(PLANNED_AT, tick=False):
        do_plan_reminders()
    return member


def test_a_reminder_stuck_for_more_than_fifteen_minutes_is_sent(
    person: Person, django_capture_on_commit_callbacks, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    member = _planned_but_lost(person)

    with (
        time_machine.travel(PLANNED_AT + datetime.timedelta(minutes=16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_requeue_stuck_reminders() == 1

    assert [m.to for m in mailoutbox] == [[member.email]]
    assert ReminderDelivery.objects.get().status == "sent"


def test_a_reminder_queued_a_moment_ago_is_left_to_its_worker(
    person: Person, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    _planned_but_lost(person)

    with (
        time_machine.travel(PLANNED_AT + datetime.timedelta(minutes=14), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        assert do_requeue_stuck_reminders() == 0

    assert callbacks == []
    assert mail.outbox == []
