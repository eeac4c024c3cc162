"""After the program: its alumni (participants when it ended or was archived) keep their
weekly check-in reminder, for as long as they keep reminders on; someone who left before
does not."""

from __future__ import annotations

import datetime

import time_machine
from django.core import mail

from notifications.models import ReminderDelivery
from notifications.reminders import do_plan_reminders, do_send_reminders, do_set_reminders
from programs.models import Cohort, Membership
from programs.services import do_archive_program
from reflections.models import ReminderKind
from tests import factories as f
from tests.reminders.conftest import Person

# Sunday 17 May 2026, noon in London: the 09:00 Sunday slot has passed.
SUNDAY_NOON = datetime.datetime(2026, 5, 17, 11, 0, tzinfo=datetime.UTC)
# Sunday 7 February 2027, noon in London: five weeks after the program's last day.
AFTER_THE_END = datetime.datetime(2027, 2, 7, 12, 0, tzinfo=datetime.UTC)


def plan_and_send(moment: datetime.datetime) -> list[ReminderDelivery]:
    with time_machine.travel(moment, tick=False):
        planned = do_plan_reminders()
        do_send_reminders(delivery_ids=planned)
    return list(ReminderDelivery.objects.filter(pk__in=planned))


def test_the_alumni_of_an_archived_program_keep_their_reminder(
    person: Person, cohort: Cohort
) -> None:
    alumna = person("Europe/London")
    do_archive_program(program=cohort.program, by=f.UserFactory())
    [delivery] = plan_and_send(SUNDAY_NOON)
    assert delivery.user == alumna
    assert delivery.status == ReminderDelivery.Status.SENT
    assert [message.to for message in mail.outbox] == [[alumna.email]]


def test_after_the_last_day_the_reminder_goes_on(person: Person, cohort: Cohort) -> None:
    alumna = person("Europe/London")
    [delivery] = plan_and_send(AFTER_THE_END)
    assert delivery.user == alumna
    assert delivery.status == ReminderDelivery.Status.SENT


def test_alumni_who_turn_reminders_off_get_none(person: Person, cohort: Cohort) -> None:
    alumna = person("Europe/London")
    do_set_reminders(user=alumna, kind=ReminderKind.CHECKIN, enabled=False)
    assert plan_and_send(AFTER_THE_END) == []
    assert mail.outbox == []


def test_someone_who_left_before_the_end_gets_none(person: Person, cohort: Cohort) -> None:
    leaver = person("Europe/London")
    Membership.objects.filter(user=leaver).update(
        is_active=False, ending=Membership.Ending.LEFT, ended_at=SUNDAY_NOON
    )
    do_archive_program(program=cohort.program, by=f.UserFactory())
    assert plan_and_send(SUNDAY_NOON) == []
    assert plan_and_send(AFTER_THE_END) == []
    assert mail.outbox == []
