from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "scheduler:heartbeat"


@shared_task(name="core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat; shows in /healthz that beat and a worker are alive."""
    cache.set(HEARTBEAT_CACHE_KEY, timezone.now().timestamp(), timeout=None)


@shared_task(name="core.tasks.purge_security_events", ignore_result=True)
def purge_security_events() -> int:
    """Scheduled daily by beat: security events past their retention are deleted."""
    from core.security import do_purge_security_events

    return do_purge_security_events()


@shared_task(name="core.tasks.ping")
def ping(value: str) -> str:
    """A round trip through the broker and the result backend."""
    return f"pong:{value}"
