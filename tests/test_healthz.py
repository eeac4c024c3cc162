"""/healthz answers 503 when the database, cache or broker is down. Anonymous callers see
only the overall state; staff and a probe with the health token see which part is down;
nobody sees a driver's error (hosts, ports, users)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from tests import factories as f

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
TOKEN = "a-long-random-health-token"


def probe(client: Client | None = None, **headers: str) -> tuple[int, dict[str, Any]]:
    response = (client or Client()).get("/healthz", headers=headers)
    return response.status_code, json.loads(response.content)


def test_healthy_installation_answers_200_with_only_its_state_to_anyone(db: None) -> None:
    assert probe() == (200, {"status": "ok"})


def test_a_probe_with_the_health_token_sees_each_part(db: None, settings: Any) -> None:
    settings.HEALTHZ_TOKEN = TOKEN
    status, body = probe(**{"X-Healthz-Token": TOKEN})
    assert status == 200
    assert (body["database"], body["cache"], body["broker"]) == ("ok", "ok", "ok")
    assert "scheduler_last_heartbeat" in body


def test_a_wrong_or_missing_token_sees_only_the_state(db: None, settings: Any) -> None:
    settings.HEALTHZ_TOKEN = TOKEN
    assert probe(**{"X-Healthz-Token": "guess"}) == (200, {"status": "ok"})
    settings.HEALTHZ_TOKEN = ""
    assert probe(**{"X-Healthz-Token": ""}) == (200, {"status": "ok"})


def test_staff_see_each_part(db: None) -> None:
    client = Client()
    client.force_login(f.UserFactory(is_staff=True))
    status, body = probe(client)
    assert status == 200 and body["database"] == "ok"


def test_broker_down_gives_503_and_no_driver_error_to_anyone(
    db: None, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CELERY_BROKER_URL = DEAD_REDIS
    settings.HEALTHZ_TOKEN = TOKEN
    assert probe() == (503, {"status": "down"})
    status, body = probe(**{"X-Healthz-Token": TOKEN})
    assert status == 503
    assert (body["status"], body["broker"], body["database"]) == ("down", "down", "ok")
    response = Client().get("/healthz", headers={"X-Healthz-Token": TOKEN})
    assert b"127.0.0.1" not in response.content and b"Error" not in response.content
    # The operator still finds the cause in the server's log.
    assert "the broker is down" in caplog.text


def test_cache_down_gives_503_and_names_the_cache_to_staff(db: None, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    settings.HEALTHZ_TOKEN = TOKEN
    caches._settings = caches.settings = caches.configure_settings(None)  # type: ignore[attr-defined]
    try:
        status, body = probe(**{"X-Healthz-Token": TOKEN})
    finally:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert status == 503
    assert body["cache"] == "down"


def test_database_down_gives_503_without_host_or_port(transactional_db: None) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot be disconnected; CI runs this")
    # Point the real connection at a port where no database listens.
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = Client().get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "down"}
    assert b"port" not in response.content and b"127.0.0.1" not in response.content
