"""Weekly reminders delivered for real: bin/release, bin/worker and bin/beat as processes
against the local PostgreSQL and Redis, sending through SMTP to a local aiosmtpd sink that
counts what it receives.

Each test seeds 1,000 participants who are all due (a program of its own) and checks that
the sink received exactly one reminder per person, each with its own Message-ID, and that
every delivery row says sent: once undisturbed, once with a worker killed with SIGKILL
while it was sending (first one pool process, then the whole worker), and once with the
broker's queue flushed between planning and sending. One more run carries the whole
pipeline at once: the 1,000 reminders, a coach's weekly digest and an event notification
email, through a flushed queue and a worker killed while sending, each delivered exactly
once. The beat intervals and the sweeper's threshold come from the environment
(REMINDERS_*), in seconds instead of minutes.

The processes share one scratch database (h_reminders_*, dropped afterwards) and Redis
database 5, emptied before and after each test.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import IO, Any

import psycopg
import pytest
import redis
from aiosmtpd.controller import Controller
from psycopg import sql

from devtools.reminder_load import participant_email
from notifications.delivery import SEND_BATCH_SIZE
from tests.hosttest.test_processes import (
    POSTGRES_ADMIN_URL,
    REPO_ROOT,
    free_port,
    production_environment,
    signal_group,
    unavailable,
)

pytestmark = pytest.mark.hosttest

REDIS_URL = "redis://127.0.0.1:6379/5"
PARTICIPANTS = 1000
# The sweeper hands a delivery out again once it has been queued this long; short enough
# for a quick test, long enough that deliveries merely waiting their turn in the queue are
# seldom handed out twice (which would be harmless, only slower).
STUCK_AFTER_SECONDS = 5
DELIVERY_TIMEOUT = 150.0
COMMAND_TIMEOUT = 180.0
LOG_TAIL_LINES = 60


# The SMTP sink --------------------------------------------------------------------------


class Sink:
    """An SMTP server that records (recipient, Message-ID) for every message it accepts.

    `hold()` makes every new transaction wait at RCPT TO, before the message is sent, so
    that a worker can be killed at a known point in the middle of sending one; `held`
    counts the transactions waiting there. `delay` slows every transaction down."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, str]] = []
        self.delay = 0.0
        self.holding = False
        self.held = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.holding:
            with self.lock:
                self.held += 1
            try:
                while self.holding:
                    await asyncio.sleep(0.01)
            finally:
                with self.lock:
                    self.held -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = BytesHeaderParser().parsebytes(envelope.content)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient, str(headers["Message-ID"])))
        return "250 Message accepted for delivery"

    def hold(self) -> None:
        self.holding = True

    def release(self) -> None:
        self.holding = False

    def of(self, label: str) -> list[tuple[str, str]]:
        """What reached the participants seeded under `label`."""
        prefix = f"{label}-"
        with self.lock:
            return [item for item in self.received if item[0].startswith(prefix)]


@pytest.fixture(scope="module")
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release()
        controller.stop()


