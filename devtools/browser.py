"""Debian's Chromium driven by Playwright's sync API, signed in as a demo person: shared by
the browser tests (tests/e2e) and the README's screenshots (`manage.py screenshots`).

Chromium is never downloaded: it is /usr/bin/chromium (or CHROMIUM_PATH)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

import os

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The demo program's logins (devtools.demo.program), one per role.
PASSWORD = "actionlab-demo"  # noqa: S105  (the demo's published password)
ADMIN = "dana.whitfield@riverside-health.example"
COACH = "marcus.oyelaran@riverside-health.example"
SPONSOR = "evelyn.castellanos@riverside-health.example"
PARTICIPANT = "aisha.mensah@riverside-health.example"
ORG_ADMIN = "renee.castillo@riverside-health.example"


def sign_in(browser: Browser, base: str, email: str, **context: Any) -> Page:
    """A new browser context (`context` are its options: viewport, color_scheme …) signed
    in as `email` through the sign-in page; its page is on the home page."""
    page = browser.new_context(**context).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page
