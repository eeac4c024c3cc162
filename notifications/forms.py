"""Forms of the notification centre and the notification settings."""

from __future__ import annotations

from typing import Any

from django import forms

from notifications.kinds import EmailMode, Kind


class PreferencesForm(forms.Form):
    """One choice per kind (immediately, daily digest, not by email) and the digest hour."""

    digest_hour = forms.TypedChoiceField(
        label="Daily digest at",
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text="On your own clock (your time zone on My profile).",
    )

    def __init__(self, *args: Any, modes: dict[str, str], hour: int, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["digest_hour"].initial = hour
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=EmailMode.choices,
                initial=modes[kind],
                widget=forms.RadioSelect,
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[kind] for kind in Kind.values]


class ResubscribeForm(forms.Form):
    """Undo an unsubscribe: the kinds to turn back on."""

    kinds = forms.MultipleChoiceField(choices=Kind.choices)
    email = forms.ChoiceField(choices=[(EmailMode.NOW, "now"), (EmailMode.DAILY, "daily")])


class PageForm(forms.Form):
    """The centre's page number (a page past the end shows the last)."""

    page = forms.IntegerField(min_value=1, required=False)