# The scratch database and the processes ------------------------------------------------


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    name = f"h_reminders_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        unavailable(f"PostgreSQL is not reachable at 127.0.0.1:5432: {error}")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"postgres://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    """Redis database 5, emptied before and after."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.flushdb()
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at 127.0.0.1:6379: {error}")
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def environment(
    database_url: str, sink: tuple[Sink, int], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The production environment of the processes, after bin/release ran once."""
    tmp_path = tmp_path_factory.mktemp("reminders")
    env = production_environment(database_url, REDIS_URL, tmp_path, "127.0.0.1:0")
    env.update(
        {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink[1]),
            "EMAIL_USE_TLS": "0",
            "REMINDERS_TICK_SECONDS": "1",
            "REMINDERS_SWEEP_SECONDS": "1",
            "REMINDERS_STUCK_AFTER_SECONDS": str(STUCK_AFTER_SECONDS),
            "WORKER_CONCURRENCY": "2",
        }
    )
    log = tmp_path / "release.log"
    with log.open("wb") as out:
        code = subprocess.run(
            [str(REPO_ROOT / "bin" / "release")],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=COMMAND_TIMEOUT,
            check=False,
        ).returncode
    assert code == 0, f"bin/release exited with {code}:\n{log.read_text()[-4000:]}"
    return env


class Processes:
    """bin/worker and bin/beat, each in its own process group, logging to a file; a
    process may be started again under the same name after it was killed."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.ended: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        self._files: list[IO[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        path = self.log_dir / f"{name}-{len(self.logs)}.log"
        self.logs.append(path)
        handle = path.open("wb")
        self._files.append(handle)
        process = subprocess.Popen(
            [str(REPO_ROOT / "bin" / name)],
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def kill(self, name: str) -> None:
        """SIGKILL the whole group: the worker's main process and its pool at once."""
        process = self.running.pop(name)
        signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.ended.append(process)

    def stop(self) -> None:
        for process in self.running.values():
            signal_group(process.pid, signal.SIGTERM)
        for process in self.running.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        for process in [*self.running.values(), *self.ended]:
            # The leader's pid stays reserved while any member of its group lives.
            signal_group(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        for handle in self._files:
            handle.close()

    def print_log_tails(self) -> None:
        for path in self.logs:
            lines = path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            print(f"----- last {len(lines)} lines of {path.name} -----")
            print("\n".join(lines))


@pytest.fixture
def processes(
    environment: dict[str, str], broker: redis.Redis, tmp_path: Path
) -> Iterator[Processes]:
    env = environment | {"CELERY_BEAT_SCHEDULE_DIR": str(tmp_path / "beat")}
    started = Processes(env, tmp_path)
    try:
        yield started
    finally:
        started.stop()
        # Shown by pytest when the test failed.
        started.print_log_tails()


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-4000:]}"
    return result.stdout


def seed(env: dict[str, str], label: str) -> int:
    """1,000 due participants in a program of their own; the program's id."""
    # The seed is a development tool, which the production environment leaves out.
    output = manage(
        env | {"DEVTOOLS": "1"}, "seed_reminder_load", str(PARTICIPANTS), "--label", label
    )
    return int(output.split("program ")[1].rstrip(".\n"))


def statuses(database_url: str, program_id: int) -> dict[str, int]:
    """The program's weekly reminders by status (not its coach digests)."""
    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT status, count(*) FROM reflections_reminderdelivery"
            " WHERE program_id = %s AND kind = 'checkin' GROUP BY status",
            [program_id],
        ).fetchall()
    return dict(rows)


def wait_until(what: str, done: Callable[[], bool], timeout: float = DELIVERY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout:.0f} s")


def assert_each_got_one_reminder(
    sink: Sink, label: str, database_url: str, program_id: int
) -> None:
    """Every participant received exactly one reminder and every delivery row says sent,
    also after a pause that would let a late duplicate arrive."""
    wait_until(
        "every delivery was recorded sent",
        lambda: statuses(database_url, program_id) == {"sent": PARTICIPANTS},
    )
    # Nothing is left to send; anything that still arrives now is a second copy.
    time.sleep(STUCK_AFTER_SECONDS / 2)
    received = sink.of(label)
    per_recipient = Counter(recipient for recipient, _ in received)
    expected = {participant_email(label, n) for n in range(1, PARTICIPANTS + 1)}
    assert set(per_recipient) == expected
    duplicates = {recipient: n for recipient, n in per_recipient.items() if n > 1}
    assert duplicates == {}, f"{len(duplicates)} people got more than one reminder"
    assert len({message_id for _, message_id in received}) == PARTICIPANTS
    assert statuses(database_url, program_id) == {"sent": PARTICIPANTS}


def pool_processes(worker: subprocess.Popen[bytes]) -> list[int]:
    """The pids of the worker's pool processes (its children)."""
    path = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    return [int(pid) for pid in path.read_text().split()]


# The tests ------------------------------------------------------------------------------


def test_one_thousand_due_participants_get_one_reminder_each(
    processes: Processes, environment: dict[str, str], database_url: str, sink: tuple[Sink, int]
) -> None:
    label = f"plain{uuid.uuid4().hex[:6]}"
    program_id = seed(environment, label)

    processes.start("worker")
    processes.start("beat")

    assert_each_got_one_reminder(sink[0], label, database_url, program_id)


