"""Browser tests: Playwright driving Debian's Chromium (the suite's one browser,
`tests.browser`) against Django's live server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

import os

import pytest
from django.core.management import call_command

PASSWORD = "actionlab-demo"
ADMIN = "dana.whitfield@riverside-health.example"
COACH = "marcus.oyelaran@riverside-health.example"
SPONSOR = "evelyn.castellanos@riverside-health.example"
PARTICIPANT = "aisha.mensah@riverside-health.example"
ORG_ADMIN = "renee.castillo@riverside-health.example"


@pytest.fixture
def demo(transactional_db: None, live_server: LiveServer) -> str:
    """The demo program, served by the live server; returns its base URL."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return str(live_server.url)


def sign_in(browser: Browser, base: str, email: str, **context: Any) -> Page:
    page = browser.new_context(**context).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page
