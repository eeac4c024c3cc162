from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.db.models import Q
from django.utils.html import format_html

from programs.models import (
    Cohort,
    Discipline,
    Invitation,
    Milestone,
    Organization,
    Profile,
    Program,
    Role,
    Unit,
    User,
)
from programs.time_zones import TimeZoneField


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


# A rating from 1 to 5 (self-assessment, team pulse).
SCALE = [(n, str(n)) for n in range(1, 6)]

# The longest description, list of goals or competencies a program or milestone takes.
TEXT_LENGTH = 5000


COACH_DASHBOARD_SETTINGS = (
    "low_pulse_threshold",
    "expected_weeks_crafting",
    "expected_weeks_carrying_out",
    "expected_weeks_transitioning",
)


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
            *COACH_DASHBOARD_SETTINGS,
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in COACH_DASHBOARD_SETTINGS:
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Left empty, the coach dashboard's settings keep their value (or the default).
        for name in COACH_DASHBOARD_SETTINGS:
            if data.get(name) is None and name not in self.errors:
                data[name] = getattr(self.instance, name)
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
        self.fields["name"].help_text = format_html(
            "Type <strong>{}</strong> exactly.", program.name
        )

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


# People's own profile ------------------------------------------------------------------


class PersonForm(forms.Form):
    """What a person says about themselves: their name and their one time zone."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    time_zone = TimeZoneField()

    def __init__(self, *args: Any, suggest_zone: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if suggest_zone:
            self.fields["time_zone"] = TimeZoneField(suggest=True)


class OrganizationProfileForm(forms.Form):
    """Unit, discipline and job title in one organisation, as the person or a program
    admin there sets them. `only_missing` asks only for what is still empty."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)
    discipline = forms.ChoiceField(choices=[("", "Not set"), *Discipline.choices], required=False)
    job_title = forms.CharField(label="Job title", max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        profile: Profile | None = None,
        only_missing: bool = False,
        **kwargs: Any,
    ) -> None:
        if profile is not None:
            kwargs.setdefault(
                "initial",
                {
                    "unit": profile.unit_id,
                    "discipline": profile.discipline,
                    "job_title": profile.job_title,
                },
            )
        super().__init__(*args, **kwargs)
        self.organization = organization
        units = Unit.objects.filter(organization=organization).filter(
            Q(retired_at__isnull=True) | Q(pk=profile.unit_id if profile else None)
        )
        unit_field = self.fields["unit"]
        unit_field.queryset = units  # type: ignore[attr-defined]
        unit_field.label = f"Unit at {organization.name}"
        unit_field.empty_label = "Not set"  # type: ignore[attr-defined]
        if only_missing and profile is not None:
            # The admin or an import filled these in already: the person can change them
            # later on their profile.
            if profile.unit_id is not None:
                del self.fields["unit"]
            if profile.discipline != Discipline.OTHER:
                del self.fields["discipline"]
            if profile.job_title:
                del self.fields["job_title"]

    def clean_discipline(self) -> str | None:
        """None when not given: the discipline stays as it is."""
        return self.cleaned_data.get("discipline") or None


class InvitationSignupForm(PersonForm):
    """Creating an account from an invitation: the address is the invited one, never a
    field of the form."""

    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(
        self,
        *args: Any,
        email: str,
        organization: Organization,
        account: User | None = None,
        **kwargs: Any,
    ) -> None:
        # A new person starts in the organisation's zone; an account a people import
        # made (and nobody has used) starts with the name and zone the admin typed.
        initial: dict[str, Any] = {"time_zone": organization.starting_zone()}
        if account is not None:
            initial = {
                "first_name": account.first_name,
                "last_name": account.last_name,
                "time_zone": organization.starting_zone(account.time_zone),
            }
        kwargs["initial"] = initial | kwargs.get("initial", {})
        # The browser's zone is suggested when the form opens, not over a choice the
        # person made before a refused submission, nor over the zone an import gave.
        unbound = (args[0] if args else kwargs.get("data")) is None
        super().__init__(*args, suggest_zone=unbound and account is None, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                password_validation.validate_password(
                    first,
                    User(
                        email=self.email,
                        first_name=data.get("first_name", ""),
                        last_name=data.get("last_name", ""),
                    ),
                )
            except forms.ValidationError as problem:
                self.add_error("password1", problem)
        return data


class SelfAssessmentForm(forms.Form):
    """One 1-5 rating per competency of the program, for one stage."""

    stage = forms.ChoiceField(label="Stage of the program", choices=())

    def __init__(
        self, *args: Any, competencies: list[str], stages: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["stage"] = forms.ChoiceField(
            label="Stage of the program",
            choices=stages,
            error_messages={
                "invalid_choice": "That stage is not open: it has closed (its ratings can no "
                "longer change) or its milestone has not come yet."
            },
        )
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


class StageCloseForm(forms.Form):
    """Which open stage of the self-assessment a program admin closes."""

    def __init__(self, *args: Any, stages: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["stage"] = forms.ChoiceField(label="Stage to close", choices=stages)
