"""axe-core on every page reachable from each role's navigation, at a desktop's and a
phone's width, in the light and the dark scheme; phone width; keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

import json

import pytest

from tests.e2e.conftest import ADMIN, COACH, ORG_ADMIN, PARTICIPANT, SPONSOR, sign_in

ROLES = {
    "program admin": ADMIN,
    "coach": COACH,
    "sponsor": SPONSOR,
    "participant": PARTICIPANT,
    "organisation admin": ORG_ADMIN,
}
# axe runs on each page at both widths, in each scheme (the device's prefers-color-scheme).
WIDTHS = (1280, 390)
SCHEMES = ("light", "dark")
SKIP_LINKS = ("/accounts/logout", "export", ".ics", ".csv", "mailto:", "/admin/")


def reachable_pages(page: Page, base: str) -> list[str]:
    """Home, every link of the main navigation, every page linked from home's content and
    from the program page, and the account pages the profile links to (email, password,
    two-factor): what a person of this role reaches by following the site."""
    found: list[str] = ["/"]

    def collect(selector: str) -> None:
        hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            if not href or not href.startswith("/") or href.startswith("/static/"):
                continue
            if any(skip in href for skip in SKIP_LINKS):
                continue
            path = href.split("#")[0]
            if path not in found:
                found.append(path)

    page.goto(f"{base}/")
    collect("header nav a, main a")
    for prefix in ("/programs/", "/projects/", "/teams/", "/organisations/"):
        for path in [p for p in found if p.startswith(prefix) and p.count("/") == 3]:
            page.goto(f"{base}{path}")
            collect("main a")
    page.goto(f"{base}/profile/")
    collect("main a[href^='/accounts/']")
    return found


def violations(page: Page, axe: str) -> list[dict[str, Any]]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})"
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_reachable_from_the_navigation_has_no_serious_axe_violation(
    browser: Browser, demo: str, axe_source: str, role: str, scheme: Literal["light", "dark"]
) -> None:
    # axe is injected as a script, which the site's CSP rightly forbids: bypass it here only.
    page = sign_in(browser, demo, ROLES[role], bypass_csp=True, color_scheme=scheme)
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (
        scheme == "dark"
    )
    pages = reachable_pages(page, demo)
    assert len(pages) >= 5, pages
    problems = {}
    for path in pages:
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        page.goto(f"{demo}{path}")
        # The same page narrowed to a phone's width: its layout (a menu, stacked tables)
        # changes, the document does not.
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            found = violations(page, axe_source)
            if found:
                problems[f"{path} at {width} px"] = [
                    {
                        "id": v["id"],
                        "impact": v["impact"],
                        "nodes": [n["target"] for n in v["nodes"]][:3],
                    }
                    for v in found
                ]
    print(f"\naxe checked {len(pages)} pages as {role} ({scheme}) at {WIDTHS} px: {pages}")
    assert not problems, json.dumps(problems, indent=1)


@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_fit_a_phone_without_horizontal_scrolling(
    browser: Browser, demo: str, role: str
) -> None:
    page = sign_in(browser, demo, ROLES[role], viewport={"width": 390, "height": 844})
    pages = reachable_pages(page, demo)
    too_wide = {}
    for path in pages:
        page.goto(f"{demo}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        # Every button and link of the page lies within the screen's width.
        off_screen = page.evaluate(
            """() => [...document.querySelectorAll(
                     'main a, main button, main input, main select, main textarea, header a')]
                 .filter(e => e.offsetParent !== null)
                 .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                 .map(e => e.outerHTML.slice(0, 80))"""
        )
        if width > 390 or off_screen:
            too_wide[path] = {"width": width, "off_screen": off_screen[:3]}
    assert not too_wide, too_wide


SIGNED_OUT_PAGES = (
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/login/code/",
    "/no-such-page/",
)


@pytest.mark.parametrize(
    ("width", "scheme"), [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]
)
def test_the_signed_out_pages_have_no_serious_axe_violation_and_fit_a_phone(
    browser: Browser,
    transactional_db: None,
    live_server: Any,
    axe_source: str,
    width: int,
    scheme: Literal["light", "dark"],
) -> None:
    context = browser.new_context(
        bypass_csp=True, viewport={"width": width, "height": 844}, color_scheme=scheme
    )
    page = context.new_page()
    problems: dict[str, Any] = {}
    for path in SIGNED_OUT_PAGES:
        page.goto(f"{live_server.url}{path}")
        found = violations(page, axe_source)
        if found:
            problems[path] = [
                {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in found
            ]
        if page.evaluate("document.documentElement.scrollWidth") > width:
            problems[path] = "wider than the screen"
    context.close()
    assert not problems, json.dumps(problems, indent=1)


def press_tab_until(page: Page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} was not reached with the Tab key")


def test_the_check_in_can_be_completed_with_the_keyboard_alone(
    browser: Browser, demo: str
) -> None:
    page = sign_in(browser, demo, PARTICIPANT)
    page.click("text=This week’s check-in")
    press_tab_until(page, "id_steps_taken")
    page.keyboard.type("Asked before advising.")
    press_tab_until(page, "id_next_focus")
    page.keyboard.type("Ask the night shift lead.")
    press_tab_until(page, "id_progress_0")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    from reflections.models import CheckIn

    latest = (
        CheckIn.objects.filter(user__email=PARTICIPANT).order_by("-iso_year", "-iso_week").first()
    )
    assert latest is not None
    assert latest.next_focus == "Ask the night shift lead."
    assert latest.progress == 2


def test_a_reflection_can_be_written_with_the_keyboard_alone(browser: Browser, demo: str) -> None:
    page = sign_in(browser, demo, PARTICIPANT)
    page.click("text=Write a reflection")
    press_tab_until(page, "id_title")
    page.keyboard.type("Keyboard only")
    press_tab_until(page, "id_body")
    page.keyboard.type("Written without a mouse.")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")
    page.get_by_text("Written without a mouse.").wait_for()


def test_focus_is_visible_and_a_skip_link_leads_to_the_content(
    browser: Browser, demo: str
) -> None:
    page = sign_in(browser, demo, PARTICIPANT)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
