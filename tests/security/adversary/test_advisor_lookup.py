"""Attack: a program admin uses the team-advisor form to look people up by id.

The form used to fetch any account by the id posted and, refusing it, answered "Stevie
Stranger is not a coach in this program": walking the ids named every account on the
installation. Now the choices are the program's active coaches and sponsors, and a
refused choice names nobody.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Membership, Role
from teams.services import do_set_advisors
from tests import factories as f
from tests.conftest import Cast

HTMX = {"HTTP_HX_REQUEST": "true"}


def advisors_url(cast: Cast) -> str:
    return reverse(
        "teams:builder_team_advisors",
        args=[cast.program.pk, cast.team.cohort_id, cast.other_team.pk],
    )


def test_walking_user_ids_through_the_advisor_form_names_nobody(cast: Cast) -> None:
    admin = cast.client_for("program_admin")
    strangers = [
        (cast.stranger, "Stevie Stranger"),
        (cast.outsider, "Olly Outsider"),
        (cast.participant, "Pat Participant"),
    ]
    for person, name in strangers:
        for field in ("coach", "sponsor"):
            response = admin.post(advisors_url(cast), {field: person.pk}, **HTMX)
            assert response.status_code == 400
            html = response.content.decode()
            assert "Choose one of the people offered." in html
            # The only place a name could appear is the refusal; the builder lists the
            # program's own people, never the one looked up.
            assert name not in html.split('<div class="grid">')[0]
    cast.other_team.refresh_from_db()
    assert cast.other_team.coach == cast.other_coach and cast.other_team.sponsor is None


def test_a_coach_whose_role_ended_is_neither_offered_nor_accepted(cast: Cast) -> None:
    ended = f.UserFactory(first_name="Eddie", last_name="Ended")
    f.MembershipFactory(user=ended, program=cast.program, role=Role.COACH, is_active=False)
    admin = cast.client_for("program_admin")
    builder = admin.get(reverse("teams:builder", args=[cast.program.pk, cast.team.cohort_id]))
    assert b"Eddie Ended" not in builder.content
    response = admin.post(advisors_url(cast), {"coach": ended.pk}, **HTMX)
    assert response.status_code == 400
    assert b"Eddie Ended" not in response.content
    assert not Membership.objects.filter(user=ended, is_active=True).exists()


def test_a_coach_of_another_program_is_not_offered(cast: Cast) -> None:
    elsewhere = f.UserFactory(first_name="Wren", last_name="Elsewhere")
    f.MembershipFactory(user=elsewhere, role=Role.COACH)  # another program
    admin = cast.client_for("program_admin")
    response = admin.post(advisors_url(cast), {"coach": elsewhere.pk}, **HTMX)
    assert response.status_code == 400
    assert b"Wren Elsewhere" not in response.content


def test_the_advisor_service_refuses_without_naming_the_person(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        do_set_advisors(team=cast.other_team, coach=cast.stranger, sponsor=None)
    assert "Stevie" not in str(refused.value) and "Stranger" not in str(refused.value)
    assert "The chosen coach is not an active coach in this program." in refused.value.messages
