"""After the program: once a program has ended (past its last day on the person's own
clock) or been archived, its participants keep their journal, Be Better Now plan and weekly
check-in in an alumni space; nothing of anyone else's becomes readable, and teammates no
longer read what each other shared; the program's pages say plainly that it has ended."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from programs.services import do_archive_program
from reflections.models import CheckIn, Plan, Reflection, Visibility
from tests.conftest import Cast
from tests.reflections.builders import plan_for, team_entry, write

# The cast's program runs from 7 September 2026 to 4 June 2027.
AFTER_THE_END = datetime.datetime(2027, 6, 9, 15, 0, tzinfo=datetime.UTC)
LAST_DAY = datetime.datetime(2027, 6, 4, 15, 0, tzinfo=datetime.UTC)

OWN_PAGES = (
    "reflections:journal",
    "reflections:write",
    "reflections:checkin",
    "reflections:checkin_history",
    "reflections:plan",
    "reflections:plan_calendar",
)


def archive(cast: Cast) -> None:
    do_archive_program(program=cast.program, by=cast.program_admin)
    cast.program.refresh_from_db()


def checkin_data() -> dict[str, object]:
    return {
        "steps_taken": "Asked one open question before advising, three times.",
        "next_focus": "Keep the weekly ten minutes now the program is over.",
        "progress": "4",
        "visibility": "private",
    }


@pytest.mark.parametrize("page", OWN_PAGES)
def test_a_participant_of_an_archived_program_reaches_their_own_pages(
    cast: Cast, page: str
) -> None:
    archive(cast)
    response = cast.client_for("participant").get(reverse(page, args=[cast.program.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("page", OWN_PAGES)
def test_a_participant_reaches_their_own_pages_after_the_programs_last_day(
    cast: Cast, page: str
) -> None:
    with time_machine.travel(AFTER_THE_END):
        response = cast.client_for("participant").get(reverse(page, args=[cast.program.pk]))
    assert response.status_code == 200


def test_the_weekly_check_in_goes_on_after_the_program_is_archived(cast: Cast) -> None:
    archive(cast)
    client = cast.client_for("participant")
    response = client.post(reverse("reflections:checkin", args=[cast.program.pk]), checkin_data())
    assert response.status_code == 302
    assert CheckIn.objects.filter(user=cast.participant, program=cast.program).count() == 1
    page = client.get(reverse("reflections:checkin_history", args=[cast.program.pk]))
    assert "Keep the weekly ten minutes" in page.content.decode()


def test_the_journal_goes_on_and_a_draft_link_leads_to_the_writing_page(cast: Cast) -> None:
    mine = write(cast.participant, cast.program, title="Before the end")
    archive(cast)
    client = cast.client_for("participant")
    assert client.get(reverse("reflections:detail", args=[mine.pk])).status_code == 200
    response = client.post(
        reverse("reflections:write", args=[cast.program.pk]),
        {
            "title": "Three months on",
            "body": "Still asking before advising.",
            "tags": "",
            "visibility": Visibility.PRIVATE,
            "prompt": "",
            "draft_token": "alumni-1",
        },
    )
    assert response.status_code == 302
    assert Reflection.objects.filter(author=cast.participant, title="Three months on").exists()


def test_the_home_page_shows_the_alumni_space_instead_of_no_program(cast: Cast) -> None:
    archive(cast)
    page = cast.client_for("participant").get(reverse("home")).content.decode()
    assert "My alumni space" in page
    assert "You are not part of a program yet" not in page
    assert reverse("reflections:checkin", args=[cast.program.pk]) in page


def test_someone_who_left_before_the_end_gets_no_alumni_space(cast: Cast) -> None:
    archive(cast)
    client = cast.client_for("former_participant")
    assert client.get(reverse("reflections:journal", args=[cast.program.pk])).status_code == 403
    assert "My alumni space" not in client.get(reverse("home")).content.decode()


def test_a_coach_or_sponsor_of_an_archived_program_gets_no_alumni_space(cast: Cast) -> None:
    archive(cast)
    for who in ("coach", "sponsor"):
        client = cast.client_for(who)
        assert (
            client.get(reverse("reflections:journal", args=[cast.program.pk])).status_code == 403
        )


def test_the_coach_of_an_archived_program_is_told_it_is_archived(cast: Cast) -> None:
    # The journal pages give the same reason as the program's other pages (they used to
    # say only that the membership had ended).
    archive(cast)
    response = cast.client_for("coach").get(reverse("reflections:shared", args=[cast.program.pk]))
    assert response.status_code == 403
    assert "This program has ended and is archived" in response.content.decode()


def test_a_teammates_shared_entry_is_not_readable_after_the_program_ends(cast: Cast) -> None:
    shared = write(cast.teammate, cast.program, title="For the team", visibility=Visibility.TEAM)
    client = cast.client_for("participant")
    with time_machine.travel(LAST_DAY):
        assert client.get(reverse("reflections:detail", args=[shared.pk])).status_code == 200
    with time_machine.travel(AFTER_THE_END):
        assert client.get(reverse("reflections:detail", args=[shared.pk])).status_code == 404
        # Its author still reads it: it is their own writing.
        own = cast.client_for("teammate").get(reverse("reflections:detail", args=[shared.pk]))
        assert own.status_code == 200


def test_a_teams_reflection_is_not_read_by_its_members_after_the_program_ends(
    cast: Cast,
) -> None:
    entry = team_entry(cast.team, cast.teammate, title="Our stakeholder map")
    client = cast.client_for("participant")
    url = reverse("reflections:team_detail", args=[entry.pk])
    with time_machine.travel(LAST_DAY):
        assert client.get(url).status_code == 200
    with time_machine.travel(AFTER_THE_END):
        assert client.get(url).status_code == 403
        listing = client.get(reverse("reflections:team_list", args=[cast.team.pk]))
        assert "Our stakeholder map" not in listing.content.decode()


def test_a_teammates_shared_entry_is_not_readable_once_the_program_is_archived(
    cast: Cast,
) -> None:
    shared = write(cast.teammate, cast.program, title="For the team", visibility=Visibility.TEAM)
    archive(cast)
    client = cast.client_for("participant")
    assert client.get(reverse("reflections:detail", args=[shared.pk])).status_code == 404
    assert client.get(reverse("reflections:shared", args=[cast.program.pk])).status_code == 403


def test_the_program_page_says_it_has_ended(cast: Cast) -> None:
    with time_machine.travel(AFTER_THE_END):
        page = cast.client_for("participant").get(
            reverse("dashboards:program", args=[cast.program.pk])
        )
        journal = cast.client_for("participant").get(
            reverse("reflections:journal", args=[cast.program.pk])
        )
    assert "This program has ended" in page.content.decode()
    assert "4 June 2027" in page.content.decode()
    assert "This program has ended" in journal.content.decode()
    assert "alumni space" in journal.content.decode()


def test_the_team_and_project_pages_say_the_program_has_ended_only_once_it_has(
    cast: Cast,
) -> None:
    client = cast.client_for("participant")
    pages = (
        reverse("teams:detail", args=[cast.team.pk]),
        reverse("projects:detail", args=[cast.project.pk]),
    )
    for path in pages:
        assert "This program has ended" not in client.get(path).content.decode()
    with time_machine.travel(AFTER_THE_END):
        for path in pages:
            html = client.get(path).content.decode()
            assert "This program has ended" in html
            assert "4 June 2027" in html


def test_the_program_page_of_an_archived_program_says_it_has_ended(cast: Cast) -> None:
    archive(cast)
    refused = cast.client_for("participant").get(
        reverse("dashboards:program", args=[cast.program.pk])
    )
    assert refused.status_code == 403
    assert "This program has ended" in refused.content.decode()
    assert "alumni space" in refused.content.decode()
    journal = cast.client_for("participant").get(
        reverse("reflections:journal", args=[cast.program.pk])
    )
    assert "This program has ended" in journal.content.decode()
    assert reverse("reflections:shared", args=[cast.program.pk]) not in journal.content.decode()


def test_while_the_program_runs_its_pages_say_nothing_of_an_end(cast: Cast) -> None:
    with time_machine.travel(LAST_DAY):
        journal = cast.client_for("participant").get(
            reverse("reflections:journal", args=[cast.program.pk])
        )
    assert "This program has ended" not in journal.content.decode()


def test_alumni_keep_their_partner_who_reads_only_what_is_shared_with_them(cast: Cast) -> None:
    plan_for(cast.participant, cast.program, partner=cast.teammate)
    archive(cast)
    client = cast.client_for("participant")
    plan_page = client.get(reverse("reflections:plan", args=[cast.program.pk])).content.decode()
    assert "Terry Teammate" in plan_page
    saved = client.post(
        reverse("reflections:plan", args=[cast.program.pk]),
        {
            "aspect": "How I listen in meetings I chair.",
            "action": "ask one open question before I give advice",
            "partner_user": str(cast.teammate.pk),
            "checkin_weekday": "4",
            "checkin_time": "09:00",
        },
    )
    assert saved.status_code == 302
    assert Plan.objects.get(user=cast.participant, program=cast.program).partner_user == (
        cast.teammate
    )
    client.post(
        reverse("reflections:checkin", args=[cast.program.pk]),
        checkin_data() | {"visibility": "partner"},
    )
    shared = CheckIn.objects.get(user=cast.participant, program=cast.program)
    url = reverse("reflections:checkin_detail", args=[shared.pk])
    assert cast.client_for("teammate").get(url).status_code == 200
    for who in ("other_participant", "coach", "former_participant"):
        assert cast.client_for(who).get(url).status_code == 404
