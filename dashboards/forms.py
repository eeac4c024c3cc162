"""Forms for the self-assessment and the showcase."""

from __future__ import annotations

from typing import Any

from django import forms

SCALE = [(n, str(n)) for n in range(1, 6)]


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


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
