"""Pages kept between visits (core/page_cache.py): a repeat visit costs a cache read, and
no kept page outlives a write, whichever way it is made, or the moment time changes it."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.core.checks import run_checks
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.services import do_schedule_session
from core.page_cache import changes_data, csrf_mark, kept, kept_until, stamp, unread_tables
from notifications.kinds import Kind
from notifications.models import ReminderDelivery
from notifications.services import do_mark_all_read, do_notify
from programs.models import Program, User
from reflections.services import do_save_draft
from reflections.weeks import LocalWeek
from tests.conftest import Cast
from tests.dashboards.conftest import add_checkin
from tests.dashboards.test_home_roles import text

UTC = datetime.UTC


def visit(user: User, url: str = "/", client: Client | None = None) -> str:
    if client is None:
        client = Client()
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return text(response.content.decode())


def queries_of(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def signed_in(user: User) -> Client:
    """A client signed in once: signing in is itself a write, which would retire the page."""
    client = Client()
    client.force_login(user)
    return client


# What a repeat visit costs -------------------------------------------------------------


def test_a_repeat_visit_reads_the_session_the_reader_and_their_programs(cast: Cast) -> None:
    client = signed_in(cast.coach)
    first = queries_of(client, "/")
    again = queries_of(client, "/")
    # The session, the user and the header's programs: the coach's teams, flags, meetings
    # and unread entries are not read again.
    assert again == 3 < first


def test_a_draft_kept_on_the_home_is_offered_and_can_be_discarded_from_it(cast: Cast) -> None:
    client = signed_in(cast.participant)
    client.get("/")
    do_save_draft(
        user=cast.participant,
        program=cast.program,
        token="a" * 32,
        title="Half a thought",
        body="About the handover.",
        tags="",
        visibility="private",
        prompt=None,
    )
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(cast.participant)
    html = csrf_client.get("/").content.decode()
    assert "You have an unsaved draft, “Half a thought”" in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    discard = reverse("reflections:draft_discard", args=[cast.program.pk])
    response = csrf_client.post(discard, {"csrfmiddlewaretoken": token.group(1), "next": "/"})
    assert response.status_code == 302
    home = visit(cast.participant, client=csrf_client)
    assert "Your unsaved draft is discarded." in home
    assert "You have an unsaved draft" not in home


# Writes ---------------------------------------------------------------------------------


def test_a_check_in_saved_on_its_page_shows_on_the_kept_home_at_once(cast: Cast) -> None:
    client = signed_in(cast.participant)
    assert "Write this week’s check-in" in visit(cast.participant, client=client)
    checkin = reverse("reflections:checkin", args=[cast.program.pk])
    assert "Save" in visit(cast.participant, checkin, client=client)
    response = client.post(
        checkin,
        {
            "steps_taken": "Met the ward leads.",
            "next_focus": "Agree the rota.",
            "progress": "3",
            "visibility": "private",
        },
    )
    assert response.status_code == 302
    home = visit(cast.participant, client=client)
    assert "You have checked in this week" in home
    # The check-in page itself shows what was saved, not the empty form it kept.
    assert "Met the ward leads." in visit(cast.participant, checkin, client=client)


def test_bulk_inserts_and_bulk_updates_retire_the_kept_home(cast: Cast) -> None:
    client = signed_in(cast.participant)
    assert "None unread" in visit(cast.participant, client=client)
    # `do_notify` writes with bulk_create, which sends no model signal.
    do_notify(
        kind=Kind.SHARED_WITH_YOU,
        recipients=[cast.participant],
        program=cast.program,
        subject="An entry",
        link="/",
    )
    assert "1 unread" in visit(cast.participant, client=client)
    # A queryset update, no signal either.
    assert do_mark_all_read(user=cast.participant) == 1
    assert "None unread" in visit(cast.participant, client=client)


def test_a_write_in_raw_sql_renews_the_stamp(cast: Cast) -> None:
    client = signed_in(cast.coach)
    assert cast.program.name in visit(cast.coach, client=client)
    before = stamp()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE programs_program SET name = %s WHERE id = %s", ["Renamed", cast.program.pk]
        )
    assert stamp() != before
    assert "Renamed" in visit(cast.coach, client=client)


def test_writes_that_no_kept_page_reads_leave_the_stamp_alone(cast: Cast) -> None:
    week = LocalWeek.of(datetime.datetime.now(UTC), cast.participant.zone)
    delivery = ReminderDelivery.objects.create(
        user=cast.participant,
        program=cast.program,
        iso_year=week.iso_year,
        iso_week=week.iso_week,
        time_zone="UTC",
        due_at=datetime.datetime.now(UTC),
        created_at=datetime.datetime.now(UTC),
        queued_at=datetime.datetime.now(UTC),
        planned_by="00000000-0000-0000-0000-000000000001",
    )
    before = stamp()
    # The mail workers' bookkeeping and a session saved at each request.
    ReminderDelivery.objects.filter(pk=delivery.pk).update(status=ReminderDelivery.Status.SENT)
    session = SessionStore()
    session["seen"] = True
    session.save()
    assert stamp() == before
    # Any other write renews it.
    Program.objects.filter(pk=cast.program.pk).update(name="Renamed")
    assert stamp() != before


@pytest.mark.parametrize(
    ("sql", "changes"),
    [
        ('INSERT INTO "reflections_reflection" ("title") VALUES (%s)', True),
        # SQLite's bulk insert that skips conflicts, PostgreSQL's upsert.
        ('INSERT OR IGNORE INTO "reflections_audience" ("user_id") VALUES (%s)', True),
        (
            'INSERT INTO "reflections_audience" ("user_id") VALUES (%s) ON CONFLICT DO NOTHING',
            True,
        ),
        ('UPDATE "programs_user" SET "last_login" = %s', True),
        ('DELETE FROM "teams_teammember" WHERE "id" = %s', True),
        ('TRUNCATE "programs_program", "teams_team"', True),
        ('COPY "reflections_checkin" ("id") FROM STDIN', True),
        ('WITH due AS (SELECT 1) INSERT INTO "x" SELECT * FROM due', True),
        ('UPDATE "reflections_reminderdelivery" SET "status" = %s', False),
        ('INSERT INTO "django_session" ("session_key") VALUES (%s)', False),
        ('SELECT "id" FROM "programs_user" FOR UPDATE', False),
        ("WITH recent AS (SELECT 1) SELECT * FROM recent", False),
        ("SAVEPOINT s1", False),
    ],
)
def test_which_statements_renew_the_stamp(sql: str, changes: bool) -> None:
    assert changes_data(sql) is changes


KEPT_PAGES = [
    ("participant", "home"),
    ("coach", "home"),
    ("sponsor", "home"),
    ("program_admin", "home"),
    ("participant", "checkin"),
    ("participant", "journal"),
    ("participant", "project"),
    ("coach", "coach_dashboard"),
    ("sponsor", "sponsor_dashboard"),
    ("program_admin", "analytics"),
]


def kept_page_url(cast: Cast, page: str) -> str:
    return {
        "home": lambda: reverse("home"),
        "checkin": lambda: reverse("reflections:checkin", args=[cast.program.pk]),
        "journal": lambda: reverse("reflections:journal", args=[cast.program.pk]),
        "project": lambda: reverse("projects:detail", args=[cast.project.pk]),
        "coach_dashboard": lambda: reverse("dashboards:coach_dashboard", args=[cast.program.pk]),
        "sponsor_dashboard": lambda: reverse("projects:sponsor_dashboard"),
        "analytics": lambda: reverse("dashboards:analytics", args=[cast.program.pk]),
    }[page]()


@pytest.mark.parametrize(("who", "page"), KEPT_PAGES)
def test_a_repeat_visit_to_a_kept_page_runs_at_most_four_queries(
    cast: Cast, who: str, page: str
) -> None:
    client = signed_in(getattr(cast, who))
    url = kept_page_url(cast, page)
    first = queries_of(client, url)
    # The session, the reader, the access check (and the project, for its page) and the
    # header's programs, however much the page shows.
    again = queries_of(client, url)
    assert again <= 4
    assert again < first


@pytest.mark.parametrize(("who", "page"), KEPT_PAGES)
def test_no_kept_page_reads_the_tables_whose_writes_leave_the_stamp_alone(
    cast: Cast, who: str, page: str
) -> None:
    client = signed_in(getattr(cast, who))
    # A session row is read by every request, before the page: not by the kept part.
    tables = unread_tables() - {"django_session"}
    with CaptureQueriesContext(connection) as queries:
        assert client.get(kept_page_url(cast, page)).status_code == 200
    read = {t for q in queries.captured_queries for t in tables if f'"{t}"' in q["sql"]}
    assert read == set()


@pytest.mark.django_db(transaction=True)
def test_a_part_kept_between_a_write_and_its_commit_is_not_used_after_the_commit() -> None:
    program_name = "Before"
    with transaction.atomic():
        User.objects.create(email="writer@example.org")
        # A visit in another transaction, which cannot yet see the write, keeps what it
        # read under the stamp the write has just renewed.
        assert kept("probe", lambda: (program_name, [])) == "Before"
    # The commit renews the stamp again: the next visit reads the data anew.
    program_name = "After"
    assert kept("probe", lambda: (program_name, [])) == "After"


def test_a_release_retires_what_the_code_before_it_kept(db: None) -> None:
    assert kept("probe", lambda: ("old", [])) == "old"
    # What `migrate` sends at the end of every run, with or without migrations to apply.
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert kept("probe", lambda: ("new", [])) == "new"


def test_without_the_page_cache_every_visit_makes_the_page(settings: object, db: None) -> None:
    settings.PAGE_CACHE = False  # type: ignore[attr-defined]
    made = []
    for _ in range(2):
        kept("probe", lambda: (made.append(1) or "part", []))
    assert len(made) == 2


# Time -----------------------------------------------------------------------------------


def test_a_part_is_kept_until_its_first_moment_and_never_past_the_quarter_hour() -> None:
    now = datetime.datetime(2026, 12, 3, 10, 7, 30, tzinfo=UTC)
    assert kept_until(now, []) == datetime.datetime(2026, 12, 3, 10, 15, tzinfo=UTC)
    soon = datetime.datetime(2026, 12, 3, 10, 9, 10, tzinfo=UTC)
    later = datetime.datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    past = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert kept_until(now, [later, None, past, soon]) == soon
    # Made at its moment: good for that instant only.
    assert kept_until(soon, [soon]) == soon + datetime.timedelta(microseconds=1)
    # Midnight in Kathmandu (UTC+5:45) is 18:15 UTC, a quarter hour like every zone's.
    evening = datetime.datetime(2026, 12, 3, 18, 14, 59, tzinfo=UTC)
    assert kept_until(evening, []) == datetime.datetime(2026, 12, 3, 18, 15, tzinfo=UTC)


def test_the_coach_home_is_made_again_when_a_meeting_starts(cast: Cast) -> None:
    first = datetime.datetime(2026, 12, 3, 10, 5, tzinfo=UTC)
    second = datetime.datetime(2026, 12, 4, 10, 5, tzinfo=UTC)
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=UTC), tick=False):
        for starts_at in (first, second):
            do_schedule_session(
                team=cast.team,
                by=cast.coach,
                starts_at=starts_at,
                duration=datetime.timedelta(hours=1),
            )
    zone = cast.coach.zone
    first_day = f"{first.astimezone(zone):%A %-d %B, %H:%M}"
    second_day = f"{second.astimezone(zone):%A %-d %B, %H:%M}"
    client = signed_in(cast.coach)
    with time_machine.travel(datetime.datetime(2026, 12, 3, 10, 1, tzinfo=UTC), tick=False):
        home = visit(cast.coach, client=client)
        assert f"{first_day} : {cast.team.name}" in home
    # Five minutes on, nothing written: the first meeting has started, the next is listed.
    with time_machine.travel(datetime.datetime(2026, 12, 3, 10, 6, tzinfo=UTC), tick=False):
        home = visit(cast.coach, client=client)
        assert f"{first_day} : {cast.team.name}" not in home
        assert f"{second_day} : {cast.team.name}" in home


# Forms and readers ----------------------------------------------------------------------


def test_a_kept_form_carries_the_token_of_each_visitors_own_session(cast: Cast) -> None:
    page = reverse("projects:detail", args=[cast.project.pk])
    laptop = Client(enforce_csrf_checks=True)
    laptop.force_login(cast.participant)
    assert laptop.get(page).status_code == 200
    # Another session of the same person is served the kept page.
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(cast.participant)
    html = phone.get(page).content.decode()
    assert csrf_mark() not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    version = re.search(r'name="version" value="(\d+)"', html)
    assert token and version
    response = phone.post(
        reverse("projects:name", args=[cast.project.pk]),
        {
            "csrfmiddlewaretoken": token.group(1),
            "version": version.group(1),
            "title": "Fewer readmissions",
            "project_type": cast.project.project_type,
        },
    )
    assert response.status_code == 302
    assert "Fewer readmissions" in visit(cast.participant, page, client=phone)


def test_a_kept_page_is_its_readers_own(cast: Cast) -> None:
    mine = visit(cast.participant)
    theirs = visit(cast.other_participant)
    assert cast.team.name in mine and cast.other_team.name not in mine
    assert cast.other_team.name in theirs and cast.team.name not in theirs


def test_a_member_who_leaves_is_refused_the_page_kept_for_them(cast: Cast) -> None:
    page = reverse("projects:detail", args=[cast.project.pk])
    client = signed_in(cast.teammate)
    assert client.get(page).status_code == 200
    cast.team.members.filter(user=cast.teammate).delete()
    assert client.get(page).status_code == 403


def test_check_ins_of_past_weeks_show_on_the_kept_home_streak(cast: Cast) -> None:
    client = signed_in(cast.participant)
    assert "No streak yet" in visit(cast.participant, client=client)
    last_week = LocalWeek.of(datetime.datetime.now(UTC), cast.participant.zone).previous()
    add_checkin(cast.participant, cast.program, last_week)
    assert "1 week in a row" in visit(cast.participant, client=client)


def test_the_deployment_check_refuses_kept_pages_on_a_cache_of_one_process(
    settings: object, db: None
) -> None:
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    warnings = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "actionlab.W001" in warnings
    settings.PAGE_CACHE = False  # type: ignore[attr-defined]
    warnings = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "actionlab.W001" not in warnings
