"""Forms of the project overview."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from core.forms import FlagField
from programs.models import Unit
from projects.models import CHARTER_SECTIONS, Action, Project, ProjectType
from projects.services import AMENDABLE_SECTIONS


class ProjectNameForm(forms.Form):
    """The project's title and type, set by its team while crafting. `version` is the
    charter version the editor started from, so a save never overwrites a newer one."""

    title = forms.CharField(max_length=200, strip=True)
    project_type = forms.ChoiceField(label="Type", choices=ProjectType.choices)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class SectionViewForm(forms.Form):
    """The query string of a charter section: `?edit` asks for the form."""

    edit = FlagField()


class CharterSectionForm(forms.Form):
    """One charter section's new text, from the charter version the editor opened."""

    text = forms.CharField(required=False, strip=False)
    version = forms.IntegerField(min_value=1)


class GateForm(forms.Form):
    """A step through a gate, with an optional comment (required where the service says)."""

    comment = forms.CharField(required=False)


class ApproveCharterForm(forms.Form):
    """The sponsor's approval: a comment for the team, and an explicit override (with its
    reason) when a criterion is still queried."""

    comment = forms.CharField(label="Your comment to the team")
    override = forms.BooleanField(
        label="Approve although I still ask for more on a criterion", required=False
    )
    override_reason = forms.CharField(label="Why approve over the query", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("override") and not data.get("override_reason", "").strip():
            self.add_error("override_reason", "Say why you approve over the query.")
        if not data.get("override"):
            data["override_reason"] = ""
        return data


class CloseActionsForm(forms.Form):
    """What happens to each open action as the project completes."""

    CHOICES = [
        ("", "Keep open for now"),
        (Action.Status.DONE, "Done"),
        (Action.Status.DROPPED, "Dropped"),
        (Action.Status.HANDED_OVER, "Handed to the new owner"),
    ]

    def __init__(self, *args: Any, actions: Sequence[Action], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = list(actions)
        for action in self.actions:
            self.fields[f"action_{action.pk}"] = forms.ChoiceField(
                label=action.title, choices=self.CHOICES, required=False
            )

    def rows(self) -> list[tuple[Action, forms.BoundField]]:
        return [(action, self[f"action_{action.pk}"]) for action in self.actions]

    def decisions(self) -> dict[int, str]:
        return {
            action.pk: self.cleaned_data[f"action_{action.pk}"]
            for action in self.actions
            if self.cleaned_data.get(f"action_{action.pk}")
        }


class AmendmentForm(forms.Form):
    """A proposed amendment: the new text of any section (prefilled with the charter's)
    and why."""

    reason = forms.CharField(label="Why the charter should change", widget=forms.Textarea)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in AMENDABLE_SECTIONS:
            self.fields[name] = forms.CharField(
                label=CHARTER_SECTIONS[name],
                required=False,
                strip=False,
                initial=getattr(project, name),
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.order_fields([*AMENDABLE_SECTIONS, "reason"])

    def new_texts(self) -> dict[str, str]:
        """The sections the form sent (a section left out stays as it is)."""
        return {name: self.cleaned_data[name] for name in AMENDABLE_SECTIONS if name in self.data}


class AmendmentDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Return")])
    comment = forms.CharField(label="Comment", required=False, widget=forms.Textarea)


class RationaleForm(forms.Form):
    """The team's rationale for one criterion (the service checks its length)."""

    rationale = forms.CharField(required=False, strip=False)


class CriterionReviewForm(forms.Form):
    """The sponsor confirms a criterion (`decision=confirm`) or asks for more, with a
    comment."""

    decision = forms.CharField(required=False)
    comment = forms.CharField(required=False, strip=False)

    def confirms(self) -> bool:
        return self.cleaned_data["decision"] == "confirm"


class TransitionPlanForm(forms.Form):
    """Who owns the work after the project, in which unit of the organisation, and how it
    is sustained."""

    new_owner_name = forms.CharField(error_messages={"required": "Name the new owner."})
    new_owner_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        error_messages={
            "required": "Choose the new owner's unit.",
            "invalid_choice": "Choose the new owner's unit.",
        },
    )
    sustainment = forms.CharField(error_messages={"required": "Say how the work is sustained."})

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization_id = project.team.cohort.program.organization_id
        units = Unit.objects.active().filter(organization_id=organization_id)
        cast(forms.ModelChoiceField, self.fields["new_owner_unit"]).queryset = units

    def problems(self) -> str:
        """Every problem in field order, as one sentence per problem."""
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class OverrideForm(forms.Form):
    """A program admin's override of a gate: the phase to move to and why (the service
    refuses an unknown phase or a missing reason)."""

    phase = forms.CharField(required=False)
    reason = forms.CharField(required=False, strip=False)
