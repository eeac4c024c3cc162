"""Signing in through an organisation's SAML identity provider, in Chromium, against a
real IdP (tests/sso/saml_idp.py: pysaml2, assertions signed by xmlsec1): a person lands
on their home page; a response for another audience, an expired one, an unsigned one
and a replayed one are each refused with a page that says why and a security event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialLogin
from pytest_django.fixtures import Settings

from core.models import SecurityEvent
from programs.models import OrganizationSignOn, Role, SamlAssertionUse, User
from programs.sso import do_configure_sign_on
from programs.sso_adapter import SAML_AUTHN_CONTEXTS_KEY, provider_says_mfa
from tests import factories as f
from tests.sso.saml_idp import MFA_CONTEXT, PASSWORD_CONTEXT, IdpUser, SamlIdentityProvider

DOMAIN = "clinic.example"
ANA = f"ana.lee@{DOMAIN}"
COACH = f"cole.brandt@{DOMAIN}"
IDP_PASSWORD = "idp-secret-1"


@pytest.fixture(scope="module")
def idp() -> Iterator[SamlIdentityProvider]:
    provider = SamlIdentityProvider(
        {
            ANA: IdpUser(ANA, IDP_PASSWORD, "Ana", "Lee"),
            # Cole's IdP asks him for a second factor, and sends his address only as the
            # NameID (format emailAddress), as many IdPs do.
            COACH: IdpUser(
                COACH,
                IDP_PASSWORD,
                "Cole",
                "Brandt",
                authn_context=MFA_CONTEXT,
                email_attribute=False,
            ),
        }
    ).start()
    yield provider
    provider.stop()


@pytest.fixture
def site(
    transactional_db: None, live_server: Any, settings: Settings, idp: SamlIdentityProvider
) -> Iterator[dict[str, Any]]:
    """The organisation, its SAML provider (given by the IdP's metadata URL), and Ana, a
    participant whose account an invitation made."""
    settings.SAML_ALLOW_HTTP = True  # the local IdP speaks plain http
    idp.next_response = "normal"
    organization = f.OrganizationFactory(name="Clinic Health")
    program = f.ProgramFactory(organization=organization, name="Clinical Leaders")
    cohort = f.CohortFactory(program=program, name="Cohort A")
    team = f.TeamFactory(cohort=cohort, name="Night Shift")
    ana = f.add_participant(team, f.UserFactory(email=ANA, first_name="Ana", last_name="Lee"))
    EmailAddress.objects.create(user=ana, email=ANA, verified=True, primary=True)
    sign_on = do_configure_sign_on(
        organization,
        protocol="saml",
        domains=[DOMAIN],
        is_active=True,
        email_authoritative=True,
        saml_metadata_url=idp.metadata_url,
    )
    coach = f.UserFactory(email=COACH, first_name="Cole", last_name="Brandt")
    f.MembershipFactory(user=coach, program=program, role=Role.COACH)
    EmailAddress.objects.create(user=coach, email=COACH, verified=True, primary=True)
    yield {
        "base": str(live_server.url),
        "coach": coach,
        "organization": organization,
        "sign_on": sign_on,
        "ana": ana,
        "idp": idp,
    }
    idp.next_response = "normal"


def start_at_idp(browser: Any, site: dict[str, Any], context: Any = None) -> Any:
    """Open the organisation's sign-in, which leads to the IdP's own sign-in page."""
    page = (context or browser.new_context()).new_page()
    sign_on: OrganizationSignOn = site["sign_on"]
    page.goto(f"{site['base']}/accounts/saml/{sign_on.provider_id}/login/")
    page.click("main button[type=submit]")
    page.wait_for_selector("#idp-user")
    return page


def sign_in_at_idp(page: Any, email: str) -> None:
    page.fill("#idp-user", email)
    page.fill("#idp-password", IDP_PASSWORD)
    page.click("#idp-submit")
    page.wait_for_load_state("networkidle")


def failures(reason: str) -> list[SecurityEvent]:
    return [
        event
        for event in SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_FAILED)
        if event.details.get("reason") == reason and event.details.get("protocol") == "saml"
    ]


def assert_refused(page: Any, site: dict[str, Any], words: str) -> None:
    page.get_by_role("heading", name="Sign-in not accepted").wait_for()
    assert words in page.locator("[role=alert]").inner_text()
    page.goto(f"{site['base']}/")
    assert "/accounts/login/" in page.url, "nobody is signed in"


def test_a_person_signs_in_through_their_organisations_saml_provider(
    browser: Any, site: dict[str, Any]
) -> None:
    page = start_at_idp(browser, site)
    sign_in_at_idp(page, ANA)
    page.wait_for_url(f"{site['base']}/")
    assert "Clinical Leaders" in page.content()
    account = SocialAccount.objects.get(user=site["ana"])
    assert account.provider == site["sign_on"].provider_id
    assert SamlAssertionUse.objects.count() == 1
    login = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).get()
    assert login.user == site["ana"]
    # A password alone at the IdP: no second factor to credit.
    assert account.extra_data[SAML_AUTHN_CONTEXTS_KEY] == [PASSWORD_CONTEXT]
    assert not provider_says_mfa(SocialLogin(account=account))


def test_the_address_may_come_as_the_nameid_and_a_second_factor_is_credited(
    browser: Any, site: dict[str, Any]
) -> None:
    page = start_at_idp(browser, site)
    sign_in_at_idp(page, COACH)
    page.wait_for_url(f"{site['base']}/")
    account = SocialAccount.objects.get(user=site["coach"])
    assert "urn:oid:0.9.2342.19200300.100.1.3" not in account.extra_data
    assert account.extra_data[SAML_AUTHN_CONTEXTS_KEY] == [MFA_CONTEXT]
    assert provider_says_mfa(SocialLogin(account=account))


def test_a_response_for_another_audience_is_refused(browser: Any, site: dict[str, Any]) -> None:
    site["idp"].next_response = "wrong_audience"
    page = start_at_idp(browser, site)
    sign_in_at_idp(page, ANA)
    assert_refused(page, site, "meant for another application")
    assert len(failures("wrong_audience")) == 1
    assert not User.objects.get(email=ANA).last_login


def test_an_expired_assertion_is_refused(browser: Any, site: dict[str, Any]) -> None:
    site["idp"].next_response = "expired"
    page = start_at_idp(browser, site)
    sign_in_at_idp(page, ANA)
    assert_refused(page, site, "had expired")
    assert len(failures("expired")) == 1


def test_an_unsigned_assertion_is_refused(browser: Any, site: dict[str, Any]) -> None:
    site["idp"].next_response = "unsigned"
    page = start_at_idp(browser, site)
    sign_in_at_idp(page, ANA)
    assert_refused(page, site, "was not signed")
    assert len(failures("unsigned")) == 1


def test_a_replayed_response_is_refused(browser: Any, site: dict[str, Any]) -> None:
    idp: SamlIdentityProvider = site["idp"]
    context = browser.new_context()
    page = start_at_idp(browser, site, context)
    sign_in_at_idp(page, ANA)
    page.wait_for_url(f"{site['base']}/")
    used = len(idp.issued) - 1
    # Signed out, the same browser posts the same response again (as would anyone who
    # copied it from the browser's history or a proxy's log).
    context.clear_cookies()
    page.goto(f"{idp.base_url}/replay/{used}")
    assert_refused(page, site, "already been used")
    assert len(failures("replayed")) == 1
