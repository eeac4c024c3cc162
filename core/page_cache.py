"""Parts of pages kept rendered between visits, used only while their data is unchanged.

A kept part is stored with the *data stamp* it was made under, a random token that every
write to the database replaces, and is used only while the stamp is still the same.
Writes are seen where they happen, at the database connection (an execute wrapper on every
connection: `INSERT`, `UPDATE`, `DELETE`, whether from a model's `save()`, a bulk update,
a bulk insert or raw SQL), in every process that runs the project's code: web, workers,
management commands. So a kept part never outlives the data it was made from: the next
visit after any write makes it again.

The stamp changes when the write is made and again when its transaction commits: a visit
between the two may read the stamp of the write and the data from before it, and the
second change retires what that visit kept. A stamp is never reused (a random token, not a
counter), so a stamp evicted from the cache cannot bring back an old part.

Time passing changes a page as writes do (a check-in falls due, a meeting starts, a day
ends in someone's time zone): each part is kept until the next such moment the page knows
of, and never past the next quarter hour (every time zone's midnight falls on a quarter
hour), then made again.

The writes no kept part reads are left out, so that the mail workers' bookkeeping does not
retire every page: the sessions, the security log and what apps declare with `not_kept`
(the outgoing-email rows). `tests/test_page_cache.py` checks that no kept part reads them.

Only with a cache shared by every process (Redis: `PAGE_CACHE`, on when `REDIS_URL` is
set); with the local-memory cache a worker's writes would not reach the web process.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

STAMP_KEY = "page-cache:stamp"
KEEP_AT_MOST = datetime.timedelta(minutes=15)

# A statement that writes to one table, named first; then those that may write to several.
WRITE = re.compile(
    r"\s*(?:(?:INSERT|UPDATE)(?:\s+OR\s+\w+)?(?:\s+INTO)?|REPLACE\s+INTO|DELETE\s+FROM)\s+\"?(\w+)",
    re.I,
)
OTHER_WRITE = re.compile(
    r"\s*(?:TRUNCATE|MERGE|COPY\b.*\bFROM|WITH\b.*\b(?:INSERT|UPDATE|DELETE)\b)", re.I | re.S
)


# The models no kept part reads, whose writes leave the stamp alone (`not_kept`).
_unread: set[type[Model]] = set()
_unread_tables: frozenset[str] | None = None


def not_kept(*models: type[Model]) -> None:
    """Declare that no kept part reads `models` (an app does in its `ready()`), so that
    writing them leaves the stamp alone. `tests/test_page_cache.py` reads every kept page
    and checks that none of them does."""
    global _unread_tables
    _unread.update(models)
    _unread_tables = None


def unread_tables() -> frozenset[str]:
    """The tables whose writes leave the stamp alone: the sessions, the security log and
    the models declared with `not_kept`."""
    global _unread_tables
    if _unread_tables is None:
        from django.contrib.sessions.models import Session

        from core.models import SecurityEvent

        models: set[type[Model]] = {Session, SecurityEvent, *_unread}
        _unread_tables = frozenset(m._meta.db_table for m in models)
    return _unread_tables


def changes_data(sql: str) -> bool:
    """Whether the statement `sql` may change what a kept part shows."""
    if (match := WRITE.match(sql)) is not None:
        return match.group(1) not in unread_tables()
    return OTHER_WRITE.match(sql) is not None


def stamp() -> str:
    """The current data stamp."""
    found = cache.get(STAMP_KEY)
    if found is None:
        cache.add(STAMP_KEY, uuid.uuid4().hex, timeout=None)
        found = cache.get(STAMP_KEY)
    return str(found)


def renew_stamp() -> None:
    """Retire every kept part."""
    if settings.PAGE_CACHE:
        cache.set(STAMP_KEY, uuid.uuid4().hex, timeout=None)


def renew_after_migrate(**kwargs: object) -> None:
    """A release runs `migrate`, with or without migrations to apply: what was kept was
    made by the code before it."""
    renew_stamp()


def _renew_after_commit() -> None:
    renew_stamp()


def data_written(connection: BaseDatabaseWrapper) -> None:
    """Retire every kept part now and, in a transaction, again when it commits."""
    if not settings.PAGE_CACHE:
        return
    renew_stamp()
    # Once per transaction: each pending callback is (savepoints, function, robust).
    if connection.in_atomic_block and not any(
        callback[1] is _renew_after_commit for callback in connection.run_on_commit
    ):
        transaction.on_commit(_renew_after_commit, using=connection.alias)


def watch_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """The execute wrapper of every connection (`watch_connection`)."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and changes_data(sql):
        data_written(context["connection"])
    return result


