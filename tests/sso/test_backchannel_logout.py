"""OpenID Connect Back-Channel Logout: the organisation's provider (the real test
provider of tests/sso/oidc_provider) reports that a person's session ended or that the
person was disabled, with a logout token signed by its own key; ActionLab fetches the
provider's JWKS over HTTP, checks the token and ends every session of the person.

A token signed here with the provider's key is the provider reporting: the key is the
one the provider publishes and signs its ID tokens with. Every other token is refused
with 400 and a security event, and nobody's sessions end."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

import jwt
import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from core.models import SecurityEvent
from programs.models import Organization, OrganizationSignOn, Role
from programs.sso import do_configure_sign_on
from programs.sso_backchannel import PROVIDER_SESSION_KEY
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    OrganizationAdminFactory,
    ProgramFactory,
    UserFactory,
)
from tests.sso.conftest import CLIENT_SECRET, DOMAIN, ORG_PK, sign_in_through_provider

pytestmark = pytest.mark.django_db(transaction=True)

EVENT = "http://schemas.openid.net/event/backchannel-logout"
# The subject the provider gives Nadia in the tests that link her account directly.
NADIA_SUB = "provider-subject-nadia"


@pytest.fixture
def north(oidc_provider, live_server, settings):
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
    organization = Organization.objects.create(
        pk=ORG_PK, name="North Health", time_zone="Europe/Dublin"
    )
    program = ProgramFactory(organization=organization, name="North Leadership")
    cohort = CohortFactory(program=program, name="Spring")
    nadia = UserFactory(email=f"nadia@{DOMAIN}", first_name="Nadia", last_name="Okafor")
    MembershipFactory(user=nadia, program=program, role=Role.PARTICIPANT, cohort=cohort)
    sign_on = do_configure_sign_on(
        organization,
        protocol="oidc",
        domains=[DOMAIN],
        is_active=True,
        issuer_url=oidc_provider.issuer,
        client_id="actionlab",
        client_secret=CLIENT_SECRET,
    )
    return {
        "organization": organization,
        "sign_on": sign_on,
        "nadia": nadia,
        "base": live_server.url,
        "url": live_server.url + backchannel_url(organization),
    }


def backchannel_url(organization: Organization) -> str:
    return reverse("sso_backchannel_logout", kwargs={"organization_id": organization.pk})


def provider_kid(provider) -> str:
    with urllib.request.urlopen(f"{provider.base}/o/.well-known/jwks.json", timeout=5) as r:
        return str(json.load(r)["keys"][0]["kid"])


def logout_token(provider, *, key: Any = None, kid: str | None = None, **claims: Any) -> str:
    """A logout token as the provider makes one (signed with its key), with `claims`
    changed; a claim given as None is left out."""
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": provider.issuer,
        "aud": "actionlab",
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        "sub": NADIA_SUB,
        "events": {EVENT: {}},
    }
    body.update(claims)
    body = {name: value for name, value in body.items() if value is not None}
    return jwt.encode(
        body,
        key if key is not None else provider.key_path.read_bytes(),
        algorithm="RS256",
        headers={"kid": kid or provider_kid(provider), "typ": "logout+jwt"},
    )


def post(url: str, token: str) -> requests.Response:
    return requests.post(url, data={"logout_token": token}, timeout=10)


@pytest.fixture
def signed_in_twice(north):
    """Nadia's account linked to her provider subject, and signed in in two browsers
    (two clients, two sessions)."""
    SocialAccount.objects.create(user=north["nadia"], provider=f"org-{ORG_PK}", uid=NADIA_SUB)
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(north["nadia"])
        assert client.get("/").status_code == 200
        clients.append(client)
    return clients


def still_signed_in(clients: list[Client]) -> bool:
    return all(client.get("/").status_code == 200 for client in clients)


def failures() -> list[str]:
    return [
        e.details["error"]
        for e in SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_FAILED).order_by("pk")
    ]


def test_provider_report_signs_the_person_out_of_every_browser_at_once(
    browser, north, oidc_provider
):
    """Nadia signed in through the provider in two browsers; the provider reports her
    session ended (or her account disabled): both browsers are signed out at once."""
    pages = [sign_in_through_provider(browser, north["base"], f"nadia@{DOMAIN}") for _ in "ab"]
    for page in pages:
        page.wait_for_url(f"{north['base']}/")
    nadia = north["nadia"]
    subject = nadia.socialaccount_set.get(provider=f"org-{ORG_PK}").uid
    other = UserFactory(email=f"padmin@{DOMAIN}")
    bystander = Client()
    bystander.force_login(other)

    response = post(north["url"], logout_token(oidc_provider, sub=subject))

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    for page in pages:
        page.goto(f"{north['base']}/")
        assert "/accounts/login/" in page.url
        page.context.close()
    # Nobody else's session ended, and the account stays active: the person may sign in
    # again if the provider lets them.
    assert bystander.get("/").status_code == 200
    nadia.refresh_from_db()
    assert nadia.is_active
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_LOGOUT)
    assert event.user == nadia
    assert event.details["sessions_ended"] == 2
    assert event.details["organization_id"] == ORG_PK
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_FAILED).exists()


def test_a_token_naming_only_the_provider_session_ends_that_session(browser, north, oidc_provider):
    """The provider's ID token carried its session id; a logout token naming only that
    session signs out the browser of that sign-in, not Nadia's other browser."""
    pages = [sign_in_through_provider(browser, north["base"], f"nadia@{DOMAIN}") for _ in "ab"]
    for page in pages:
        page.wait_for_url(f"{north['base']}/")
    sids = sorted(
        data[PROVIDER_SESSION_KEY]
        for data in (s.get_decoded() for s in Session.objects.all())
        if PROVIDER_SESSION_KEY in data
    )
    assert len(set(sids)) == 2
    provider_id, sid = sids[0].split(" ")
    assert provider_id == f"org-{ORG_PK}"
    token = logout_token(oidc_provider, sub=None, sid=sid)

    assert post(north["url"], token).status_code == 200

    remaining = [
        data[PROVIDER_SESSION_KEY]
        for data in (s.get_decoded() for s in Session.objects.all())
        if PROVIDER_SESSION_KEY in data
    ]
    assert remaining == [sids[1]]
    signed_out = []
    for page in pages:
        page.goto(f"{north['base']}/")
        signed_out.append("/accounts/login/" in page.url)
        page.context.close()
    assert sorted(signed_out) == [False, True]
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_LOGOUT)
    assert (event.user, event.details["by"], event.details["sessions_ended"]) == (
        north["nadia"],
        "sid",
        1,
    )


