"""The journal pages: my entries with search, theme filter and pages; writing, editing,
deleting and restoring an entry; entries shared with me; the export."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Program, User
from reflections.models import Prompt, ReadReceipt, Reflection, Tag, Visibility
from reflections.services import do_purge_deleted_reflections, normalize_tags
from tests import factories as f
from tests.conftest import Cast
from tests.reflections.builders import HTMX, write


def entry_data(**overrides: object) -> dict[str, object]:
    return {
        "title": "After the bed huddle",
        "body": "I asked **why** before I answered.",
        "tags": "Listening, questioning",
        "visibility": Visibility.PRIVATE,
        "prompt": "",
        "draft_token": "page-1",
    } | overrides


# Who may open the journal pages. --------------------------------------------------------


def test_the_403_page_says_why_in_words(cast: Cast) -> None:
    response = cast.client_for("coach").get(reverse("reflections:journal", args=[cast.program.pk]))
    assert b"belong to the program&#x27;s participants" in response.content


@pytest.mark.parametrize(
    ("name", "arg"),
    [
        ("reflections:draft_save", "program"),
        ("reflections:draft_discard", "program"),
        ("reflections:delete", "entry"),
        ("reflections:restore", "entry"),
    ],
)
def test_writes_refuse_get(cast: Cast, name: str, arg: str) -> None:
    entry = write(cast.participant, cast.program)
    target = cast.program.pk if arg == "program" else entry.pk
    response = cast.client_for("participant").get(reverse(name, args=[target]))
    assert response.status_code == 405
    entry.refresh_from_db()
    assert entry.deleted_at is None


# My journal. ----------------------------------------------------------------------------


def journal(client: Client, program: Program, **params: str) -> str:
    response = client.get(reverse("reflections:journal", args=[program.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_an_empty_journal_says_what_to_do_next(cast: Cast) -> None:
    html = journal(cast.client_for("participant"), cast.program)
    assert "No reflections yet — " in html
    assert "write your first" in html


def test_my_journal_lists_my_entries_newest_first_and_nobody_elses(cast: Cast) -> None:
    with time_machine.travel(datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)):
        write(cast.participant, cast.program, title="Older entry")
    with time_machine.travel(datetime.datetime(2026, 10, 8, 12, tzinfo=datetime.UTC)):
        write(cast.participant, cast.program, title="Newer entry")
    write(cast.teammate, cast.program, title="Teammate entry", visibility=Visibility.TEAM)
    html = journal(cast.client_for("participant"), cast.program)
    assert html.index("Newer entry") < html.index("Older entry")
    assert "Teammate entry" not in html


def test_search_finds_words_in_the_title_or_the_text_whatever_their_case(cast: Cast) -> None:
    write(cast.participant, cast.program, title="Stakeholder map", body="Mapped the ED.")
    write(cast.participant, cast.program, title="Huddle", body="The STAKEHOLDERS disagreed.")
    write(cast.participant, cast.program, title="Budget", body="Numbers again.")
    html = journal(cast.client_for("participant"), cast.program, q="stakeholder")
    assert "Stakeholder map" in html
    assert "Huddle" in html
    assert "Budget" not in html
    assert "2 entries found" in html


def test_a_search_without_results_says_so_and_offers_the_way_back(cast: Cast) -> None:
    write(cast.participant, cast.program)
    html = journal(cast.client_for("participant"), cast.program, q="zebra")
    assert "No entry matches “zebra”" in html
    assert "show all entries" in html


def test_the_theme_filter_shows_only_entries_with_that_theme(cast: Cast) -> None:
    write(cast.participant, cast.program, title="On listening", tags=("listening",))
    write(cast.participant, cast.program, title="On budgets", tags=("finance",))
    html = journal(cast.client_for("participant"), cast.program, tag="Listening")
    assert "On listening" in html
    assert "On budgets" not in html
    assert '<option value="finance">' in html  # my themes are offered in the filter


def test_an_htmx_search_returns_only_the_results(cast: Cast) -> None:
    write(cast.participant, cast.program, title="Stakeholder map")
    response = cast.client_for("participant").get(
        reverse("reflections:journal", args=[cast.program.pk]), {"q": "map"}, **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="journal-results">')
    assert "Stakeholder map" in html
    assert "<html" not in html


def test_the_journal_shows_twenty_entries_a_page(cast: Cast) -> None:
    for n in range(25):
        write(cast.participant, cast.program, title=f"Entry number {n:02d}")
    client = cast.client_for("participant")
    first = journal(client, cast.program)
    second = journal(client, cast.program, page="2")
    assert first.count("Entry number") == 20
    assert second.count("Entry number") == 5
    assert "Page 2 of 2" in second


def test_the_journal_tells_how_many_people_read_each_shared_entry(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility=Visibility.TEAM)
    cast.client_for("coach").get(reverse("reflections:detail", args=[entry.pk]))
    cast.client_for("teammate").get(reverse("reflections:detail", args=[entry.pk]))
    cast.client_for("coach").get(reverse("reflections:detail", args=[entry.pk]))
    assert "2 people" in journal(cast.client_for("participant"), cast.program)


def add_entries(author: User, program: Program, count: int) -> None:
    now = timezone.now()
    entries = Reflection.objects.bulk_create(
        Reflection(
            author=author,
            program=program,
            title=f"Entry {n}",
            body="Text",
            visibility=Visibility.TEAM if n % 2 else Visibility.PRIVATE,
            created_at=now - datetime.timedelta(hours=n),
            updated_at=now,
        )
        for n in range(count)
    )
    themes = [Tag.objects.get_or_create(name=name)[0] for name in ("listening", "feedback")]
    through = Reflection.tags.through
    through.objects.bulk_create(
        through(reflection_id=entry.pk, tag_id=tag.pk) for entry in entries for tag in themes
    )


def queries_for(user: User, url: str) -> int:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", ["", "?q=Entry", "?tag=listening", "?page=2"])
def test_the_journal_runs_the_same_queries_for_25_and_500_entries_and_at_most_10(
    cast: Cast, params: str
) -> None:
    # Both journals have a second page: a page past the end costs the count it needs.
    add_entries(cast.participant, cast.program, 25)
    add_entries(cast.teammate, cast.program, 500)
    url = reverse("reflections:journal", args=[cast.program.pk]) + params
    small = queries_for(cast.participant, url)
    large = queries_for(cast.teammate, url)
    assert small == large
    assert large <= 10


# Writing an entry. ----------------------------------------------------------------------


def test_writing_an_entry_saves_it_and_says_who_can_read_it(cast: Cast) -> None:
    client = cast.client_for("participant")
    response = client.post(
        reverse("reflections:write", args=[cast.program.pk]), entry_data(), follow=True
    )
    entry = Reflection.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reflections:detail", args=[entry.pk])
    assert entry.author == cast.participant
    assert entry.visibility == Visibility.PRIVATE
    assert entry.team == cast.team
    assert sorted(entry.tags.values_list("name", flat=True)) == ["listening", "questioning"]
    html = response.content.decode()
    assert "“After the bed huddle” is saved in your journal. Only you can read this entry." in html
    assert "<strong>why</strong>" in html


def test_a_new_entry_is_private_unless_the_writer_chooses(cast: Cast) -> None:
    html = cast.client_for("participant").get(reverse("reflections:write", args=[cast.program.pk]))
    assert b'value="private" required id="id_visibility_0" checked' in html.content


def test_the_write_page_names_the_team_and_coach_that_sharing_reaches(cast: Cast) -> None:
    html = cast.client_for("participant").get(reverse("reflections:write", args=[cast.program.pk]))
    assert b"Your team is Flow Forward; your learning coach is Casey Coach." in html.content


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": "   "}, "Write the reflection itself; it is empty."),
        ({"title": "  "}, "Give the entry a title: a few words to find it again."),
        ({"tags": ",".join(f"theme{n}" for n in range(11))}, "Use at most 10 learning themes"),
        ({"visibility": "sponsor"}, "Select a valid choice."),
        ({"body": "x" * 20001}, "The reflection is 20001 characters long; the limit is 20000."),
    ],
)
def test_bad_input_gets_a_clear_form_error_and_saves_nothing(
    cast: Cast, changes: dict[str, str], message: str
) -> None:
    response = cast.client_for("participant").post(
        reverse("reflections:write", args=[cast.program.pk]), entry_data(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "nothing has been saved yet" in response.content.decode()
    assert not Reflection.objects.exists()


def test_the_prompt_of_the_week_is_offered_and_chosen_by_default(cast: Cast) -> None:
    week_three = Prompt.objects.create(
        program=cast.program, text="Who outside your unit taught you something?", week_number=3
    )
    Prompt.objects.create(program=cast.program, text="Any week prompt")
    # The program starts on Monday 7 September 2026; 23 September is in its third week.
    with time_machine.travel(datetime.datetime(2026, 9, 23, 15, tzinfo=datetime.UTC)):
        html = (
            cast.client_for("participant")
            .get(reverse("reflections:write", args=[cast.program.pk]))
            .content.decode()
        )
    assert "This week’s prompt" in html
    assert f'<option value="{week_three.pk}" selected>' in html


def test_a_prompt_of_another_program_cannot_be_chosen(cast: Cast) -> None:
    foreign = Prompt.objects.create(program=f.ProgramFactory(), text="Elsewhere")
    response = cast.client_for("participant").post(
        reverse("reflections:write", args=[cast.program.pk]), entry_data(prompt=foreign.pk)
    )
    assert response.status_code == 400
    assert not Reflection.objects.exists()


def test_learning_themes_are_stored_normalised() -> None:
    assert normalize_tags(" Psychological  Safety, LISTENING,listening, , #feedback!") == [
        "psychological-safety",
        "listening",
        "feedback",
    ]


# An entry's page. -----------------------------------------------------------------------


def test_an_entry_shared_with_the_team_says_who_can_read_it_by_name(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility=Visibility.TEAM)
    html = (
        cast.client_for("participant")
        .get(reverse("reflections:detail", args=[entry.pk]))
        .content.decode()
    )
    assert (
        "You, your teammates on Flow Forward (Terry Teammate) and your learning coach, "
        "Casey Coach can read this entry. Sponsors and program admins never read journal "
        "entries." in html
    )


def test_a_reader_is_told_whose_entry_it_is_and_who_else_can_read_it(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility=Visibility.COACH)
    html = (
        cast.client_for("coach").get(reverse("reflections:detail", args=[entry.pk])).content
    ).decode()
    assert "By Pat Participant" in html
    assert "Pat Participant and their learning coach, Casey Coach can read this entry." in html


def test_an_entry_shared_with_my_coach_when_i_have_none_says_only_i_can_read_it(
    cast: Cast,
) -> None:
    cast.team.coach = None
    cast.team.save()
    entry = write(cast.participant, cast.program, visibility=Visibility.COACH)
    html = (
        cast.client_for("participant")
        .get(reverse("reflections:detail", args=[entry.pk]))
        .content.decode()
    )
    assert "Flow Forward has no learning coach yet, so only you can read it for now." in html


def test_an_entry_body_is_rendered_without_anything_executable(cast: Cast) -> None:
    entry = write(
        cast.participant,
        cast.program,
        visibility=Visibility.TEAM,
        body='Hi <img src=x onerror=alert(1)> <div hx-get="/x" hx-trigger="load">y</div>',
    )
    html = (
        cast.client_for("teammate").get(reverse("reflections:detail", args=[entry.pk]))
    ).content.decode()
    body = html.split('class="card rendered"')[1].split("</div>")[0]
    assert "onerror" not in body
    assert "hx-get" not in body
    assert "<img" not in body


# Editing, deleting and restoring. -------------------------------------------------------


def test_the_author_edits_an_entry_and_changes_who_can_read_it(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, tags=("old",))
    response = cast.client_for("participant").post(
        reverse("reflections:edit", args=[entry.pk]),
        entry_data(title="Changed", tags="new", visibility=Visibility.COACH),
        follow=True,
    )
    entry.refresh_from_db()
    assert entry.title == "Changed"
    assert entry.visibility == Visibility.COACH
    assert list(entry.tags.values_list("name", flat=True)) == ["new"]
    assert "Your changes are saved. You and your learning coach, Casey Coach" in (
        response.content.decode()
    )


def test_a_bad_edit_changes_nothing(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, title="Kept")
    response = cast.client_for("participant").post(
        reverse("reflections:edit", args=[entry.pk]), entry_data(title="", body="")
    )
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.title == "Kept"


def test_a_deleted_entry_leaves_the_journal_and_can_be_restored(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, title="Second thoughts")
    client = cast.client_for("participant")
    with time_machine.travel(datetime.datetime(2026, 11, 2, 15, tzinfo=datetime.UTC)):
        response = client.post(reverse("reflections:delete", args=[entry.pk]), follow=True)
    html = response.content.decode()
    assert "“Second thoughts” is moved to your deleted entries" in html
    assert "You can restore it until 2 December 2026." in html
    assert "Deleted entries (1)" in html
    assert "No reflections yet" in html
    deleted = client.get(reverse("reflections:deleted", args=[cast.program.pk])).content
    assert b"Second thoughts" in deleted
    response = client.post(reverse("reflections:restore", args=[entry.pk]), follow=True)
    assert "“Second thoughts” is back in your journal." in response.content.decode()
    entry.refresh_from_db()
    assert entry.deleted_at is None


def test_a_live_entry_cannot_be_restored_and_a_deleted_one_cannot_be_edited(
    cast: Cast,
) -> None:
    entry = write(cast.participant, cast.program)
    client = cast.client_for("participant")
    assert client.post(reverse("reflections:restore", args=[entry.pk])).status_code == 404
    client.post(reverse("reflections:delete", args=[entry.pk]))
    assert client.get(reverse("reflections:edit", args=[entry.pk])).status_code == 404


def test_the_bin_is_emptied_of_entries_deleted_more_than_30_days_ago(cast: Cast) -> None:
    start = datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)
    old = write(cast.participant, cast.program, title="Old", visibility=Visibility.TEAM)
    recent = write(cast.participant, cast.program, title="Recent")
    live = write(cast.participant, cast.program, title="Live")
    ReadReceipt.objects.create(reader=cast.coach, reflection=old, read_at=start)
    Reflection.objects.filter(pk=old.pk).update(deleted_at=start)
    Reflection.objects.filter(pk=recent.pk).update(deleted_at=start + datetime.timedelta(days=5))
    assert do_purge_deleted_reflections(now=start + datetime.timedelta(days=31)) == 1
    assert set(Reflection.objects.values_list("title", flat=True)) == {"Recent", "Live"}
    assert not ReadReceipt.objects.exists()
    assert live.pk in Reflection.objects.values_list("pk", flat=True)


def test_the_purge_task_is_registered_under_the_name_beat_uses(cast: Cast) -> None:
    from reflections.tasks import purge_deleted

    entry = write(cast.participant, cast.program)
    Reflection.objects.filter(pk=entry.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=45)
    )
    assert purge_deleted.name == "reflections.purge_deleted"
    assert purge_deleted.delay().get() == 1
    assert not Reflection.objects.exists()


# Shared with me. ------------------------------------------------------------------------


def test_a_coach_sees_the_entries_their_teams_members_shared_with_them(cast: Cast) -> None:
    write(cast.participant, cast.program, title="For my coach", visibility=Visibility.COACH)
    write(cast.teammate, cast.program, title="For the team", visibility=Visibility.TEAM)
    write(cast.other_participant, cast.program, title="Other team", visibility=Visibility.TEAM)
    html = (
        cast.client_for("coach")
        .get(reverse("reflections:shared", args=[cast.program.pk]))
        .content.decode()
    )
    assert "For my coach" in html
    assert "For the team" in html
    assert "Other team" not in html
    assert "Doubts" not in html


def test_a_teammate_sees_entries_shared_with_the_team_but_not_those_for_the_coach(
    cast: Cast,
) -> None:
    write(cast.participant, cast.program, title="For my coach", visibility=Visibility.COACH)
    write(cast.participant, cast.program, title="For the team", visibility=Visibility.TEAM)
    html = (
        cast.client_for("teammate")
        .get(reverse("reflections:shared", args=[cast.program.pk]))
        .content.decode()
    )
    assert "For the team" in html
    assert "For my coach" not in html


def test_an_empty_shared_list_says_what_will_appear_there(cast: Cast) -> None:
    html = cast.client_for("coach").get(reverse("reflections:shared", args=[cast.program.pk]))
    assert b"Nothing is shared with you yet." in html.content


def test_the_shared_list_shows_titles_without_counting_as_a_read(cast: Cast) -> None:
    write(cast.participant, cast.program, body="Body text", visibility=Visibility.COACH)
    html = cast.client_for("coach").get(reverse("reflections:shared", args=[cast.program.pk]))
    assert b"Body text" not in html.content
    assert not ReadReceipt.objects.exists()


# Export. --------------------------------------------------------------------------------


def exported(client: Client) -> tuple[dict[str, object], dict[str, str]]:
    response = client.get(reverse("reflections:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="actionlab-my-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = {name: archive.read(name).decode() for name in archive.namelist()}
    return json.loads(files.pop("actionlab-writing.json")), files


def test_the_export_holds_every_entry_of_mine_and_nothing_of_anyone_else(cast: Cast) -> None:
    from tests.reflections.builders import check_in, plan_for, team_entry

    mine = write(cast.participant, cast.program, title="Mine private", body="Mine one")
    shared = write(cast.participant, cast.program, title="Mine shared", visibility=Visibility.TEAM)
    gone = write(cast.participant, cast.program, title="Mine deleted")
    cast.client_for("participant").post(reverse("reflections:delete", args=[gone.pk]))
    check_in(cast.participant, cast.program, steps="My steps")
    plan_for(cast.participant, cast.program)
    started = team_entry(cast.team, cast.participant, title="Started by me")
    team_entry(cast.team, cast.teammate, title="Teammate team entry")
    # A teammate's writing, shared with me in every way possible.
    write(cast.teammate, cast.program, title="Teammate shared", visibility=Visibility.TEAM)
    check_in(cast.teammate, cast.program, steps="Teammate steps", visibility="partner")
    plan_for(cast.teammate, cast.program, partner=cast.participant)

    data, files = exported(cast.client_for("participant"))
    assert {r["title"] for r in data["reflections"]} == {mine.title, shared.title}  # type: ignore[index]
    assert [c["steps_taken"] for c in data["check_ins"]] == ["My steps"]  # type: ignore[index]
    assert len(data["be_better_now_plans"]) == 1  # type: ignore[arg-type]
    assert [t["title"] for t in data["team_reflections"]] == [started.title]  # type: ignore[index]
    everything = json.dumps(data) + "".join(files.values())
    for theirs in ("Teammate shared", "Teammate steps", "Teammate team entry"):
        assert theirs not in everything
    # A deleted entry is still mine: it comes in the bin.
    assert [r["title"] for r in data["bin"]] == [gone.title]  # type: ignore[index]
    assert any(name.startswith("reflections/") and "mine-private" in name for name in files)
    assert any(name.startswith("check-ins/") for name in files)
    assert any(name.startswith("be-better-now/") for name in files)
    assert any(name.startswith("team-reflections/") for name in files)
    assert "Mine one" in "".join(files.values())


def test_the_export_includes_team_reflections_i_edited_but_did_not_start(cast: Cast) -> None:
    from reflections.services import do_edit_team_reflection
    from tests.reflections.builders import team_entry

    entry = team_entry(cast.team, cast.teammate, title="Started by my teammate")
    do_edit_team_reflection(
        team_reflection=entry,
        by=cast.participant,
        title=entry.title,
        body="Improved by me",
        share_with_sponsor=False,
        base_version=1,
    )
    data, _ = exported(cast.client_for("participant"))
    assert [t["body"] for t in data["team_reflections"]] == ["Improved by me"]  # type: ignore[index]


def test_a_former_participant_can_still_export_their_writing(cast: Cast) -> None:
    write(cast.participant, cast.program, title="Before I left")
    cast.participant.memberships.update(is_active=False)
    data, _ = exported(cast.client_for("participant"))
    assert [r["title"] for r in data["reflections"]] == ["Before I left"]  # type: ignore[index]


def test_someone_without_writing_gets_an_empty_export(cast: Cast) -> None:
    data, files = exported(cast.client_for("outsider"))
    assert data["reflections"] == data["check_ins"] == data["team_reflections"] == []
    assert files == {}
