"""Forms of the team builder: every request it takes is parsed by one of these."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from core.forms import QueryForm
from programs.models import Cohort, Role, User
from teams.models import Team

# An invalid choice names nobody: the submitted id is not echoed back (issue: a lookup by
# any id used to answer with that person's name).
NOT_OFFERED = "Choose one of the people offered."


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def advisors_of(cohort: Cohort, role: str) -> QuerySet[User]:
    """The program's people with an active coach (or sponsor) membership."""
    return (
        User.objects.filter(
            memberships__program_id=cohort.program_id,
            memberships__role=role,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


class AdvisorsForm(forms.Form):
    """A team's learning coach and executive sponsor, chosen among the program's active
    coaches and sponsors only."""

    coach = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Not assigned",
        label="Learning coach",
        error_messages={"invalid_choice": NOT_OFFERED},
    )
    sponsor = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Not assigned",
        label="Executive sponsor",
        error_messages={"invalid_choice": NOT_OFFERED},
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = advisors_of(cohort, Role.COACH)  # type: ignore[attr-defined]
        self.fields["sponsor"].queryset = advisors_of(cohort, Role.SPONSOR)  # type: ignore[attr-defined]


class PlaceMemberForm(forms.Form):
    """Put a participant of the cohort on a team, move them to another team in one step,
    or (no team) take them off their team."""

    user = forms.ModelChoiceField(
        queryset=User.objects.none(), error_messages={"invalid_choice": NOT_OFFERED}
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choose one of this cohort's teams."},
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__cohort=cohort,
            memberships__role=Role.PARTICIPANT,
            memberships__is_active=True,
        ).distinct()
        self.fields["team"].queryset = cohort.teams.all()  # type: ignore[attr-defined]


class TeamNameForm(forms.Form):
    """A new team's name, or a team's new name; uniqueness is checked by the service."""

    name = forms.CharField(max_length=200, strip=True)


class ProposalForm(QueryForm):
    """How many teams to propose (or the team size to aim for), and, when applying, the
    fingerprint of the proposal the admin saw."""

    team_count = forms.IntegerField(min_value=0, required=False)
    target_size = forms.IntegerField(min_value=1, required=False)
    fingerprint = forms.CharField(required=False)
