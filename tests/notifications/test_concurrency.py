"""Two workers at once, on PostgreSQL: each email goes out once, each digest is planned once,
and an event announced twice at the same moment notifies each person once."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections

from notifications.delivery import do_plan_digests, do_send_emails
from notifications.kinds import EmailMode, Kind
from notifications.models import EmailDelivery, Notification
from notifications.services import do_notify, do_set_email_mode
from programs.models import Role, User
from tests import factories as f

PEOPLE = 20
NOON = datetime.datetime(2026, 10, 7, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def members() -> tuple[Any, list[User]]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    program = f.ProgramFactory()
    cohort = f.CohortFactory(program=program)
    people = []
    for _ in range(PEOPLE):
        user = f.UserFactory(time_zone="UTC")
        f.MembershipFactory(user=user, program=program, cohort=cohort, role=Role.PARTICIPANT)
        people.append(user)
    return program, people


def twice_at_once(work: Callable[[], object]) -> list[object]:
    start = threading.Barrier(2)
    results: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def announce(program: Any, people: list[User], *, dedupe_key: str = "") -> list[Notification]:
    return do_notify(
        kind=Kind.PULSE_OPENED,
        recipients=people,
        program=program,
        subject="Flow Forward",
        link="/",
        dedupe_key=dedupe_key,
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_with_the_same_batch_send_each_email_once(
    members: tuple[Any, list[User]], settings: Any
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    program, people = members
    from notifications import tasks

    original = tasks.send_emails.delay
    tasks.send_emails.delay = lambda ids: None  # type: ignore[method-assign]
    try:
        announce(program, people)
    finally:
        tasks.send_emails.delay = original  # type: ignore[method-assign]
    ids = list(EmailDelivery.objects.values_list("pk", flat=True))
    assert len(ids) == PEOPLE

    twice_at_once(lambda: do_send_emails(delivery_ids=ids))

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_an_event_announced_twice_at_once_notifies_each_person_once(
    members: tuple[Any, list[User]],
) -> None:
    program, people = members
    results = twice_at_once(lambda: announce(program, people, dedupe_key="pulse-1"))
    assert sum(len(r) for r in results if isinstance(r, list)) == PEOPLE
    assert Notification.objects.count() == PEOPLE


@pytest.mark.django_db(transaction=True)
def test_two_digest_ticks_at_once_plan_one_digest_per_person(
    members: tuple[Any, list[User]],
) -> None:
    program, people = members
    for person in people:
        do_set_email_mode(user=person, kind=Kind.PULSE_OPENED, email=EmailMode.DAILY)
    announce(program, people)
    Notification.objects.update(created_at=NOON - datetime.timedelta(hours=6))
    from notifications import tasks

    original = tasks.send_emails.delay
    tasks.send_emails.delay = lambda ids: None  # type: ignore[method-assign]
    try:
        results = twice_at_once(lambda: do_plan_digests(now=NOON))
    finally:
        tasks.send_emails.delay = original  # type: ignore[method-assign]
    assert sum(len(r) for r in results if isinstance(r, list)) == PEOPLE
    assert EmailDelivery.objects.count() == PEOPLE
    assert not Notification.objects.filter(digest__isnull=True).exists()
