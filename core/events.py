"""A tiny typed registry that lets a lower app announce what happened to the apps above it.

Apps import downwards only (DESIGN.md), so a service in `teams` cannot call `projects`.
Instead it announces an event, an instance of a frozen dataclass that it defines, with one
explicit call (`announce(TeamsCreated(...))`); an app above subscribes to that type in its
`AppConfig.ready()`. The call stays visible in the service, unlike a model signal.

A handler subscribed with `after_commit=False` runs at once, inside the announcer's
transaction: what it writes commits or rolls back with the announcer's own writes (a
team's project is created with the team). A handler subscribed with `after_commit=True`
runs once the transaction commits, and not at all if it rolls back (messages, tasks).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction

_handlers: dict[type, list[tuple[Callable[[Any], None], bool]]] = defaultdict(list)


def subscribe[Event](
    event_type: type[Event], handler: Callable[[Event], None], *, after_commit: bool = False
) -> None:
    """Call `handler` with every announced `event_type`; subscribing twice is harmless."""
    entry = (handler, after_commit)
    if entry not in _handlers[event_type]:
        _handlers[event_type].append(entry)


def announce(event: object) -> None:
    """Hand `event` to its subscribers, in the order they subscribed."""
    for handler, after_commit in list(_handlers.get(type(event), [])):
        if after_commit:
            transaction.on_commit(partial(handler, event))
        else:
            handler(event)
