"""Whoever runs the site sees in the Django admin what became of each email, read-only,
without the subject of any notification (a kind only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from notifications.kinds import Kind
from notifications.models import EmailDelivery
from notifications.services import do_notify
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_the_site_admin_reads_the_delivery_log_and_cannot_change_it(
    cast: Cast, site_admin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_notify(
            kind=Kind.DOOR_REQUESTED,
            recipients=[cast.sponsor],
            program=cast.program,
            subject="Flow Forward asks you to open a door to pharmacy-canary",
            link="/",
        )
    delivery = EmailDelivery.objects.get()

    page = site_admin.get("/admin/notifications/emaildelivery/")
    assert page.status_code == 200
    text = page.content.decode()
    assert str(cast.sponsor) in text
    # Filtered by status, the email is among the sent ones and not among the failed.
    sent = site_admin.get("/admin/notifications/emaildelivery/?status__exact=sent")
    failed = site_admin.get("/admin/notifications/emaildelivery/?status__exact=failed")
    assert str(cast.sponsor) in sent.content.decode()
    assert str(cast.sponsor) not in failed.content.decode()
    assert "A team asks you to open a door" in text
    assert "pharmacy-canary" not in text

    detail = site_admin.get(f"/admin/notifications/emaildelivery/{delivery.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert site_admin.get("/admin/notifications/emaildelivery/add/").status_code == 403
    assert (
        site_admin.post(f"/admin/notifications/emaildelivery/{delivery.pk}/delete/").status_code
        == 403
    )
    assert site_admin.get("/admin/notifications/reminderdelivery/").status_code == 200
    from notifications.invitations import do_invite_to_checkin

    with django_capture_on_commit_callbacks(execute=True):
        do_invite_to_checkin(user_id=cast.participant.pk, program_id=cast.program.pk)
    invitations = site_admin.get("/admin/notifications/invitationdelivery/")
    assert invitations.status_code == 200
    assert "Weekly check-in" in invitations.content.decode()
    assert '<td class="field-method">Request</td>' in invitations.content.decode()
