"""`make run`'s embedded default, run for real: bin/dev serves the demo on SQLite with a
Celery worker on a broker that is a folder, and no server besides itself. The web process
and the worker then write to the one SQLite file at the same time."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "riverside-health.example"
# Flow Forward, the demo's first team: its sponsor and its six members.
SPONSOR = f"evelyn.castellanos@{DOMAIN}"
MEMBERS = [
    f"{name}@{DOMAIN}"
    for name in (
        "aisha.mensah",
        "kevin.obrien",
        "sofia.delgado",
        "hannah.becker",
        "daniel.osei",
        "mei.lin",
    )
]
DOORS_EACH = 2
CHECK_INS_EACH = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(base: str, deadline: float, log: Path) -> dict[str, object]:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"bin/dev did not answer /healthz in time:\n{log.read_text()[-4000:]}")


@dataclass
class Embedded:
    base: str
    port: int
    log: Path
    database: Path
    queue: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        """Read the SQLite file as a separate process would (WAL lets it read while the
        app writes)."""
        with sqlite3.connect(self.database, timeout=30) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    """bin/dev on a scratch SQLite file, broker folder and beat schedule, started once."""
    tmp_path = tmp_path_factory.mktemp("embedded")
    port = free_port()
    queue = tmp_path / "queue"
    database = tmp_path / "actionlab.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "EMAIL_HOST",
            "EMAIL_BACKEND",
            "SITE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            # The run command itself brings the development tools (the demo) in.
            "DEVTOOLS",
        }
    } | {
        "DEBUG": "1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{database}",
        "CELERY_QUEUE_DIR": str(queue),
        "CELERY_BEAT_SCHEDULE_DIR": str(tmp_path),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # Edits elsewhere in the tree must not restart the server under the test.
        "AUTORELOAD": "0",
        # Beat's reminder planning and sweeping read and write all along.
        "REMINDERS_TICK_SECONDS": "2",
        "REMINDERS_SWEEP_SECONDS": "3",
    }
    log = tmp_path / "dev.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["bin/dev"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        health = wait_for_health(base, time.monotonic() + 180, log)
        assert health["status"] == "ok", health
        yield Embedded(base=base, port=port, log=log, database=database, queue=queue)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Browser:
    """One person's signed-in session, over plain HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> tuple[int, str, str]:
        return self.send(path, None)

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        return self.send(path, fields | {"csrfmiddlewaretoken": self.csrf()})

    def send(self, path: str, fields: dict[str, str] | None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(f"{self.base}{path}", data=data, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode(errors="replace")

    def sign_in(self, email: str, password: str) -> str:
        self.get("/accounts/login/")
        status, url, html = self.post("/accounts/login/", {"login": email, "password": password})
        assert status == 200 and url.rstrip("/") == self.base, (email, status, html[:2000])
        return html


def demo_password(output: str) -> str:
    return re.search(r"password “([^”]+)”", output).group(1)  # type: ignore[union-attr]


@pytest.mark.hosttest
def test_make_run_serves_the_demo_and_runs_tasks_without_any_server(
    embedded: Embedded,
) -> None:
    # Sign in as the demo program admin whose login seed_demo printed.
    output = embedded.output()
    email = re.search(r"program admin\s+(\S+@\S+)", output).group(1)  # type: ignore[union-attr]
    html = Browser(embedded.base).sign_in(email, demo_password(output))
    assert "Welcome, Dana" in html
    assert "System Leadership Academy" in html
    reach = re.search(r"(\d+) participants · (\d+) teams", html)
    assert reach, html[:2000]
    assert int(reach.group(1)) >= 24 and int(reach.group(2)) == 4

    # Today's demo: weeks of check-ins, the last of them last week.
    weeks = embedded.query(
        "SELECT count(DISTINCT week_starts_on), max(week_starts_on) FROM reflections_checkin"
    )
    [(distinct_weeks, latest)] = weeks
    assert int(distinct_weeks) >= 8  # type: ignore[call-overload]
    a_fortnight_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 15 * 86400))
    assert str(latest) >= a_fortnight_ago
    # The coach's grid shows them: mostly ✓, not a grid of ✗.
    coach = re.search(r"learning coach\s+(\S+@\S+)", output).group(1)  # type: ignore[union-attr]
    browser = Browser(embedded.base)
    browser.sign_in(coach, demo_password(output))
    [(program_id,)] = embedded.query("SELECT id FROM programs_program")
    status, _, grid = browser.get(f"/coaching/programs/{program_id}/")
    assert status == 200
    done, missed = grid.count("dash-cell dash-done"), grid.count("dash-cell dash-missed")
    assert done >= 40 and missed < done / 2, (done, missed)

    # A task round trip through the folder broker and the worker bin/dev started.
    queue = embedded.queue
    app = Celery("probe", broker="filesystem://", backend=f"file://{queue / 'results'}")
    app.conf.broker_transport_options = {
        "data_folder_in": str(queue / "out"),
        "data_folder_out": str(queue / "out"),
        "processed_folder": str(queue / "processed"),
        "control_folder": str(queue / "control"),
        "store_processed": False,
    }
    result = app.send_task("core.ping", args=["embedded"])
    assert result.get(timeout=60) == "pong:embedded"