def watch_connection(connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def watch_all_connections() -> None:
    """Watch the writes of every connection, those opened already and those to come."""
    from django.db.backends.signals import connection_created

    connection_created.connect(watch_connection)
    for connection in connections.all(initialized_only=True):
        watch_connection(connection)


def kept_until(
    now: datetime.datetime, moments: Iterable[datetime.datetime | None]
) -> datetime.datetime:
    """The first of `moments` from `now` on, and at the latest the next quarter hour. A
    part made at one of its moments is good for that instant only."""
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    until = quarter + KEEP_AT_MOST
    for moment in moments:
        if moment is not None and now <= moment < until:
            until = max(moment, now + datetime.timedelta(microseconds=1))
    return until


def kept(name: str, make: Callable[[], tuple[str, Iterable[datetime.datetime | None]]]) -> str:
    """The part `name` as kept under the current stamp, else made now by `make` (which
    returns the part and the moments at which time passing changes it) and kept until the
    first of them. `name` names the part and everything else it depends on: the reader,
    the page's object, the query string."""
    if not settings.PAGE_CACHE:
        return make()[0]
    key = f"page-cache:part:{name}"
    # One round trip: the stamp and the part, which holds the stamp it was made under and
    # the moment it is good until (checked here: the cache's own expiry is not the clock
    # the page is made by).
    found = cache.get_many([STAMP_KEY, key])
    current = found.get(STAMP_KEY)
    if current is None:
        current = stamp()
    now = timezone.now()
    match found.get(key):
        case (made_under, until, part) if made_under == current and now.timestamp() < until:
            return str(part)
    part, moments = make()
    until = kept_until(now, moments)
    seconds = max(1, int((until - now).total_seconds()))
    cache.set(key, (current, until.timestamp(), part), timeout=seconds)
    return part


def csrf_mark() -> str:
    """What a kept part holds where a form's CSRF token goes: a token is good for the
    session it was made in only, so each visit puts its own in (`render_kept`)."""
    return "kept-csrf-" + salted_hmac("page-cache-csrf", "mark", algorithm="sha256").hexdigest()


def render_kept(
    request: HttpRequest,
    template_name: str,
    name: str,
    make: Callable[[], dict[str, Any]],
    *,
    context: dict[str, Any] | None = None,
    moments: Callable[[dict[str, Any]], Iterable[datetime.datetime | None]] = lambda c: (),
) -> HttpResponse:
    """The page `template_name`, whose partial `kept` (the page less its header, messages
    and whatever must be read at each visit) is kept under `name` and the query string
    (`kept`). `make` gives the partial's context, and is called only when the part is
    made; `context` is the page's and the partial's (`make` may add to it what it read
    for the page: the header's programs); `moments` gives, from the partial's context, the
    moments at which time passing changes it. The part's forms get this visit's CSRF
    token."""
    page = {} if context is None else context
    mark = csrf_mark()
    # Pages and filters asked for, and the links made from them (`page_query`).
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:24]

    def make_part() -> tuple[str, Iterable[datetime.datetime | None]]:
        part_context = page | make() | {"csrf_token": mark}
        html = render_to_string(f"{template_name}#kept", part_context, request=request)
        return html, moments(part_context)

    part = kept(f"{name}:{query}", make_part)
    if mark in part:
        part = part.replace(mark, get_token(request))
    page["kept_part"] = mark_safe(part)  # noqa: S308 (a rendered template)
    return render(request, template_name, page)


def check_shared_cache(**kwargs: object) -> list[checks.CheckMessage]:
    """A deployment check: kept pages need a cache that every process shares."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PAGE_CACHE and backend.endswith(".LocMemCache"):
        return [
            checks.Warning(
                "PAGE_CACHE is on with the local-memory cache: a write in one process "
                "would not retire what another process kept.",
                hint="Set REDIS_URL (the cache every process shares), or PAGE_CACHE=0.",
                id="actionlab.W001",
            )
        ]
    return []
