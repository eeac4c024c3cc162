"""The email side of notifications: planning the daily digests, composing their emails
and those of single notifications, and the signed one-click unsubscribe.

Every email is one `EmailDelivery` row, unique per notification or per person and local
day, so a second or concurrent plan is harmless. Sending, retries and the sweeper follow
the pipeline's one claim rule (`notifications.pipeline`), as the weekly reminders do.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.mail import BulkEmail, compose_email
from notifications import pipeline
from notifications.kinds import DEFAULT_DIGEST_HOUR, EmailMode, Kind, default_email_mode
from notifications.models import DigestSetting, EmailDelivery, Notification, Preference
from notifications.pipeline import SEND_BATCH_SIZE, Composed
from programs.models import Membership, User

Status = EmailDelivery.Status

# The unsubscribe "kind" of the daily digest: it turns off every kind the person gets daily.
DIGEST = "digest"


# Unsubscribe ---------------------------------------------------------------------------


def _unsubscribe_salt(kind: str) -> str:
    return f"notifications.unsubscribe.{kind}"


def unsubscribe_token(user: User, kind: str) -> str:
    """A signed token naming the person and the kind to turn off by email. It does not
    expire: the link in a months-old email must still work."""
    return signing.dumps({"user": user.pk, "kind": kind}, salt=_unsubscribe_salt(kind))


def unsubscribe_url(user: User, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "notifications:unsubscribe", args=[kind, unsubscribe_token(user, kind)]
    )


def user_from_unsubscribe_token(kind: str, token: str) -> User | None:
    """The active person the token was signed for, for that kind; None when it is forged,
    altered, or for another kind."""
    if kind != DIGEST and kind not in Kind.values:
        return None
    try:
        data = signing.loads(token, salt=_unsubscribe_salt(kind))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("kind") != kind:
        return None
    pk = data.get("user")
    if not isinstance(pk, int):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


# Enqueueing and sweeping ---------------------------------------------------------------


def enqueue_sending(delivery_ids: Sequence[int]) -> None:
    """Hand the deliveries to workers once the transaction commits, SEND_BATCH_SIZE ids
    per broker message."""
    from notifications.tasks import send_emails

    for start in range(0, len(delivery_ids), SEND_BATCH_SIZE):
        batch = list(delivery_ids[start : start + SEND_BATCH_SIZE])
        transaction.on_commit(functools.partial(send_emails.delay, batch))


def do_requeue_stuck_emails(*, now: datetime.datetime | None = None) -> int:
    """Hand to a worker again the rows idle past their lease (`pipeline.requeue_stuck`)."""
    return pipeline.requeue_stuck(
        EmailDelivery, enqueue=enqueue_sending, now=now or timezone.now()
    )


# Daily digests -------------------------------------------------------------------------


def digest_due_at(
    user: User, hour: int, now: datetime.datetime
) -> tuple[datetime.date, datetime.datetime]:
    """The person's local day at `now` and the instant of that day's digest hour."""
    zone = user.zone
    day = now.astimezone(zone).date()
    due = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
    return day, due.astimezone(datetime.UTC)


def do_plan_digests(*, now: datetime.datetime | None = None) -> list[int]:
    """Plan today's digest for everyone whose local digest hour has passed and who has
    daily notifications from before it not yet in a digest: one delivery per person and
    local day (unique), carrying those notifications. Returns the ids planned; a second
    tick plans nothing more."""
    now = now or timezone.now()
    waiting = set(
        Notification.objects.filter(
            email=EmailMode.DAILY, digest__isnull=True, created_at__lte=now
        ).values_list("recipient_id", flat=True)
    )
    if not waiting:
        return []
    hours = dict(DigestSetting.objects.filter(user_id__in=waiting).values_list("user_id", "hour"))
    planned: list[int] = []
    for user in User.objects.filter(pk__in=waiting, is_active=True).order_by("pk"):
        day, due = digest_due_at(user, hours.get(user.pk, DEFAULT_DIGEST_HOUR), now)
        if due > now:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    delivery = EmailDelivery.objects.create(
                        recipient=user, digest_day=day, created_at=now, queued_at=now
                    )
            except IntegrityError:
                continue  # Today's digest is planned already.
            carried = Notification.objects.filter(
                recipient=user, email=EmailMode.DAILY, digest__isnull=True, created_at__lt=due
            ).update(digest=delivery)
            if not carried:
                # Nothing from before the hour: what came after waits for tomorrow's.
                delivery.delete()
                continue
            planned.append(delivery.pk)
            enqueue_sending([delivery.pk])
    return planned


# Sending -------------------------------------------------------------------------------


def message_id(delivery: EmailDelivery) -> str:
    """The same Message-ID for every attempt at one delivery."""
    host = urlsplit(settings.SITE_URL).hostname or "actionlab.localhost"
    return f"<notification.{delivery.pk}@{host}>"


def _absolute(link: str) -> str:
    return settings.SITE_URL + link if link.startswith("/") else settings.SITE_URL + "/"


def _still_wanted(
    notifications: Sequence[Notification], user: User, mode: str
) -> list[Notification]:
    """The notifications the person still wants by email in `mode` and may still hear of:
    a kind turned to another mode since, or a program the person has left, drops out."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "email"))
    programs = {n.program_id for n in notifications if n.program_id is not None}
    member_of = set(
        Membership.objects.filter(user=user, program_id__in=programs, is_active=True).values_list(
            "program_id", flat=True
        )
    )
    return [
        n
        for n in notifications
        if chosen.get(n.kind, default_email_mode(n.kind)) == mode
        and (n.program_id is None or n.program_id in member_of)
    ]


