from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import Task, shared_task


def send_with_retries(task: Task, send: Callable[..., list[int]], delivery_ids: list[int]) -> None:
    """Run a kind's batch sender (`send(delivery_ids=…, final_attempt=…)`); the ids it
    leaves queued after an SMTP failure are retried with exponential backoff (at most ten
    minutes apart) and marked failed on the last attempt."""
    from notifications.pipeline import SEND_MAX_RETRIES, retry_countdown

    retries = task.request.retries
    again = send(delivery_ids=delivery_ids, final_attempt=retries >= SEND_MAX_RETRIES)
    if again:
        raise task.retry(
            args=(again,), countdown=retry_countdown(retries), max_retries=SEND_MAX_RETRIES
        )


# The sending tasks: acknowledged once done, given back to the broker if their worker dies
# (the claim rule makes a second run harmless).
SEND_TASK: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
}


@shared_task(
    name="notifications.send",
    **SEND_TASK,
)
def send_emails(self: Task, delivery_ids: list[int]) -> None:
    """Send a batch of notification emails; those whose SMTP server failed are retried
    with exponential backoff (at most ten minutes apart), then marked failed."""
    from notifications.delivery import do_send_emails

    send_with_retries(self, do_send_emails, delivery_ids)


@shared_task(name="notifications.digest_tick", ignore_result=True)
def plan_digests() -> int:
    """Scheduled every few minutes by beat: plan the daily digests that fell due."""
    from notifications.delivery import do_plan_digests

    return len(do_plan_digests())


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> int:
    """Scheduled by beat: hand to a worker again every delivery idle past its lease
    (event emails, daily digests, reminders, coach digests and partner notes)."""
    from notifications.sweeper import do_sweep

    return do_sweep()


@shared_task(name="notifications.action_deadlines", ignore_result=True)
def notify_action_deadlines() -> int:
    """Scheduled hourly by beat: tell owners of actions due tomorrow or overdue, each on
    their own clock (safe to run twice)."""
    from notifications.deadlines import do_notify_action_deadlines

    return do_notify_action_deadlines()


# Weekly reminders (notifications/reminders.py) -------------------------------------------
# The reminder and digest tasks keep the names they had before they moved here from
# `reflections`, so that tasks already queued by a running install still run.


@shared_task(name="reminders.tick", ignore_result=True)
def plan_reminders() -> int:
    """Scheduled every few minutes by beat: plan the reminders that fell due."""
    from notifications.reminders import do_plan_reminders

    return len(do_plan_reminders())


@shared_task(
    name="reminders.send",
    **SEND_TASK,
)
def send_reminders(self: Task, delivery_ids: list[int]) -> None:
    """Send a batch of reminders; those whose SMTP server failed are retried with
    exponential backoff (at most ten minutes apart), then marked failed."""
    from notifications.reminders import do_send_reminders

    send_with_retries(self, do_send_reminders, delivery_ids)


@shared_task(name="reminders.sweep", ignore_result=True)
def requeue_stuck_reminders() -> int:
    """The pipeline's one sweeper under its former name (beat now sends
    `notifications.sweep`), for the sweeps a running install queued before an upgrade."""
    from notifications.sweeper import do_sweep

    return do_sweep()


# Coach digests and accountability partner notes (notifications/digests.py) ----------------


@shared_task(name="digests.tick", ignore_result=True)
def plan_coach_digests() -> int:
    """Scheduled every few minutes by beat: plan the coach digests that fell due."""
    from notifications.digests import do_plan_coach_digests

    return len(do_plan_coach_digests())


@shared_task(
    name="digests.send",
    **SEND_TASK,
)
def send_digest_deliveries(self: Task, delivery_ids: list[int]) -> None:
    """Send a batch of coach digests and partner notes; those whose SMTP server failed
    are retried with exponential backoff (at most ten minutes apart), then marked failed."""
    from notifications.digests import do_send_digest_deliveries

    send_with_retries(self, do_send_digest_deliveries, delivery_ids)


@shared_task(name="digests.sweep", ignore_result=True)
def requeue_stuck_digests() -> int:
    """The pipeline's one sweeper under its former name (beat now sends
    `notifications.sweep`), for the sweeps a running install queued before an upgrade."""
    from notifications.sweeper import do_sweep

    return do_sweep()


# Calendar invitations (notifications/invitations.py) --------------------------------------


@shared_task(
    name="notifications.send_invitations",
    **SEND_TASK,
)
def send_invitations(self: Task, delivery_ids: list[int]) -> None:
    """Send a batch of calendar invitations; those whose SMTP server failed are retried
    with exponential backoff (at most ten minutes apart), then marked failed."""
    from notifications.invitations import do_send_invitations

    send_with_retries(self, do_send_invitations, delivery_ids)
