from __future__ import annotations

from smtplib import SMTPException

from celery import Task, shared_task

from reflections.services import do_purge_deleted_reflections, do_send_partner_invitation


@shared_task(name="reflections.purge_deleted", ignore_result=True)
def purge_deleted() -> int:
    """Scheduled daily by beat: entries 30 days in the bin are deleted for good."""
    return do_purge_deleted_reflections()


@shared_task(
    name="reflections.send_partner_invitation",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_partner_invitation(plan_id: int) -> bool:
    return do_send_partner_invitation(plan_id=plan_id)


# Weekly reminders (reflections/reminders.py) ---------------------------------------------


@shared_task(name="reminders.tick", ignore_result=True)
def plan_reminders() -> int:
    """Scheduled every few minutes by beat: plan the reminders that fell due."""
    from reflections.reminders import do_plan_reminders

    return len(do_plan_reminders())


@shared_task(
    name="reminders.send",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_reminders(self: Task, delivery_ids: list[int]) -> None:
    """Send a batch of reminders; those whose SMTP server failed are retried with
    exponential backoff (at most ten minutes apart), then marked failed."""
    from reflections.reminders import SEND_MAX_RETRIES, do_send_reminders, retry_countdown

    retries = self.request.retries
    again = do_send_reminders(delivery_ids=delivery_ids, final_attempt=retries >= SEND_MAX_RETRIES)
    if again:
        raise self.retry(
            args=(again,), countdown=retry_countdown(retries), max_retries=SEND_MAX_RETRIES
        )


@shared_task(name="reminders.sweep", ignore_result=True)
def requeue_stuck_reminders() -> int:
    """Scheduled by beat: enqueue again the reminders stuck in queued."""
    from reflections.reminders import do_requeue_stuck_reminders

    return do_requeue_stuck_reminders()


# Coach digests and accountability partner notes (reflections/digests.py) ----------------


@shared_task(name="digests.tick", ignore_result=True)
def plan_coach_digests() -> int:
    """Scheduled every few minutes by beat: plan the coach digests that fell due."""
    from reflections.digests import do_plan_coach_digests

    return len(do_plan_coach_digests())


@shared_task(
    name="digests.send",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_digest_deliveries(self: Task, delivery_ids: list[int]) -> None:
    """Send a batch of coach digests and partner notes; those whose SMTP server failed
    are retried with exponential backoff (at most ten minutes apart), then marked failed."""
    from reflections.digests import do_send_digest_deliveries
    from reflections.reminders import SEND_MAX_RETRIES, retry_countdown

    retries = self.request.retries
    again = do_send_digest_deliveries(
        delivery_ids=delivery_ids, final_attempt=retries >= SEND_MAX_RETRIES
    )
    if again:
        raise self.retry(
            args=(again,), countdown=retry_countdown(retries), max_retries=SEND_MAX_RETRIES
        )


@shared_task(name="digests.sweep", ignore_result=True)
def requeue_stuck_digests() -> int:
    """Scheduled by beat: enqueue again the digests and partner notes stuck in queued."""
    from reflections.digests import do_requeue_stuck_digests

    return do_requeue_stuck_digests()
