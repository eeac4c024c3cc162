"""An organisation's SAML identity provider as it is saved: its metadata URL is read and
checked against a real IdP (tests/sso/saml_idp.py), pasted metadata and hand-typed
fields are checked, plain http is refused outside development, and the settings are
python3-saml's strict ones. The replay store keeps an assertion until it expires."""

from __future__ import annotations

import datetime
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from core.models import SecurityEvent
from programs.models import OrganizationSignOn, SamlAssertionUse
from programs.saml import do_remember_assertion, failure_reason
from programs.sso import do_configure_sign_on
from tests import factories as f
from tests.sso.saml_idp import SamlIdentityProvider

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def idp() -> Iterator[SamlIdentityProvider]:
    provider = SamlIdentityProvider({}).start()
    yield provider
    provider.stop()


@pytest.fixture
def allow_http(settings: Settings) -> None:
    settings.SSO_ALLOW_LOCAL_PROVIDERS = True


def configure(**fields: Any) -> Any:
    return do_configure_sign_on(
        f.OrganizationFactory(), protocol="saml", domains=["clinic.example"], **fields
    )


def field_errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_an_organisation_admin_gives_the_metadata_url_alone(
    allow_http: None, idp: SamlIdentityProvider, client: Client
) -> None:
    organization = f.OrganizationFactory(name="Clinic Health")
    admin = f.UserFactory()
    f.OrganizationAdminFactory(organization=organization, user=admin)
    client.force_login(admin)
    page = f"/organisations/{organization.pk}/sign-on/"
    form = {"protocol": "saml", "domains": "clinic.example", "is_active": "on"}
    response = client.post(page, {**form, "saml_metadata_url": f"{idp.base_url}/nothing"})
    assert response.status_code == 400
    assert "could not read SAML metadata at this address" in response.text
    assert not OrganizationSignOn.objects.exists()
    response = client.post(page, {**form, "saml_metadata_url": idp.metadata_url})
    assert response.status_code == 302
    settings = OrganizationSignOn.objects.get(organization=organization).app.settings
    assert settings["idp"] == {"metadata_url": idp.metadata_url, "entity_id": idp.entity_id}


def test_a_metadata_url_is_read_when_saved_and_kept_for_sign_in(
    allow_http: None, idp: SamlIdentityProvider
) -> None:
    sign_on = configure(saml_metadata_url=idp.metadata_url)
    settings = sign_on.app.settings  # type: ignore[attr-defined]
    # allauth reads the metadata again at sign-in (cached), so a renewed certificate works.
    assert settings["idp"] == {"metadata_url": idp.metadata_url, "entity_id": idp.entity_id}
    advanced = settings["advanced"]
    assert advanced["strict"] is True
    assert advanced["want_assertion_signed"] is True
    assert advanced["reject_idp_initiated_sso"] is True
    assert advanced["reject_deprecated_algorithm"] is True


def test_pasted_metadata_gives_the_entity_id_sign_in_url_and_certificate(
    allow_http: None, idp: SamlIdentityProvider
) -> None:
    sign_on = configure(saml_metadata_xml=idp.metadata_xml)
    assert sign_on.app.settings["idp"] == {  # type: ignore[attr-defined]
        "entity_id": idp.entity_id,
        "sso_url": idp.sso_url,
        "x509cert": idp.certificate_body(),
    }


def test_entity_id_sign_in_url_and_certificate_typed_in(
    allow_http: None, idp: SamlIdentityProvider
) -> None:
    sign_on = configure(
        saml_entity_id=idp.entity_id, saml_sso_url=idp.sso_url, saml_certificate=idp.certificate
    )
    assert sign_on.app.settings["idp"]["x509cert"] == idp.certificate_body()  # type: ignore[attr-defined]


def test_an_entity_id_given_with_metadata_picks_the_idp_out_of_it(
    allow_http: None, idp: SamlIdentityProvider
) -> None:
    sign_on = configure(saml_metadata_url=idp.metadata_url, saml_entity_id=idp.entity_id)
    assert sign_on.app.settings["idp"]["entity_id"] == idp.entity_id  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as error:
        configure(saml_metadata_xml=idp.metadata_xml, saml_entity_id="https://other.example/")
    assert field_errors(error)["saml_entity_id"] == [
        "The metadata describes no identity provider with this entity ID."
    ]


def test_an_unreachable_or_wrong_metadata_url_is_refused(
    allow_http: None, idp: SamlIdentityProvider
) -> None:
    with pytest.raises(ValidationError) as error:
        configure(saml_metadata_url=f"{idp.base_url}/nothing-here")
    assert "could not read SAML metadata" in field_errors(error)["saml_metadata_url"][0]


