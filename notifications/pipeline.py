"""The one claim rule of every email the notifications app sends: event notifications and
daily digests (`EmailDelivery`), weekly reminders, coach digests and partner notes
(`ReminderDelivery`), calendar invitations (`InvitationDelivery`).

A delivery row is planned once (unique constraints), handed to a worker in a batch of ids
after commit, and then:

1. **Claimed in bulk**: one UPDATE moves the batch's queued rows to sending, stamps
   `claimed_at` and counts the attempt, and commits. Rows another worker claimed, or that
   were sent, skipped or failed, are left alone: a batch that runs twice sends each once.
2. **Composed**: the kind's own code reads what it needs for the claimed rows and returns,
   for each, its message or the reason to skip it (one UPDATE per reason).
3. **Sent** one by one through one SMTP connection, each **recorded** as soon as the
   server accepted it, in one short UPDATE (sending → sent). A transient SMTP failure puts
   the row back in the queue with the reason for the task's retry, or marks it failed on
   the final attempt.

The lease: a row still sending `LEASE` after its claim (its worker was killed, or its
database went away) or still queued `LEASE` after it was handed to a worker (its broker
message was lost) is handed on again by the sweeper (`notifications.sweeper`), up to
`MAX_ATTEMPTS` claims. A worker killed before the SMTP server accepted a message leaves it
to be sent once, later; the one point that is at-least-once is a worker killed after the
server accepted a message and before the round trip that records it, and the copy sent
again carries the same Message-ID.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from smtplib import SMTPException
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import F, Field

from core.tasks import is_busy_database
from notifications.models import Delivery, EmailDelivery, InvitationDelivery, ReminderDelivery

logger = logging.getLogger(__name__)

# How many delivery ids one broker message carries.
SEND_BATCH_SIZE = 50
# Retries of a batch whose SMTP server failed: 30 s, 60 s, … capped at ten minutes.
SEND_MAX_RETRIES = 6
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 600
# A row queued or sending this long after it was last handed to a worker was lost
# (REMINDERS_STUCK_AFTER_SECONDS, 15 minutes by default).
LEASE = datetime.timedelta(seconds=settings.REMINDERS_STUCK_AFTER_SECONDS)
SWEEP_LIMIT = 5000
# A row claimed this often without an outcome (its message kills the worker, say) is
# marked failed by the sweeper instead of being handed on for ever.
MAX_ATTEMPTS = 12
TRANSIENT_ERRORS = (SMTPException, ConnectionError, TimeoutError)
# Tries at recording an email that went out, while the database is busy.
RECORD_ATTEMPTS = 16

# The tables of deliveries: each is a `Delivery`, with the fields written here.
Outbox = type[EmailDelivery] | type[ReminderDelivery] | type[InvitationDelivery]
# What a kind's composer returns for each claimed row: its message, or why to skip it.
Composed = EmailMessage | str
Composer = Callable[[Sequence[int], datetime.datetime], Iterable[tuple[int, Composed]]]

QUEUED, SENDING, SENT, FAILED, SKIPPED = (
    Delivery.Status.QUEUED,
    Delivery.Status.SENDING,
    Delivery.Status.SENT,
    Delivery.Status.FAILED,
    Delivery.Status.SKIPPED,
)


def retry_countdown(retries: int) -> int:
    """Seconds before retry number `retries + 1`: exponential, never beyond ten minutes."""
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries)


def while_busy[Result](write: Callable[[], Result]) -> Result:
    """Run `write`, again after a pause while the database is busy (SQLite's write lock,
    held by another process for longer than the busy timeout): 0.1 s, 0.2 s, … at most 5 s
    apart, about a minute in all, before the error is raised."""
    for attempt in range(RECORD_ATTEMPTS):
        try:
            return write()
        except OperationalError as error:
            if not is_busy_database(error) or attempt == RECORD_ATTEMPTS - 1:
                raise
            time.sleep(min(5.0, 0.1 * 2**attempt))
    raise AssertionError("unreachable")


def claim(model: Outbox, ids: Iterable[int], now: datetime.datetime) -> list[int]:
    """Move the rows of `ids` still queued to sending, in one transaction; returns the ids
    claimed (sorted). Rows locked by a concurrent claim are skipped: that claim wins."""
    wanted = sorted(set(ids))
    if not wanted:
        return []

    def write() -> list[int]:
        with transaction.atomic():
            claimed = list(
                model.objects.select_for_update(skip_locked=True)
                .filter(pk__in=wanted, status=QUEUED)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            model.objects.filter(pk__in=claimed).update(
                status=SENDING, claimed_at=now, queued_at=now, attempts=F("attempts") + 1
            )
        return claimed

    return while_busy(write)


def record_sent(model: Outbox, pk: int, now: datetime.datetime) -> int:
    """Record a row this worker claimed at `now` as sent: the statement that runs once
    per email, written out once here rather than compiled by the ORM for every email.

    The row is found by its id and the time of the claim, not by its status: a condition
    on the status would lead PostgreSQL to the sweeper's index of waiting rows, through
    every row claimed and not yet recorded, instead of to the one row (that made
    recording each email cost three times its send). A row the sweeper handed out again
    and another worker claimed since carries that worker's claim and is left to it; a
    row the sweeper put back in the queue is recorded sent, so it is not sent twice."""
    meta = model._meta
    quote = connection.ops.quote_name

    def field(name: str) -> Field[Any, Any]:
        return cast(Field[Any, Any], meta.get_field(name))

    def column(name: str) -> str:
        return quote(str(field(name).column))

    sql = (
        f"UPDATE {quote(meta.db_table)} SET {column('status')} = %s,"  # noqa: S608
        f" {column('sent_at')} = %s, {column('reason')} = ''"
        f" WHERE {column('id')} = %s AND {column('claimed_at')} = %s"
    )
    at = field("sent_at").get_db_prep_save(now, connection)

    def write() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, [SENT, at, pk, at])
            return cursor.rowcount

    return while_busy(write)


def record(
    model: Outbox,
    pks: Sequence[int],
    status: str,
    *,
    reason: str = "",
    now: datetime.datetime,
) -> int:
    """Record the outcome of rows this worker claimed at `now` (as `record_sent` finds
    them)."""
    values: dict[str, object] = {"status": status, "reason": reason[:300]}
    if status == SENT:
        values["sent_at"] = now
    elif status == QUEUED:
        # Back in the queue: the lease starts again for the task's retry.
        values["queued_at"] = now
    rows = model.objects.filter(pk__in=pks, claimed_at=now)
    return while_busy(lambda: rows.update(**values))


@contextlib.contextmanager
def commits_not_waiting_for_disk() -> Iterator[None]:
    """On PostgreSQL, commit without waiting for the WAL to reach the disk while the block
    runs. A worker killed after a commit cannot undo it; only a crash of the database
    server within a fraction of a second could, and then an email recorded as sent in that
    moment goes out again (as after any lost "sent" mark). It saves a disk flush for every
    email, the largest cost of recording them one by one."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:
            # A broken connection must not go back to the pool with the setting.
            connection.close()
            raise


