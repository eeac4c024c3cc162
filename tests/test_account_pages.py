"""The account pages (allauth's sign-in, sign-up, password, email and two-factor pages) look
like the rest of ActionLab: the site's header and stylesheet, fields like its own forms, and
one primary button, with a destructive action in red and apart."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from lxml import html

from programs.models import User
from tests import factories as f
from tests.security.conftest import give_totp


@pytest.fixture
def person(db: None) -> User:
    user = f.UserFactory(email="grace.adeyemi@example.org", first_name="Grace")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def signed_in(person: User) -> Client:
    """Signed in with the password and confirmed again, as allauth asks before a sensitive
    change (two-factor set-up, recovery codes)."""
    client = Client()
    client.post(reverse("account_login"), {"login": person.email, "password": f.PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD})
    return client


def page_of(response: HttpResponse) -> html.HtmlElement:
    assert response.status_code == 200, response
    return html.fromstring(response.content)


def classes(element: html.HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def primary_buttons(page: html.HtmlElement) -> list[str]:
    """The texts of the buttons (and links shown as buttons) in the page's content that are
    neither secondary nor destructive."""
    found = []
    for element in page.xpath("//main//button | //main//a"):
        looks_like_a_button = element.tag == "button" or "button" in classes(element)
        if looks_like_a_button and not classes(element) & {"secondary", "danger", "link-button"}:
            found.append(" ".join(element.text_content().split()))
    return found


def assert_site_layout(page: html.HtmlElement) -> None:
    assert page.xpath("//header//a[@class='brand' and normalize-space()='ActionLab']")
    assert page.xpath("//link[@rel='stylesheet' and contains(@href, 'css/actionlab.css')]")
    assert page.xpath("//a[@class='skip-link']")
    assert not page.xpath("//*[@style]"), "no inline style under the CSP"


SIGNED_OUT = {
    "account_login": "Sign in",
    "account_signup": "Sign in",  # sign-up is closed: the way on is signing in
    "account_reset_password": "Reset My Password",
    "account_request_login_code": "Request Code",
}


@pytest.mark.parametrize("url_name", list(SIGNED_OUT))
def test_signed_out_pages_are_one_card_in_the_site_layout_with_one_primary_button(
    db: None, url_name: str
) -> None:
    page = page_of(Client().get(reverse(url_name)))
    assert_site_layout(page)
    assert page.xpath("//main//*[contains(@class, 'entrance')]")
    assert primary_buttons(page) == [SIGNED_OUT[url_name]]


def test_open_sign_up_has_one_primary_button_and_labelled_fields(
    db: None, settings: object
) -> None:
    settings.ACCOUNT_ALLOW_SIGNUP = True  # type: ignore[attr-defined]
    page = page_of(Client().get(reverse("account_signup")))
    assert_site_layout(page)
    assert primary_buttons(page) == ["Sign Up"]
    # Fields as on the site's own forms: a visible label for each, in a .field block.
    for name in ("email", "password1", "password2"):
        field = page.xpath(f"//main//div[contains(@class, 'field')][.//input[@name='{name}']]")
        assert field, name
        input_id = field[0].xpath(".//input")[0].get("id")
        assert field[0].xpath(f".//label[@for='{input_id}']"), name


def test_a_wrong_password_is_shown_like_the_site_s_form_errors(person: User) -> None:
    response = Client().post(
        reverse("account_login"), {"login": person.email, "password": "not-the-password"}
    )
    page = page_of(response)
    alert = page.xpath("//main//p[@role='alert']")
    assert alert and "you are not signed in" in alert[0].text_content()
    assert "The email address and/or password you specified are not correct." in (
        page.text_content()
    )


MANAGE = {
    "account_email": ("Email addresses", "Add Email"),
    "account_change_password": ("Password", "Change Password"),
    "mfa_index": ("Two-factor authentication", "Activate"),
    "mfa_activate_totp": ("Two-factor authentication", "Activate"),
}


@pytest.mark.parametrize("url_name", list(MANAGE))
def test_account_settings_pages_have_the_account_menu_and_one_primary_button(
    signed_in: Client, url_name: str
) -> None:
    current, primary = MANAGE[url_name]
    page = page_of(signed_in.get(reverse(url_name)))
    assert_site_layout(page)
    menu = page.xpath("//main//nav[@aria-label='Your account']")[0]
    assert [a.text_content() for a in menu.xpath(".//a[@aria-current='page']")] == [current]
    assert primary_buttons(page) == [primary]


def test_on_the_email_page_removing_is_red_and_apart_and_adding_is_the_main_action(
    signed_in: Client,
) -> None:
    page = page_of(signed_in.get(reverse("account_email")))
    row = page.xpath("//main//form[.//button[@name='action_remove']]//div[@class='actions']")[0]
    buttons = {b.get("name"): classes(b) for b in row.xpath("./button")}
    assert buttons == {
        "action_primary": {"secondary"},
        "action_send": {"secondary"},
        "action_remove": {"danger"},
    }
    # The remove button comes last in its row, where the stylesheet sets it apart.
    assert row.xpath("./button")[-1].get("name") == "action_remove"
    assert primary_buttons(page) == ["Add Email"]


def test_the_authenticator_set_up_shows_the_code_to_scan_and_a_secret_that_can_be_copied(
    signed_in: Client,
) -> None:
    page = page_of(signed_in.get(reverse("mfa_activate_totp")))
    assert page.xpath("//main//img[@class='qr-code' and starts-with(@src, 'data:')]")
    secret = page.xpath("//main//input[@id='authenticator_secret']")[0]
    assert secret.get("readonly") is not None and secret.get("disabled") is None
    assert page.xpath("//label[@for='authenticator_secret']")


def test_with_an_authenticator_the_two_factor_page_shows_deactivating_in_red(
    signed_in: Client, person: User
) -> None:
    give_totp(person)
    RecoveryCodes.activate(person)
    page = page_of(signed_in.get(reverse("mfa_index")))
    deactivate = page.xpath("//main//a[normalize-space()='Deactivate']")[0]
    assert classes(deactivate) == {"button", "danger"}
    assert primary_buttons(page) == ["View"]


def test_the_recovery_codes_page_offers_downloading_first(signed_in: Client, person: User) -> None:
    give_totp(person)
    RecoveryCodes.activate(person)
    page = page_of(signed_in.get(reverse("mfa_view_recovery_codes")))
    assert_site_layout(page)
    assert primary_buttons(page) == ["Download codes"]
    codes = page.xpath("//main//textarea[@id='recovery_codes']")[0]
    assert len(codes.text_content().split()) == 10
    assert page.xpath("//label[@for='recovery_codes']")
    # Its scripts carry the response's nonce, so the strict CSP lets them run.
    assert all(s.get("nonce") for s in page.xpath("//script[@src]"))


def test_the_sign_out_confirmation_is_a_card_with_one_button(signed_in: Client) -> None:
    page = page_of(signed_in.get(reverse("account_logout")))
    assert page.xpath("//main//h1[@class='entrance-heading']")
    assert not page.xpath("//main//nav[@aria-label='Your account']")
    assert primary_buttons(page) == ["Sign Out"]
