"""Forms for the project's work: actions, stakeholder engagements, doors to open, status
updates and sponsor comments.

The choices of people and units are handed in as lists already read from the database, so
that rendering a form costs no query of its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from programs.models import Unit, User
from projects.models import Action, DoorRequest, EngagementLevel
from projects.services import TEXT_MAX_LENGTH
from projects.work_services import COMPLETION_STATUS_MESSAGE


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The browser's date picker sends ISO dates; an ISO value is what it shows back.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _person_choices(people: Sequence[User]) -> list[tuple[str, str]]:
    return [("", "Choose a team member"), *((str(p.pk), p.display_name) for p in people)]


class ActionForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        error_messages={"required": "Give the action a title."},
    )
    owner = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": "Choose who owns this action.",
            "invalid_choice": "The owner must be a member of the team.",
        },
    )
    due_on = forms.DateField(
        label="Due",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter the due date as a date, e.g. 2027-03-31."},
    )
    status = forms.ChoiceField(choices=Action.Status.choices, initial=Action.Status.TO_DO)

    def __init__(
        self,
        *args: Any,
        members: Sequence[User],
        current_status: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._members = {member.pk: member for member in members}
        self.fields["owner"].choices = _person_choices(members)  # type: ignore[attr-defined]
        # The closing states belong to completion: offered only to keep the state an
        # action was already closed in.
        self._current_status = current_status
        self.fields["status"].widget.choices = [
            (value, label)
            for value, label in Action.Status.choices
            if value not in Action.COMPLETION_STATUSES or value == current_status
        ]

    @classmethod
    def for_action(
        cls, action: Action, *, members: Sequence[User], data: Any = None, **kwargs: Any
    ) -> ActionForm:
        initial = {
            "title": action.title,
            "owner": action.owner_id,
            "due_on": action.due_on,
            "status": action.status,
        }
        return cls(data, initial=initial, members=members, current_status=action.status, **kwargs)

    def clean_owner(self) -> User:
        return self._members[self.cleaned_data["owner"]]

    def clean_status(self) -> str:
        status: str = self.cleaned_data["status"]
        if status in Action.COMPLETION_STATUSES and status != self._current_status:
            raise forms.ValidationError(COMPLETION_STATUS_MESSAGE)
        return status


class EngagementForm(forms.Form):
    stakeholder = forms.CharField(
        max_length=200,
        help_text="A person or a group, e.g. “Director of Patient Access”.",
        error_messages={"required": "Say whom the team engaged."},
    )
    unit = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of the organisation's units."},
    )
    level = forms.ChoiceField(
        choices=[("", "Choose a level"), *EngagementLevel.choices],
        help_text="Inform, consult, involve or enlist: how far the stakeholder took part.",
        error_messages={
            "required": "Choose how far the stakeholder was engaged.",
            "invalid_choice": "Choose inform, consult, involve or enlist.",
        },
    )
    engaged_on = forms.DateField(
        label="Date",
        widget=DateInput(),
        error_messages={
            "required": "Give the date of the engagement.",
            "invalid": "Enter the date as a date, e.g. 2027-03-31.",
        },
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX_LENGTH, required=False
    )

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._units = {unit.pk: unit for unit in units}
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            ("", "No unit / outside the organisation"),
            *((str(unit.pk), unit.name) for unit in units),
        ]
        if not self.is_bound:
            self.initial.setdefault("engaged_on", timezone.localdate())

    def clean_unit(self) -> Unit | None:
        unit_id = self.cleaned_data["unit"]
        return None if unit_id is None else self._units[unit_id]

    def clean_engaged_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["engaged_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Log an engagement once it has happened.")
        return day


class DoorForm(forms.Form):
    kind = forms.ChoiceField(
        label="We ask for",
        choices=DoorRequest.Kind.choices,
        initial=DoorRequest.Kind.INTRODUCTION,
        error_messages={"invalid_choice": "Choose an introduction, a resource or a decision."},
    )
    request = forms.CharField(
        label="Our request",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX_LENGTH,
        help_text="Whom or what you need, and why it matters to the project.",
        error_messages={"required": "Write what you ask the sponsor for."},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": "Write your answer to the team."},
    )


class StatusUpdateForm(forms.Form):
    progress = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX_LENGTH,
        help_text="What moved since the last update.",
        error_messages={"required": "Say what progress the team made."},
    )
    next_steps = forms.CharField(
        label="Next steps",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": "Say what the team will do next."},
    )
    risks = forms.CharField(
        label="Risks and blockers",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX_LENGTH,
        required=False,
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": "Write your comment to the team."},
    )
