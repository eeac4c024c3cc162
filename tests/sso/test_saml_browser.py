"""Signing in through an organisation's SAML identity provider, in Chromium, against a
real IdP (tests/sso/saml_idp.py: pysaml2, assertions signed by xmlsec1): a person lands
on their home page; a response for another audience, an expired one, an unsigned one
and a replayed one are each refused with a page that says why and a security event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.urls import reverse
from pytest_django.fixtures import Settings

from core.models import SecurityEvent
from programs.models import Membership, Role, SamlAssertionUse, User
from programs.sso import do_configure_sign_on
from programs.sso_adapter import SAML_AUTHN_CONTEXTS_KEY, provider_says_mfa
from tests import factories as f
from tests.e2e.test_accessibility import violations
from tests.sso.saml_idp import MFA_CONTEXT, PASSWORD_CONTEXT, IdpUser, SamlIdentityProvider

DOMAIN = "clinic.example"
ANA = f"ana.lee@{DOMAIN}"
COACH = f"cole.brandt@{DOMAIN}"
# A coach whose IdP asks for a password only.
OTHER_COACH = f"dev.rao@{DOMAIN}"
# A leaver: disabled at the IdP, which refuses to sign them in.
LEAVER = f"lee.aver@{DOMAIN}"
# Someone the IdP knows who has no ActionLab account yet.
NEWCOMER = f"noor.haddad@{DOMAIN}"
# Someone the IdP knows under an address outside the organisation's domains.
OUTSIDER = "eve.marsh@elsewhere.example"
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
            OTHER_COACH: IdpUser(OTHER_COACH, IDP_PASSWORD, "Dev", "Rao"),
            OUTSIDER: IdpUser(OUTSIDER, IDP_PASSWORD, "Eve", "Marsh"),
            NEWCOMER: IdpUser(NEWCOMER, IDP_PASSWORD, "Noor", "Haddad"),
            LEAVER: IdpUser(LEAVER, IDP_PASSWORD, "Lee", "Aver", disabled=True),
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
    settings.SSO_ALLOW_LOCAL_PROVIDERS = True  # the local IdP speaks plain http
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
    other_coach = f.UserFactory(email=OTHER_COACH, first_name="Dev", last_name="Rao")
    for person in (coach, other_coach):
        f.MembershipFactory(user=person, program=program, role=Role.COACH)
        EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    outsider = f.add_participant(team, f.UserFactory(email=OUTSIDER, first_name="Eve"))
    EmailAddress.objects.create(user=outsider, email=OUTSIDER, verified=True, primary=True)
    contexts: list[Any] = []
    yield {
        "base": str(live_server.url),
        "coach": coach,
        "cohort": cohort,
        "team": team,
        "contexts": contexts,
        "organization": organization,
        "sign_on": sign_on,
        "ana": ana,
        "idp": idp,
    }
    idp.next_response = "normal"
    for context in contexts:
        context.close()


def start_at_idp(browser: Any, site: dict[str, Any], email: str, context: Any = None) -> Any:
    """Type the address under "Continue with your organisation" on the sign-in page,
    which leads to the IdP's own sign-in page."""
    if context is None:
        context = browser.new_context()
        site["contexts"].append(context)
    page = context.new_page()
    page.goto(f"{site['base']}/accounts/login/")
    page.fill("#id_sso_email", email)
    page.click("#sso-continue")
    page.wait_for_selector("#idp-user")
    return page


def sign_in_at_idp(page: Any, email: str) -> None:
    page.fill("#idp-user", email)
    page.fill("#idp-password", IDP_PASSWORD)
    page.click("#idp-submit")


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
    page = start_at_idp(browser, site, ANA)
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
    browser: Any, site: dict[str, Any], settings: Settings
) -> None:
    settings.MFA_REQUIRED_FOR_STAFF = True
    # Cole's IdP asked for a second factor (AuthnContextClassRef): ActionLab does not ask
    # him to set up its own.
    page = start_at_idp(browser, site, COACH)
    sign_in_at_idp(page, COACH)
    page.wait_for_url(f"{site['base']}/")
    page.reload()
    assert page.url == f"{site['base']}/"
    assert "Set up an authenticator app" not in page.content()
    account = SocialAccount.objects.get(user=site["coach"])
    assert "urn:oid:0.9.2342.19200300.100.1.3" not in account.extra_data
    assert account.extra_data[SAML_AUTHN_CONTEXTS_KEY] == [MFA_CONTEXT]
    assert provider_says_mfa(SocialLogin(account=account))
    # Dev's gave a password only: the coach must set up ActionLab's second factor.
    page = start_at_idp(browser, site, OTHER_COACH)
    sign_in_at_idp(page, OTHER_COACH)
    # (allauth first asks for the password again, then shows the authenticator set-up.)
    page.wait_for_url(f"**?next={quote(reverse('mfa_activate_totp'), safe='')}")


