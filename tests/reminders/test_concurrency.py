"""Two ticks at the same moment, on PostgreSQL, still plan one reminder per person-week."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from notifications.models import ReminderDelivery
from notifications.reminders import do_plan_reminders
from programs.models import Membership, Program, Role
from tests import factories as f

PEOPLE = 30


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ticks_plan_one_reminder_per_person_and_week() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    program = f.ProgramFactory(
        starts_on=datetime.date(2026, 1, 5),
        ends_on=datetime.date(2026, 12, 31),
        checkin_weekday=Program.Weekday.SUNDAY,
    )
    cohort = f.CohortFactory(program=program)
    for _ in range(PEOPLE):
        user = f.UserFactory()
        f.MembershipFactory(user=user, program=program, cohort=cohort, role=Role.PARTICIPANT)
        f.ProfileFactory(user=user, organization=program.organization, time_zone="Europe/London")
    # They joined when the program started: this week is not their first.
    Membership.objects.filter(program=program).update(
        created_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )
    now = datetime.datetime(2026, 5, 17, 12, 0, tzinfo=datetime.UTC)
    start = threading.Barrier(2)
    planned: list[list[int]] = []
    errors: list[BaseException] = []
    sent: list[list[int]] = []

    def tick() -> None:
        try:
            start.wait()
            planned.append(do_plan_reminders(now=now))
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    from notifications import tasks

    original = tasks.send_reminders.delay
    tasks.send_reminders.delay = lambda ids: sent.append(ids)  # type: ignore[method-assign]
    try:
        threads = [threading.Thread(target=tick) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        tasks.send_reminders.delay = original  # type: ignore[method-assign]

    assert errors == []
    assert ReminderDelivery.objects.count() == PEOPLE
    # Each delivery was enqueued by exactly one of the two ticks.
    assert sorted(pk for ids in planned for pk in ids) == sorted(
        ReminderDelivery.objects.values_list("pk", flat=True)
    )
    assert sorted(pk for ids in sent for pk in ids) == sorted(pk for ids in planned for pk in ids)
