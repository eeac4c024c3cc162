"""Each role's home in the demo at 1280 and 390 px, saved to $SCREENSHOT_DIR (default
var/screenshots, which CI keeps): PNGs of the screen's width of that role's home. Not
compared pixel by pixel."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

import os
from pathlib import Path

import pytest
from django.conf import settings

from devtools.screenshots import (
    DESKTOP,
    HEIGHTS,
    MAX_HEIGHT,
    PHONE,
    ROLE_HOMES,
    RoleHome,
    Scheme,
    file_name,
    png_size,
    sign_in_home,
    take_home,
)

FOLDER = Path(os.environ.get("SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "var" / "screenshots")


@pytest.mark.parametrize("home", ROLE_HOMES, ids=[home.name for home in ROLE_HOMES])
def test_each_role_home_is_saved_at_a_desktop_and_a_phone_width(
    browser: Browser, demo: str, home: RoleHome
) -> None:
    page = sign_in_home(browser, demo, home)
    # The page is this role's home: its heading, and none of the other roles' homes.
    assert page.get_by_role("heading", name=home.heading, exact=True).is_visible()
    for other in ROLE_HOMES:
        if other != home:
            assert not page.get_by_role("heading", name=other.heading, exact=True).count()

    saved = take_home(page, home, FOLDER)

    shots: list[tuple[int, Scheme]] = [(DESKTOP, "light"), (PHONE, "light")]
    if home.dark:
        shots.append((DESKTOP, "dark"))
    assert saved == [FOLDER / file_name(home, width, scheme) for width, scheme in shots]
    for path, (width, _) in zip(saved, shots, strict=True):
        # A PNG of the screen's width, at least a screen high and at most the cap.
        assert png_size(path)[0] == width, path
        assert HEIGHTS[width] <= png_size(path)[1] <= MAX_HEIGHT, path
