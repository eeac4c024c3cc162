"""The one Chromium of the test run (Playwright's sync API driving Debian's Chromium), shared
by every browser test: a second Playwright in the same thread would find the first one's
event loop running. Registered for the whole suite in tests/conftest.py.

Chromium is never downloaded: the tests launch /usr/bin/chromium (or CHROMIUM_PATH), with
the arguments of `devtools.browser`, which the README's screenshots share. Where
it is missing they skip, except in CI, where they fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.browser import CHROMIUM, CHROMIUM_ARGS

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def _require(thing: str, present: bool) -> None:
    if present:
        return
    message = f"{thing} is missing: install it (see .ci/run)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
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