def send_batch(
    model: Outbox,
    ids: Iterable[int],
    compose: Composer,
    *,
    final_attempt: bool,
    now: datetime.datetime,
) -> dict[int, str]:
    """Claim, compose, send and record a batch (see the module's docstring); returns the
    status of each row of `ids` that exists afterwards."""
    wanted = sorted(set(ids))
    claimed = claim(model, wanted, now)
    statuses: dict[int, str] = {}
    if claimed:
        with commits_not_waiting_for_disk():
            statuses = _send_claimed(model, claimed, compose, final_attempt=final_attempt, now=now)
    others = [pk for pk in wanted if pk not in statuses]
    if others:
        statuses.update(model.objects.filter(pk__in=others).values_list("pk", "status"))
    return statuses


def _send_claimed(
    model: Outbox,
    claimed: list[int],
    compose: Composer,
    *,
    final_attempt: bool,
    now: datetime.datetime,
) -> dict[int, str]:
    statuses: dict[int, str] = {}
    skipped: dict[str, list[int]] = defaultdict(list)
    messages: list[tuple[int, EmailMessage]] = []
    for pk, outcome in compose(claimed, now):
        if isinstance(outcome, str):
            skipped[outcome].append(pk)
        else:
            messages.append((pk, outcome))
    for reason, pks in skipped.items():
        record(model, pks, SKIPPED, reason=reason, now=now)
        statuses.update(dict.fromkeys(pks, SKIPPED))
    mailer = mailers.default
    if messages:
        # One SMTP connection for the batch. A server that cannot be reached now fails each
        # message's own attempt below, where the failure is recorded and retried.
        with contextlib.suppress(*TRANSIENT_ERRORS):
            mailer.open()
    try:
        for pk, message in messages:
            try:
                mailer.send_messages([message])
            except TRANSIENT_ERRORS as error:
                # The next message opens a new connection to the SMTP server.
                with contextlib.suppress(*TRANSIENT_ERRORS, OSError):
                    mailer.close()
                status = FAILED if final_attempt else QUEUED
                record(model, [pk], status, reason=f"{type(error).__name__}: {error}", now=now)
            else:
                status = SENT
                record_sent(model, pk, now)
            statuses[pk] = status
    finally:
        with contextlib.suppress(*TRANSIENT_ERRORS, OSError):
            mailer.close()
    # A row the composer returned nothing for stays sending: the sweeper hands it on.
    missing = [pk for pk in claimed if pk not in statuses]
    if missing:
        logger.error("No message was composed for %s deliveries %s.", model.__name__, missing)
    return statuses


def requeue_stuck(
    model: Outbox,
    *,
    enqueue: Callable[[Sequence[int]], None],
    now: datetime.datetime,
    **only: object,
) -> int:
    """Hand to a worker again the rows of `model` (filtered by `only`) idle past their
    lease: queued ones whose broker message was lost, and sending ones whose worker died
    before recording the outcome. A row claimed MAX_ATTEMPTS times is marked failed
    instead. Returns how many were handed on."""
    cutoff = now - LEASE
    with transaction.atomic():
        stuck = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(status__in=[QUEUED, SENDING], queued_at__lt=cutoff, **only)
            .order_by("pk")
            .values_list("pk", "attempts")[:SWEEP_LIMIT]
        )
        given_up = [pk for pk, attempts in stuck if attempts >= MAX_ATTEMPTS]
        again = [pk for pk, attempts in stuck if attempts < MAX_ATTEMPTS]
        model.objects.filter(pk__in=given_up).update(
            status=FAILED, reason=f"Gave up after {MAX_ATTEMPTS} attempts."
        )
        model.objects.filter(pk__in=again).update(status=QUEUED, queued_at=now)
        enqueue(again)
    return len(again)
