"""Forms for coach notes and the team pulse."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from core.forms import QueryForm
from programs.models import User
from teams.coaching import QUESTIONING_PROTOCOL
from teams.models import PULSE_DIMENSIONS

NOTE_LENGTH = 20000
SCALE = [(n, str(n)) for n in range(1, 6)]


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class NoteHandoverForm(Form):
    """Whom a coach hands their notes on a team over to: another coach of the program."""

    coach = PersonChoiceField(
        label="Hand over my notes to",
        queryset=User.objects.none(),
        empty_label="Choose a coach",
        error_messages={
            "required": "Choose the coach to hand your notes over to.",
            "invalid_choice": "Choose one of the program's coaches.",
        },
    )

    def __init__(self, *args: Any, coaches: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["coach"]).queryset = coaches


class NoteStartForm(QueryForm):
    """`?start=protocol` starts a coach note from the questioning protocol."""

    start = forms.ChoiceField(choices=[("protocol", "The questioning protocol")], required=False)

    def from_protocol(self) -> bool:
        return self.given().get("start") == "protocol"


class CoachNoteForm(Form):
    held_on = forms.DateField(
        label="Session date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the date of the session.", "invalid": "Give a date."},
    )
    body = forms.CharField(
        label="Note",
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": "Write the note itself; it is empty."},
    )
    task_minutes = forms.IntegerField(
        label="Minutes on the task",
        min_value=0,
        max_value=600,
        help_text="Time the team spent on the project itself.",
    )
    process_minutes = forms.IntegerField(
        label="Minutes on the process",
        min_value=0,
        max_value=600,
        help_text="Time spent on how the team works and learns (questions, reflection).",
    )

    @classmethod
    def initial_for_new(cls, *, from_protocol: bool) -> dict[str, object]:
        """Today's session, its note started from the questioning protocol if asked."""
        initial: dict[str, object] = {"held_on": timezone.localdate()}
        if from_protocol:
            initial["body"] = QUESTIONING_PROTOCOL
        return initial

    def clean_held_on(self) -> datetime.date:
        held_on: datetime.date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError("The session date is in the future.")
        return held_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("task_minutes") == 0 and data.get("process_minutes") == 0:
            raise forms.ValidationError(
                "Record how the session's time was split: at least one of the two is "
                "more than 0 minutes."
            )
        return data


class PulseOpenForm(Form):
    meeting_on = forms.DateField(
        label="Meeting date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the date of the meeting.", "invalid": "Give a date."},
    )

    def clean_meeting_on(self) -> datetime.date:
        meeting_on: datetime.date = self.cleaned_data["meeting_on"]
        if meeting_on > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError("Open the pulse after the meeting, not before it.")
        return meeting_on


class PulseAnswerForm(Form):
    comment = forms.CharField(
        label="Anything else? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your coach reads comments without your name, and only once at least "
        "three members have answered.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scores = {
            name: forms.TypedChoiceField(
                label=label,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "inline-choices"}),
                error_messages={"required": f"Choose a score from 1 to 5 for {label.lower()}."},
            )
            for name, label in PULSE_DIMENSIONS.items()
        }
        self.fields = {**scores, **self.fields}

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in PULSE_DIMENSIONS}


class SelfAssessmentForm(Form):
    """One 1-5 rating per competency of the program, for one stage."""

    stage = forms.ChoiceField(label="Stage of the program", choices=())

    def __init__(
        self, *args: Any, competencies: list[str], stages: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"] = forms.ChoiceField(label="Stage of the program", choices=stages)
        self.competencies = competencies
        for index, competency in enumerate(competencies):
            self.fields[f"c{index}"] = forms.TypedChoiceField(
                label=competency,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "inline-choices"}),
                error_messages={"required": f"Rate yourself from 1 to 5 on “{competency}”."},
            )

    def ratings(self) -> dict[str, int]:
        return {
            competency: self.cleaned_data[f"c{index}"]
            for index, competency in enumerate(self.competencies)
        }


class StageCloseForm(Form):
    """Which open stage of the self-assessment a program admin closes."""

    def __init__(self, *args: Any, stages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"] = forms.ChoiceField(label="Stage to close", choices=stages)


class ShowcaseForm(Form):
    """Publish the team's project to its cohort's showcase (again, as it stands now), or
    take it off."""

    action = forms.ChoiceField(choices=[("publish", "Publish"), ("withdraw", "Withdraw")])