def test_a_worker_sends_batch_after_batch_over_the_database_connection_it_keeps(
    processes: Processes, environment: dict[str, str], database_url: str, sink: tuple[Sink, int]
) -> None:
    """Celery's Django support would close the connection after every task, so that each
    batch of 50 opened a new one (a new PostgreSQL server process): the worker keeps it."""
    label = f"conn{uuid.uuid4().hex[:6]}"
    program_id = seed(environment, label)
    assert manage(environment, "plan_reminders") == f"Planned {PARTICIPANTS} reminders.\n"

    processes.start("worker")
    assert_each_got_one_reminder(sink[0], label, database_url, program_id)

    with psycopg.connect(database_url) as db:
        row = db.execute(
            "SELECT max(sent_at) FROM reflections_reminderdelivery WHERE program_id = %s",
            [program_id],
        ).fetchone()
        assert row is not None
        kept = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_start <= %s",
            [row[0]],
        ).fetchone()
    # Still open after the last batch: a connection opened before the last one was sent.
    assert kept is not None and kept[0] >= 1


def test_a_worker_killed_while_sending_leaves_no_reminder_unsent_or_doubled(
    processes: Processes, environment: dict[str, str], database_url: str, sink: tuple[Sink, int]
) -> None:
    smtp = sink[0]
    label = f"kill{uuid.uuid4().hex[:6]}"
    program_id = seed(environment, label)
    # Slow enough that the batches are still being sent when the kills land.
    smtp.delay = 0.01
    try:
        worker = processes.start("worker")
        processes.start("beat")
        wait_until("the first reminders arrived", lambda: len(smtp.of(label)) >= 100)

        # Both pool processes wait at RCPT TO, in the middle of sending a reminder: kill one.
        smtp.hold()
        wait_until("both pool processes were sending", lambda: smtp.held >= 2, timeout=30)
        os.kill(pool_processes(worker)[0], signal.SIGKILL)
        smtp.release()
        wait_until("more reminders arrived", lambda: len(smtp.of(label)) >= 300)

        # Then the whole worker, main process and pool, while sending; start a new one.
        smtp.hold()
        wait_until("the worker was sending", lambda: smtp.held >= 1, timeout=30)
        processes.kill("worker")
        smtp.release()
        sent_before_restart = len(smtp.of(label))
        assert sent_before_restart < PARTICIPANTS
        processes.start("worker")

        assert_each_got_one_reminder(smtp, label, database_url, program_id)
    finally:
        smtp.release()
        smtp.delay = 0.0


def test_reminders_lost_with_the_broker_queue_are_sent_by_the_sweeper(
    processes: Processes,
    environment: dict[str, str],
    database_url: str,
    sink: tuple[Sink, int],
    broker: redis.Redis,
) -> None:
    label = f"flush{uuid.uuid4().hex[:6]}"
    program_id = seed(environment, label)
    # Planned and handed to the broker while no worker runs, then the queue is lost.
    assert manage(environment, "plan_reminders") == f"Planned {PARTICIPANTS} reminders.\n"
    assert broker.llen("celery") == math.ceil(PARTICIPANTS / SEND_BATCH_SIZE)
    broker.flushdb()
    assert statuses(database_url, program_id) == {"queued": PARTICIPANTS}

    processes.start("worker")
    processes.start("beat")

    assert_each_got_one_reminder(sink[0], label, database_url, program_id)


# The whole pipeline at once -------------------------------------------------------------

