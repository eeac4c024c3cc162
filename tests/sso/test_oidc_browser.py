"""Single sign-on through a real OpenID Connect provider (tests/sso/oidc_provider), in
Chromium: the sign-in page finds the organisation's provider by the address, the provider
signs the person in, ActionLab opens the account made for that address. Tokens for
another audience, expired tokens and a replayed authorization response are refused with
words for the person and a security event."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session

from core.models import SecurityEvent
from programs.models import Membership, Organization, Role, User
from programs.sso import do_configure_sign_on
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    OrganizationFactory,
    ProgramFactory,
    UserFactory,
)
from tests.sso.conftest import (
    CLIENT_SECRET,
    DOMAIN,
    ORG_PK,
    PASSWORD,
    sign_in_through_provider,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def north(oidc_provider, live_server, settings):
    """North Health, whose people sign in through the test provider; Nadia was invited
    to its program (her account exists), the others have none yet."""
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
    organization = Organization.objects.create(
        pk=ORG_PK, name="North Health", time_zone="Europe/Dublin"
    )
    program = ProgramFactory(organization=organization, name="North Leadership")
    cohort = CohortFactory(program=program, name="Spring")
    nadia = UserFactory(email=f"nadia@{DOMAIN}", first_name="Nadia", last_name="Okafor")
    MembershipFactory(user=nadia, program=program, role=Role.PARTICIPANT, cohort=cohort)

    def configure(client_id: str = "actionlab", **options):
        return do_configure_sign_on(
            organization,
            protocol="oidc",
            domains=[DOMAIN],
            is_active=True,
            issuer_url=oidc_provider.issuer,
            client_id=client_id,
            client_secret=CLIENT_SECRET,
            **options,
        )

    configure()
    return {
        "organization": organization,
        "program": program,
        "cohort": cohort,
        "nadia": nadia,
        "configure": configure,
        "base": live_server.url,
    }


def events(kind: str) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind))


def test_invited_person_signs_in_through_the_organisation_provider(browser, north):
    page = sign_in_through_provider(browser, north["base"], f"nadia@{DOMAIN}")
    page.wait_for_url(f"{north['base']}/")
    assert "North Leadership" in page.content()
    # The account the invitation made is the one signed in to, and now linked.
    nadia = north["nadia"]
    assert nadia.socialaccount_set.filter(provider=f"org-{ORG_PK}").count() == 1
    assert User.objects.filter(email__iexact=f"nadia@{DOMAIN}").count() == 1
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN, user=nadia).exists()
    page.context.close()


def test_unknown_domain_goes_back_to_password_sign_in(browser, north):
    page = browser.new_page()
    page.goto(f"{north['base']}/accounts/login/")
    page.fill("#id_sso_email", "someone@unknown-hospital.example")
    page.click("#sso-continue")
    page.wait_for_url(f"{north['base']}/accounts/login/")
    assert "does not sign in through an organisation" in page.content()
    assert page.locator("#id_password").is_visible()
    page.close()


def test_address_without_account_is_refused_unless_the_organisation_lets_people_join(
    browser, north
):
    page = sign_in_through_provider(browser, north["base"], f"newcomer@{DOMAIN}")
    assert "No ActionLab account for this address" in page.content()
    assert not User.objects.filter(email=f"newcomer@{DOMAIN}").exists()
    refused = events(SecurityEvent.Kind.SSO_REFUSED)
    assert [e.details["reason"] for e in refused] == ["no_account"]
    page.context.close()

    north["configure"](join_cohort=north["cohort"])
    page = sign_in_through_provider(browser, north["base"], f"newcomer@{DOMAIN}")
    page.wait_for_url(f"{north['base']}/")
    newcomer = User.objects.get(email=f"newcomer@{DOMAIN}")
    assert newcomer.first_name == "Nico"
    assert newcomer.time_zone == "Europe/Dublin"
    assert not newcomer.has_usable_password()
    membership = Membership.objects.get(user=newcomer)
    assert (membership.role, membership.cohort) == (Role.PARTICIPANT, north["cohort"])
    assert newcomer.profiles.get().organization == north["organization"]
    page.context.close()


def test_address_outside_the_organisation_domains_is_refused(browser, north):
    """The provider may say anything about an address: only its organisation's domains
    are believed (a provider must not sign anyone in to another organisation's account)."""
    UserFactory(email="outsider@elsewhere.example")
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{north['base']}/accounts/login/")
    page.fill("#id_sso_email", f"nadia@{DOMAIN}")
    page.click("#sso-continue")
    page.wait_for_selector("#provider-sign-in")
    page.fill("#id_username", "outsider@elsewhere.example")
    page.fill("#id_password", PASSWORD)
    page.click("#provider-sign-in")
    page.wait_for_load_state("load")
    assert "This address is not your organisation" in page.content()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).exists()
    reasons = [e.details["reason"] for e in events(SecurityEvent.Kind.SSO_REFUSED)]
    assert reasons == ["outside_domains"]
    ctx.close()


