"""Forms of the project overview."""

from __future__ import annotations

from django import forms

from projects.models import ProjectType


class ProjectNameForm(forms.Form):
    """The project's title and type, set by its team while crafting. `version` is the
    charter version the editor started from, so a save never overwrites a newer one."""

    title = forms.CharField(max_length=200, strip=True)
    project_type = forms.ChoiceField(label="Type", choices=ProjectType.choices)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
