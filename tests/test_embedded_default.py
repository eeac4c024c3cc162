"""The embedded default (`make run`): links follow the port it serves, and SQLite shared by
the web process and the worker neither fails nor doubles work when both write at once."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from config.celery import app as celery_app
from core.tasks import BUSY_DATABASE_MAX_RETRIES
from notifications.models import ReminderDelivery
from notifications.tasks import send_digest_deliveries
from projects.models import DoorRequest
from projects.tasks import send_door_request
from reflections.models import ReminderKind
from tests.conftest import Cast

ROOT = Path(__file__).resolve().parents[1]
# The variables a test run sets that the embedded default must not see.
NOT_PASSED = {"DATABASE_URL", "REDIS_URL", "SITE_URL", "PORT", "SECRET_KEY", "EMAIL_HOST"}


def run_django(code: str, tmp_path: Path, **env: str) -> Any:
    """Run `code` in a fresh Python process set up as bin/dev sets it up (DEBUG on, the
    SQLite file in `tmp_path`), and return what it printed last, read as JSON."""
    environment = {k: v for k, v in os.environ.items() if k not in NOT_PASSED} | {
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'actionlab.sqlite3'}",
        "CELERY_QUEUE_DIR": str(tmp_path / "queue"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    script = "import django, json\ndjango.setup()\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# SITE_URL --------------------------------------------------------------------------------

PRINT_LINKS = """
    from django.conf import settings
    print(json.dumps(settings.SITE_URL))
"""


def test_links_in_emails_point_at_the_port_make_run_serves(tmp_path: Path) -> None:
    assert run_django(PRINT_LINKS, tmp_path, PORT="18801") == "http://127.0.0.1:18801"


def test_without_a_port_links_point_at_8000(tmp_path: Path) -> None:
    assert run_django(PRINT_LINKS, tmp_path) == "http://127.0.0.1:8000"


def test_a_site_url_that_is_set_wins_over_the_port(tmp_path: Path) -> None:
    site = run_django(PRINT_LINKS, tmp_path, PORT="18801", SITE_URL="https://al.example.org/")
    assert site == "https://al.example.org"


# SQLite ----------------------------------------------------------------------------------

# One thread reads and, while it holds its transaction, another writes and commits; then
# the first writes what it read plus one. SQLite's default (deferred) transactions fail the
# first with "database is locked" (its snapshot is stale); with the write lock taken at
# BEGIN, the second waits its turn and both count.
READ_THEN_WRITE = """
    import threading
    from django.db import OperationalError, connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    connection.close()
    errors = []
    wrote = threading.Event()

    def writer():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE counter SET n = n + 1")
            wrote.set()
        except OperationalError as error:
            errors.append(str(error))
        finally:
            connection.close()

    other = threading.Thread(target=writer)

    def reader_then_writer():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                n = cursor.fetchone()[0]
                other.start()
                wrote.wait(1)
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
        except OperationalError as error:
            errors.append(str(error))
        finally:
            connection.close()

    first = threading.Thread(target=reader_then_writer)
    first.start()
    first.join()
    other.join()
    with connection.cursor() as cursor:
        n = cursor.execute("SELECT n FROM counter").fetchone()[0]
    print(json.dumps({"journal_mode": journal_mode, "errors": errors, "n": n}))
"""


def test_two_writers_on_the_sqlite_file_both_succeed_and_neither_is_lost(
    tmp_path: Path,
) -> None:
    outcome = run_django(READ_THEN_WRITE, tmp_path)
    assert outcome == {"journal_mode": "wal", "errors": [], "n": 2}


# Tasks meeting a busy database -------------------------------------------------------------


@pytest.fixture(autouse=True)
def _retries_run_in_place() -> Iterator[None]:
    """Eager tasks run their retries at once, as a worker would run them later."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


def test_a_door_request_email_that_finds_the_database_locked_is_retried_and_sent_once(
    cast: Cast,
) -> None:
    door = DoorRequest.objects.create(
        project=cast.project, kind="introduction", request="An introduction to the CMO."
    )
    calls = 0

    def busy_then_real(*, door_id: int) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("database is locked")
        from projects.work_services import do_send_door_request_email

        return do_send_door_request_email(door_id=door_id)

    with mock.patch("projects.tasks.do_send_door_request_email", busy_then_real):
        assert send_door_request.delay(door.pk).get() is True

    assert [m.to for m in mail.outbox] == [[cast.sponsor.email]]
    door.refresh_from_db()
    assert door.notified_at is not None


def test_a_task_that_always_finds_the_database_locked_fails_after_its_retries(
    cast: Cast,
) -> None:
    door = DoorRequest.objects.create(project=cast.project, kind="resource", request="Time.")
    always_locked = mock.Mock(side_effect=OperationalError("database is locked"))

    with mock.patch("projects.tasks.do_send_door_request_email", always_locked):
        result = send_door_request.delay(door.pk)

    assert result.failed()
    assert isinstance(result.result, OperationalError)
    assert always_locked.call_count == BUSY_DATABASE_MAX_RETRIES + 1
    assert mail.outbox == []


def test_another_database_error_is_not_retried(cast: Cast) -> None:
    door = DoorRequest.objects.create(project=cast.project, kind="resource", request="Time.")
    broken = mock.Mock(side_effect=OperationalError("no such table: projects_doorrequest"))

    with mock.patch("projects.tasks.do_send_door_request_email", broken):
        assert send_door_request.delay(door.pk).failed()

    assert broken.call_count == 1


MONDAY_8 = datetime.datetime(2026, 11, 16, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def monday_morning() -> Iterator[None]:
    with time_machine.travel(MONDAY_8, tick=False):
        yield


def test_a_digest_whose_sent_mark_meets_a_locked_database_goes_out_once(
    cast: Cast, monday_morning: None
) -> None:
    digest = ReminderDelivery.objects.create(
        user=cast.coach,
        program=cast.program,
        kind=ReminderKind.COACH_DIGEST,
        iso_year=2026,
        iso_week=47,
        time_zone="UTC",
        due_at=MONDAY_8,
        planned_by=uuid.uuid4(),
        created_at=MONDAY_8,
        queued_at=MONDAY_8,
    )
    real_execute = CursorWrapper.execute
    locked = []

    def execute(self: CursorWrapper, sql: str, params: Any = None) -> Any:
        # The UPDATE that records the digest sent meets SQLite's write lock once.
        table = ReminderDelivery._meta.db_table
        if sql.startswith("UPDATE") and table in sql and "sent_at" in sql and not locked:
            locked.append(sql)
            raise OperationalError("database is locked")
        return real_execute(self, sql, params)

    with mock.patch.object(CursorWrapper, "execute", execute), mock.patch("time.sleep"):
        send_digest_deliveries.delay([digest.pk])

    assert locked
    assert [m.to for m in mail.outbox] == [[cast.coach.email]]
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == (ReminderDelivery.Status.SENT, 1)
