"""A tiny typed registry that lets a lower app announce what happened to the apps above it.

Apps import downwards only (DESIGN.md), so a service in `teams` cannot call `projects`.
Instead it announces an event, an instance of a frozen dataclass that it defines, with one
explicit call (`announce(TeamsCreated(...))`); an app above subscribes to that type in its
`AppConfig.ready()`. The call stays visible in the service, unlike a model signal.

A handler subscribed with `after_commit=False` runs at once, inside the announcer's
transaction: what it writes commits or rolls back with the announcer's own writes (a
team's project is created with the team). A handler subscribed with `after_commit=True`
runs once the transaction commits, and not at all if it rolls back (messages, tasks).
Inside `quiet()` only the first kind run: loading demo data keeps its records whole
without telling anyone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.db import transaction

_handlers: dict[type, list[tuple[Callable[[Any], None], bool]]] = defaultdict(list)
_quiet: ContextVar[bool] = ContextVar("core.events.quiet", default=False)


def subscribe[Event](
    event_type: type[Event], handler: Callable[[Event], None], *, after_commit: bool = False
) -> None:
    """Call `handler` with every announced `event_type`; subscribing twice is harmless."""
    entry = (handler, after_commit)
    if entry not in _handlers[event_type]:
        _handlers[event_type].append(entry)


@contextmanager
def quiet() -> Iterator[None]:
    """Within the block, announcements skip the after-commit subscribers (those that tell
    people: notifications, emails); the ones inside the transaction still run."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def announce(event: object) -> None:
    """Hand `event` to its subscribers, in the order they subscribed (inside `quiet()`,
    only to those that run inside the transaction)."""
    for handler, after_commit in list(_handlers.get(type(event), [])):
        if after_commit:
            if not _quiet.get():
                transaction.on_commit(partial(handler, event))
        else:
            handler(event)
