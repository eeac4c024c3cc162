"""The program admin's form for a reflection prompt."""

from __future__ import annotations

from typing import Any

from django import forms

from programs.models import Program
from reflections.models import Prompt
from reflections.services import program_week


class PromptForm(forms.ModelForm[Prompt]):
    text = forms.CharField(
        label="Prompt",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A question participants see when they write in their journal.",
    )

    class Meta:
        model = Prompt
        fields = ["text", "week_number"]
        labels = {"week_number": "Week of the program"}

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.weeks = program_week(program, program.ends_on)
        self.fields["week_number"].help_text = (
            f"1 to {self.weeks}: the prompt is offered in that week (week 1 starts "
            f"{program.starts_on:%d %B %Y}). Leave empty to offer it in any week."
        )

    def clean_week_number(self) -> int | None:
        week = self.cleaned_data.get("week_number")
        if week is not None and not 1 <= week <= self.weeks:
            raise forms.ValidationError(f"Choose a week from 1 to {self.weeks}, or none.")
        return week
