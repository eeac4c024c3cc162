from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

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
