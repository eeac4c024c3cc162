"""The delivery pipeline's one sweeper, run by beat (`notifications.sweep`).

Every outgoing email is a delivery row that a worker claims with a conditional UPDATE and
that records when it was last handed to a worker. A row still waiting once that lease
(REMINDERS_STUCK_AFTER_SECONDS) is over was lost: its broker message was flushed, or its
worker was killed before recording the outcome. The sweeper hands each such row to its
sending task again: event notification emails and daily digests (`EmailDelivery`), and
weekly reminders, coach digests and partner notes (`ReminderDelivery`), and calendar
invitations (`InvitationDelivery`).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from notifications.delivery import do_requeue_stuck_emails
from notifications.digests import do_requeue_stuck_digests
from notifications.invitations import do_requeue_stuck_invitations
from notifications.reminders import do_requeue_stuck_reminders


def do_sweep(*, now: datetime.datetime | None = None) -> int:
    """Hand every delivery idle past its lease to a worker again; returns how many."""
    now = now or timezone.now()
    return (
        do_requeue_stuck_emails(now=now)
        + do_requeue_stuck_reminders(now=now)
        + do_requeue_stuck_digests(now=now)
        + do_requeue_stuck_invitations(now=now)
    )
