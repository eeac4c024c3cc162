"""Pieces other pages include: links to a person's journal pages, and the subnavigation."""

from __future__ import annotations

from django.template import Context, Template
from django.urls import reverse

from programs.models import Membership
from tests import factories as f
from tests.conftest import Cast


def links_for(memberships: list[Membership]) -> str:
    return Template("{% load journal %}{% journal_links memberships %}").render(
        Context({"memberships": memberships})
    )


def test_a_participant_gets_links_to_journal_check_in_and_plan(cast: Cast) -> None:
    html = links_for(list(Membership.objects.for_user(cast.participant)))
    for name in ("journal", "write", "checkin", "plan", "shared"):
        assert reverse(f"reflections:{name}", args=[cast.program.pk]) in html


def test_a_coach_gets_a_link_to_what_is_shared_with_them_only(cast: Cast) -> None:
    html = links_for(list(Membership.objects.for_user(cast.coach)))
    assert reverse("reflections:shared", args=[cast.program.pk]) in html
    assert reverse("reflections:journal", args=[cast.program.pk]) not in html


def test_sponsors_admins_and_former_participants_get_no_links(cast: Cast) -> None:
    for person in (cast.sponsor, cast.program_admin, cast.former_participant):
        assert links_for(list(person.memberships.all())).strip() == ""


def test_the_journal_pages_link_to_my_teams_reflections(cast: Cast) -> None:
    html = cast.client_for("participant").get(
        reverse("reflections:journal", args=[cast.program.pk])
    )
    assert reverse("reflections:team_list", args=[cast.team.pk]).encode() in html.content


def test_a_participant_without_a_team_gets_no_team_link(cast: Cast) -> None:
    loner = f.UserFactory()
    f.MembershipFactory(user=loner, program=cast.program)
    client = cast.client_for("participant")
    client.force_login(loner)
    html = client.get(reverse("reflections:journal", args=[cast.program.pk])).content.decode()
    assert "Team reflections" not in html