@pytest.mark.hosttest
def test_web_and_worker_write_at_once_without_an_error_a_failed_task_or_a_second_email(
    embedded: Embedded,
) -> None:
    """Six members ask their sponsor for doors and save their check-in while the sponsor
    answers the doors: each request writes through the web process, each door's notification
    is emailed and recorded by the worker (and the first member's check-in emails her partner),
    and beat plans reminders every two seconds, all on the one SQLite file."""
    password = demo_password(embedded.output())
    [(project_id,)] = embedded.query(
        "SELECT p.id FROM projects_project p JOIN teams_team t ON p.team_id = t.id"
        " WHERE t.name = 'Flow Forward'"
    )
    [(program_id,)] = embedded.query("SELECT id FROM programs_program")
    doors_before = {row[0] for row in embedded.query("SELECT id FROM projects_doorrequest")}
    statuses: list[tuple[str, int]] = []

    def member(email: str) -> None:
        browser = Browser(embedded.base)
        browser.sign_in(email, password)
        for n in range(max(DOORS_EACH, CHECK_INS_EACH)):
            if n < DOORS_EACH:
                status, _, _ = browser.post(
                    f"/projects/{project_id}/doors/new/",
                    {"kind": "introduction", "request": f"Door probe {email} {n}."},
                )
                statuses.append(("ask a door", status))
            if n < CHECK_INS_EACH:
                status, _, _ = browser.post(
                    f"/programs/{program_id}/check-in/",
                    {
                        "steps_taken": f"Step {n}: asked before telling.",
                        "next_focus": f"Focus {n}: the ward huddle.",
                        "progress": "3",
                        "visibility": "private",
                    },
                )
                statuses.append(("check in", status))

    def sponsor(done: list[bool]) -> int:
        browser = Browser(embedded.base)
        browser.sign_in(SPONSOR, password)
        answered = 0
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            open_doors = [
                door_id
                for (door_id,) in embedded.query(
                    # Answered once the sponsor has had the notification's email.
                    "SELECT d.id FROM projects_doorrequest d WHERE d.project_id = ?"
                    " AND d.answered_at IS NULL AND d.request LIKE 'Door probe %'"
                    " AND EXISTS (SELECT 1 FROM notifications_notification n"
                    " JOIN notifications_emaildelivery e ON e.notification_id = n.id"
                    " WHERE n.kind = 'door_requested' AND e.status = 'sent'"
                    " AND n.link LIKE '%#door-' || d.id)",
                    project_id,
                )
            ]
            if done and not embedded.query(
                "SELECT id FROM projects_doorrequest WHERE answered_at IS NULL"
                " AND request LIKE 'Door probe %'"
            ):
                return answered
            for door_id in open_doors:
                status, _, _ = browser.post(
                    f"/projects/{project_id}/doors/{door_id}/answer/",
                    {"answer": "Yes: I will introduce you this week."},
                )
                statuses.append(("answer a door", status))
                answered += 1
            time.sleep(0.05)
        return answered

    done: list[bool] = []
    with ThreadPoolExecutor(max_workers=len(MEMBERS) + 1) as pool:
        answering = pool.submit(sponsor, done)
        for future in [pool.submit(member, email) for email in MEMBERS]:
            future.result()
        done.append(True)
        answered = answering.result()

    asked = len(MEMBERS) * DOORS_EACH
    assert [s for s in statuses if s[1] >= 400] == []
    assert len(statuses) == asked + len(MEMBERS) * CHECK_INS_EACH + answered
    assert answered == asked

    # Every door was answered, and its notification's email went out once, recorded as sent.
    probes = [
        row
        for row in embedded.query("SELECT id, request, answered_at FROM projects_doorrequest")
        if row[0] not in doors_before
    ]
    assert len(probes) == asked
    assert all(answered_at for _, _, answered_at in probes)
    emailed = [
        link
        for (link,) in embedded.query(
            "SELECT n.link FROM notifications_notification n"
            " JOIN notifications_emaildelivery e ON e.notification_id = n.id"
            " WHERE n.kind = 'door_requested' AND e.status = 'sent'"
        )
    ]
    for door_id, _, _ in probes:
        assert sum(link.endswith(f"#door-{door_id}") for link in emailed) == 1, door_id
    # No email carries a door's request; the links in them point at the port bin/dev serves.
    output = embedded.output()
    assert not any(request in output for _, request, _ in probes)
    assert f"http://127.0.0.1:{embedded.port}/notifications/" in output

    # Nothing failed in the web process or the worker.
    assert "Internal Server Error" not in output
    assert "raised unexpected" not in output