# Run with `manage.py shell -c` in the processes' environment: the load program gets a
# team, its coach (whose weekly digest is due: Monday 08:00 has passed on her clock) and
# its sponsor, who is told of a door request at once by email (planned after commit and
# handed to the broker, where no worker runs yet).
ADVISORS = """
import datetime
from django.db import transaction
from django.utils import timezone
from notifications.kinds import Kind
from notifications.services import do_notify
from programs.models import Membership, Program, Role, User
from teams.models import Team, TeamMember

program = Program.objects.get(pk={program_id})
cohort = program.cohorts.get()
now = timezone.now()
# A zone whose Monday 08:00 has passed this week (UTC, except early on a Monday).
zone = "Pacific/Kiritimati" if now.weekday() == 0 and now.hour < 8 else "UTC"
with transaction.atomic():
    coach = User.objects.create_user(email="{coach}", first_name="Cora", last_name="Coach",
                                     time_zone=zone)
    sponsor = User.objects.create_user(email="{sponsor}", first_name="Sam", last_name="Sponsor")
    for person, role in ((coach, Role.COACH), (sponsor, Role.SPONSOR)):
        Membership.objects.create(user=person, program=program, cohort=cohort, role=role)
    team = Team.objects.create(cohort=cohort, name="Flow Forward", coach=coach, sponsor=sponsor)
    for member in Membership.objects.filter(program=program, role=Role.PARTICIPANT)[:4]:
        TeamMember.objects.create(team=team, cohort=cohort, user_id=member.user_id)
    do_notify(kind=Kind.DOOR_REQUESTED, recipients=[sponsor], program=program,
              subject="Flow Forward asks you to open a door", link="/")
"""


def email_statuses(database_url: str, address: str) -> list[str]:
    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT d.status FROM notifications_emaildelivery d"
            " JOIN programs_user u ON u.id = d.recipient_id WHERE u.email = %s",
            [address],
        ).fetchall()
    return [status for (status,) in rows]


def digest_statuses(database_url: str, address: str) -> list[str]:
    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT d.status FROM reflections_reminderdelivery d"
            " JOIN programs_user u ON u.id = d.user_id"
            " WHERE u.email = %s AND d.kind = 'coach_digest'",
            [address],
        ).fetchall()
    return [status for (status,) in rows]


def test_reminders_a_coach_digest_and_an_event_email_arrive_once_through_a_flush_and_a_kill(
    processes: Processes,
    environment: dict[str, str],
    database_url: str,
    sink: tuple[Sink, int],
    broker: redis.Redis,
) -> None:
    smtp = sink[0]
    label = f"all{uuid.uuid4().hex[:6]}"
    coach, sponsor = f"coach.{label}@advisors.example", f"sponsor.{label}@advisors.example"
    program_id = seed(environment, label)
    manage(
        environment,
        "shell",
        "-c",
        ADVISORS.format(program_id=program_id, coach=coach, sponsor=sponsor),
    )
    # The reminders are planned and handed to the broker too, then the whole queue is lost:
    # the reminders' batches and the event email's.
    assert manage(environment, "plan_reminders") == f"Planned {PARTICIPANTS} reminders.\n"
    assert broker.llen("celery") == math.ceil(PARTICIPANTS / SEND_BATCH_SIZE) + 1
    broker.flushdb()
    assert email_statuses(database_url, sponsor) == ["queued"]

    smtp.delay = 0.01
    try:
        # Beat plans the digest; the sweeper hands out what the flush lost.
        processes.start("worker")
        processes.start("beat")
        wait_until("the first reminders arrived", lambda: len(smtp.of(label)) >= 100)

        # The whole worker is killed with SIGKILL while it sends; a new one starts.
        smtp.hold()
        wait_until("the worker was sending", lambda: smtp.held >= 1, timeout=30)
        processes.kill("worker")
        smtp.release()
        assert len(smtp.of(label)) < PARTICIPANTS
        processes.start("worker")

        assert_each_got_one_reminder(smtp, label, database_url, program_id)
        wait_until(
            "the digest and the event email were recorded sent",
            lambda: (
                digest_statuses(database_url, coach) == ["sent"]
                and email_statuses(database_url, sponsor) == ["sent"]
            ),
        )
        time.sleep(STUCK_AFTER_SECONDS / 2)
        with smtp.lock:
            advisors = Counter(r for r, _ in smtp.received if r in (coach, sponsor))
        assert advisors == {coach: 1, sponsor: 1}
    finally:
        smtp.release()
        smtp.delay = 0.0
