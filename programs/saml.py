"""SAML 2.0 sign-in through an organisation's identity provider: reading and checking
the IdP's configuration, and the end of the sign-in, where the IdP's response is judged.

allauth's SAML provider (python3-saml underneath) checks a response's signature,
audience, destination, issuer and validity times, as the settings built here make it
strict: the assertion must be signed, a response must answer a request this browser made
(no IdP-initiated sign-in), deprecated algorithms are refused. Two things it leaves to
us, done by `FinishACSView`:

- Replay: python3-saml keeps no record of the assertions it accepted, so a response
  copied from a browser (or a proxy's log) could be posted again while it is valid. Each
  accepted assertion's ID is written to `SamlAssertionUse` (unique) until it expires; a
  second use is refused.
- Refusals: each failure is a security event (`sso_failed`, with the reason) and a page
  that says in plain words what went wrong, instead of allauth's generic one.

The AuthnContextClassRef values of the assertion are kept in the account's extra_data
(`SAML_AUTHN_CONTEXTS_KEY`), where programs.sso_adapter.provider_says_mfa reads them.
"""

from __future__ import annotations

import binascii
import datetime
import ipaddress
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

from allauth.core.internal import httpkit
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.providers.saml import views as saml_views
from allauth.socialaccount.providers.saml.utils import build_auth, fetch_metadata_url_config
from allauth.socialaccount.sessions import LoginSession
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.errors import OneLogin_Saml2_Error
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from core.models import SecurityEvent
from core.security import record_event
from programs.models import SamlAssertionUse
from programs.sso_adapter import SAML_AUTHN_CONTEXTS_KEY

logger = logging.getLogger("actionlab.sso")

# How long a metadata URL may take to answer when an organisation admin saves it.
METADATA_TIMEOUT = 10
# python3-saml's allowed clock drift (OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT): an
# assertion stays acceptable that long after its NotOnOrAfter, so it is kept that long.
CLOCK_DRIFT = datetime.timedelta(seconds=OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT)

# What the person reads for each kind of refusal. None of them blames the person, and
# each says what to do next.
REFUSALS = {
    "wrong_audience": (
        "Your organisation’s sign-in service sent a response meant for another "
        "application, so it was not accepted. Ask your IT team to check the SAML "
        "settings for ActionLab (the audience, or SP entity ID)."
    ),
    "expired": (
        "The response from your organisation’s sign-in service had expired before it "
        "reached ActionLab, so it was not accepted. Please sign in again; if this keeps "
        "happening, ask your IT team to check the sign-in service’s clock."
    ),
    "unsigned": (
        "The response from your organisation’s sign-in service was not signed (or its "
        "signature did not match the certificate ActionLab has), so it could not be "
        "trusted. Ask your IT team to sign SAML assertions with the certificate they "
        "gave ActionLab."
    ),
    "weak_algorithm": (
        "The response from your organisation’s sign-in service was signed with an "
        "outdated algorithm (SHA-1), so it was not accepted. Ask your IT team to sign "
        "SAML assertions with SHA-256."
    ),
    "replayed": (
        "This sign-in response has already been used. Responses from your "
        "organisation’s sign-in service work once; please sign in again."
    ),
    "unsolicited": (
        "ActionLab did not ask for this sign-in, or it was started in another browser "
        "or too long ago. Please sign in again from ActionLab’s sign-in page."
    ),
    "denied": (
        "Your organisation’s sign-in service did not sign you in: your account there may "
        "be disabled, or not allowed to use ActionLab. Ask your IT team."
    ),
    "invalid": (
        "The response from your organisation’s sign-in service could not be accepted. "
        "Please sign in again; if this keeps happening, ask your IT team to check the "
        "SAML settings for ActionLab."
    ),
}


def failure_reason(errors: list[str], reason: str) -> str:
    """The kind of refusal (a key of REFUSALS) for python3-saml's errors and reason."""
    text = reason.lower()
    if "status code of the response was not success" in text:
        return "denied"
    if "audience" in text:
        return "wrong_audience"
    if "expired" in text or "notonorafter" in text or "valid subjectconfirmation" in text:
        return "expired"
    if "deprecated" in text:
        return "weak_algorithm"
    if "signed" in text or "signature" in text:
        return "unsigned"
    if "inresponseto" in text or "in_response_to" in text:
        return "unsolicited"
    return "invalid"


def refuse(
    request: HttpRequest,
    provider: Any,
    kind: str,
    *,
    detail: str = "",
) -> HttpResponse:
    """Record the refusal and show the page that explains it."""
    record_event(
        SecurityEvent.Kind.SSO_FAILED,
        request=request,
        user=None,
        protocol="saml",
        provider=provider.app.provider_id or provider.app.client_id,
        reason=kind,
        detail=detail,
    )
    logger.warning("SAML sign-in refused (%s): %s", kind, detail)
    return render(
        request,
        "socialaccount/saml_refused.html",
        {"message": REFUSALS[kind], "reason": kind},
        status=400,
    )


