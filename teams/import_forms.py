"""Forms of the people import: the upload, the choice of cohort and the confirmation."""

from __future__ import annotations

from typing import Any

from django import forms

from programs.models import Cohort, Program
from teams.people_import import MAX_ROWS, MAX_UPLOAD_BYTES, ImportFileError, read_upload


class CohortChoiceField(forms.ModelChoiceField[Cohort]):
    def label_from_instance(self, obj: Cohort) -> str:
        return obj.name


class PeopleFileForm(forms.Form):
    cohort = CohortChoiceField(
        queryset=Cohort.objects.none(),
        empty_label=None,
        help_text="Participants join this cohort, and new teams are formed in it.",
    )
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"UTF-8 CSV with the header row below; at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB "
            f"and {MAX_ROWS:,} people."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = program.cohorts.all()  # type: ignore[attr-defined]
        self.text = ""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            self.text = read_upload(upload)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class CohortQueryForm(forms.Form):
    """`?cohort=<id>`: one of the program's cohorts (or none given)."""

    cohort = CohortChoiceField(queryset=Cohort.objects.none(), required=False)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = program.cohorts.all()  # type: ignore[attr-defined]


class ConfirmImportForm(forms.Form):
    """What the admin chose under the preview: create the unknown units or not, and import
    every row (all or nothing) or only the valid rows."""

    ALL, VALID = "all", "valid"
    create_units = forms.BooleanField(required=False)
    rows = forms.ChoiceField(
        choices=[(ALL, "Every row"), (VALID, "The valid rows")], required=False
    )
