"""Sessions: a new key at sign-in, dead after sign-out, ended when idle or too old."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from core.models import SecurityEvent
from core.sessions import LAST_SEEN_KEY, STARTED_KEY
from programs.models import User
from tests.security.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]
START = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def production_timeouts(settings: Settings) -> None:
    # The rest of the suite runs with timeouts of ten years (pyproject.toml); these tests
    # use the production defaults, which the last test reads from settings.py.
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def is_signed_in(client: Client) -> bool:
    response = client.get(reverse("home"))
    assert response.status_code in (200, 302)
    return response.status_code == 200


# Sign-in and sign-out. ----------------------------------------------------------------------


def test_signing_in_gives_the_session_a_new_key(person: User) -> None:
    client = Client()
    session = client.session  # an anonymous session, as a visitor (or an attacker) holds
    session["seen"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key

    assert sign_in(client, person.email).status_code == 302

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not SessionStore().exists(before)
    # The key handed out before sign-in opens nothing.
    planted = Client()
    planted.cookies[settings.SESSION_COOKIE_NAME] = before
    assert not is_signed_in(planted)
    assert is_signed_in(client)


def test_an_old_session_cookie_is_dead_after_signing_out(person: User) -> None:
    client = Client()
    sign_in(client, person.email)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert is_signed_in(client)

    assert client.post(reverse("account_logout")).status_code == 302

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert not is_signed_in(replay)
    assert not SessionStore().exists(cookie)


# Idle timeout and absolute lifetime. -------------------------------------------------------


def test_activity_keeps_the_session_alive_and_thirty_idle_minutes_end_it(person: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(person)
        assert is_signed_in(client)
        for _ in range(4):
            clock.shift(29 * MINUTE)
            assert is_signed_in(client)
        clock.shift(31 * MINUTE)
        response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "You were signed out after 30 minutes without activity." in response.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SESSION_EXPIRED)
    assert (event.user, event.details["reason"]) == (person, "idle")


def test_the_idle_clock_counts_from_the_last_request_not_from_sign_in(person: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(person)
        assert is_signed_in(client)
        clock.shift(20 * MINUTE)
        assert is_signed_in(client)
        clock.shift(20 * MINUTE)  # 40 minutes after sign-in, 20 after the last request
        assert is_signed_in(client)


def test_an_active_session_still_ends_at_the_absolute_lifetime(person: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(person)
        assert is_signed_in(client)
        for _ in range(35):  # a request every 20 minutes for 11 h 40 min
            clock.shift(20 * MINUTE)
            assert is_signed_in(client)
        clock.shift(21 * MINUTE)  # 12 h 01 min after sign-in
        response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "your session reached its limit of 12 hours" in response.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SESSION_EXPIRED)
    assert event.details["reason"] == "lifetime"


def test_the_timeouts_follow_the_settings(person: User, settings: Settings) -> None:
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    settings.SESSION_ABSOLUTE_LIFETIME = 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        idle = signed_in(person)
        assert is_signed_in(idle)
        clock.shift(6 * MINUTE)
        assert not is_signed_in(idle)

        busy = signed_in(person)
        assert is_signed_in(busy)
        for _ in range(14):  # every 4 minutes for 56 minutes
            clock.shift(4 * MINUTE)
            assert is_signed_in(busy)
        clock.shift(5 * MINUTE)
        assert not is_signed_in(busy)


def test_an_expired_session_is_gone_from_the_store_not_only_from_the_request(
    person: User,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(person)
        assert is_signed_in(client)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        clock.shift(31 * MINUTE)
        assert not is_signed_in(client)
    assert not SessionStore().exists(cookie)


def test_signing_in_again_starts_a_new_lifetime(person: User) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(person)
        assert is_signed_in(client)
        clock.shift(31 * MINUTE)
        assert not is_signed_in(client)
        assert sign_in(client, person.email).status_code == 302
        assert is_signed_in(client)
        clock.shift(29 * MINUTE)
        assert is_signed_in(client)


def test_a_session_from_before_the_timeouts_gets_its_clock_on_the_next_request(
    person: User,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(person)
        session = client.session
        for key in (STARTED_KEY, LAST_SEEN_KEY):
            del session[key]
        session.save()
        assert is_signed_in(client)
        assert client.session[STARTED_KEY] == START.timestamp()
        clock.shift(31 * MINUTE)
        assert not is_signed_in(client)


def session_settings(**env: str) -> list[str]:
    names = ("SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_LIFETIME", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in names}
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_IDLE_TIMEOUT, s.SESSION_ABSOLUTE_LIFETIME, s.SESSION_COOKIE_AGE)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_defaults_are_thirty_idle_minutes_and_twelve_hours_at_most() -> None:
    # Neither the cookie nor the stored session outlives the absolute lifetime.
    assert session_settings() == ["1800", "43200", "43200"]


def test_the_timeouts_are_read_from_the_environment() -> None:
    assert session_settings(SESSION_IDLE_TIMEOUT="600", SESSION_ABSOLUTE_LIFETIME="28800") == [
        "600",
        "28800",
        "28800",
    ]
