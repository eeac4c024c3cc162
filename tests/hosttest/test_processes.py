"""The production processes, started for real on this host.

bin/release, bin/web, bin/worker and bin/beat run as separate processes against the local
PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379), each in a scratch
space of its own: a new database, and Redis database 13, emptied before and after.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

import psycopg
import pytest
import redis
from celery import Celery
from psycopg import sql

pytestmark = pytest.mark.hosttest

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_DB = 13
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"

# Only these variables of the test's own environment reach the processes; everything the
# application reads is set explicitly, so no test default (STATIC_MANIFEST=0,
# DJANGO_SETTINGS_MODULE, PYTEST_*, ...) changes how production behaves.
PASSED_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR")

STARTUP_TIMEOUT = 60.0
HEARTBEAT_TIMEOUT = 30.0
TASK_TIMEOUT = 30.0
RELEASE_TIMEOUT = 180.0
STOP_TIMEOUT = 40.0
LOG_TAIL_LINES = 80


def unavailable(reason: str) -> NoReturn:
    """Skip on a workstation without the services; in CI a missing service is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so the host test may not be skipped")
    pytest.skip(reason)


@pytest.fixture
def database_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards whatever the processes left."""
    name = f"actionlab_hosttest_{uuid.uuid4().hex[:12]}"
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
def redis_url() -> Iterator[str]:
    """Redis database 13, emptied before and after."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.flushdb()
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at 127.0.0.1:6379: {error}")
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HEALTHZ_TOKEN = "hosttest-health-token-" + uuid.uuid4().hex


def production_environment(
    database_url: str, redis_url: str, tmp_path: Path, bind: str
) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DEBUG": "0",
            "SECRET_KEY": "hosttest-secret-key-not-for-production-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # No TLS proxy in front of gunicorn here.
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_POOL": "true",
            "STATIC_ROOT": str(tmp_path / "staticfiles"),
            "CELERY_HEARTBEAT_SECONDS": "2",
            # Lets this test's probe see each part and the heartbeat in /healthz.
            "HEALTHZ_TOKEN": HEALTHZ_TOKEN,
            "CELERY_BEAT_SCHEDULE_DIR": str(tmp_path / "beat"),
            "BIND": bind,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class Topology:
    """The processes of one deployment, each in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, Path] = {}
        self._files: list[IO[bytes]] = []

    def _log(self, name: str) -> IO[bytes]:
        path = self.log_dir / f"{name}.log"
        self.logs[name] = path
        handle = path.open("wb")
        self._files.append(handle)
        return handle

    def _spawn(self, name: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(REPO_ROOT / "bin" / name)],
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log(name),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def release(self) -> int:
        """Run bin/release to the end; its exit code."""
        process = self._spawn("release")
        try:
            return process.wait(timeout=RELEASE_TIMEOUT)
        except subprocess.TimeoutExpired:
            signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            pytest.fail(f"bin/release did not finish within {RELEASE_TIMEOUT:.0f} s")

    def start(self, name: str) -> None:
        self.processes[name] = self._spawn(name)

    def assert_running(self) -> None:
        for name, process in self.processes.items():
            code = process.poll()
            assert code is None, f"bin/{name} exited early with code {code}"

    def stop(self) -> dict[str, int | None]:
        """SIGTERM every group, wait, then SIGKILL whatever is left of each group.

        Returns each process's exit code after SIGTERM, or None where SIGTERM was not enough.
        """
        for process in self.processes.values():
            signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        codes: dict[str, int | None] = {}
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                codes[name] = None
        for process in self.processes.values():
            # The leader's pid stays reserved while any member of its group lives, so this
            # reaches only what this test started (such as orphaned pool children).
            signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for handle in self._files:
            handle.close()
        return codes

    def print_log_tails(self) -> None:
        for name, path in self.logs.items():
            lines = path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            print(f"----- last {len(lines)} lines of bin/{name} ({path}) -----")
            print("\n".join(lines))


def signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def get_health(url: str) -> tuple[int | None, Any]:
    """(status, JSON body) of /healthz, or (None, the error) while nothing answers."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"X-Healthz-Token": HEALTHZ_TOKEN})
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read().decode(errors="replace")
        try:
            return error.code, json.loads(raw)
        except json.JSONDecodeError:
            return error.code, raw[:500]
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as error:
        return None, repr(error)


def wait_for_health(
    topology: Topology,
    url: str,
    ready: Callable[[dict[str, Any]], bool],
    timeout: float,
    what: str,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    status, body = None, None
    while time.monotonic() < deadline:
        topology.assert_running()
        status, body = get_health(url)
        if status == 200 and isinstance(body, dict) and ready(body):
            return body
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout:.0f} s; last /healthz answer: {status} {body}")


def test_release_web_worker_and_beat_run_together(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = production_environment(database_url, redis_url, tmp_path, f"127.0.0.1:{port}")
    health_url = f"http://127.0.0.1:{port}/healthz"
    topology = Topology(env, tmp_path)
    passed = False
    try:
        code = topology.release()
        assert code == 0, f"bin/release exited with code {code}"
        assert (tmp_path / "staticfiles" / "staticfiles.json").is_file(), (
            "collectstatic wrote no manifest"
        )

        for name in ("web", "worker", "beat"):
            topology.start(name)

        body = wait_for_health(
            topology,
            health_url,
            lambda body: body.get("status") == "ok",
            STARTUP_TIMEOUT,
            "/healthz did not answer 200 with status ok",
        )
        assert body["database"] == "ok"
        assert body["cache"] == "ok"
        assert body["broker"] == "ok"

        # A client of its own: the Django-configured app of this test session points
        # elsewhere.
        client = Celery("hosttest", broker=redis_url, backend=redis_url, set_as_current=False)
        try:
            result = client.send_task("core.ping", args=["hello"])
            assert result.get(timeout=TASK_TIMEOUT) == "pong:hello"
        finally:
            client.close()

        body = wait_for_health(
            topology,
            health_url,
            lambda body: body.get("scheduler_last_heartbeat") is not None,
            HEARTBEAT_TIMEOUT,
            "beat and the worker left no heartbeat",
        )
        assert body["status"] == "ok"
        passed = True
    finally:
        codes = topology.stop()
        if not passed or any(code != 0 for code in codes.values()):
            topology.print_log_tails()
    # Every process ends on its own on SIGTERM, as it must when a deployment replaces it.
    assert all(code == 0 for code in codes.values()), f"exit codes after SIGTERM: {codes}"
