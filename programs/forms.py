from __future__ import annotations

from typing import Any

from django import forms

from programs.models import Cohort, Invitation, Milestone, Organization, Program, Role


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


# The longest description, list of goals or competencies a program or milestone takes.
TEXT_LENGTH = 5000


class ProgramForm(forms.ModelForm[Program]):
    description = forms.CharField(
        required=False, max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    learning_goals = forms.CharField(
        required=False,
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One goal per line.",
    )
    competencies = forms.CharField(
        required=False,
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=Program._meta.get_field("competencies").help_text,
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "description",
            "starts_on",
            "ends_on",
            "learning_goals",
            "competencies",
            "checkin_weekday",
            "checkin_time",
            "team_min_size",
            "team_max_size",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "checkin_time": TimeInput(format="%H:%M"),
        }
        help_texts = {
            "checkin_weekday": "The default day of the weekly check-in; people may choose "
            "their own.",
            "checkin_time": "Local time in each person's own time zone.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The program must end on or after its first day.")
        low, high = data.get("team_min_size"), data.get("team_max_size")
        if low is not None and high is not None and high < low:
            self.add_error(
                "team_max_size", "The largest team size must not be below the smallest."
            )
        return data


class NewProgramForm(ProgramForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())

    class Meta(ProgramForm.Meta):
        fields = ["organization", *ProgramForm.Meta.fields]

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        org, name = data.get("organization"), data.get("name")
        if org and name and Program.objects.filter(organization=org, name=name).exists():
            self.add_error("name", "This organisation already has a program with this name.")
        return data


class CohortForm(forms.ModelForm[Cohort]):
    class Meta:
        model = Cohort
        fields = ["name", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The cohort must end on or after its first day.")
        name = data.get("name")
        others = Cohort.objects.filter(program=self.program, name=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if name and others.exists():
            self.add_error("name", "This program already has a cohort with this name.")
        return data


class MilestoneForm(forms.ModelForm[Milestone]):
    class Meta:
        model = Milestone
        fields = ["kind", "title", "due_on", "description"]
        widgets = {"due_on": DateInput()}
        labels = {"due_on": "Date"}
        help_texts = {"title": "Leave empty to use the kind's name."}

    title = forms.CharField(max_length=200, required=False)
    description = forms.CharField(
        required=False, max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title") and data.get("kind"):
            data["title"] = Milestone.Kind(data["kind"]).label
            self.instance.title = data["title"]
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.PARTICIPANT)
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(), required=False, help_text="Participants join a cohort."
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        cohorts = program.cohorts.all()
        self.fields["cohort"].queryset = cohorts  # type: ignore[attr-defined]
        if len(cohorts) == 1:
            self.fields["cohort"].initial = cohorts[0]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.program.is_archived:
            raise forms.ValidationError(
                "This program is archived: restore it before inviting anyone."
            )
        role, cohort, email = data.get("role"), data.get("cohort"), data.get("email")
        if role == Role.PARTICIPANT and not cohort:
            self.add_error("cohort", "Choose the cohort this participant joins.")
        if role != Role.PARTICIPANT:
            data["cohort"] = None
        if email and role:
            if self.program.memberships.filter(
                user__email__iexact=email, role=role, is_active=True
            ).exists():
                self.add_error("email", f"{email} already holds this role in the program.")
            elif Invitation.objects.filter(
                program=self.program,
                email__iexact=email,
                role=role,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            ).exists():
                self.add_error(
                    "email",
                    f"{email} already has an open invitation for this role: resend it instead.",
                )
        return data


class DeleteProgramForm(forms.Form):
    """Typing the program's name confirms deleting it for good."""

    name = forms.CharField(
        label="Type the program's name to confirm",
        max_length=200,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "aria-describedby": "id_name_helptext",
            }
        ),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.program.is_archived:
            raise forms.ValidationError(
                "Archive the program first: a program is deleted for good only from the archive."
            )
        name = data.get("name")
        if name is not None and name != self.program.name:
            self.add_error("name", f"This is not the program's name, “{self.program.name}”.")
        return data
