"""Emailing notifications: once only, retried on SMTP failures, swept when lost, the
daily digest at the person's own hour, and the unsubscribe headers."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail

from config.celery import app as celery_app
from notifications.delivery import (
    do_plan_digests,
    do_requeue_stuck_emails,
    do_send_emails,
)
from notifications.kinds import EmailMode, Kind
from notifications.models import EmailDelivery, Notification
from notifications.pipeline import RETRY_MAX_SECONDS, retry_countdown
from notifications.services import do_notify, do_set_digest_hour, do_set_email_mode
from notifications.tasks import send_emails
from programs.models import Membership
from tests.conftest import Cast
from tests.reminders.flaky import FlakyBackend

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 10, 7, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _at_noon() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


def approve(cast: Cast, *recipients: Any, kind: str = Kind.CHARTER_APPROVED) -> None:
    do_notify(
        kind=kind,
        recipients=recipients or [cast.participant],
        program=cast.program,
        subject=f"{Kind(kind).label}: {cast.project.title}",
        link=f"/projects/{cast.project.pk}/",
    )


def test_the_email_says_what_happened_links_to_it_and_offers_one_click_unsubscribe(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        approve(cast)
    (message,) = mailoutbox
    notification = Notification.objects.get()
    assert message.subject == "Your team's charter is approved: Cut ED boarding time"
    assert f"{settings.SITE_URL}/notifications/{notification.pk}/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(
        f"{settings.SITE_URL}/notifications/unsubscribe/charter_approved/"
    )
    html = message.alternatives[0].content
    assert unsubscribe in html and "Cut ED boarding time" in html


def test_the_send_task_run_twice_sends_one_email(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        approve(cast)
    delivery = EmailDelivery.objects.get()
    send_emails.delay([delivery.pk])
    send_emails.delay([delivery.pk])
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_an_email_turned_off_before_it_went_out_is_skipped(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        approve(cast)
    do_set_email_mode(user=cast.participant, kind=Kind.CHARTER_APPROVED, email=EmailMode.OFF)
    do_send_emails(delivery_ids=[EmailDelivery.objects.get().pk])
    assert mailoutbox == []
    assert EmailDelivery.objects.get().status == "skipped"


def test_a_person_who_left_before_the_email_went_out_gets_none(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        approve(cast)
    Membership.objects.filter(user=cast.participant).update(
        is_active=False, ended_at=NOON, ending="left"
    )
    do_send_emails(delivery_ids=[EmailDelivery.objects.get().pk])
    assert mailoutbox == []
    # The notification stays in the app; it is the email that is not sent.
    assert Notification.objects.filter(recipient=cast.participant).exists()


def test_an_smtp_failure_is_retried_and_the_email_sent_once(
    cast: Cast, flaky_smtp: type[FlakyBackend], django_capture_on_commit_callbacks: Any
) -> None:
    flaky_smtp.failures_left = 2
    with django_capture_on_commit_callbacks(execute=True):
        approve(cast)
    assert len(mail.outbox) == 1
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.reason) == ("sent", 3, "")


def test_an_smtp_server_that_keeps_failing_leaves_the_email_failed_with_the_reason(
    cast: Cast, flaky_smtp: type[FlakyBackend], django_capture_on_commit_callbacks: Any
) -> None:
    flaky_smtp.failures_left = 100
    with django_capture_on_commit_callbacks(execute=True):
        approve(cast)
    assert mail.outbox == []
    delivery = EmailDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.reason == "SMTPServerDisconnected: Connection unexpectedly closed"


def test_retries_back_off_and_never_wait_beyond_ten_minutes() -> None:
    assert [retry_countdown(n) for n in range(3)] == [30, 60, 120]
    assert retry_countdown(20) == RETRY_MAX_SECONDS == 600


def test_the_sweeper_sends_an_email_whose_message_was_lost(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        approve(cast)
    with time_machine.travel(NOON + datetime.timedelta(minutes=14), tick=False):
        assert do_requeue_stuck_emails() == 0
    with (
        time_machine.travel(NOON + datetime.timedelta(minutes=16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_requeue_stuck_emails() == 1
    assert len(mailoutbox) == 1


def test_the_sweeper_resends_an_email_whose_worker_died_while_sending(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        approve(cast)
    # A worker claimed the row and was killed before recording the outcome.
    EmailDelivery.objects.update(status="sending", claimed_at=NOON, attempts=1)
    send_emails.delay([EmailDelivery.objects.get().pk])
    assert mailoutbox == []  # another worker holds it within its lease
    with (
        time_machine.travel(NOON + datetime.timedelta(minutes=16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_requeue_stuck_emails() == 1
    assert len(mailoutbox) == 1
    assert EmailDelivery.objects.get().status == "sent"


# The daily digest ----------------------------------------------------------------------


def test_the_digest_comes_once_at_the_persons_local_hour_with_that_days_notifications(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    cast.participant.time_zone = "America/New_York"  # 08:00 there is 12:00 UTC in October
    cast.participant.save()
    do_set_digest_hour(user=cast.participant, hour=9)
    for kind in (Kind.CHARTER_APPROVED, Kind.SPONSOR_COMMENT):
        do_set_email_mode(user=cast.participant, kind=kind, email=EmailMode.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        approve(cast)
        approve(cast, kind=Kind.SPONSOR_COMMENT)
        assert do_plan_digests() == []  # 08:00 in New York: not yet
    assert mailoutbox == []
    with (
        time_machine.travel(NOON + datetime.timedelta(hours=1, minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert len(do_plan_digests()) == 1
        assert do_plan_digests() == []  # a second tick plans nothing more
    (digest,) = mailoutbox
    assert digest.subject == "Your ActionLab digest: 2 notifications"
    assert "Your team's charter is approved: Cut ED boarding time" in digest.body
    assert "Your sponsor comments on an update: Cut ED boarding time" in digest.body
    assert "/notifications/unsubscribe/digest/" in digest.extra_headers["List-Unsubscribe"]
    assert EmailDelivery.objects.get().digest_day == datetime.date(2026, 10, 7)


def test_what_comes_after_the_digest_hour_waits_for_the_next_days_digest(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    cast.participant.time_zone = "UTC"
    cast.participant.save()
    # 12:00 UTC is past 08:00 UTC, the default hour.
    do_set_email_mode(user=cast.participant, kind=Kind.CHARTER_APPROVED, email=EmailMode.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        approve(cast)
        assert do_plan_digests() == []
    with (
        time_machine.travel(NOON + datetime.timedelta(hours=20, minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert len(do_plan_digests()) == 1
    assert len(mailoutbox) == 1


def test_a_notification_turned_off_before_the_digest_is_left_out(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    do_set_email_mode(user=cast.participant, kind=Kind.CHARTER_APPROVED, email=EmailMode.DAILY)
    with time_machine.travel(NOON - datetime.timedelta(hours=6), tick=False):
        approve(cast)
    do_set_email_mode(user=cast.participant, kind=Kind.CHARTER_APPROVED, email=EmailMode.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(do_plan_digests()) == 1
    assert mailoutbox == []
    assert EmailDelivery.objects.get().status == "skipped"


def test_beat_plans_digests_and_sweeps_every_five_minutes(settings: Any) -> None:
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["notifications.digest_tick"] == schedule["notifications.sweep"] == 300.0
    assert {
        "notifications.digest_tick",
        "notifications.send",
        "notifications.sweep",
    } <= set(celery_app.tasks)


def test_the_beat_tasks_plan_and_sweep_through_the_worker(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from notifications.tasks import plan_digests, sweep

    cast.participant.time_zone = "UTC"
    cast.participant.save()
    do_set_email_mode(user=cast.participant, kind=Kind.PULSE_OPENED, email=EmailMode.DAILY)
    with django_capture_on_commit_callbacks(execute=False):
        approve(cast)  # emailed at once, but its message is lost
        with time_machine.travel(NOON - datetime.timedelta(hours=6), tick=False):
            approve(cast, kind=Kind.PULSE_OPENED)
    with (
        time_machine.travel(NOON + datetime.timedelta(minutes=20), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert plan_digests.delay().get() == 1
        assert sweep.delay().get() == 1
    assert sorted(m.subject for m in mailoutbox) == [
        "Your ActionLab digest: 1 notification",
        "Your team's charter is approved: Cut ED boarding time",
    ]


def test_an_email_whose_sent_mark_meets_a_busy_database_is_recorded_and_not_sent_again(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from unittest import mock

    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper

    with django_capture_on_commit_callbacks(execute=False):
        approve(cast)
    real_execute = CursorWrapper.execute
    busy: list[bool] = []

    def execute(self: CursorWrapper, sql: str, params: Any = None) -> Any:
        # The first time the email's sent mark is written, another process holds the lock.
        if sql.startswith("UPDATE") and "sent_at" in sql and not busy:
            busy.append(True)
            raise OperationalError("database is locked")
        return real_execute(self, sql, params)

    with mock.patch.object(CursorWrapper, "execute", execute), mock.patch("time.sleep"):
        send_emails.delay([EmailDelivery.objects.get().pk])
    assert busy
    assert len(mailoutbox) == 1
    assert EmailDelivery.objects.get().status == "sent"
    with (
        time_machine.travel(NOON + datetime.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_requeue_stuck_emails() == 0
    assert len(mailoutbox) == 1


def test_the_hour_that_happens_twice_in_autumn_brings_one_digest(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    cast.participant.time_zone = "Europe/London"
    cast.participant.save()
    do_set_digest_hour(user=cast.participant, hour=1)
    do_set_email_mode(user=cast.participant, kind=Kind.CHARTER_APPROVED, email=EmailMode.DAILY)
    # 25 October 2026: 01:00 in London comes at 00:00 UTC (summer time) and again at 01:00.
    first_one = datetime.datetime(2026, 10, 25, 0, 5, tzinfo=datetime.UTC)
    with time_machine.travel(first_one - datetime.timedelta(hours=3), tick=False):
        approve(cast)
    with django_capture_on_commit_callbacks(execute=True):
        for at in (first_one, first_one + datetime.timedelta(hours=1)):
            with time_machine.travel(at, tick=False):
                do_plan_digests()
    assert len(mailoutbox) == 1
    assert EmailDelivery.objects.get(digest_day__isnull=False).digest_day == datetime.date(
        2026, 10, 25
    )
