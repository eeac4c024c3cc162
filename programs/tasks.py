from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from programs.org_services import do_send_organization_invitation_email
from programs.services import do_send_invitation_email


@shared_task(
    name="programs.send_invitation",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_invitation(invitation_id: int, nonce: str) -> bool:
    return do_send_invitation_email(invitation_id=invitation_id, nonce=nonce)


@shared_task(
    name="programs.send_organization_invitation",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_organization_invitation(invitation_id: int, nonce: str) -> bool:
    return do_send_organization_invitation_email(invitation_id=invitation_id, nonce=nonce)
