"""`BulkEmail`, the fast MIME builder of the pipeline's emails, gives a mail client the same
message as Django's own builder: subject, sender, recipient, both bodies and the calendar
attachment read back identical, including text outside ASCII, and the one-click
unsubscribe header stays a plain URL a client can act on."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage as Parsed

import pytest
from django.core.mail import EmailMultiAlternatives

from core.mail import BulkEmail

UNSUBSCRIBE = (
    "https://actionlab.example.org/reminders/unsubscribe/checkin/"
    "eyJ1c2VyIjoxLCJraW5kIjoiY2hlY2tpbiJ9:1xYgrL:talBZJ-GL6Qn2tGu8_iuWMBDSlt0FBfJnEIEKwqaN5I/"
)
CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Be Better Now · ten minutes\r\nEND:VCALENDAR\r\n"
)
TEXT = (
    "Hello Zoë,\n\nIt is time for your ten-minute check-in for Soins intensifs — équipe 3.\n"
    + "A long line that goes on and on " * 6
    + "\n\nActionLab\n"
)
HTML = "<p>Hello Zoë,</p><p>It is time for your check-in: <a href='x'>write it</a>.</p>"


def _emails(cls: type[EmailMultiAlternatives], *, attach: bool = True) -> Parsed:
    message = cls(
        subject="Your Be Better Now check-in · Soins intensifs — équipe 3",
        body=TEXT,
        from_email="Équipe ActionLab <noreply@actionlab.example.org>",
        to=["zoe.martin@example.org"],
        headers={
            "Message-ID": "<reminder.checkin.2026w49.7@actionlab.example.org>",
            "List-Unsubscribe": f"<{UNSUBSCRIBE}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(HTML, "text/html")
    if attach:
        message.attach("be-better-now-check-in.ics", CALENDAR, "text/calendar")
    raw = message.message(policy=email.policy.SMTP).as_bytes()
    # SMTP wants CRLF line endings: no bare line feed anywhere.
    assert b"\n" not in raw.replace(b"\r\n", b"")
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, Parsed)
    return parsed


def _read(parsed: Parsed) -> dict[str, object]:
    plain = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return {
        "subject": str(parsed["Subject"]),
        "from": str(parsed["From"]),
        "to": str(parsed["To"]),
        "message_id": str(parsed["Message-ID"]),
        "unsubscribe": str(parsed["List-Unsubscribe"]),
        "one_click": str(parsed["List-Unsubscribe-Post"]),
        "text": plain.get_content(),
        "html": html.get_content(),
        "attachments": [
            (part.get_filename(), part.get_content_type(), part.get_content())
            for part in parsed.iter_attachments()
        ],
    }


@pytest.mark.parametrize("attach", [True, False])
def test_a_client_reads_the_same_message_as_from_djangos_builder(attach: bool) -> None:
    fast, django = (
        _read(_emails(BulkEmail, attach=attach)),
        _read(_emails(EmailMultiAlternatives, attach=attach)),
    )

    assert fast == django
    assert fast["subject"] == "Your Be Better Now check-in · Soins intensifs — équipe 3"
    assert fast["from"] == "Équipe ActionLab <noreply@actionlab.example.org>"
    assert str(fast["text"]).replace("\r\n", "\n") == TEXT
    assert len(fast["attachments"]) == (1 if attach else 0)  # type: ignore[arg-type]


def test_the_unsubscribe_header_is_a_plain_url_not_encoded_words() -> None:
    message = BulkEmail(
        subject="Check-in",
        body="Ten minutes.",
        to=["pat@example.org"],
        headers={"List-Unsubscribe": f"<{UNSUBSCRIBE}>"},
    )
    raw = message.message().as_bytes()
    header = raw.split(b"List-Unsubscribe:", 1)[1].split(b"\n", 2)
    unfolded = b"".join(line.strip() for line in header[:2])
    assert unfolded.startswith(f"<{UNSUBSCRIBE}>".encode())
    assert b"=?utf-8?" not in unfolded


def test_a_header_with_a_line_break_is_refused() -> None:
    message = BulkEmail(subject="Hello\r\nBcc: everyone@example.org", body="x", to=["a@b.org"])
    with pytest.raises(ValueError, match="newlines"):
        message.message()


def test_what_the_fast_path_does_not_cover_is_built_by_django() -> None:
    message = BulkEmail(subject="Hi", body="x", to=["jörg@example.org"], cc=["b@example.org"])
    built = message.message()
    # Django's builder: the modern email API, with its own policy.
    assert isinstance(built, Parsed)
    assert built["Cc"] == "b@example.org"


INVITATION = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ActionLab//Calendar invitations//EN\r\n"
    "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:itip-1@actionlab.example.org\r\nSEQUENCE:0\r\n"
    "SUMMARY:Be Better Now check-in · Soins intensifs\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_text_type_keeps_its_parameters_on_the_part_for_calendar_invitations() -> None:
    """An iTIP invitation is a `text/calendar; method=REQUEST` alternative (and the same
    file attached): the fast path writes the method on the part's Content-Type, after the
    charset, where Outlook and Google Calendar read it."""
    message = BulkEmail(subject="Invitation", body=TEXT, to=["zoe.martin@example.org"])
    message.attach_alternative(HTML, "text/html")
    message.attach_alternative(INVITATION, "text/calendar; method=REQUEST")
    message.attach("invite.ics", INVITATION, "text/calendar; method=REQUEST")
    assert message._fast_path()
    raw = message.message(policy=email.policy.SMTP).as_bytes()
    assert raw.count(b'Content-Type: text/calendar; charset="utf-8"; method=REQUEST') == 2
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, Parsed)
    calendars = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert [p.get_param("method") for p in calendars] == ["REQUEST", "REQUEST"]
    assert [p.get_content_disposition() for p in calendars] == [None, "attachment"]
    assert all(
        p.get_content().replace("\r\n", "\n") == INVITATION.replace("\r\n", "\n")
        for p in calendars
    )
    # The three bodies are alternatives of one another: text, HTML, calendar.
    alternative = next(p for p in parsed.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
