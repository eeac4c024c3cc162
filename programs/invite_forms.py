"""Inviting many people at once: a pasted list of addresses, one role (and cohort)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone

from programs.models import Cohort, Invitation, Membership, Program, Role

MAX_ADDRESSES = 200

INVITE = "invite"
MEMBER = "member"
INVITED = "invited"
REPEATED = "repeated"
INVALID = "invalid"


@dataclass
class PastedAddress:
    """One entry of the pasted list: what was typed, the address in it, what happens."""

    typed: str
    email: str = ""
    outcome: str = INVALID

    @property
    def outcome_label(self) -> str:
        return {
            INVITE: "Invited",
            MEMBER: "Already a member with this role",
            INVITED: "Already invited with this role: resend it from the people page",
            REPEATED: "Given twice: invited once",
            INVALID: "Not a valid email address",
        }[self.outcome]


def split_addresses(text: str) -> list[str]:
    """The entries of a pasted list: one per line, or separated by commas or semicolons;
    “Name <address>” is one entry, even when the name has a comma in it."""
    pieces = [p.strip() for p in re.split(r"[\n\r;,]+(?![^<]*>)", text)]
    entries: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        # "Lee, Ana <ana@…>" was split at its comma: a piece with no address in it is
        # the first part of the name that follows.
        if entries and "@" not in entries[-1] and "<" in piece:
            entries[-1] = f"{entries[-1]}, {piece}"
        else:
            entries.append(piece)
    return entries


def _address(entry: str) -> str:
    _, address = parseaddr(entry)
    address = address.strip().lower()
    if "<" in entry and not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address if len(address) <= 254 else ""


class BulkInvitationForm(forms.Form):
    addresses = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        max_length=40_000,
        help_text=(
            "One per line, or separated by commas or semicolons. “Name <address>”, as "
            f"copied from an email program, is fine. At most {MAX_ADDRESSES} at a time."
        ),
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.PARTICIPANT)
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(), required=False, help_text="Participants join a cohort."
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "many")
        super().__init__(*args, **kwargs)
        self.program = program
        cohorts = program.cohorts.all()
        self.fields["cohort"].queryset = cohorts  # type: ignore[attr-defined]
        if len(cohorts) == 1:
            self.fields["cohort"].initial = cohorts[0]
        self.entries: list[PastedAddress] = []

    def clean_addresses(self) -> str:
        text: str = self.cleaned_data["addresses"]
        entries = split_addresses(text)
        if not entries:
            raise forms.ValidationError("Paste at least one email address.")
        if len(entries) > MAX_ADDRESSES:
            raise forms.ValidationError(
                f"{len(entries)} addresses were pasted; at most {MAX_ADDRESSES} can be invited "
                "at a time."
            )
        self.entries = [PastedAddress(typed=entry, email=_address(entry)) for entry in entries]
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.program.is_archived:
            raise forms.ValidationError(
                "This program is archived: restore it before inviting anyone."
            )
        role, cohort = data.get("role"), data.get("cohort")
        if role == Role.PARTICIPANT and not cohort:
            self.add_error("cohort", "Choose the cohort these participants join.")
        if role != Role.PARTICIPANT:
            data["cohort"] = None
        if role and self.entries and not self.errors:
            self._sort_entries(role)
        return data

    def _sort_entries(self, role: str) -> None:
        """Decide each entry's outcome; only what was typed is ever shown of it."""
        emails = {entry.email for entry in self.entries if entry.email}
        members = set(
            Membership.objects.filter(program=self.program, role=role, is_active=True)
            .annotate(email=Lower("user__email"))
            .filter(email__in=emails)
            .values_list("email", flat=True)
        )
        invited = {
            email.lower()
            for email in Invitation.objects.filter(
                program=self.program,
                role=role,
                email__in=emails,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).values_list("email", flat=True)
        }
        seen: set[str] = set()
        for entry in self.entries:
            if not entry.email:
                entry.outcome = INVALID
            elif entry.email in seen:
                entry.outcome = REPEATED
            elif entry.email in members:
                entry.outcome = MEMBER
            elif entry.email in invited:
                entry.outcome = INVITED
            else:
                entry.outcome = INVITE
            seen.add(entry.email)

    @property
    def to_invite(self) -> list[str]:
        return [entry.email for entry in self.entries if entry.outcome == INVITE]
