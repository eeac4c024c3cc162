"""`make run`'s embedded default, run for real: bin/dev serves the demo on SQLite with a
Celery worker on a broker that is a folder, and no server besides itself."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


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
            time.sleep(1)
    pytest.fail(f"bin/dev did not answer /healthz in time:\n{log.read_text()[-4000:]}")


@pytest.mark.hosttest
def test_make_run_serves_the_demo_and_runs_tasks_without_any_server(tmp_path: Path) -> None:
    port = free_port()
    queue = tmp_path / "queue"
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "EMAIL_HOST",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    } | {
        "DEBUG": "1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'actionlab.sqlite3'}",
        "CELERY_QUEUE_DIR": str(queue),
        "CELERY_BEAT_SCHEDULE_DIR": str(tmp_path),
        "CELERY_TASK_ALWAYS_EAGER": "0",
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

        # Sign in as the demo program admin whose login seed_demo printed.
        output = log.read_text()
        email = re.search(r"program admin\s+(\S+@\S+)", output).group(1)  # type: ignore[union-attr]
        password = re.search(r"password “([^”]+)”", output).group(1)  # type: ignore[union-attr]
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{base}/accounts/login/", timeout=10).read()
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"login": email, "password": password, "csrfmiddlewaretoken": csrf}
        ).encode()
        home = opener.open(f"{base}/accounts/login/", data=form, timeout=10)
        html = home.read().decode()
        assert home.geturl().rstrip("/") == base, html[:2000]
        assert "Welcome, Dana" in html
        assert "System Leadership Academy" in html
        reach = re.search(r"(\d+) participants · (\d+) teams", html)
        assert reach, html[:2000]
        assert int(reach.group(1)) >= 24 and int(reach.group(2)) == 4

        # A task round trip through the folder broker and the worker bin/dev started.
        app = Celery(
            "probe",
            broker="filesystem://",
            backend=f"file://{queue / 'results'}",
        )
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue / "out"),
            "data_folder_out": str(queue / "out"),
            "processed_folder": str(queue / "processed"),
            "control_folder": str(queue / "control"),
            "store_processed": False,
        }
        result = app.send_task("core.tasks.ping", args=["embedded"])
        assert result.get(timeout=60) == "pong:embedded"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
