"""Text that people typed, made safe for the places it goes that are not HTML pages (which
Django's templates escape): an email header, a database column."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def one_line(text: str) -> str:
    """`text` on one line, its runs of whitespace (line breaks included) one space each.

    For email subjects built from names and titles: a header cannot hold a line break (the
    email library refuses to send it, which is what stops header injection), and a name
    typed or imported with one must not keep its email from going out."""
    return " ".join(text.split())


def checked_text(text: str, *, label: str, max_length: int) -> str:
    """Free text from a request that no form has checked, trimmed and checked the way a
    form field checks it; raises ValidationError saying what to change.

    A null character cannot be stored (PostgreSQL refuses it), and a text longer than the
    field takes is refused here with its length rather than by the database."""
    text = text.replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise ValidationError(
            f"{label} contains a null character, which cannot be saved. Remove it (it often "
            "comes with text pasted from another program) and try again."
        )
    if len(text) > max_length:
        raise ValidationError(
            f"{label} is {len(text):,} characters long; the limit is {max_length:,}."
        )
    return text
