from __future__ import annotations

import datetime
import zoneinfo
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from coaching.models import PULSE_DIMENSIONS, CoachQuestion, Intervention
from coaching.notes import QUESTIONING_PROTOCOL
from core.forms import QueryForm
from programs.models import Program, User
from reflections.forms import Form
from teams.builder_forms import PersonChoiceField


def _length(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


DURATIONS = [(minutes, _length(minutes)) for minutes in (30, 45, 60, 90, 120, 150, 180, 240)]


class SessionForm(forms.Form):
    """A session's time (on the scheduler's own clock), length, place and agenda."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    minutes = forms.TypedChoiceField(label="Length", choices=DURATIONS, coerce=int, initial=90)
    place = forms.CharField(
        max_length=200, required=False, help_text="A room, or leave empty for a video session."
    )
    video_link = forms.URLField(
        max_length=500, required=False, assume_scheme="https", label="Video link"
    )
    agenda = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Seen by the team and its advisors, and in the calendar invitation.",
    )

    def __init__(
        self, *args: Any, zone: zoneinfo.ZoneInfo, now: datetime.datetime, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.now = now
        self.fields["time"].help_text = f"Your time zone: {zone.key}."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date, time = data.get("date"), data.get("time")
        if date is None or time is None:
            return data
        local = datetime.datetime.combine(date, time.replace(second=0, microsecond=0))
        starts_at = local.replace(tzinfo=self.zone)
        # A local time skipped when the clocks go forward does not come back unchanged.
        if starts_at.astimezone(datetime.UTC).astimezone(self.zone).replace(tzinfo=None) != local:
            raise forms.ValidationError(
                f"{time:%H:%M} does not exist on that day in {self.zone.key} (the clocks "
                "go forward): choose another time."
            )
        if starts_at <= self.now:
            raise forms.ValidationError("Choose a time in the future.")
        if not data.get("place") and not data.get("video_link"):
            raise forms.ValidationError("Give a place or a video link.")
        data["starts_at"] = starts_at.astimezone(datetime.UTC)
        data["duration"] = datetime.timedelta(minutes=data["minutes"])
        return data

    @classmethod
    def initial_for(cls, session: Any, zone: zoneinfo.ZoneInfo) -> dict[str, Any]:
        local = session.starts_at.astimezone(zone)
        return {
            "date": local.date(),
            "time": local.time(),
            "minutes": int(session.duration.total_seconds() // 60),
            "place": session.place,
            "video_link": session.video_link,
            "agenda": session.agenda,
        }


class AttendanceForm(forms.Form):
    present = forms.MultipleChoiceField(
        label="Who is here", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(user.pk): user for user in members}
        cast(forms.ChoiceField, self.fields["present"]).choices = [
            (pk, u.display_name) for pk, u in self.members.items()
        ]

    def present_members(self) -> list[User]:
        return [self.members[pk] for pk in self.cleaned_data["present"]]


class NotesForm(forms.Form):
    question = forms.CharField(
        label="The problem or question we work on",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decisions = forms.CharField(
        label="Decisions",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SessionActionForm(forms.Form):
    title = forms.CharField(label="New action", max_length=200)
    owner = forms.TypedChoiceField(label="Owner", coerce=int)
    due_on = forms.DateField(
        label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {user.pk: user for user in members}
        cast(forms.ChoiceField, self.fields["owner"]).choices = [
            (pk, u.display_name) for pk, u in self.members.items()
        ]

    def owner_user(self) -> User:
        return self.members[self.cleaned_data["owner"]]


class LearningForm(forms.Form):
    learned = forms.CharField(
        label="What did I learn?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    differently = forms.CharField(
        label="What will I do differently?",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    shared = forms.BooleanField(
        label="Share with the team",
        required=False,
        help_text="Unticked, only you read it.",
    )


class CoachQuestionForm(forms.Form):
    purpose = forms.ChoiceField(choices=CoachQuestion.Purpose.choices)
    text = forms.CharField(label="Question", max_length=300)


class InterventionForm(forms.Form):
    """One tap: a Task or Process button, or a bank question (about the process when its
    purpose is process or learning, else about the task)."""

    about = forms.ChoiceField(choices=Intervention.About.choices, required=False)
    question = forms.ModelChoiceField(queryset=CoachQuestion.objects.none(), required=False)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["question"])
        field.queryset = CoachQuestion.objects.for_program(program)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        question = data.get("question")
        if not data.get("about"):
            if question is None:
                raise forms.ValidationError("Tap Task, Process or a question.")
            process = question.purpose in (
                CoachQuestion.Purpose.PROCESS,
                CoachQuestion.Purpose.LEARNING,
            )
            data["about"] = Intervention.About.PROCESS if process else Intervention.About.TASK
        return data


class ShareRecordForm(forms.Form):
    """The coach's choice on their record of a session: share its figures with the team
    or stop sharing them."""

    share = forms.TypedChoiceField(
        choices=[("yes", "Share"), ("no", "Stop sharing")], coerce=lambda v: v == "yes"
    )


NOTE_LENGTH = 20000
SCALE = [(n, str(n)) for n in range(1, 6)]


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
