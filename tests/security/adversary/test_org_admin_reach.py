"""An organisation admin reaches for another organisation.

Orla administers Lakeside Health. Hillcrest Clinics is another client of the same
installation. Whatever id of Hillcrest's she puts in a URL (the organisation, a unit under
her own organisation's id, an admin, its program's prompts), Hillcrest does not exist for
her: 404, and nothing of Hillcrest's changes. She cannot start a program there either.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import OrganizationAdmin, Program, Unit
from reflections.models import Prompt
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_an_organisation_admin_cannot_see_or_change_another_organisation(cast: Cast) -> None:
    hillcrest = f.OrganizationFactory(name="Hillcrest Clinics")
    their_unit = f.UnitFactory(organization=hillcrest, name="Hillcrest Cardiology")
    their_admin = f.OrganizationAdminFactory(organization=hillcrest)
    f.OrganizationAdminFactory(organization=hillcrest)  # two, so one could be removed
    their_program = f.ProgramFactory(organization=hillcrest, name="Hillcrest Leaders")
    their_prompt = Prompt.objects.create(program=their_program, text="Theirs")
    ours = cast.program.organization_id
    client = cast.client_for("org_admin")

    attempts = [
        ("get", reverse("programs:organization", args=[hillcrest.pk]), {}),
        ("post", reverse("programs:unit_create", args=[hillcrest.pk]), {"name": "Mine"}),
        (
            "post",
            reverse("programs:organization_time_zone", args=[hillcrest.pk]),
            {"time_zone": "UTC"},
        ),
        (
            "post",
            reverse("programs:organization_admin_invite", args=[hillcrest.pk]),
            {"email": "me-too@example.org"},
        ),
        (
            "post",
            reverse("programs:organization_admin_remove", args=[hillcrest.pk, their_admin.pk]),
            {"x": "1"},
        ),
        # Their ids under our organisation's id.
        (
            "post",
            reverse("programs:unit_edit", args=[ours, their_unit.pk]),
            {"name": "Renamed"},
        ),
        ("post", reverse("programs:unit_retire", args=[ours, their_unit.pk]), {}),
        (
            "post",
            reverse("programs:unit_merge", args=[ours, their_unit.pk]),
            {"into": cast.participant.profiles.get().unit_id},
        ),
        (
            "post",
            reverse("programs:organization_admin_remove", args=[ours, their_admin.pk]),
            {"x": "1"},
        ),
        # Their program's pages.
        ("get", reverse("reflections:prompts", args=[their_program.pk]), {}),
        (
            "post",
            reverse("reflections:prompt_delete", args=[their_program.pk, their_prompt.pk]),
            {"x": "1"},
        ),
        ("get", reverse("dashboards:program", args=[their_program.pk]), {}),
    ]
    for method, url, data in attempts:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert b"Hillcrest" not in response.content

    their_unit.refresh_from_db()
    hillcrest.refresh_from_db()
    assert (their_unit.name, their_unit.retired_at) == ("Hillcrest Cardiology", None)
    assert not Unit.objects.filter(organization=hillcrest, name="Mine").exists()
    assert hillcrest.time_zone == "America/New_York"
    assert OrganizationAdmin.objects.filter(organization=hillcrest).count() == 2
    assert not hillcrest.admin_invitations.exists()
    assert Prompt.objects.filter(pk=their_prompt.pk).exists()

    # Starting a program there: Hillcrest is not among her choices.
    response = client.post(
        reverse("programs:create"),
        {
            "organization": hillcrest.pk,
            "name": "Smuggled program",
            "starts_on": "2027-01-11",
            "ends_on": "2027-07-02",
            "checkin_weekday": "4",
            "checkin_time": "09:00",
            "team_min_size": "4",
            "team_max_size": "7",
        },
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert b"Hillcrest" not in response.content
    assert not Program.objects.filter(name="Smuggled program").exists()