def test_a_newcomer_joins_only_when_the_organisation_lets_people_from_its_domains_join(
    browser: Any, site: dict[str, Any]
) -> None:
    page = start_at_idp(browser, site, NEWCOMER)
    sign_in_at_idp(page, NEWCOMER)
    page.get_by_text("No ActionLab account for this address").wait_for()
    assert not User.objects.filter(email=NEWCOMER).exists()

    do_configure_sign_on(
        site["organization"],
        protocol="saml",
        domains=[DOMAIN],
        is_active=True,
        email_authoritative=True,
        join_cohort=site["cohort"],
        saml_metadata_url=site["idp"].metadata_url,
    )
    page = start_at_idp(browser, site, NEWCOMER)
    sign_in_at_idp(page, NEWCOMER)
    page.wait_for_url(f"{site['base']}/")
    # The name comes from the assertion's attributes (givenName, sn).
    newcomer = User.objects.get(email=NEWCOMER)
    assert (newcomer.first_name, newcomer.last_name) == ("Noor", "Haddad")
    membership = Membership.objects.get(user=newcomer)
    assert (membership.role, membership.cohort) == (Role.PARTICIPANT, site["cohort"])


def test_an_address_outside_the_organisations_domains_is_refused(
    browser: Any, site: dict[str, Any]
) -> None:
    # Eve has an ActionLab account, and the clinic's IdP knows her, but under an address
    # the organisation's provider does not answer for.
    page = start_at_idp(browser, site, ANA)
    sign_in_at_idp(page, OUTSIDER)
    page.get_by_text("which is not in its domains (clinic.example)").wait_for()
    refused = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_REFUSED)
    assert refused.details["reason"] == "outside_domains"
    assert not SocialAccount.objects.filter(user__email=OUTSIDER).exists()


def test_a_response_for_another_audience_is_refused(browser: Any, site: dict[str, Any]) -> None:
    site["idp"].next_response = "wrong_audience"
    page = start_at_idp(browser, site, ANA)
    sign_in_at_idp(page, ANA)
    assert_refused(page, site, "meant for another application")
    assert len(failures("wrong_audience")) == 1
    assert not User.objects.get(email=ANA).last_login


def test_an_expired_assertion_is_refused(
    browser: Any, site: dict[str, Any], axe_source: str
) -> None:
    site["idp"].next_response = "expired"
    # On a phone; axe is injected as a script, which the site's CSP rightly forbids.
    phone = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    site["contexts"].append(phone)
    page = start_at_idp(browser, site, ANA, phone)
    sign_in_at_idp(page, ANA)
    page.get_by_role("heading", name="Sign-in not accepted").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not violations(page, axe_source)
    assert_refused(page, site, "had expired")
    assert len(failures("expired")) == 1


def test_an_unsigned_assertion_is_refused(browser: Any, site: dict[str, Any]) -> None:
    site["idp"].next_response = "unsigned"
    page = start_at_idp(browser, site, ANA)
    sign_in_at_idp(page, ANA)
    assert_refused(page, site, "was not signed")
    assert len(failures("unsigned")) == 1


def test_a_person_disabled_at_the_idp_is_told_and_not_signed_in(
    browser: Any, site: dict[str, Any]
) -> None:
    leaver = f.add_participant(site["team"], f.UserFactory(email=LEAVER, first_name="Lee"))
    EmailAddress.objects.create(user=leaver, email=LEAVER, verified=True, primary=True)
    page = start_at_idp(browser, site, LEAVER)
    sign_in_at_idp(page, LEAVER)
    assert_refused(page, site, "your account there may be disabled")
    assert len(failures("denied")) == 1
    assert not SocialAccount.objects.filter(user=leaver).exists()


def test_a_response_signed_with_another_key_is_refused(browser: Any, site: dict[str, Any]) -> None:
    # Same issuer, same shape, but not signed by the certificate the organisation gave.
    site["idp"].next_response = "forged"
    page = start_at_idp(browser, site, ANA)
    sign_in_at_idp(page, ANA)
    assert_refused(page, site, "signature did not match")
    assert len(failures("unsigned")) == 1


def test_a_response_signed_with_sha1_is_refused(browser: Any, site: dict[str, Any]) -> None:
    site["idp"].next_response = "sha1"
    page = start_at_idp(browser, site, ANA)
    sign_in_at_idp(page, ANA)
    assert_refused(page, site, "outdated algorithm (SHA-1)")
    assert len(failures("weak_algorithm")) == 1


def test_a_response_to_no_request_of_this_browser_is_refused(
    browser: Any, site: dict[str, Any]
) -> None:
    # No InResponseTo, as an IdP-initiated sign-in sends: ActionLab did not ask for it.
    site["idp"].next_response = "unsolicited"
    page = start_at_idp(browser, site, ANA)
    sign_in_at_idp(page, ANA)
    assert_refused(page, site, "ActionLab did not ask for this sign-in")
    assert len(failures("unsolicited")) == 1


def test_a_replayed_response_is_refused(browser: Any, site: dict[str, Any]) -> None:
    idp: SamlIdentityProvider = site["idp"]
    page = start_at_idp(browser, site, ANA)
    context = page.context
    sign_in_at_idp(page, ANA)
    page.wait_for_url(f"{site['base']}/")
    used = len(idp.issued) - 1
    # Signed out, the same browser posts the same response again (as would anyone who
    # copied it from the browser's history or a proxy's log).
    context.clear_cookies()
    page.goto(f"{idp.base_url}/replay/{used}")
    assert_refused(page, site, "already been used")
    assert len(failures("replayed")) == 1
