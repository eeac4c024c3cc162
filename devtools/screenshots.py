"""The README's screenshots: each role's home in the demo program at a desktop's width
(1280 px) and a phone's (390 px), in the light scheme, and the participant's home in the
dark one too. Taken with Debian's Chromium by `manage.py screenshots` (`make screenshots`)
and by the browser test tests/e2e/test_screenshots.py, whose copies CI keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

import struct
from dataclasses import dataclass
from pathlib import Path

from devtools.browser import ADMIN, COACH, PARTICIPANT, SPONSOR, sign_in

DESKTOP, PHONE = 1280, 390
WIDTHS = (DESKTOP, PHONE)
# The screen's height at each width; a longer page is taken whole up to MAX_HEIGHT.
HEIGHTS = {DESKTOP: 800, PHONE: 844}
MAX_HEIGHT = 1600
Scheme = Literal["light", "dark"]


@dataclass(frozen=True)
class RoleHome:
    name: str  # in file names
    role: str
    email: str
    heading: str  # a heading only this role's home shows
    dark: bool = False  # also taken at the desktop's width in the dark scheme


ROLE_HOMES = (
    RoleHome("participant", "participant", PARTICIPANT, "My team", dark=True),
    RoleHome("coach", "learning coach", COACH, "Teams I coach"),
    RoleHome("sponsor", "executive sponsor", SPONSOR, "Projects I sponsor"),
    RoleHome("program-admin", "program admin", ADMIN, "Programs I run"),
)


def file_name(home: RoleHome, width: int, scheme: Scheme = "light") -> str:
    return f"{home.name}-{width}{'-dark' if scheme == 'dark' else ''}.png"


def take_home(page: Page, home: RoleHome, folder: Path) -> list[Path]:
    """Save the home `page` shows (signed in as the role's demo person) at each width, and
    in the dark scheme if asked, into `folder`; the paths saved."""
    folder.mkdir(parents=True, exist_ok=True)
    shots: list[tuple[int, Scheme]] = [(width, "light") for width in WIDTHS]
    if home.dark:
        shots.append((DESKTOP, "dark"))
    saved = []
    for width, scheme in shots:
        page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
        page.emulate_media(color_scheme=scheme)
        page.get_by_role("heading", name=home.heading, exact=True).wait_for(timeout=10_000)
        height = page.evaluate("document.documentElement.scrollHeight")
        path = folder / file_name(home, width, scheme)
        page.screenshot(
            path=path,
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": min(height, MAX_HEIGHT)},
            animations="disabled",
            caret="hide",
        )
        saved.append(path)
    page.emulate_media(color_scheme="light")
    return saved


def sign_in_home(browser: Browser, base: str, home: RoleHome) -> Page:
    """A page signed in as the role's demo person, on their home."""
    page = sign_in(
        browser, base, home.email, viewport={"width": DESKTOP, "height": HEIGHTS[DESKTOP]}
    )
    # Home again, without the "signed in" message.
    page.goto(f"{base}/")
    return page


def take_all(browser: Browser, base: str, folder: Path) -> list[Path]:
    saved = []
    for home in ROLE_HOMES:
        page = sign_in_home(browser, base, home)
        try:
            saved += take_home(page, home, folder)
        finally:
            page.context.close()
    return saved


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file, read from its header; ValueError if it is none."""
    header = path.read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n" or header[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG file")
    width, height = struct.unpack(">II", header[16:24])
    return width, height
