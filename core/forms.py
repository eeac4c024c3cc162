"""Form pieces every app shares: the form renderer (one field and one error template for
the whole site), a flag and a page number read from a query string."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Renders `{{ form }}` and `{{ field.as_field_group }}` with the project's own
    templates (templates/forms/), so every form on the site has the same field markup."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class PresenceInput(forms.HiddenInput):
    """A flag that is on when its name is in the query string, with or without a value
    (`?edit`)."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return name in data


class FlagField(forms.BooleanField):
    widget = PresenceInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)


class QueryForm(forms.Form):
    """A query string's options (filters, sizes): each one optional, and a value that does
    not parse is left out as if not given, so a link edited by hand shows the plain page
    instead of an error."""

    def given(self) -> dict[str, Any]:
        """The options given with a valid value."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class PageForm(QueryForm):
    """`?page=` (or the name given, for a page with two lists): the page of a list asked
    for; 1 when it is missing or not a whole number from 1 up. A number past the end is
    the paginator's to answer (the last page)."""

    def __init__(self, data: Mapping[str, Any], *, name: str = "page") -> None:
        super().__init__(data)
        self.name = name
        self.fields[name] = forms.IntegerField(min_value=1, required=False)

    def number(self) -> int:
        return int(self.given().get(self.name, 1))


class SearchForm(QueryForm):
    """`?q=`: the words searched for (at most 200 characters are used)."""

    q = forms.CharField(required=False)

    def clean_q(self) -> str:
        return str(self.cleaned_data["q"])[:200]

    def terms(self) -> str:
        return str(self.given().get("q", ""))
