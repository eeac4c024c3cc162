"""The people list's filters, read from its query string."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from core.forms import QueryForm
from programs.models import Discipline, Invitation, Role

FILTERS = ("role", "unit", "discipline", "team")


class PeopleFilterForm(QueryForm):
    """Members by role, unit, discipline and team (`none`: participants without one);
    invitations by status."""

    role = forms.ChoiceField(choices=Role.choices, required=False)
    unit = forms.IntegerField(min_value=0, required=False)
    discipline = forms.ChoiceField(choices=Discipline.choices, required=False)
    team = forms.CharField(required=False, validators=[RegexValidator(r"^(none|[0-9]+)$")])
    status = forms.ChoiceField(choices=Invitation.Status.choices, required=False)

    def selected(self) -> dict[str, str]:
        """The member filters in use, as the query string had them (for the page's
        selects and the invitation filter's hidden fields)."""
        given = self.given()
        return {name: str(given.get(name, "")) for name in FILTERS}