def test_unverified_address_does_not_open_the_invited_account(browser, north):
    invited = UserFactory(email=f"unverified@{DOMAIN}")
    MembershipFactory(
        user=invited, program=north["program"], role=Role.PARTICIPANT, cohort=north["cohort"]
    )
    page = sign_in_through_provider(browser, north["base"], f"unverified@{DOMAIN}")
    assert "Your address was not confirmed" in page.content()
    page.context.close()
    # An organisation that declares its provider authoritative for its domains is
    # believed without the claim.
    north["configure"](email_authoritative=True)
    page = sign_in_through_provider(browser, north["base"], f"unverified@{DOMAIN}")
    page.wait_for_url(f"{north['base']}/")
    page.context.close()


def test_id_token_for_another_audience_is_refused(browser, north):
    north["configure"](client_id="wrong-audience")
    page = sign_in_through_provider(browser, north["base"], f"nadia@{DOMAIN}")
    assert "Single sign-on failed" in page.content()
    assert "meant for another application" in page.content()
    failed = events(SecurityEvent.Kind.SSO_FAILED)
    assert [e.details["reason"] for e in failed] == ["wrong_audience"]
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).exists()
    page.context.close()


def test_expired_id_token_is_refused(browser, north):
    north["configure"](client_id="expired")
    page = sign_in_through_provider(browser, north["base"], f"nadia@{DOMAIN}")
    assert "had already expired" in page.content()
    failed = events(SecurityEvent.Kind.SSO_FAILED)
    assert [e.details["reason"] for e in failed] == ["expired_token"]
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).exists()
    page.context.close()


def test_replayed_authorization_response_is_refused(browser, north):
    """The provider's answer (code and state) works once: opened again, in the same
    browser or another, it is refused."""
    callbacks: list[str] = []
    ctx = browser.new_context()
    ctx.on(
        "request",
        lambda request: (
            callbacks.append(request.url) if "/login/callback/" in request.url else None
        ),
    )
    page = sign_in_through_provider(browser, north["base"], f"nadia@{DOMAIN}", context=ctx)
    page.wait_for_url(f"{north['base']}/")
    assert len(callbacks) == 1 and "state=" in callbacks[0] and "code=" in callbacks[0]
    logins = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).count()

    # Another browser (an attacker holding the link).
    other = browser.new_context()
    stolen = other.new_page()
    stolen.goto(callbacks[0])
    assert "Single sign-on failed" in stolen.content()
    assert "already used" in stolen.content()
    other.close()
    # The same browser, signed out, opening it again.
    page.goto(f"{north['base']}/accounts/logout/")
    page.click("main button[type=submit]")
    page.goto(callbacks[0])
    assert "already used" in page.content()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).count() == logins
    reasons = [e.details["reason"] for e in events(SecurityEvent.Kind.SSO_FAILED)]
    assert reasons == ["unknown_state", "unknown_state"]
    ctx.close()