def do_remember_assertion(
    *, assertion_id: str, not_on_or_after: datetime.datetime, provider_id: str
) -> bool:
    """Record that the assertion was used; False when it had been already. It is kept
    as long as python3-saml would accept it: until its NotOnOrAfter plus clock drift."""
    now = timezone.now()
    expires_at = not_on_or_after + CLOCK_DRIFT
    SamlAssertionUse.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            SamlAssertionUse.objects.create(
                assertion_id=assertion_id[:255], provider_id=provider_id, expires_at=expires_at
            )
    except IntegrityError:
        return False
    return True


@method_decorator(login_not_required, name="dispatch")
class FinishACSView(saml_views.FinishACSView):
    """allauth's end of a SAML sign-in (FinishACSView) with replay protection, AuthnContext
    for MFA, and refusals that are explained and recorded. Mounted in config/urls.py on
    allauth's own path, ahead of allauth's URLs."""

    def dispatch(self, request: HttpRequest, organization_slug: str) -> HttpResponse:
        if request.method != "GET":  # reached only by the redirect from the ACS
            return HttpResponseNotAllowed(["GET"])
        provider = self.get_provider(organization_slug)
        acs_session = LoginSession(request, "saml_acs_session", "saml-acs-session")
        serialized = acs_session.store.get("request")
        acs_session.delete()
        if not serialized:
            return refuse(request, provider, "unsolicited", detail="no ACS session")
        acs_request = httpkit.deserialize_request(serialized, HttpRequest())

        auth = build_auth(acs_request, provider)
        errors: list[str] = []
        reason = ""
        try:
            # InResponseTo is checked below against the requests this browser made.
            auth.process_response(request_id=None)
        except binascii.Error:
            errors, reason = ["invalid_response"], "invalid base64"
        except OneLogin_Saml2_Error as error:
            errors, reason = ["error"], str(error)
        errors = errors or auth.get_errors()
        if errors:
            reason = auth.get_last_error_reason() or reason
            return refuse(request, provider, failure_reason(errors, reason), detail=reason)
        if not auth.is_authenticated():
            return refuse(request, provider, "invalid", detail="not authenticated")

        assertion_id = auth.get_last_assertion_id()
        not_on_or_after = _as_datetime(auth.get_last_assertion_not_on_or_after())
        if not assertion_id or not_on_or_after is None:
            # The Web SSO profile requires both (a bearer confirmation's NotOnOrAfter);
            # without an end, an assertion could be replayed for ever.
            return refuse(request, provider, "invalid", detail="no assertion ID or NotOnOrAfter")
        if not do_remember_assertion(
            assertion_id=assertion_id,
            not_on_or_after=not_on_or_after,
            provider_id=str(provider.app.provider_id),
        ):
            return refuse(request, provider, "replayed", detail=assertion_id[:64])

        login = provider.sociallogin_from_response(request, auth)
        login.account.extra_data[SAML_AUTHN_CONTEXTS_KEY] = list(auth.get_last_authn_contexts())
        state_id = auth.get_last_response_in_response_to()
        if not state_id:
            return refuse(request, provider, "unsolicited", detail="IdP-initiated")
        try:
            login.state = provider.unstash_redirect_state(request, state_id)
        except PermissionDenied:
            return refuse(request, provider, "unsolicited", detail="unknown InResponseTo")
        return complete_social_login(request, login)


finish_acs = FinishACSView.as_view()


def _as_datetime(value: object) -> datetime.datetime | None:
    """python3-saml gives NotOnOrAfter as a Unix time."""
    if value is None:
        return None
    return datetime.datetime.fromtimestamp(float(value), tz=datetime.UTC)  # type: ignore[arg-type]


# -- configuration -------------------------------------------------------------------


class SamlMetadataError(Exception):
    """The IdP's metadata URL could not be read, or did not answer with metadata."""


def load_metadata(app: Any) -> None:
    """Read the IdP's metadata (when given by URL) into allauth's cache, as allauth does
    when a sign-in starts, so that a failure can be told apart: raises SamlMetadataError.
    python3-saml raises urllib's errors, and a bare Exception for an answer that is not
    metadata."""
    idp = (app.settings or {}).get("idp", {})
    if not idp.get("metadata_url"):
        return
    try:
        fetch_metadata_url_config(idp)
    except Exception as error:
        raise SamlMetadataError(str(error)) from error