def build_message(delivery: EmailDelivery) -> BulkEmail | None:
    """The email of a delivery, or None when nothing in it should go out any more."""
    user = delivery.recipient
    if not user.is_active:
        return None
    if delivery.notification is not None:
        items = _still_wanted([delivery.notification], user, EmailMode.NOW)
        unsubscribe_kind = delivery.notification.kind
    else:
        items = _still_wanted(
            list(delivery.digested.select_related("program").order_by("created_at", "pk")),
            user,
            EmailMode.DAILY,
        )
        unsubscribe_kind = DIGEST
    if not items:
        return None
    unsubscribe = unsubscribe_url(user, unsubscribe_kind)
    entries = [
        {
            "what": Kind(n.kind).label,
            "subject": n.subject,
            "program": n.program.name if n.program else "",
            "url": _absolute(reverse("notifications:open", args=[n.pk])),
            "unsubscribe_url": unsubscribe_url(user, n.kind),
        }
        for n in items
    ]
    context = {
        "person": user,
        "entries": entries,
        "digest": delivery.digest_day is not None,
        "unsubscribe_url": unsubscribe,
        "settings_url": settings.SITE_URL + reverse("notifications:settings"),
        "centre_url": settings.SITE_URL + reverse("notifications:centre"),
    }
    if delivery.digest_day is not None:
        count = len(entries)
        subject = f"Your ActionLab digest: {count} notification{'s' if count != 1 else ''}"
    else:
        subject = entries[0]["subject"]  # it says what happened, and to what
    return compose_email(
        subject=subject,
        text_template="notifications/email/notification.txt",
        html_template="notifications/email/notification.html",
        context=context,
        to=[user.email],
        headers={"Message-ID": message_id(delivery)},
        unsubscribe_url=unsubscribe,
    )


def _compose(claimed: Sequence[int], now: datetime.datetime) -> Iterator[tuple[int, Composed]]:
    """Each claimed delivery's email, or why it is skipped."""
    deliveries = EmailDelivery.objects.select_related("recipient", "notification__program")
    for delivery in deliveries.filter(pk__in=claimed).order_by("pk"):
        message = build_message(delivery)
        yield delivery.pk, message or "Turned off by the person, or no longer a member."


def do_send_emails(
    *,
    delivery_ids: Sequence[int],
    final_attempt: bool = False,
    now: datetime.datetime | None = None,
) -> list[int]:
    """Send a batch of deliveries through one SMTP connection; returns the ids left
    queued by a transient SMTP failure, for the caller to retry later (on the final
    attempt they are marked failed instead). Rows sent, skipped, failed or claimed by
    another worker are left alone, so a batch that runs twice sends each email once."""
    statuses = pipeline.send_batch(
        EmailDelivery,
        delivery_ids,
        _compose,
        final_attempt=final_attempt,
        now=now or timezone.now(),
    )
    return [pk for pk, status in statuses.items() if status == Status.QUEUED]
