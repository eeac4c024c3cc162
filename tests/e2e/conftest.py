"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Chromium is never downloaded: the tests launch /usr/bin/chromium (or CHROMIUM_PATH). Where
it is missing they skip, except in CI, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "actionlab-demo"
ADMIN = "dana.whitfield@riverside-health.example"
COACH = "marcus.oyelaran@riverside-health.example"
SPONSOR = "evelyn.castellanos@riverside-health.example"
PARTICIPANT = "aisha.mensah@riverside-health.example"
ORG_ADMIN = "renee.castillo@riverside-health.example"


def _require(thing: str, present: bool) -> None:
    if present:
        return
    message = f"{thing} is missing: install it (see .ci/run)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require(f"Chromium at {CHROMIUM}", bool(shutil.which(CHROMIUM)))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev dependencies include it
        _require("playwright (Python)", False)
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def axe_source() -> str:
    _require(f"axe-core at {AXE} (npm ci)", AXE.exists())
    return AXE.read_text()


@pytest.fixture
def demo(transactional_db: None, live_server: object) -> str:
    """The demo program, served by the live server; returns its base URL."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return str(live_server.url)  # type: ignore[attr-defined]


def sign_in(browser: object, base: str, email: str, **context: object) -> object:
    page = browser.new_context(**context).new_page()  # type: ignore[attr-defined]
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page