def idp_settings(
    *,
    metadata_url: str = "",
    metadata_xml: str = "",
    entity_id: str = "",
    sso_url: str = "",
    certificate: str = "",
) -> dict[str, Any]:
    """allauth's `idp` settings for an IdP given by its metadata URL (read now, to check
    it, and again by allauth when people sign in, so a renewed certificate is picked up),
    its metadata XML, or its entity ID, sign-in URL and certificate. With metadata, the
    entity ID is optional: it picks the IdP out of metadata that describes several.
    Raises ValidationError keyed by the form's field names."""
    if "'" in entity_id or '"' in entity_id:
        raise ValidationError({"saml_entity_id": "An entity ID has no quotes."})
    if metadata_url:
        parsed = _metadata_from_url(metadata_url, entity_id)
        return {"metadata_url": metadata_url, "entity_id": parsed["entityId"]}
    if metadata_xml:
        parsed = _parse_metadata(metadata_xml, entity_id, field="saml_metadata_xml")
        return {
            "entity_id": parsed["entityId"],
            "sso_url": parsed["singleSignOnService"]["url"],
            "x509cert": _signing_certificate(parsed),
        }
    errors: dict[str, str] = {}
    if not entity_id:
        errors["saml_entity_id"] = (
            "Give the identity provider’s metadata URL or XML, or its entity ID, sign-in "
            "URL and certificate."
        )
    if not _is_web_url(sso_url):
        errors["saml_sso_url"] = "Give the identity provider’s sign-in (SSO) URL, https://…"
    cert = _certificate_body(certificate)
    if not cert:
        errors["saml_certificate"] = (
            "Paste the identity provider’s signing certificate (PEM or base64)."
        )
    if errors:
        raise ValidationError(errors)
    return {"entity_id": entity_id, "sso_url": sso_url, "x509cert": cert}


def strict_settings() -> dict[str, Any]:
    """python3-saml's security settings, as allauth names them (`advanced`)."""
    return {
        "strict": True,
        "want_assertion_signed": True,
        # Entra ID and ADFS sign the assertion only, by default; a signed message is
        # checked when there is one.
        "want_message_signed": False,
        "reject_idp_initiated_sso": True,
        "reject_deprecated_algorithm": True,
        "want_attribute_statement": False,
        "allow_single_label_domains": False,
    }


def _metadata_from_url(url: str, entity_id: str) -> dict[str, Any]:
    if not _is_web_url(url):
        raise ValidationError({"saml_metadata_url": "Give an https:// address."})
    if not settings.SSO_ALLOW_LOCAL_PROVIDERS and not is_public_host(urlsplit(url).hostname or ""):
        # ActionLab's server reads this address: it must not be made to probe its own
        # network (the cloud's metadata service, the database, an admin page).
        raise ValidationError(
            {"saml_metadata_url": "Give the address of a server on the public internet."}
        )
    try:
        xml = OneLogin_Saml2_IdPMetadataParser.get_metadata(
            url, validate_cert=True, timeout=METADATA_TIMEOUT
        )
    except Exception as error:  # urllib's and the parser's many kinds
        logger.info("SAML metadata URL %s could not be read: %s", url, error)
        raise ValidationError(
            {
                "saml_metadata_url": "ActionLab could not read SAML metadata at this address. "
                "Check it opens in a browser, or paste the metadata XML instead."
            }
        ) from error
    return _parse_metadata(xml, entity_id, field="saml_metadata_url")


def _parse_metadata(xml: str | bytes, entity_id: str, *, field: str) -> dict[str, Any]:
    not_metadata = ValidationError({field: "This is not SAML metadata of an identity provider."})
    try:
        found = OneLogin_Saml2_IdPMetadataParser.parse(xml, entity_id=entity_id or None)
    except Exception as error:  # lxml's and the parser's many kinds
        raise not_metadata from error
    parsed = found.get("idp")
    if not parsed and entity_id:
        raise ValidationError(
            {"saml_entity_id": "The metadata describes no identity provider with this entity ID."}
        )
    if not parsed:
        raise not_metadata
    missing = []
    if not parsed.get("entityId"):
        missing.append("entity ID")
    if not parsed.get("singleSignOnService", {}).get("url"):
        missing.append("sign-in service with the HTTP-Redirect binding")
    if not _signing_certificate(parsed):
        missing.append("signing certificate")
    if missing:
        raise ValidationError(
            {field: f"The identity provider’s metadata has no {' and no '.join(missing)}."}
        )
    return parsed


def _signing_certificate(parsed: dict[str, Any]) -> str:
    return str(
        parsed.get("x509cert")
        or next(iter(parsed.get("x509certMulti", {}).get("signing", [])), "")
    )


def _certificate_body(text: str) -> str:
    """A certificate as base64 without PEM lines or spaces; empty unless it reads as one."""
    from cryptography import x509

    body = "".join(
        line.strip() for line in text.strip().splitlines() if "-----" not in line
    ).replace(" ", "")
    if not body:
        return ""
    pem = "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n"
    try:
        x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return ""
    return body


def is_public_host(hostname: str) -> bool:
    """Whether every address the host name resolves to is a public one. A name that does
    not resolve passes here and fails when it is read."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(hostname, None)}
    except (OSError, UnicodeError):
        return True
    return all(ipaddress.ip_address(str(address).split("%")[0]).is_global for address in addresses)


def _is_web_url(url: str) -> bool:
    """https, or http where SSO_ALLOW_LOCAL_PROVIDERS allows it (development and tests)."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if settings.SSO_ALLOW_LOCAL_PROVIDERS else {"https"}
    return parts.scheme in schemes and bool(parts.hostname)
