"""Every email the app sends is composed here: `compose_email` renders a text template
(and an HTML one when there is one) into a `BulkEmail`, with a one-line subject and, for
mail a person can turn off, the one-click unsubscribe headers. The caller sends it
(`.send()`, or several through one connection).

Bulk email built quickly: the weekly reminders, digests and notification emails go out
by the ten thousand, and most of the time of sending one went into Django building its
MIME tree with the email package's modern API, which parses every header it sets.

`BulkEmail` is Django's `EmailMultiAlternatives` (its tests, backends and outbox see the
same object) whose MIME tree is built with the email package's legacy classes instead:
about a third of the time, and long structured headers such as `List-Unsubscribe` stay
as written instead of being turned into encoded words, which mail clients do not read
there. Anything the fast path does not cover (an address outside ASCII, which goes out
with SMTPUTF8, copies, a reply-to, a non-text attachment) is built by Django as before.
"""

from __future__ import annotations

import datetime
import email.policy
import functools
import re
from collections.abc import Mapping, Sequence
from email.charset import QP, Charset
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string

from core.text import one_line

# UTF-8 with quoted-printable bodies and headers: readable where the text is ASCII.
UTF8 = Charset("utf-8")
UTF8.body_encoding = QP
UTF8.header_encoding = QP


def _text_part(content: str, mimetype: str) -> Message:
    """A text part in UTF-8, quoted-printable: the headers are written as they are, not
    through `set_charset`, which parses them again for every part. The type's parameters
    other than the charset are kept after it (`text/calendar; method=REQUEST`, which
    calendar clients read to offer an invitation's buttons)."""
    subtype, params = _text_type(mimetype) or ("plain", ())
    extra = "".join(f"; {name}={value}" for name, value in params if name != "charset")
    part = Message()
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"{extra}'
    part["Content-Transfer-Encoding"] = "quoted-printable"
    part.set_payload(UTF8.body_encode(content))
    return part


@functools.lru_cache(maxsize=64)
def _address(value: str) -> str:
    """The address as a header writes it (a name outside ASCII as encoded words); the
    sender is the same on every message, so it is worked out once."""
    if "<" not in value and not any(c.isspace() for c in value):
        return value  # a bare address
    name, address = parseaddr(value)
    return formataddr((name, address), charset=UTF8)


_TEXT_TYPE = re.compile(r"text/([a-z0-9.+-]+)((?:\s*;\s*[a-z0-9-]+=[A-Za-z0-9.+-]+)*)\s*")
_PARAMETER = re.compile(r";\s*([a-z0-9-]+)=([A-Za-z0-9.+-]+)")


@functools.lru_cache(maxsize=64)
def _text_type(mimetype: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The subtype and plain parameters of a text type ("text/calendar; method=REQUEST"
    gives ("calendar", (("method", "REQUEST"),))); None for anything else."""
    match = _TEXT_TYPE.fullmatch(mimetype)
    if match is None:
        return None
    return match.group(1), tuple(_PARAMETER.findall(match.group(2)))


def _is_text(mimetype: str) -> bool:
    return _text_type(mimetype) is not None


class BulkEmail(EmailMultiAlternatives):
    """An email with a text body, HTML alternatives and text attachments, built fast. A
    text type may carry plain parameters (`attach_alternative(ics, "text/calendar;
    method=REQUEST")`): they are written on the part's Content-Type."""

    def _fast_path(self) -> bool:
        addresses = [self.from_email, *self.to]
        headers = {name.lower() for name in self.extra_headers}
        return (
            not (self.cc or self.bcc or self.reply_to)
            and not headers & {"from", "to", "cc", "reply-to"}
            and all(address.isascii() for address in addresses)
            and all(
                isinstance(attachment, tuple) and isinstance(attachment[1], str)
                for attachment in self.attachments
            )
            and all(_is_text(str(mimetype)) for _, mimetype in self.alternatives)
            and all(_is_text(str(attachment[2])) for attachment in self.attachments)
            and _is_text(f"text/{self.content_subtype}")
        )

    def message(self, *, policy: email.policy.Policy | None = email.policy.default) -> Any:
        if not self._fast_path():
            return super().message(policy=policy)
        values = [str(self.subject), *(str(v) for v in self.extra_headers.values())]
        if any("\n" in value or "\r" in value for value in values):
            raise ValueError("Header values cannot contain newlines.")
        body: Message = _text_part(str(self.body), f"text/{self.content_subtype}")
        if self.alternatives:
            alternative = MIMEMultipart("alternative")
            del alternative["MIME-Version"]
            alternative.attach(body)
            for content, mimetype in self.alternatives:
                alternative.attach(_text_part(str(content), str(mimetype)))
            body = alternative
        root: Message = body
        if self.attachments:
            root = MIMEMultipart("mixed")
            root.attach(body)
            for filename, content, mimetype in self.attachments:
                part = _text_part(content, str(mimetype))
                if filename:
                    part.add_header("Content-Disposition", "attachment", filename=filename)
                root.attach(part)
        del root["MIME-Version"]
        root["MIME-Version"] = "1.0"
        # A header outside ASCII is written as encoded words when the message is generated.
        root["Subject"] = str(self.subject)
        root["From"] = _address(str(self.from_email))
        root["To"] = ", ".join(_address(address) for address in self.to)
        headers = {name.lower() for name in self.extra_headers}
        if "date" not in headers:
            root["Date"] = format_datetime(datetime.datetime.now(datetime.UTC))
        if "message-id" not in headers:
            root["Message-ID"] = make_msgid(domain=DNS_NAME)
        for name, value in self.extra_headers.items():
            root[name] = str(value)
        # Line endings as the caller's policy asks: CRLF for SMTP.
        root.policy = email.policy.compat32.clone(linesep=(policy or email.policy.default).linesep)
        return root


def compose_email(
    *,
    subject: str,
    text_template: str,
    html_template: str | None = None,
    context: Mapping[str, Any],
    to: Sequence[str],
    headers: Mapping[str, str] | None = None,
    unsubscribe_url: str | None = None,
) -> BulkEmail:
    """The email: `subject` on one line (a name with a line break in it must not stop the
    email, nor inject a header), the text template as the body, the HTML template as its
    alternative, `headers` as given and, with `unsubscribe_url`, the one-click unsubscribe
    headers (RFC 8058) after them. Both templates get `context`."""
    extra = dict(headers or {})
    if unsubscribe_url is not None:
        extra["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        extra["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    values = dict(context)
    message = BulkEmail(
        subject=one_line(subject),
        body=render_to_string(text_template, values),
        to=list(to),
        headers=extra,
    )
    if html_template is not None:
        message.attach_alternative(render_to_string(html_template, values), "text/html")
    return message
