"""Browser tests: Playwright driving Debian's Chromium (the suite's one browser,
`tests.browser`) against Django's live server."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

import os

import pytest
from django.core.management import call_command

# The demo's logins and signing in through the sign-in page, shared with the screenshots.
from devtools.browser import (
    ADMIN,
    COACH,
    ORG_ADMIN,
    PARTICIPANT,
    PASSWORD,
    SPONSOR,
    sign_in,
)

__all__ = ["ADMIN", "COACH", "ORG_ADMIN", "PARTICIPANT", "PASSWORD", "SPONSOR", "demo", "sign_in"]


@pytest.fixture
def demo(transactional_db: None, live_server: LiveServer) -> str:
    """The demo program, served by the live server; returns its base URL."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return str(live_server.url)