def test_valid_token_ends_both_sessions(north, oidc_provider, signed_in_twice):
    assert post(north["url"], logout_token(oidc_provider)).status_code == 200
    assert not any(client.get("/").status_code == 200 for client in signed_in_twice)
    assert not Session.objects.exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_LOGOUT)
    assert (event.user, event.details["sessions_ended"]) == (north["nadia"], 2)


def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"key": "other"}, "bad_signature"),
        ({"key": "other", "kid": "not-the-providers"}, "unknown_signing_key"),
        ({"aud": "some-other-application"}, "wrong_audience"),
        ({"iss": "https://login.other-provider.example/"}, "wrong_issuer"),
        ({"events": None}, "no_events"),
        ({"events": {"http://schemas.openid.net/event/other": {}}}, "not_a_logout_event"),
        ({"nonce": "n-0S6_WzA2Mj"}, "nonce_present"),
        ({"jti": None}, "no_jti"),
        ({"sub": None}, "no_subject"),
        ({"exp": int(time.time()) - 600}, "expired"),
        ({"iat": int(time.time()) - 3600, "exp": None}, "stale"),
        ({"iat": int(time.time()) + 3600}, "issued_in_the_future"),
    ],
)
def test_refused_tokens_answer_400_are_recorded_and_end_nothing(
    north, oidc_provider, signed_in_twice, claims, reason
):
    if claims.get("key") == "other":
        claims = {**claims, "key": other_key()}
    response = post(north["url"], logout_token(oidc_provider, **claims))
    assert response.status_code == 400
    assert reason in response.json()["error_description"]
    assert failures() == [reason]
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_FAILED)
    assert event.details["reason"] == "logout_token_refused"
    # No token content is recorded.
    assert set(event.details) <= {"provider", "organization_id", "reason", "error"}
    assert still_signed_in(signed_in_twice)
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_LOGOUT).exists()


