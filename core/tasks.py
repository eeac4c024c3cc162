from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.core.cache import cache
from django.db import OperationalError
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "scheduler:heartbeat"

# A task that finds the database busy waits 1, 2, 4 ... (at most 60) seconds and tries again,
# up to this many times (about eight minutes in all) before it fails.
BUSY_DATABASE_MAX_RETRIES = 12
BUSY_DATABASE_MAX_DELAY = 60
BUSY_DATABASE_MESSAGES = ("database is locked", "database table is locked")


def is_busy_database(error: BaseException) -> bool:
    """SQLite's answer when another process held the write lock past the busy timeout."""
    return isinstance(error, OperationalError) and any(
        message in str(error).lower() for message in BUSY_DATABASE_MESSAGES
    )


class DatabaseTask(Task):
    """The base of every task (config/celery.py): a task that meets a busy database is
    retried with exponential backoff instead of failing for good. Its transaction was rolled
    back, and tasks write before they send, so the retry does the work once."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except OperationalError as error:
            if not is_busy_database(error):
                raise
            countdown = get_exponential_backoff_interval(
                factor=1,
                retries=self.request.retries,
                maximum=BUSY_DATABASE_MAX_DELAY,
                full_jitter=True,
            )
            raise self.retry(
                exc=error, countdown=countdown, max_retries=BUSY_DATABASE_MAX_RETRIES
            ) from error


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat; shows in /healthz that beat and a worker are alive."""
    cache.set(HEARTBEAT_CACHE_KEY, timezone.now().timestamp(), timeout=None)


@shared_task(name="core.purge_security_events", ignore_result=True)
def purge_security_events() -> int:
    """Scheduled daily by beat: security events past their retention are deleted."""
    from core.security import do_purge_security_events

    return do_purge_security_events()


@shared_task(name="core.ping")
def ping(value: str) -> str:
    """A round trip through the broker and the result backend."""
    return f"pong:{value}"


# Every task is named "<app>.<action>". These three were named after their module until
# December 2026: a message beat or a client queued under the old name before an upgrade
# still finds its task.
@shared_task(name="core.tasks.heartbeat", ignore_result=True)
def heartbeat_under_old_name() -> None:
    heartbeat()


@shared_task(name="core.tasks.purge_security_events", ignore_result=True)
def purge_security_events_under_old_name() -> int:
    return purge_security_events()


@shared_task(name="core.tasks.ping")
def ping_under_old_name(value: str) -> str:
    return ping(value)
