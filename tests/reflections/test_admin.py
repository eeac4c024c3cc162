"""The Django admin lists journal metadata for site admins, never the writing itself."""

from __future__ import annotations

import pytest
from django.test import Client

from reflections.models import ReadReceipt
from tests.conftest import Cast
from tests.reflections.builders import check_in, plan_for, team_entry, write


@pytest.mark.parametrize(
    "model",
    ["reflection", "checkin", "teamreflection", "plan", "draft", "readreceipt", "prompt"],
)
def test_site_admin_opens_the_journal_lists(cast: Cast, site_admin: Client, model: str) -> None:
    entry = write(cast.participant, cast.program, title="Listed title", tags=("listening",))
    ReadReceipt.objects.create(reader=cast.coach, reflection=entry, read_at=entry.created_at)
    check_in(cast.participant, cast.program)
    plan_for(cast.participant, cast.program)
    team_entry(cast.team, cast.participant, title="Team title")
    response = site_admin.get(f"/admin/reflections/{model}/")
    assert response.status_code == 200
    assert b"Listed title" not in response.content
    assert b"Team title" not in response.content


def test_the_admin_list_shows_whose_entry_it_is_and_who_may_read_it(
    cast: Cast, site_admin: Client
) -> None:
    write(cast.participant, cast.program, visibility="coach")
    html = site_admin.get("/admin/reflections/reflection/").content.decode()
    assert "Pat Participant" in html
    assert "My coach" in html


def test_program_people_without_staff_rights_cannot_use_the_journal_admin(cast: Cast) -> None:
    write(cast.participant, cast.program, title="Not for admins")
    response = cast.client_for("program_admin").get("/admin/reflections/reflection/")
    assert response.status_code in (302, 403)
    assert b"Not for admins" not in response.content
