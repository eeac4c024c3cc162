"""Email addresses with a non-ASCII local part (RFC 6531, e.g. jörg@example.org or
用户@example.org) work end to end: people are invited, sign up and sign in with them, and
mail to them goes out with SMTPUTF8."""

from __future__ import annotations

import email.policy
import re
import smtplib
from typing import Any

from django.core import validators
from django.core.mail import EmailMessage
from django.core.mail.backends import smtp
from django.utils.regex_helper import _lazy_re_compile

# Django's user part allows ASCII "atext" only; RFC 6531 adds every non-ASCII character.
_ASCII_ATEXT = "0-9A-Z]"
UNICODE_USER_REGEX = _lazy_re_compile(
    validators.EmailValidator.user_regex.pattern.replace(_ASCII_ATEXT, "0-9A-Z\u0080-\U0010ffff]"),
    re.IGNORECASE,
)


def allow_unicode_local_parts() -> None:
    """Let Django's one email validator accept non-ASCII local parts. Every EmailField holds
    that same validator (ours, the models', allauth's sign-in, sign-up and address forms),
    so this one change at start-up reaches them all, whatever was imported first."""
    validators.validate_email.user_regex = UNICODE_USER_REGEX


def has_unicode_local_part(address: str) -> bool:
    local, _, _ = address.rpartition("@")
    return not local.isascii()


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend, which refuses a non-ASCII local part, plus SMTPUTF8: a
    message with such an address (sender or recipient) goes out with the SMTPUTF8 option
    and UTF-8 headers; every other message exactly as Django sends it."""

    def _send(self, email_message: EmailMessage) -> bool:
        if not email_message.recipients():
            return False
        sender = self.prep_address(email_message.from_email, force_ascii=False)
        recipients = [
            self.prep_address(address, force_ascii=False) for address in email_message.recipients()
        ]
        if not any(has_unicode_local_part(a) for a in [sender, *recipients]):
            return bool(super()._send(email_message))  # type: ignore[misc]
        message = email_message.message(policy=email.policy.SMTPUTF8)
        connection: Any = self.connection
        try:
            connection.sendmail(sender, recipients, message.as_bytes(), mail_options=["SMTPUTF8"])
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
