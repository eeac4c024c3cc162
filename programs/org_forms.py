"""Forms for setting up organisations: the organisation, its units, admins and zone."""

from __future__ import annotations

from typing import Any

from django import forms

from programs.models import Organization, Unit
from programs.time_zones import TimeZoneField


def default_zone_field(**kwargs: Any) -> TimeZoneField:
    """The one time-zone picker, asking for the organisation's default zone."""
    return TimeZoneField(
        label="Default time zone",
        help_text="New people in the organisation start with this zone; they can change it.",
        **kwargs,
    )


class NewOrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    time_zone = default_zone_field(initial="America/New_York")
    admin_email = forms.EmailField(
        label="First organisation admin's email",
        help_text="They get an invitation to manage the organisation's units, admins and "
        "programs.",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Organization.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(f"There is already an organisation called “{name}”.")
        return name

    def clean_admin_email(self) -> str:
        return self.cleaned_data["admin_email"].strip().lower()


class OrganizationTimeZoneForm(forms.Form):
    time_zone = default_zone_field()


class UnitForm(forms.Form):
    name = forms.CharField(label="Unit name", max_length=200)

    def __init__(
        self, *args: Any, organization: Organization, unit: Unit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.unit = unit

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Unit.objects.filter(organization=self.organization, name__iexact=name)
        if self.unit is not None:
            others = others.exclude(pk=self.unit.pk)
        if others.exists():
            raise forms.ValidationError(f"There is already a unit called “{name}”.")
        return name


class MergeUnitForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label="Merge into",
        help_text="Everyone in this unit moves to the unit you choose.",
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.active().filter(organization_id=unit.organization_id).exclude(pk=unit.pk)
        )


class OrganizationAdminInviteForm(forms.Form):
    email = forms.EmailField(label="Email of the new organisation admin")

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if self.organization.admins.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(f"{email} is already an admin of this organisation.")
        return email
