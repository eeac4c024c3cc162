from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from projects.work_services import do_send_door_request_email


@shared_task(
    name="projects.send_door_request",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_door_request(door_id: int) -> bool:
    """Email the team's sponsor about a door to open (once, however often it runs)."""
    return do_send_door_request_email(door_id=door_id)
