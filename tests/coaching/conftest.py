from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine

from tests.conftest import Cast

# A Wednesday; the sessions below are the week after.
NOW = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def now() -> Iterator[datetime.datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def zoned_cast(cast: Cast) -> Cast:
    """The cast on three clocks: the participant in New York, the teammate in Berlin, the
    coach and sponsor in UTC."""
    cast.participant.time_zone = "America/New_York"
    cast.participant.save(update_fields=["time_zone"])
    cast.teammate.time_zone = "Europe/Berlin"
    cast.teammate.save(update_fields=["time_zone"])
    return cast
