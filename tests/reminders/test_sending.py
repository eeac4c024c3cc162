"""Sending a planned reminder: its content, once only, skips and SMTP retries."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import ReminderDelivery
from notifications.pipeline import RETRY_MAX_SECONDS, SEND_MAX_RETRIES, retry_countdown
from notifications.reminders import (
    do_plan_reminders,
    do_send_reminder,
    do_send_reminders,
    do_set_reminders,
)
from notifications.tasks import send_reminders
from programs.models import Cohort, Role, User
from reflections.models import Plan, Prompt, ReminderKind
from reflections.services import do_create_checkin
from tests import factories as f
from tests.reminders.conftest import Person
from tests.reminders.flaky import FlakyBackend

SUNDAY_NOON = datetime.datetime(2026, 5, 17, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _on_sunday_noon() -> Iterator[None]:
    with time_machine.travel(SUNDAY_NOON, tick=False):
        yield


@pytest.fixture
def londoner(person: Person, cohort: Cohort) -> User:
    member = person("Europe/London", first_name="Leah", last_name="Lund")
    Plan.objects.create(
        user=member,
        program=cohort.program,
        aspect="Listening to my team",
        action="ask one open question in every huddle",
        checkin_weekday=6,
        checkin_time=datetime.time(9, 0),
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    # 17 May 2026 falls in the program's 19th week.
    Prompt.objects.create(program=cohort.program, text="Where did you hold back?", week_number=19)
    return member


@pytest.fixture
def delivery(londoner: User) -> ReminderDelivery:
    do_plan_reminders()
    return ReminderDelivery.objects.get(user=londoner)


def test_the_reminder_names_the_person_the_prompt_the_commitment_and_the_links(
    delivery: ReminderDelivery, mailoutbox: list[mail.EmailMessage], cohort: Cohort
) -> None:
    assert do_send_reminder(delivery_id=delivery.pk) == "sent"

    [message] = mailoutbox
    assert message.to == [delivery.user.email]
    html = message.alternatives[0].content  # type: ignore[attr-defined]
    checkin_url = "https://actionlab.example.org" + reverse(
        "reflections:checkin", args=[cohort.program.pk]
    )
    for text in (message.body, html):
        assert "Leah" in text
        assert "Where did you hold back?" in text
        assert "I will ask one open question in every huddle" in text
        assert checkin_url in text
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://actionlab.example.org/reminders/unsubscribe/checkin/")
    assert unsubscribe.strip("<>") in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    settings_url = "https://actionlab.example.org" + reverse("notifications:reminder_settings")
    assert settings_url in message.body and settings_url in html  # to turn them back on
    [(filename, calendar, mimetype)] = message.attachments
    assert (filename, mimetype) == ("be-better-now-check-in.ics", "text/calendar")
    assert "RRULE:FREQ=WEEKLY" in str(calendar)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.sent_at) == ("sent", SUNDAY_NOON)


def test_only_the_first_reminder_carries_the_calendar_event(
    delivery: ReminderDelivery, mailoutbox: list[mail.EmailMessage]
) -> None:
    do_send_reminder(delivery_id=delivery.pk)
    with time_machine.travel(SUNDAY_NOON + datetime.timedelta(weeks=1), tick=False):
        do_plan_reminders()
        later = ReminderDelivery.objects.exclude(pk=delivery.pk).get()
        do_send_reminder(delivery_id=later.pk)

    first, second = mailoutbox
    assert len(first.attachments) == 1
    assert second.attachments == []


def test_the_send_task_run_twice_sends_one_email(
    delivery: ReminderDelivery, mailoutbox: list[mail.EmailMessage]
) -> None:
    send_reminders.delay([delivery.pk])
    send_reminders.delay([delivery.pk])

    assert len(mailoutbox) == 1


def test_a_reminder_is_skipped_when_the_person_checked_in_meanwhile(
    delivery: ReminderDelivery, mailoutbox: list[mail.EmailMessage], cohort: Cohort
) -> None:
    do_create_checkin(
        user=delivery.user,
        program=cohort.program,
        time_zone="Europe/London",
        steps_taken="Asked two open questions.",
        next_focus="Ask in the board meeting.",
        progress=4,
        visibility="private",
    )

    assert do_send_reminder(delivery_id=delivery.pk) == "skipped"

    assert mailoutbox == []
    delivery.refresh_from_db()
    assert delivery.reason == "Checked in before the reminder went out."


def test_a_reminder_is_skipped_when_the_person_unsubscribed_meanwhile(
    delivery: ReminderDelivery, mailoutbox: list[mail.EmailMessage]
) -> None:
    do_set_reminders(user=delivery.user, kind=ReminderKind.CHECKIN, enabled=False)

    assert do_send_reminder(delivery_id=delivery.pk) == "skipped"

    assert mailoutbox == []
    delivery.refresh_from_db()
    assert delivery.reason == "Reminders turned off by the person."


def test_a_reminder_whose_week_ended_unsent_is_skipped(
    delivery: ReminderDelivery, mailoutbox: list[mail.EmailMessage]
) -> None:
    with time_machine.travel(SUNDAY_NOON + datetime.timedelta(days=1), tick=False):
        assert do_send_reminder(delivery_id=delivery.pk) == "skipped"
    assert mailoutbox == []


def test_an_smtp_failure_then_success_sends_one_email(
    delivery: ReminderDelivery, flaky_smtp: type[FlakyBackend]
) -> None:
    flaky_smtp.failures_left = 2

    send_reminders.delay([delivery.pk])

    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.reason) == ("sent", 3, "")


def test_a_failure_is_retried_without_the_reminders_already_sent(
    person: Person, delivery: ReminderDelivery, flaky_smtp: type[FlakyBackend]
) -> None:
    other = person("Europe/London")
    do_plan_reminders()
    second = ReminderDelivery.objects.get(user=other)
    send_reminders.delay([delivery.pk])  # sent
    flaky_smtp.failures_left = 1

    send_reminders.delay([delivery.pk, second.pk])

    assert sorted(m.to[0] for m in mail.outbox) == sorted([delivery.user.email, other.email])


def test_an_smtp_server_that_keeps_failing_leaves_the_reminder_failed_with_the_reason(
    delivery: ReminderDelivery, flaky_smtp: type[FlakyBackend], cohort: Cohort
) -> None:
    flaky_smtp.failures_left = 1000

    send_reminders.delay([delivery.pk])

    assert mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempts == SEND_MAX_RETRIES + 1
    assert delivery.reason == "SMTPServerDisconnected: Connection unexpectedly closed"
    admin = f.UserFactory()
    f.MembershipFactory(user=admin, program=cohort.program, role=Role.PROGRAM_ADMIN)
    client = Client()
    client.force_login(admin)
    log = client.get(reverse("notifications:reminder_log", args=[cohort.program.pk]))
    assert b"SMTPServerDisconnected: Connection unexpectedly closed" in log.content


def test_retries_back_off_exponentially_and_never_wait_beyond_ten_minutes() -> None:
    waits = [retry_countdown(retries) for retries in range(SEND_MAX_RETRIES + 3)]
    assert waits[:5] == [30, 60, 120, 240, 480]
    assert max(waits) == RETRY_MAX_SECONDS == 600


def test_a_reminder_sent_again_after_its_record_was_lost_keeps_its_message_id(
    delivery: ReminderDelivery, mailoutbox: list[mail.EmailMessage]
) -> None:
    do_send_reminder(delivery_id=delivery.pk)
    # As if the worker died between the SMTP server's acceptance and its commit.
    ReminderDelivery.objects.filter(pk=delivery.pk).update(status="queued")

    do_send_reminder(delivery_id=delivery.pk)

    first, second = mailoutbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].endswith("@actionlab.example.org>")


def test_a_batch_reads_what_it_needs_once_whatever_its_size(
    person: Person, cohort: Cohort, mailoutbox: list[mail.EmailMessage]
) -> None:
    for _ in range(12):
        person("Europe/London")
    planned = do_plan_reminders()

    with CaptureQueriesContext(connection) as two:
        do_send_reminders(delivery_ids=planned[:2])
    with CaptureQueriesContext(connection) as ten:
        do_send_reminders(delivery_ids=planned[2:])

    assert len(mailoutbox) == 12
    # Each further reminder costs its own claim-and-record (an UPDATE, in a transaction
    # or savepoint of its own), nothing more.
    assert len(ten) - len(two) <= 8 * 3
