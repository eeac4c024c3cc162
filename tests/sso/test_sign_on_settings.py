"""An organisation admin's single sign-on settings, the people page's "deactivate", and
the rules that need no provider: domains belong to one organisation, secrets are never
shown back, a switched-off provider's addresses answer 404, SAML's authentication
context counts as a second factor."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from core.models import SecurityEvent
from programs.models import OrganizationSignOn, SignOnProtocol
from programs.sso import do_configure_sign_on, sign_on_for_email
from programs.sso_adapter import provider_says_mfa
from tests.factories import (
    CohortFactory,
    OrganizationAdminFactory,
    OrganizationFactory,
    ProgramFactory,
    UserFactory,
)
from tests.sso.saml_idp import certificate_pem

pytestmark = pytest.mark.django_db

SECRET = "s3cret-value-from-the-console-XYZW"


@pytest.fixture
def org():
    return OrganizationFactory(name="Riverbend Health")


@pytest.fixture
def admin_client(client, org):
    admin = UserFactory(email="admin@riverbend.example")
    OrganizationAdminFactory(organization=org, user=admin)
    client.force_login(admin)
    client.admin = admin
    return client


def oidc_form(**overrides):
    return {
        "protocol": "oidc",
        "domains": "riverbend.example, Riverbend-Health.example",
        "is_active": "on",
        "issuer_url": "https://login.microsoftonline.com/tenant-id/v2.0",
        "client_id": "client-123",
        "client_secret": SECRET,
        **overrides,
    }


def url(org, name="sign-on"):
    return f"/organisations/{org.pk}/{name}/"


def test_org_admin_sets_up_openid_connect_and_the_secret_is_never_shown_back(admin_client, org):
    response = admin_client.post(url(org), oidc_form())
    assert response.status_code == 302
    sign_on = OrganizationSignOn.objects.get(organization=org)
    app = sign_on.app
    assert (app.provider, app.provider_id, app.client_id) == (
        "openid_connect",
        f"org-{org.pk}",
        "client-123",
    )
    assert app.secret == SECRET
    assert app.settings["server_url"] == "https://login.microsoftonline.com/tenant-id/v2.0"
    assert sorted(sign_on.domains.values_list("domain", flat=True)) == [
        "riverbend-health.example",
        "riverbend.example",
    ]
    page = admin_client.get(url(org)).text
    assert SECRET not in page
    assert "ending in …XYZW" in page
    assert f"/accounts/oidc/org-{org.pk}/login/callback/" in page
    # Saved again without a secret: the stored one stays.
    assert admin_client.post(url(org), oidc_form(client_secret="")).status_code == 302
    app.refresh_from_db()
    assert app.secret == SECRET
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_CONFIGURED).count() == 2


def test_a_domain_belongs_to_one_organisation(admin_client, org):
    other = OrganizationFactory(name="Hillcrest Clinics")
    do_configure_sign_on(
        other,
        protocol="oidc",
        domains=["riverbend.example"],
        issuer_url="https://idp.example",
        client_id="x",
        client_secret="y",
    )
    response = admin_client.post(url(org), oidc_form())
    assert response.status_code == 400
    assert "Already used by another organisation: riverbend.example" in response.text
    # The form keeps what was typed (but not the secret).
    assert "client-123" in response.text
    assert SECRET not in response.text
    assert not OrganizationSignOn.objects.filter(organization=org).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"issuer_url": "http://idp.example.org"}, "Use the provider&#x27;s https:// address."),
        # The server reads the issuer's discovery document: nothing inside its own network.
        ({"issuer_url": "https://127.0.0.1:8443/"}, "leads into the server&#x27;s own network"),
        ({"issuer_url": "https://localhost/realms/x"}, "leads into the server&#x27;s own network"),
        ({"issuer_url": "https://10.0.0.5/realms/x"}, "leads into the server&#x27;s own network"),
        ({"issuer_url": "https://169.254.169.254/"}, "leads into the server&#x27;s own network"),
        ({"client_id": ""}, "Give the client (application) ID."),
        ({"client_secret": ""}, "Give the client secret."),
        ({"domains": "not a domain!"}, "is not a domain name"),
        ({"is_active": "", "require_sso": "on"}, "can be required only while it is in use"),
    ],
)
def test_settings_are_checked_and_kept_on_error(admin_client, org, overrides, message):
    response = admin_client.post(url(org), oidc_form(**overrides))
    assert response.status_code == 400
    assert message in response.text
    assert "The settings have not been saved" in response.text
    assert not SocialApp.objects.exists()


def test_saml_by_entity_id_sign_in_url_and_certificate(admin_client, org):
    response = admin_client.post(
        url(org),
        {
            "protocol": "saml",
            "domains": "riverbend.example",
            "saml_entity_id": "https://sts.windows.net/tenant/",
            "saml_sso_url": "https://login.microsoftonline.com/tenant/saml2",
            "saml_certificate": certificate_pem(),
        },
    )
    assert response.status_code == 302
    app = OrganizationSignOn.objects.get(organization=org).app
    assert app.provider == "saml"
    assert app.settings["idp"]["entity_id"] == "https://sts.windows.net/tenant/"
    response = admin_client.post(url(org), {"protocol": "saml", "domains": "riverbend.example"})
    assert response.status_code == 400
    assert "metadata URL, or its metadata XML" in response.text


def test_join_cohort_must_be_the_organisations(admin_client, org):
    elsewhere = CohortFactory(program=ProgramFactory(organization=OrganizationFactory(name="Z")))
    response = admin_client.post(url(org), oidc_form(join_cohort=elsewhere.pk))
    assert response.status_code == 400
    ours = CohortFactory(program=ProgramFactory(organization=org, name="Emerging Leaders"))
    page = admin_client.get(url(org)).text
    assert "Emerging Leaders — " in page
    assert admin_client.post(url(org), oidc_form(join_cohort=ours.pk)).status_code == 302
    assert OrganizationSignOn.objects.get(organization=org).join_cohort == ours


def test_a_new_issuer_forgets_accounts_linked_through_the_old_one(org):
    sign_on = do_configure_sign_on(
        org,
        protocol="oidc",
        domains=["riverbend.example"],
        issuer_url="https://a.example",
        client_id="c",
        client_secret="s",
    )
    person = UserFactory(email="p@riverbend.example")
    SocialAccount.objects.create(user=person, provider=sign_on.provider_id, uid="17")
    do_configure_sign_on(
        org,
        protocol="oidc",
        domains=["riverbend.example"],
        issuer_url="https://a.example",
        client_id="c2",
    )
    assert SocialAccount.objects.count() == 1
    do_configure_sign_on(
        org,
        protocol="oidc",
        domains=["riverbend.example"],
        issuer_url="https://b.example",
        client_id="c2",
    )
    assert SocialAccount.objects.count() == 0


def test_a_provider_not_in_use_finds_nobody_and_its_addresses_answer_404(client, org):
    do_configure_sign_on(
        org,
        protocol="oidc",
        domains=["riverbend.example"],
        issuer_url="https://a.example",
        client_id="c",
        client_secret="s",
        is_active=False,
    )
    assert sign_on_for_email("x@riverbend.example") is None
    assert sign_on_for_email("x@RIVERBEND.example", active_only=False) is not None
    assert client.post(f"/accounts/oidc/org-{org.pk}/login/").status_code == 404
    assert (
        client.get(f"/accounts/oidc/org-{org.pk}/login/callback/?code=a&state=b").status_code
        == 404
    )
    response = client.post("/accounts/organisation/", {"email": "x@riverbend.example"})
    assert response.status_code == 302


def test_django_admin_shows_no_secret(admin_client, org, client):
    do_configure_sign_on(
        org,
        protocol="oidc",
        domains=["riverbend.example"],
        issuer_url="https://a.example",
        client_id="c",
        client_secret=SECRET,
        is_active=True,
    )
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    app = SocialApp.objects.get()
    for page in (
        "/admin/socialaccount/socialapp/",
        f"/admin/socialaccount/socialapp/{app.pk}/change/",
        f"/admin/programs/organizationsignon/{app.organization_sign_on.pk}/change/",
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        assert SECRET not in response.text
    assert (
        client.get(f"/admin/socialaccount/socialapp/?secret__startswith={SECRET[:3]}").status_code
        == 400
    )


def _saml_login(contexts):
    login = SocialLogin(
        account=SocialAccount(
            provider="org-1", uid="u", extra_data={"authn_context_class_refs": contexts}
        )
    )
    return login


def test_provider_says_mfa_for_either_protocol():
    assert provider_says_mfa(_saml_login(["http://schemas.microsoft.com/claims/multipleauthn"]))
    assert not provider_says_mfa(
        _saml_login(["urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"])
    )
    oidc = SocialLogin(
        account=SocialAccount(
            provider="org-1", uid="u", extra_data={"id_token": {"amr": ["pwd", "otp"]}}
        )
    )
    assert provider_says_mfa(oidc)
    oidc.account.extra_data = {"id_token": {"amr": ["pwd"]}}
    assert not provider_says_mfa(oidc)


def test_deactivate_asks_first_and_refuses_outside_the_domains(admin_client, org):
    program = ProgramFactory(organization=org)
    cohort = CohortFactory(program=program)
    from tests.factories import MembershipFactory

    inside = UserFactory(email="leaver@riverbend.example")
    outside = UserFactory(email="guest@gmail.example")
    for person in (inside, outside):
        MembershipFactory(user=person, program=program, cohort=cohort)
    session = SessionStore()
    session["_auth_user_id"] = str(inside.pk)
    session.create()

    page = admin_client.get(url(org, "people")).text
    assert "leaver@riverbend.example" in page and "guest@gmail.example" in page
    assert f"/people/{inside.pk}/deactivate/" not in page  # no sign-on domains yet
    do_configure_sign_on(
        org,
        protocol="oidc",
        domains=["riverbend.example"],
        issuer_url="https://a.example",
        client_id="c",
        client_secret="s",
    )
    page = admin_client.get(url(org, "people")).text
    assert f"/people/{inside.pk}/deactivate/" in page
    assert f"/people/{outside.pk}/deactivate/" not in page

    confirm = admin_client.get(url(org, f"people/{outside.pk}/deactivate")).text
    assert "is not in Riverbend Health" in confirm
    admin_client.post(url(org, f"people/{outside.pk}/deactivate"))
    outside.refresh_from_db()
    assert outside.is_active

    assert (
        "Deactivate account" in admin_client.get(url(org, f"people/{inside.pk}/deactivate")).text
    )
    response = admin_client.post(url(org, f"people/{inside.pk}/deactivate"), follow=True)
    assert "1 session ended" in response.text
    inside.refresh_from_db()
    assert not inside.is_active
    assert not Session.objects.filter(session_key=session.session_key).exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACCOUNT_DEACTIVATED)
    assert (event.user, event.details["by"]) == (inside, admin_client.admin.pk)
    # Password sign-in is refused too (Django refuses inactive accounts).
    admin_client.logout()
    response = admin_client.post(
        "/accounts/login/", {"login": inside.email, "password": "correct-horse-battery-staple"}
    )
    assert "_auth_user_id" not in admin_client.session


def test_organisation_page_shows_the_sign_on(admin_client, org):
    do_configure_sign_on(
        org,
        protocol="saml",
        domains=["riverbend.example"],
        saml_entity_id="e",
        saml_sso_url="https://idp.example/sso",
        saml_certificate=certificate_pem(),
    )
    page = admin_client.get(f"/organisations/{org.pk}/").text
    assert "Not in use" in page and "SAML 2.0 for riverbend.example" in page
    assert SignOnProtocol.SAML.label in page


def test_demo_organisation_has_an_example_sign_on_not_in_use(client):
    from django.core.management import call_command

    from devtools.demo.program import ORG_ADMIN, ORGANIZATION

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sign_on = OrganizationSignOn.objects.get(organization__name=ORGANIZATION)
    assert not sign_on.is_active and sign_on.protocol == SignOnProtocol.OIDC
    from programs.models import User

    client.force_login(User.objects.get(email=ORG_ADMIN.email))
    page = client.get(f"/organisations/{sign_on.organization_id}/sign-on/").text
    assert "Not in use" in page and "riverside-health.example" in page
    assert "login.microsoftonline.com" in page
    assert "example-secret-replace-with-the-tenant-one" not in page
    # The demo's people still sign in with their password.
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": ORG_ADMIN.email, "password": "actionlab-demo"}
    )
    assert response.status_code == 302


def test_people_are_listed_once_and_site_admins_cannot_be_deactivated(admin_client, org):
    from tests.factories import MembershipFactory, ProfileFactory

    do_configure_sign_on(
        org,
        protocol="oidc",
        domains=["riverbend.example"],
        issuer_url="https://a.example",
        client_id="c",
        client_secret="s",
    )
    program = ProgramFactory(organization=org)
    both = UserFactory(email="both@riverbend.example")
    ProfileFactory(user=both, organization=org)
    MembershipFactory(user=both, program=program, role="coach")
    MembershipFactory(user=both, program=program, role="sponsor")
    operator = UserFactory(email="ops@riverbend.example", is_staff=True)
    ProfileFactory(user=operator, organization=org)

    page = admin_client.get(url(org, "people")).text
    assert page.count("both@riverbend.example") == 1
    assert f"/people/{both.pk}/deactivate/" in page
    assert f"/people/{operator.pk}/deactivate/" not in page
    confirm = admin_client.get(url(org, f"people/{operator.pk}/deactivate")).text
    assert "site admin" in confirm and "Deactivate account" not in confirm
    admin_client.post(url(org, f"people/{operator.pk}/deactivate"))
    operator.refresh_from_db()
    assert operator.is_active
    # Nor their own account.
    own = admin_client.get(url(org, f"people/{admin_client.admin.pk}/deactivate")).text
    assert "your own account" in own
