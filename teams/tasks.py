from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from teams.people_import import do_send_import_added_emails


@shared_task(
    name="teams.send_import_added_emails",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_import_added_emails(people_import_id: int, user_ids: list[int]) -> int:
    return do_send_import_added_emails(people_import_id=people_import_id, user_ids=user_ids)
