"""/healthz reports database, cache and broker, and answers 503 when one is down."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthy_installation_answers_200_without_login(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert (body["database"], body["cache"], body["broker"]) == ("ok", "ok", "ok")


def test_broker_down_gives_503_and_names_the_broker(db: None, settings: Any) -> None:
    settings.CELERY_BROKER_URL = DEAD_REDIS
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "down"
    assert body["broker"]["status"] == "down"
    assert body["database"] == "ok"


def test_cache_down_gives_503_and_names_the_cache(db: None, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    caches._settings = caches.settings = caches.configure_settings(None)  # type: ignore[attr-defined]
    try:
        response = Client().get("/healthz")
    finally:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert response.status_code == 503
    assert json.loads(response.content)["cache"]["status"] == "down"


def test_database_down_gives_503(transactional_db: None) -> None:
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
    assert json.loads(response.content)["database"]["status"] == "down"


def test_healthz_refuses_writes(db: None) -> None:
    assert Client().post("/healthz").status_code == 405