def test_required_sso_refuses_password_and_code(browser, north, client):
    north["configure"](require_sso=True)
    response = client.post(
        "/accounts/login/",
        {"login": f"nadia@{DOMAIN}", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 200
    assert "requires you to sign in with your organisation" in response.text
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/code/", {"email": f"nadia@{DOMAIN}"})
    assert "requires you to sign in with your organisation" in response.text
    methods = sorted(e.details["method"] for e in events(SecurityEvent.Kind.SSO_REFUSED))
    assert methods == ["code", "password"]
    # The organisation's own sign-in still works.
    page = sign_in_through_provider(browser, north["base"], f"nadia@{DOMAIN}")
    page.wait_for_url(f"{north['base']}/")
    page.context.close()


def test_provider_mfa_satisfies_the_staff_rule_otherwise_totp_is_asked(browser, north, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    program = north["program"]
    coach = UserFactory(email=f"coach@{DOMAIN}")
    MembershipFactory(user=coach, program=program, role=Role.COACH)
    admin = UserFactory(email=f"padmin@{DOMAIN}")
    MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)

    # The provider says the coach used a second factor (amr: mfa).
    page = sign_in_through_provider(browser, north["base"], f"coach@{DOMAIN}")
    page.wait_for_url(f"{north['base']}/")
    page.goto(f"{north['base']}/")
    assert "/accounts/2fa/" not in page.url
    page.context.close()

    # It says the program admin used a password only: ActionLab's TOTP is asked.
    page = sign_in_through_provider(browser, north["base"], f"padmin@{DOMAIN}")
    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    assert not Authenticator.objects.filter(user=admin).exists()
    page.context.close()


def test_deactivated_leaver_loses_sessions_and_cannot_sign_in(browser, north):
    from tests.factories import OrganizationAdminFactory

    leaver = UserFactory(email=f"leaver@{DOMAIN}")
    MembershipFactory(
        user=leaver, program=north["program"], role=Role.PARTICIPANT, cohort=north["cohort"]
    )
    page = sign_in_through_provider(browser, north["base"], f"leaver@{DOMAIN}")
    page.wait_for_url(f"{north['base']}/")
    assert Session.objects.count() >= 1

    # The organisation admin deactivates the leaver from the people page.
    org_admin = UserFactory(email="admin@north.example")
    OrganizationAdminFactory(organization=north["organization"], user=org_admin)
    admin_ctx = browser.new_context()
    admin_page = admin_ctx.new_page()
    admin_page.goto(f"{north['base']}/accounts/login/")
    admin_page.fill("#id_login", "admin@north.example")
    admin_page.fill("#id_password", "correct-horse-battery-staple")
    admin_page.click("main button[type=submit]")
    admin_page.wait_for_url(f"{north['base']}/")
    admin_page.goto(f"{north['base']}/organisations/{ORG_PK}/people/")
    admin_page.click("table a:has-text('Deactivate')")
    admin_page.click("main button:has-text('Deactivate account')")
    assert "deactivated" in admin_page.content()
    admin_ctx.close()

    leaver.refresh_from_db()
    assert not leaver.is_active
    assert events(SecurityEvent.Kind.ACCOUNT_DEACTIVATED)[0].details["sessions_ended"] == 1
    # The leaver's open browser is signed out at once.
    page.goto(f"{north['base']}/")
    assert "/accounts/login/" in page.url
    page.context.close()
    # And signing in again through the provider is refused.
    page = sign_in_through_provider(browser, north["base"], f"leaver@{DOMAIN}")
    assert "This account is deactivated" in page.content()
    page.context.close()


def test_person_disabled_at_the_provider_cannot_sign_in_anywhere(browser, north, client):
    """A leaver disabled in the organisation's directory: the provider signs them in
    nowhere, and with single sign-on required, ActionLab's password and code are refused."""
    gone = UserFactory(email=f"gone@{DOMAIN}")
    MembershipFactory(
        user=gone, program=north["program"], role=Role.PARTICIPANT, cohort=north["cohort"]
    )
    north["configure"](require_sso=True)
    page = sign_in_through_provider(browser, north["base"], f"gone@{DOMAIN}")
    assert page.locator("#provider-error").is_visible()
    assert not page.url.startswith(north["base"])
    page.context.close()
    response = client.post(
        "/accounts/login/", {"login": gone.email, "password": "correct-horse-battery-staple"}
    )
    assert "requires you to sign in with your organisation" in response.text
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).exists()


def test_refusal_at_the_provider_is_reported(browser, north):
    """The person (or the provider) refuses: ActionLab says nobody was signed in and
    records it."""
    north["configure"](client_id="consent")
    page = sign_in_through_provider(browser, north["base"], f"nadia@{DOMAIN}")
    page.click("input[type=submit][value=Cancel]")
    page.wait_for_url(f"{north['base']}/accounts/3rdparty/login/cancelled/")
    assert "nobody was signed in" in page.content()
    failed = events(SecurityEvent.Kind.SSO_FAILED)
    assert [(e.details["reason"], e.details["error"]) for e in failed] == [
        ("provider_refused", "cancelled")
    ]
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).exists()
    page.context.close()


