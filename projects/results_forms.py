"""Forms of the results page and the hand-over page."""

from __future__ import annotations

from django import forms


class MeasureForm(forms.Form):
    name = forms.CharField(label="Measure", max_length=200)
    baseline = forms.CharField(max_length=200, required=False, help_text="Where it stood.")
    target = forms.CharField(max_length=200, required=False, help_text="Where you aim.")
    achieved = forms.CharField(
        label="Achieved", max_length=200, required=False, help_text="What was reached."
    )


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label="Narrative of results",
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What changed because of the project, in a few sentences a board reads.",
    )


class HandoverForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200)
    on_behalf = forms.BooleanField(
        label="I confirm on behalf of the new owner, who has no account here",
        required=False,
    )
