"""DESIGN.md's privacy rules, one test (or one parametrised test) per rule and place."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from reflections.models import CheckInVisibility, ReadReceipt, Reflection, Visibility
from tests.conftest import Cast
from tests.reflections.builders import check_in, plan_for, team_entry, write

SECRET_TITLE = "Doubts about leading"
SECRET_BODY = "Sometimes I wonder whether I am the right person to lead this team."
EVERYONE_ELSE = ("teammate", "coach", "sponsor", "program_admin", "other_participant", "outsider")


@pytest.fixture
def secret(cast: Cast) -> Reflection:
    return write(
        cast.participant, cast.program, title=SECRET_TITLE, body=SECRET_BODY, tags=("doubt",)
    )


def assert_secret_absent(content: bytes) -> None:
    assert SECRET_TITLE.encode() not in content
    assert SECRET_BODY.encode() not in content


# Rule 1: a private reflection is readable by its author only. --------------------------


@pytest.mark.parametrize("who", EVERYONE_ELSE)
def test_a_private_reflection_is_404_for_everyone_but_its_author(
    cast: Cast, secret: Reflection, who: str
) -> None:
    for name in ("reflections:detail", "reflections:edit"):
        response = cast.client_for(who).get(reverse(name, args=[secret.pk]))
        assert response.status_code == 404
        assert_secret_absent(response.content)


@pytest.mark.parametrize("who", EVERYONE_ELSE)
def test_nobody_else_can_delete_or_restore_a_private_reflection(
    cast: Cast, secret: Reflection, who: str
) -> None:
    client = cast.client_for(who)
    assert client.post(reverse("reflections:delete", args=[secret.pk])).status_code == 404
    secret.refresh_from_db()
    assert secret.deleted_at is None
    assert client.post(reverse("reflections:restore", args=[secret.pk])).status_code == 404


def test_its_author_reads_a_private_reflection(cast: Cast, secret: Reflection) -> None:
    response = cast.client_for("participant").get(reverse("reflections:detail", args=[secret.pk]))
    assert response.status_code == 200
    assert SECRET_BODY.encode() in response.content
    assert b"Only you can read this entry." in response.content


@pytest.mark.parametrize("who", ("teammate", "coach", "other_participant"))
def test_a_private_reflection_is_absent_from_the_shared_with_me_lists(
    cast: Cast, secret: Reflection, who: str
) -> None:
    response = cast.client_for(who).get(reverse("reflections:shared", args=[cast.program.pk]))
    assert response.status_code == 200
    assert_secret_absent(response.content)
    assert reverse("reflections:detail", args=[secret.pk]).encode() not in response.content


@pytest.mark.parametrize("who", ("sponsor", "program_admin"))
def test_sponsors_and_program_admins_have_no_shared_with_me_list(
    cast: Cast, secret: Reflection, who: str
) -> None:
    response = cast.client_for(who).get(reverse("reflections:shared", args=[cast.program.pk]))
    assert response.status_code == 403
    assert_secret_absent(response.content)


@pytest.mark.parametrize("who", ("teammate", "other_participant"))
def test_a_private_reflection_is_absent_from_other_peoples_journals_and_searches(
    cast: Cast, secret: Reflection, who: str
) -> None:
    write(getattr(cast, who), cast.program, title="Doubts of my own", tags=("doubt",))
    journal = reverse("reflections:journal", args=[cast.program.pk])
    client = cast.client_for(who)
    for params in ({}, {"q": "Doubts"}, {"q": "right person to lead"}, {"tag": "doubt"}):
        response = client.get(journal, params)
        assert response.status_code == 200
        assert_secret_absent(response.content)


@pytest.mark.parametrize("who", EVERYONE_ELSE)
def test_a_private_reflection_is_absent_from_everyone_elses_export(
    cast: Cast, secret: Reflection, who: str
) -> None:
    response = cast.client_for(who).get(reverse("reflections:export"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    for name in archive.namelist():
        assert_secret_absent(archive.read(name))


@pytest.mark.parametrize("who", ("sponsor", "program_admin", "coach", "teammate"))
def test_a_private_reflection_is_absent_from_the_team_reflection_pages(
    cast: Cast, secret: Reflection, who: str
) -> None:
    team_entry(cast.team, cast.participant, share_with_sponsor=True)
    response = cast.client_for(who).get(reverse("reflections:team_list", args=[cast.team.pk]))
    assert_secret_absent(response.content)


def test_the_django_admin_never_shows_a_reflections_title_or_text(
    cast: Cast, secret: Reflection, site_admin: Client
) -> None:
    for url in (
        "/admin/reflections/reflection/",
        f"/admin/reflections/reflection/{secret.pk}/change/",
        f"/admin/reflections/reflection/{secret.pk}/delete/",
        f"/admin/reflections/reflection/?q={cast.participant.email}",
    ):
        response = site_admin.get(url)
        assert response.status_code == 200, url
        assert_secret_absent(response.content)


def test_the_django_admin_cannot_search_reflections_by_their_text(
    cast: Cast, secret: Reflection, site_admin: Client
) -> None:
    response = site_admin.get("/admin/reflections/reflection/", {"q": "wonder"})
    assert b"0 reflections" in response.content


def test_the_django_admin_never_shows_a_check_in_or_plan_text(
    cast: Cast, site_admin: Client
) -> None:
    item = check_in(cast.participant, cast.program, steps="Secret steps", focus="Secret focus")
    plan = plan_for(cast.participant, cast.program)
    for url in (
        "/admin/reflections/checkin/",
        f"/admin/reflections/checkin/{item.pk}/change/",
        f"/admin/reflections/plan/{plan.pk}/change/",
    ):
        response = site_admin.get(url)
        assert response.status_code == 200
        for text in (b"Secret steps", b"Secret focus", plan.action.encode()):
            assert text not in response.content


def test_the_django_admin_never_shows_a_team_reflections_text(
    cast: Cast, site_admin: Client
) -> None:
    entry = team_entry(cast.team, cast.participant, body="Team secret text")
    response = site_admin.get(f"/admin/reflections/teamreflection/{entry.pk}/change/")
    assert response.status_code == 200
    assert b"Team secret text" not in response.content


def test_the_django_admin_offers_no_way_to_add_or_change_a_reflection(
    cast: Cast, secret: Reflection, site_admin: Client
) -> None:
    assert site_admin.get("/admin/reflections/reflection/add/").status_code == 403
    response = site_admin.post(
        f"/admin/reflections/reflection/{secret.pk}/change/", {"visibility": Visibility.TEAM}
    )
    assert response.status_code == 403
    secret.refresh_from_db()
    assert secret.visibility == Visibility.PRIVATE


# Sharing is case by case: exactly the chosen readers, nobody else. ----------------------


@pytest.mark.parametrize(
    ("visibility", "readers", "not_readers"),
    [
        (
            Visibility.COACH,
            ("coach",),
            ("teammate", "sponsor", "program_admin", "other_participant", "outsider"),
        ),
        (
            Visibility.TEAM,
            ("coach", "teammate"),
            ("sponsor", "program_admin", "other_participant", "outsider"),
        ),
    ],
)
def test_a_shared_reflection_reaches_exactly_the_readers_chosen(
    cast: Cast, visibility: str, readers: tuple[str, ...], not_readers: tuple[str, ...]
) -> None:
    entry = write(cast.participant, cast.program, visibility=visibility)
    url = reverse("reflections:detail", args=[entry.pk])
    for who in readers:
        assert cast.client_for(who).get(url).status_code == 200, who
    for who in not_readers:
        assert cast.client_for(who).get(url).status_code == 404, who


def test_a_deleted_shared_reflection_is_404_for_its_former_readers(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility=Visibility.TEAM)
    cast.client_for("participant").post(reverse("reflections:delete", args=[entry.pk]))
    for who in ("coach", "teammate"):
        response = cast.client_for(who).get(reverse("reflections:detail", args=[entry.pk]))
        assert response.status_code == 404


def test_a_coach_whose_membership_ended_reads_nothing_shared_with_them(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility=Visibility.COACH)
    cast.coach.memberships.update(is_active=False)
    response = cast.client_for("coach").get(reverse("reflections:detail", args=[entry.pk]))
    assert response.status_code == 404


def test_the_coach_of_another_team_cannot_read_an_entry_shared_with_my_coach(
    cast: Cast,
) -> None:
    entry = write(cast.participant, cast.program, visibility=Visibility.TEAM)
    other_coach = cast.other_team.coach
    assert other_coach is not None
    client = Client()
    client.force_login(other_coach)
    assert client.get(reverse("reflections:detail", args=[entry.pk])).status_code == 404


# Rule 2: every read by someone else is recorded; the author sees who read it. -----------


def test_every_read_by_someone_else_is_recorded_and_the_author_sees_who_and_when(
    cast: Cast,
) -> None:
    entry = write(cast.participant, cast.program, visibility=Visibility.TEAM)
    url = reverse("reflections:detail", args=[entry.pk])
    cast.client_for("coach").get(url)
    cast.client_for("coach").get(url)
    cast.client_for("teammate").get(url)
    cast.client_for("participant").get(url)  # the author's own reads are not recorded
    assert ReadReceipt.objects.filter(reflection=entry).count() == 3
    html = cast.client_for("participant").get(url).content.decode()
    reads = html.split('id="reads-heading"')[1]
    assert "Casey Coach" in reads
    assert "Terry Teammate" in reads
    assert '<td data-label="Times read">2</td>' in reads


def test_readers_do_not_see_who_else_read_an_entry(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility=Visibility.TEAM)
    url = reverse("reflections:detail", args=[entry.pk])
    cast.client_for("coach").get(url)
    html = cast.client_for("teammate").get(url).content.decode()
    assert "Who read it" not in html


def test_a_refused_read_is_not_recorded(cast: Cast, secret: Reflection) -> None:
    cast.client_for("coach").get(reverse("reflections:detail", args=[secret.pk]))
    assert not ReadReceipt.objects.exists()


# Rule 3: check-in content follows its visibility like a reflection. ---------------------


def test_a_private_check_in_is_404_for_everyone_but_its_author(cast: Cast) -> None:
    item = check_in(cast.participant, cast.program, steps="Only mine")
    url = reverse("reflections:checkin_detail", args=[item.pk])
    assert cast.client_for("participant").get(url).status_code == 200
    for who in EVERYONE_ELSE:
        response = cast.client_for(who).get(url)
        assert response.status_code == 404, who
        assert b"Only mine" not in response.content


def test_a_check_in_shared_with_the_coach_is_read_by_the_coach_only(cast: Cast) -> None:
    item = check_in(cast.participant, cast.program, visibility=CheckInVisibility.COACH)
    url = reverse("reflections:checkin_detail", args=[item.pk])
    assert cast.client_for("coach").get(url).status_code == 200
    for who in ("teammate", "sponsor", "program_admin", "other_participant", "outsider"):
        assert cast.client_for(who).get(url).status_code == 404, who
    assert ReadReceipt.objects.filter(checkin=item, reader=cast.coach).count() == 1


def test_a_check_in_shared_with_the_partner_is_read_by_the_partner_named_in_the_plan(
    cast: Cast,
) -> None:
    plan_for(cast.participant, cast.program, partner=cast.teammate)
    item = check_in(cast.participant, cast.program, visibility=CheckInVisibility.PARTNER)
    url = reverse("reflections:checkin_detail", args=[item.pk])
    assert cast.client_for("teammate").get(url).status_code == 200
    for who in ("coach", "sponsor", "program_admin", "other_participant", "outsider"):
        assert cast.client_for(who).get(url).status_code == 404, who


# Rule 6: a participant exports all of their own writing. -------------------------------


def test_the_author_finds_a_private_reflection_in_their_own_export(
    cast: Cast, secret: Reflection
) -> None:
    response = cast.client_for("participant").get(reverse("reflections:export"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("actionlab-writing.json"))
    assert [r["body"] for r in data["reflections"]] == [SECRET_BODY]