def test_accounts_that_are_not_the_organisations_stay_out_of_its_providers_reach(browser, north):
    """An organisation's provider opens its own people's accounts only: not an account
    that belongs to nothing of the organisation (another organisation's person under a
    domain it claimed), nor a site admin's."""
    elsewhere = ProgramFactory(organization=OrganizationFactory(name="Other Health"))
    theirs = UserFactory(email=f"newcomer@{DOMAIN}")
    MembershipFactory(user=theirs, program=elsewhere, role=Role.PARTICIPANT)
    operator = UserFactory(email=f"padmin@{DOMAIN}", is_staff=True, is_superuser=True)
    MembershipFactory(user=operator, program=north["program"], role=Role.PROGRAM_ADMIN)

    page = sign_in_through_provider(browser, north["base"], theirs.email)
    assert "This account is not one of your organisation" in page.content()
    page.context.close()
    page = sign_in_through_provider(browser, north["base"], operator.email)
    assert "Site admins sign in with their password" in page.content()
    page.context.close()
    reasons = [e.details["reason"] for e in events(SecurityEvent.Kind.SSO_REFUSED)]
    assert sorted(reasons) == ["not_known_to_organization", "site_admin"]
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).exists()
    # Requiring single sign-on does not lock them out of their password either.
    north["configure"](require_sso=True)
    from programs.sso_forms import sso_required_message

    assert sso_required_message(theirs.email) is None
    assert sso_required_message(operator.email) is None
    assert sso_required_message(f"nadia@{DOMAIN}") is not None


def test_an_invitation_is_accepted_by_signing_in_through_the_provider(browser, north):
    """Invited, with no account yet: the provider vouching for the address does what the
    emailed link would, so the person need not choose a password first."""
    import datetime

    from django.utils import timezone

    from programs.models import Invitation

    invitation = Invitation.objects.create(
        program=north["program"],
        email=f"newcomer@{DOMAIN}",
        role=Role.COACH,
        nonce="n",
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    page = sign_in_through_provider(browser, north["base"], f"newcomer@{DOMAIN}")
    page.wait_for_url(f"{north['base']}/")
    newcomer = User.objects.get(email=f"newcomer@{DOMAIN}")
    assert list(Membership.objects.filter(user=newcomer).values_list("role", flat=True)) == [
        Role.COACH
    ]
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.INVITATION_ACCEPTED, user=newcomer
    ).exists()
    page.context.close()


def test_a_provider_account_cannot_be_linked_by_hand(browser, north):
    """allauth's "connect" (link a provider account to whoever is signed in) is refused:
    accounts are linked by their address only. (allauth's own confirmation page posts a
    form that redirects to the provider, which the site's CSP forbids: bypassed here, as
    a hostile browser would.)"""
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{north['base']}/accounts/login/")
    page.fill("#id_login", f"nadia@{DOMAIN}")
    page.fill("#id_password", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{north['base']}/")
    page.goto(f"{north['base']}/accounts/oidc/org-{ORG_PK}/login/?process=connect")
    page.click("main button[type=submit]")
    page.wait_for_selector("#provider-sign-in")
    page.fill("#id_username", f"coach@{DOMAIN}")
    page.fill("#id_password", PASSWORD)
    page.click("#provider-sign-in")
    page.wait_for_load_state("load")
    assert "Accounts are not linked by hand" in page.content()
    assert not north["nadia"].socialaccount_set.exists()
    reasons = [e.details["reason"] for e in events(SecurityEvent.Kind.SSO_REFUSED)]
    assert reasons == ["connect"]
    page.context.close()


def test_sign_in_page_fits_a_phone_and_has_no_serious_axe_violation(browser, north, axe_source):
    from tests.e2e.test_accessibility import violations

    page = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{north['base']}/accounts/login/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#sso-continue").bounding_box()["width"] <= 390
    assert not violations(page, axe_source)
    page.context.close()
