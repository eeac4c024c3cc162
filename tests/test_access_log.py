"""gunicorn's access log and the application's log keep no journal search words and no
secret from a path (calendar feed, invitation, unsubscribe and reset links)."""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from core.access_log import RedactingLogger, RedactSecretsFilter, redact_path

ROOT = Path(__file__).resolve().parent.parent
FEED_TOKEN = "Zq3k9VbX2mN7pL4rT8wY1cF6hJ0sD5gA"
INVITE_TOKEN = "inv_8fKd93jLs0Qm2Zx7Cv4Bn6"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/programs/3/journal/?q=my+burnout", "/programs/3/journal/"),
        (f"/calendar/{FEED_TOKEN}.ics", "/calendar/[token].ics"),
        (f"/programs/invitations/{INVITE_TOKEN}/", "/programs/invitations/[token]/"),
        (
            f"/programs/invitations/{INVITE_TOKEN}/sign-up/",
            "/programs/invitations/[token]/sign-up/",
        ),
        ("/reminders/unsubscribe/checkin/abc:1x2y3z/", "/reminders/unsubscribe/checkin/[token]/"),
        ("/accounts/password/reset/key/1a-set-password/", "/accounts/password/reset/key/[token]/"),
        (f"/something/new/{FEED_TOKEN}/", "/something/new/[token]/"),
        ("/projects/12/charter/", "/projects/12/charter/"),
    ],
)
def test_paths_lose_their_query_string_and_secrets(path: str, logged: str) -> None:
    assert redact_path(path) == logged


def access_line(path: str, referer: str = "-") -> str:
    config = Config()
    logger = RedactingLogger(config)
    raw_path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": raw_path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Firefox",
    }
    response = SimpleNamespace(status="200 OK", sent=120, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer), ("USER-AGENT", "Firefox")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=12))
    return config.access_log_format % atoms


def test_the_access_line_keeps_method_path_status_and_browser_only() -> None:
    line = access_line(
        "/programs/3/journal/?q=divorce",
        referer=f"https://al.example.org/calendar/{FEED_TOKEN}.ics?x=divorce",
    )
    assert '"GET /programs/3/journal/ HTTP/1.1" 200 120' in line
    assert "https://al.example.org/calendar/[token].ics" in line
    assert "divorce" not in line and FEED_TOKEN not in line
    assert "Firefox" in line and "10.0.0.5" in line


def test_the_application_log_loses_secrets_too() -> None:
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/programs/invitations/{INVITE_TOKEN}/",),
        None,
    )
    assert RedactSecretsFilter().filter(record)
    assert record.getMessage() == "Not Found: /programs/invitations/[token]/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_gunicorn_run_by_bin_web_logs_no_search_words_or_tokens(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))
    } | {
        "DEBUG": "0",
        "SECRET_KEY": "a-secret-key-for-the-access-log-test-only-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "EMAIL_HOST": "smtp.invalid",
        "STATIC_MANIFEST": "0",
        # An empty database: the feed lookup fails and Django logs the path with the error.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "bin" / "web")], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                opener.open(f"{base}/healthz", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers (503: the empty database has no tables yet)
            except OSError:
                time.sleep(0.3)
        for path in (
            "/programs/3/journal/?q=my+divorce",
            f"/calendar/{FEED_TOKEN}.ics",
            f"/programs/invitations/{INVITE_TOKEN}/",
        ):
            with contextlib.suppress(urllib.error.HTTPError):
                opener.open(base + path, timeout=5)
        time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = log.read_text()
    assert "GET /calendar/[token].ics HTTP/1.1" in text, text[-3000:]
    assert "GET /programs/3/journal/ HTTP/1.1" in text
    assert "divorce" not in text
    assert FEED_TOKEN not in text and INVITE_TOKEN not in text


def test_the_development_servers_request_lines_lose_their_query_strings() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /programs/3/journal/?q=divorce&page=2 HTTP/1.1", "200", "5120"),
        None,
    )
    assert RedactSecretsFilter().filter(record)
    assert record.getMessage() == '"GET /programs/3/journal/ HTTP/1.1" 200 5120'
    handlers = logging.getLogger("django.server").handlers
    assert any(isinstance(f, RedactSecretsFilter) for h in handlers for f in h.filters)