def test_plain_http_is_refused_outside_development(
    settings: Settings, idp: SamlIdentityProvider
) -> None:
    settings.SSO_ALLOW_LOCAL_PROVIDERS = False
    with pytest.raises(ValidationError) as error:
        configure(saml_metadata_url=idp.metadata_url)
    assert field_errors(error)["saml_metadata_url"] == ["Give an https:// address."]
    with pytest.raises(ValidationError) as error:
        configure(saml_entity_id="x", saml_sso_url=idp.sso_url, saml_certificate=idp.certificate)
    assert "saml_sso_url" in field_errors(error)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/metadata",
        "https://localhost:8443/metadata",
        "https://10.0.0.7/metadata",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/metadata",
    ],
)
def test_a_metadata_url_on_the_servers_own_network_is_refused(
    settings: Settings, url: str
) -> None:
    settings.SSO_ALLOW_LOCAL_PROVIDERS = False
    with pytest.raises(ValidationError) as error:
        configure(saml_metadata_url=url)
    assert field_errors(error)["saml_metadata_url"] == [
        "Give the address of a server on the public internet."
    ]


def test_metadata_that_is_not_an_idps_is_refused(
    allow_http: None, idp: SamlIdentityProvider
) -> None:
    with pytest.raises(ValidationError) as error:
        configure(saml_metadata_xml="<html>not metadata</html>")
    assert field_errors(error)["saml_metadata_xml"] == [
        "This is not SAML metadata of an identity provider."
    ]
    without_certificate = idp.metadata_xml.replace("KeyDescriptor", "KeyDescriptorGone")
    with pytest.raises(ValidationError) as error:
        configure(saml_metadata_xml=without_certificate)
    assert field_errors(error)["saml_metadata_xml"] == [
        "The identity provider’s metadata has no signing certificate."
    ]


def test_missing_or_broken_typed_in_fields_are_named(allow_http: None) -> None:
    with pytest.raises(ValidationError) as error:
        configure(saml_entity_id="", saml_sso_url="not a url", saml_certificate="MIIB-garbage")
    assert set(field_errors(error)) == {"saml_entity_id", "saml_sso_url", "saml_certificate"}


def test_an_assertion_is_accepted_once_and_forgotten_after_it_expires() -> None:
    later = timezone.now() + datetime.timedelta(minutes=5)

    def remember(assertion_id: str) -> bool:
        return do_remember_assertion(
            assertion_id=assertion_id, not_on_or_after=later, provider_id="org-1"
        )

    assert remember("id-1")
    assert not remember("id-1")
    assert remember("id-2")
    # Kept while python3-saml would still accept it: NotOnOrAfter and five minutes' drift.
    kept = SamlAssertionUse.objects.get(assertion_id="id-2")
    assert kept.expires_at == later + datetime.timedelta(minutes=5)
    # Long expired (past the clock drift python3-saml allows): removed by the next use.
    SamlAssertionUse.objects.filter(assertion_id="id-1").update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert remember("id-3")
    assert set(SamlAssertionUse.objects.values_list("assertion_id", flat=True)) == {
        "id-2",
        "id-3",
    }


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("https://sp/metadata/ is not a valid audience for this Response", "wrong_audience"),
        ("Could not validate timestamp: expired. Check system clock.", "expired"),
        ("A valid SubjectConfirmation was not found on this Response", "expired"),
        ("The Assertion of the Response is not signed and the SP require it", "unsigned"),
        ("No Signature found. SAML Response rejected", "unsigned"),
        ("Signature validation failed. SAML Response rejected", "unsigned"),
        ("Deprecated signature algorithm found: …rsa-sha1", "weak_algorithm"),
        ("Invalid issuer in the Assertion/Response", "invalid"),
        (
            "The status code of the Response was not Success, was Responder -> disabled",
            "denied",
        ),
    ],
)
def test_python3_samls_reasons_are_told_in_plain_words(reason: str, kind: str) -> None:
    assert failure_reason(["invalid_response"], reason) == kind


@pytest.mark.parametrize("where", ["server down", "not metadata"])
def test_an_idp_whose_metadata_cannot_be_read_at_sign_in_is_explained(
    allow_http: None, idp: SamlIdentityProvider, client: Client, where: str
) -> None:
    sign_on = configure(saml_metadata_url=idp.metadata_url, is_active=True)
    # Later the IdP's server is down, or its address answers with a web page, and the
    # cached copy of its metadata has expired.
    app = sign_on.app
    if where == "server down":
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        app.settings["idp"]["metadata_url"] = f"http://127.0.0.1:{port}/metadata"
    else:
        app.settings["idp"]["metadata_url"] = idp.sso_url
    app.save()
    response = client.post(
        "/accounts/organisation/", {"email": "ana@clinic.example"}, HTTP_HOST="testserver"
    )
    assert response.status_code == 502
    assert "could not reach" in response.text
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_FAILED)
    assert event.details["reason"] == "provider_unreachable"
