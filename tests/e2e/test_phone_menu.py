"""The header on a phone: the navigation folds behind a "Menu" button, so a page's own
content comes first; it opens with the keyboard. On a wide screen the navigation shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

from tests.e2e.conftest import PARTICIPANT, sign_in

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 800}


def test_on_a_phone_the_menu_is_closed_and_opens_with_the_keyboard(
    browser: Browser, demo: str
) -> None:
    page = sign_in(browser, demo, PARTICIPANT, viewport=PHONE)
    menu = page.get_by_role("button", name="Menu")
    navigation = page.get_by_role("navigation", name="Main")
    assert menu.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    assert menu.get_attribute("aria-controls") == "main-nav"
    assert navigation.is_hidden()
    # The page's heading sits in the first screenful, not below the list of links.
    heading = page.locator("main h1").first.bounding_box()
    assert heading is not None and heading["y"] < 200

    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert navigation.is_visible()
    # The links follow the button in the tab order, and each fits the screen.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Home"
    links = navigation.get_by_role("link")
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    with page.expect_navigation():
        navigation.get_by_role("link", name="My profile").click()
    assert page.get_by_role("heading", name="My profile").is_visible()

    # Escape closes it again and gives the focus back to the button.
    menu.focus()
    page.keyboard.press("Space")
    assert navigation.is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert navigation.is_hidden()
    assert page.evaluate("document.activeElement.dataset.menuButton") == ""


def test_on_a_wide_screen_the_navigation_shows_without_a_menu_button(
    browser: Browser, demo: str
) -> None:
    page = sign_in(browser, demo, PARTICIPANT, viewport=WIDE)
    assert page.get_by_role("button", name="Menu").count() == 0
    navigation = page.get_by_role("navigation", name="Main")
    assert navigation.get_by_role("link", name="Home").is_visible()
    assert navigation.get_by_role("link", name="My profile").is_visible()
    assert navigation.get_by_role("button", name="Sign out").is_visible()


def test_without_javascript_the_navigation_stays_in_view_on_a_phone(
    browser: Browser, demo: str
) -> None:
    page = sign_in(browser, demo, PARTICIPANT, viewport=PHONE, java_script_enabled=False)
    assert page.get_by_role("button", name="Menu").count() == 0
    navigation = page.get_by_role("navigation", name="Main")
    assert navigation.get_by_role("link", name="My profile").is_visible()
