"""The event registry: subscribers inside the transaction run at once, after-commit ones
once it commits; `quiet()` holds back only the after-commit ones (those that tell
people), so data loaded quietly stays whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from core.events import announce, quiet, subscribe


@dataclass(frozen=True)
class Happened:
    what: str


heard: list[tuple[str, str]] = []


def in_transaction(event: Happened) -> None:
    heard.append(("now", event.what))


def after_commit(event: Happened) -> None:
    heard.append(("after commit", event.what))


subscribe(Happened, in_transaction)
subscribe(Happened, after_commit, after_commit=True)


@pytest.fixture(autouse=True)
def _nothing_heard_yet() -> None:
    heard.clear()


def test_after_commit_subscribers_hear_once_the_transaction_commits(
    db: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        announce(Happened("loud"))
        assert heard == [("now", "loud")]

    assert heard == [("now", "loud"), ("after commit", "loud")]


def test_quiet_announcements_reach_only_the_subscribers_inside_the_transaction(
    db: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with quiet():
            announce(Happened("quiet"))
        announce(Happened("loud"))

    assert heard == [("now", "quiet"), ("now", "loud"), ("after commit", "loud")]
