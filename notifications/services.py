"""Notifying people: the in-app notification and the plan of its email (now, in the daily
digest, or not at all), and each person's email preferences."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.text import one_line
from notifications.kinds import DEFAULT_DIGEST_HOUR, EmailMode, Kind, default_email_mode
from notifications.models import DigestSetting, EmailDelivery, Notification, Preference
from programs.models import Membership, Program, User


def email_modes(user: User) -> dict[str, str]:
    """How the person gets each kind by email: their choice, else the kind's default."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, default_email_mode(kind)) for kind in Kind.values}


def digest_hour(user: User) -> int:
    """The local hour of the person's daily digest."""
    setting = DigestSetting.objects.filter(user=user).values_list("hour", flat=True).first()
    return DEFAULT_DIGEST_HOUR if setting is None else setting


def do_set_email_mode(*, user: User, kind: str, email: str) -> Preference:
    """Set how the person gets one kind by email (also how an unsubscribe is undone)."""
    preference, _ = Preference.objects.update_or_create(
        user=user, kind=Kind(kind), defaults={"email": EmailMode(email)}
    )
    return preference


def do_set_digest_hour(*, user: User, hour: int) -> DigestSetting:
    """Set the local hour of the person's daily digest."""
    if not 0 <= hour <= 23:
        raise ValueError("An hour of the day is 0 to 23.")
    setting, _ = DigestSetting.objects.update_or_create(user=user, defaults={"hour": hour})
    return setting


@transaction.atomic
def do_notify(
    *,
    kind: str,
    recipients: Iterable[User],
    program: Program | None,
    subject: str,
    link: str,
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each recipient in the app and plan the email as they prefer for `kind`:
    immediately (a delivery handed to a worker once the transaction commits), in their
    daily digest, or not at all. Returns the notifications created.

    Skipped: people no longer active, and, when `program` is given, people with no active
    membership in it. With a `dedupe_key`, a person already notified of `kind` with that
    key is not notified again, so announcing the same event twice notifies once.

    `subject` and `link` are a title of a thing and a path: never anyone's writing."""
    kind = Kind(kind)
    people = {user.pk: user for user in recipients if user.is_active}
    if program is not None and people:
        members = set(
            Membership.objects.filter(
                program=program, user_id__in=people, is_active=True
            ).values_list("user_id", flat=True)
        )
        people = {pk: user for pk, user in people.items() if pk in members}
    if dedupe_key and people:
        notified = set(
            Notification.objects.filter(
                kind=kind, dedupe_key=dedupe_key, recipient_id__in=people
            ).values_list("recipient_id", flat=True)
        )
        people = {pk: user for pk, user in people.items() if pk not in notified}
    if not people:
        return []
    chosen = dict(
        Preference.objects.filter(user_id__in=people, kind=kind).values_list("user_id", "email")
    )
    now = timezone.now()
    subject = one_line(subject)[:200]
    notifications = [
        Notification(
            recipient=user,
            program=program,
            kind=kind,
            subject=subject,
            link=link,
            dedupe_key=dedupe_key,
            email=chosen.get(pk, default_email_mode(kind)),
            created_at=now,
        )
        for pk, user in sorted(people.items())
    ]
    try:
        # One INSERT for everyone (an event may reach a whole cohort at once) …
        with transaction.atomic():
            created = Notification.objects.bulk_create(notifications)
    except IntegrityError:
        if not dedupe_key:
            raise
        # … unless a concurrent announcement of the same event notified some of them
        # first: then one by one, leaving those to it.
        created = []
        for notification in notifications:
            try:
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                continue
            created.append(notification)
    deliveries = [
        EmailDelivery(
            recipient=notification.recipient,
            notification=notification,
            created_at=now,
            queued_at=now,
        )
        for notification in created
        if notification.email == EmailMode.NOW
    ]
    if deliveries:
        EmailDelivery.objects.bulk_create(deliveries)
        from notifications.delivery import enqueue_sending

        enqueue_sending([delivery.pk for delivery in deliveries])
    return created


def do_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (again: harmless)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def do_mark_all_read(*, user: User) -> int:
    """Mark all of the person's notifications read; returns how many were unread."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


@transaction.atomic
def do_unsubscribe(*, user: User, kinds: Iterable[str]) -> dict[str, str]:
    """Stop the emails of `kinds` (the in-app notifications go on). Returns how each kind
    was emailed before, for "turn it back on"; kinds already off are left out."""
    modes = email_modes(user)
    turned_off = {kind: modes[kind] for kind in kinds if modes[kind] != EmailMode.OFF}
    for kind in turned_off:
        do_set_email_mode(user=user, kind=kind, email=EmailMode.OFF)
    return turned_off


def daily_kinds(user: User) -> list[str]:
    """The kinds the person gets in the daily digest."""
    return [kind for kind, mode in email_modes(user).items() if mode == EmailMode.DAILY]
