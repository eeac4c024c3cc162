"""Addresses with a non-ASCII local part (jörg@…, 用户@…) can be invited, sign up, sign in,
and receive mail: Django's validator accepts them, and SMTP sends with SMTPUTF8."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from core.email_addresses import EmailBackend
from core.mail import BulkEmail
from programs.models import Invitation, Membership, User
from tests import factories as f
from tests.conftest import Cast

ADDRESS = "jörg.müller@example.org"


def test_an_invitation_goes_to_an_address_with_a_non_ascii_local_part(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client_for("program_admin").post(
            reverse("programs:invite", args=[cast.program.pk]),
            {"email": ADDRESS, "role": "coach"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email=ADDRESS)
    [message] = mail.outbox
    assert message.to == [ADDRESS]
    assert invitation.sent_at is not None


def test_the_invited_person_signs_up_and_then_signs_in_with_that_address(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        cast.client_for("program_admin").post(
            reverse("programs:invite", args=[cast.program.pk]),
            {"email": ADDRESS, "role": "coach"},
        )
    link = re.search(r"/programs/invitations/([^/\s]+)/", mail.outbox[0].body)
    assert link
    Client().post(
        reverse("programs:invitation_signup", args=[link.group(1)]),
        {
            "first_name": "Jörg",
            "last_name": "Müller",
            "time_zone": "Europe/Berlin",
            "password1": "a-Strong-passphrase-9",
            "password2": "a-Strong-passphrase-9",
            "org-discipline": "physician",
        },
    )
    person = User.objects.get(email=ADDRESS)
    assert Membership.objects.get(user=person).program == cast.program

    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": "Jörg.Müller@example.org", "password": "a-Strong-passphrase-9"},
    )
    assert response.status_code == 302
    assert client.get(reverse("programs:profile")).status_code == 200


def test_an_address_that_is_not_one_is_still_refused(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(
        reverse("programs:invite", args=[cast.program.pk]),
        {"email": "jörg müller@example.org", "role": "coach"},
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


# Sending over SMTP ------------------------------------------------------------------------


class Sink:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def send(port: int, to: str, message_class: type[mail.EmailMessage] = mail.EmailMessage) -> None:
    smtp = {
        "BACKEND": "core.email_addresses.EmailBackend",
        "OPTIONS": {
            "host": "127.0.0.1",
            "port": port,
            "username": "",
            "password": "",
            "use_tls": False,
            "timeout": 10,
        },
    }
    message = message_class(
        "Your weekly check-in", "Ten minutes.", "ActionLab <noreply@example.org>", [to]
    )
    with override_settings(MAILERS={"default": smtp}):
        backend = mail.mailers.default
        assert isinstance(backend, EmailBackend)
        assert backend.send_messages([message]) == 1


def test_mail_to_a_unicode_address_goes_out_with_smtputf8(
    smtp_sink: tuple[Sink, int],
) -> None:
    sink, port = smtp_sink
    send(port, ADDRESS)
    [envelope] = sink.envelopes
    assert "SMTPUTF8" in envelope.mail_options
    assert envelope.rcpt_tos == [ADDRESS]
    assert f"To: {ADDRESS}".encode() in envelope.original_content


def test_a_reminder_to_a_unicode_address_goes_out_with_smtputf8(
    smtp_sink: tuple[Sink, int],
) -> None:
    """The pipeline's fast builder leaves such a message to Django's, which SMTPUTF8 needs."""
    sink, port = smtp_sink
    send(port, ADDRESS, BulkEmail)
    [envelope] = sink.envelopes
    assert "SMTPUTF8" in envelope.mail_options
    assert envelope.rcpt_tos == [ADDRESS]
    assert f"To: {ADDRESS}".encode() in envelope.original_content


def test_mail_to_an_ascii_address_goes_out_as_before(smtp_sink: tuple[Sink, int]) -> None:
    sink, port = smtp_sink
    send(port, "pat@example.org")
    [envelope] = sink.envelopes
    assert "SMTPUTF8" not in envelope.mail_options
    assert envelope.rcpt_tos == ["pat@example.org"]


def test_a_unicode_address_on_an_account_is_valid(db: None) -> None:
    person = f.UserFactory(email="用户@example.org")
    person.full_clean()