def test_garbage_and_missing_tokens_are_refused(north, signed_in_twice):
    assert post(north["url"], "not-a-jwt").status_code == 400
    assert requests.post(north["url"], data={}, timeout=10).status_code == 400
    assert failures() == ["malformed", "no_token"]
    assert still_signed_in(signed_in_twice)


def test_a_token_played_twice_is_refused_the_second_time(north, oidc_provider, signed_in_twice):
    token = logout_token(oidc_provider)
    assert post(north["url"], token).status_code == 200
    assert not still_signed_in(signed_in_twice)
    # Nadia signs in again; the same token, sent again, ends nothing.
    again = Client()
    again.force_login(north["nadia"])
    response = post(north["url"], token)
    assert response.status_code == 400
    assert failures() == ["replayed"]
    assert again.get("/").status_code == 200


def test_unknown_subject_and_session_only_tokens_answer_200_and_end_nothing(
    north, oidc_provider, signed_in_twice
):
    assert post(north["url"], logout_token(oidc_provider, sub="nobody-here")).status_code == 200
    only_sid = logout_token(oidc_provider, sub=None, sid="provider-session-1")
    assert post(north["url"], only_sid).status_code == 200
    assert still_signed_in(signed_in_twice)
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_LOGOUT)
    assert [e.details["matched"] for e in events] == [False, False]
    assert failures() == []


def test_another_organisations_endpoint_refuses_this_organisations_token(
    north, oidc_provider, signed_in_twice
):
    """South uses the same provider with its own client: a token for North's client is
    no token for South, and nobody's session ends."""
    south = Organization.objects.create(name="South Care")
    do_configure_sign_on(
        south,
        protocol="oidc",
        domains=["south.example"],
        is_active=True,
        issuer_url=oidc_provider.issuer,
        client_id="consent",
        client_secret=CLIENT_SECRET,
    )
    SocialAccount.objects.create(user=north["nadia"], provider=f"org-{south.pk}", uid=NADIA_SUB)
    response = post(north["base"] + backchannel_url(south), logout_token(oidc_provider))
    assert response.status_code == 400
    assert failures() == ["wrong_audience"]
    assert still_signed_in(signed_in_twice)


def test_only_post_and_only_a_provider_in_use(north, oidc_provider, signed_in_twice):
    assert requests.get(north["url"], timeout=10).status_code == 405
    # An organisation without single sign-on, and one whose provider is not in use.
    bare = Organization.objects.create(name="No Provider")
    assert post(north["base"] + backchannel_url(bare), "x").status_code == 404
    assert (
        post(north["base"] + "/accounts/sign-on/999999/backchannel-logout/", "x").status_code
        == 404
    )
    # A SAML provider has no back-channel logout.
    OrganizationSignOn.objects.filter(pk=north["sign_on"].pk).update(protocol="saml")
    assert post(north["url"], logout_token(oidc_provider)).status_code == 404
    OrganizationSignOn.objects.filter(pk=north["sign_on"].pk).update(protocol="oidc")
    north["sign_on"].is_active = False
    north["sign_on"].save(update_fields=["is_active"])
    assert post(north["url"], logout_token(oidc_provider)).status_code == 404
    assert still_signed_in(signed_in_twice)


def test_settings_page_shows_the_backchannel_logout_url_on_a_phone(browser, north):
    admin = UserFactory(email="admin@north.example")
    OrganizationAdminFactory(organization=north["organization"], user=admin)
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{north['base']}/accounts/login/")
    page.fill("#id_login", "admin@north.example")
    page.fill("#id_password", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{north['base']}/")
    page.goto(f"{north['base']}/organisations/{ORG_PK}/sign-on/")
    assert "Back-channel logout URL" in page.content()
    assert (
        page.locator("#backchannel-logout-url")
        .inner_text()
        .endswith(f"/accounts/sign-on/{ORG_PK}/backchannel-logout/")
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#backchannel-logout-url").bounding_box()["width"] <= 390
    page.context.close()
