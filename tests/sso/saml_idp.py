"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP behind a small WSGI app,
served on a free port in a thread.

Nothing about the protocol is faked: the app receives the service provider's
AuthnRequest (HTTP-Redirect binding), asks for a user name and password on its own
sign-in page, and answers with a SAMLResponse posted back to the ACS URL by an
auto-submitting form (HTTP-POST binding), its assertion signed by xmlsec1 with a key
and certificate made for this run in a temporary folder (never kept).

On demand (`next_response`), the next response is one an attacker or a broken IdP
would send: for another service provider (`wrong_audience`), already expired
(`expired`), without any signature (`unsigned`), signed with a key that is not the IdP's
(`forged`: same issuer, another key pair), or answering no request (`unsolicited`, as an
IdP-initiated sign-in would), or signed with SHA-1 (`sha1`). Every response issued is
kept in `issued`, and `/replay/<n>` posts response n to its ACS URL again.

    idp = SamlIdentityProvider({"ana@clinic.example": IdpUser("ana@clinic.example", ...)})
    idp.start()
    ... idp.metadata_url, idp.entity_id, idp.sso_url, idp.certificate ...
    idp.stop()
"""

from __future__ import annotations

import base64
import datetime
import html
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS
from saml2.samlp import STATUS_REQUEST_DENIED
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256

XMLSEC1 = "/usr/bin/xmlsec1"
PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
# What ADFS and Entra ID send after a second factor; the OASIS class for a token.
MFA_CONTEXT = "http://schemas.microsoft.com/claims/multipleauthn"
# Responses an attacker or a broken IdP would send, issued on demand.
MODES = ("normal", "wrong_audience", "expired", "unsigned", "forged", "unsolicited", "sha1")
WRONG_AUDIENCE = "https://another-application.example/saml/metadata"


@dataclass
class IdpUser:
    """A person in the IdP's own directory."""

    email: str
    password: str
    first_name: str = ""
    last_name: str = ""
    # The AuthnContextClassRef of their sign-in: a password alone, or with a second factor.
    authn_context: str = PASSWORD_CONTEXT
    # Disabled (a leaver): the IdP answers with a RequestDenied status instead of an
    # assertion.
    disabled: bool = False
    # Off: the address travels only as the NameID (format emailAddress), as many IdPs send it.
    email_attribute: bool = True


@dataclass
class IssuedResponse:
    acs_url: str
    saml_response: str  # base64, as posted
    relay_state: str
    mode: str

    @property
    def xml(self) -> str:
        return base64.b64decode(self.saml_response).decode()


@dataclass
class SamlIdentityProvider:
    users: dict[str, IdpUser]
    host: str = "127.0.0.1"
    next_response: str = "normal"
    issued: list[IssuedResponse] = field(default_factory=list)
    certificate: str = ""  # PEM
    base_url: str = ""
    _server: WSGIServer | None = None
    _thread: threading.Thread | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None
    _idp: Server | None = None
    _forger: Server | None = None
    _trusted: set[str] = field(default_factory=set)

    # -- life cycle ------------------------------------------------------------------

    def start(self) -> SamlIdentityProvider:
        if not shutil.which(XMLSEC1):
            raise RuntimeError(f"{XMLSEC1} is missing: apt-get install xmlsec1 (see .ci/run)")
        self._tmp = tempfile.TemporaryDirectory(prefix="saml-idp-")
        folder = Path(self._tmp.name)
        key_file, cert_file = _make_key_and_certificate(folder, "idp")
        self.certificate = cert_file.read_text()
        self._server = make_server(self.host, 0, self._app, handler_class=_QuietHandler)
        self.base_url = f"http://{self.host}:{self._server.server_port}"
        self._idp = Server(config=self._config(key_file, cert_file))
        self._forger = Server(config=self._config(*_make_key_and_certificate(folder, "forger")))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._tmp is not None:
            self._tmp.cleanup()

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.base_url}/sso/redirect"

    @property
    def metadata_xml(self) -> str:
        assert self._idp is not None
        return create_metadata_string(None, config=self._idp.config, sign=False).decode()

    def certificate_body(self) -> str:
        """The certificate as IdP consoles show it: base64 without the PEM lines."""
        return "".join(line for line in self.certificate.splitlines() if "-----" not in line)

    def _config(self, key_file: Path, cert_file: Path) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "service": {
                    "idp": {
                        "name": "ActionLab test identity provider",
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)],
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "want_authn_requests_signed": False,
                    }
                },
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "xmlsec_binary": XMLSEC1,
                "metadata": {},
                "allow_unknown_attributes": True,
            }
        )
        return config

    # -- the web app -----------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        query = _single(parse_qs(environ.get("QUERY_STRING", "")))
        try:
            if path == "/metadata":
                return _respond(start_response, self.metadata_xml, "text/xml")
            if path == "/sso/redirect":
                return _respond(start_response, self._sign_in_page(query, error=""))
            if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                form = _single(parse_qs(environ["wsgi.input"].read(length).decode()))
                return _respond(start_response, self._sign_in(form))
            if match := re.fullmatch(r"/replay/(\d+)", path):
                return _respond(start_response, _post_form(self.issued[int(match[1])]))
        except Exception as error:  # the test reads the reason on the page
            page = f"<p id=idp-error>{html.escape(repr(error))}</p>"
            return _respond(start_response, page, "text/html", "500 Error")
        return _respond(start_response, "not found", "text/plain", "404 Not Found")

    def _sign_in_page(self, fields: dict[str, str], *, error: str) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(fields.get(name, ""))}">'
            for name in ("SAMLRequest", "RelayState")
        )
        return (
            "<!doctype html><title>Test IdP: sign in</title><h1>Organisation sign-in</h1>"
            f"<p id=idp-error>{html.escape(error)}</p>"
            f'<form method="post" action="/sso/login">{hidden}'
            '<label>User <input id="idp-user" name="user"></label>'
            '<label>Password <input id="idp-password" name="password" type="password"></label>'
            '<button id="idp-submit" type="submit">Sign in</button></form>'
        )

    def _sign_in(self, form: dict[str, str]) -> str:
        user = self.users.get(form.get("user", ""))
        if user is None or user.password != form.get("password"):
            return self._sign_in_page(form, error="Wrong user name or password.")
        issued = self.respond(form["SAMLRequest"], form.get("RelayState", ""), user)
        return _post_form(issued)

    # -- SAML ------------------------------------------------------------------------

    def respond(self, saml_request: str, relay_state: str, user: IdpUser) -> IssuedResponse:
        """Answer an AuthnRequest (as the Redirect binding carries it) for `user`, in the
        mode `next_response` asks for (then back to normal)."""
        assert self._idp is not None
        mode, self.next_response = self.next_response, "normal"
        request = self._idp.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        sp_entity_id = request.issuer.text
        acs_url = request.assertion_consumer_service_url
        self._trust(sp_entity_id, acs_url)
        self._trust(WRONG_AUDIENCE, acs_url)
        identity = {"givenName": [user.first_name], "sn": [user.last_name]}
        if user.email_attribute:
            identity["mail"] = [user.email]
        name_id = saml.NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=user.email)
        signed = mode != "unsigned"
        policy = self._idp.config.getattr("policy", "idp")
        lifetime = policy._restrictions["default"]["lifetime"]
        if mode == "expired":
            # Its validity ended long ago: well past any clock skew a service allows.
            policy._restrictions["default"]["lifetime"] = {"minutes": -20}
        signer = self._forger if mode == "forged" else self._idp
        assert signer is not None
        if user.disabled:
            # The IdP knows the person but will not sign them in: it says so to the
            # service provider, as Shibboleth, ADFS and Okta can.
            response = self._idp.create_error_response(
                request.id, acs_url, info=(STATUS_REQUEST_DENIED, "The account is disabled.")
            )
            return self._issue(acs_url, str(response), relay_state, "denied")
        try:
            response = signer.create_authn_response(
                identity,
                in_response_to=None if mode == "unsolicited" else request.id,
                destination=acs_url,
                sp_entity_id=WRONG_AUDIENCE if mode == "wrong_audience" else sp_entity_id,
                name_id=name_id,
                authn={"class_ref": user.authn_context, "authn_auth": self.entity_id},
                sign_assertion=signed,
                sign_response=signed,
                sign_alg=SIG_RSA_SHA1 if mode == "sha1" else SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA1 if mode == "sha1" else DIGEST_SHA256,
            )
        finally:
            policy._restrictions["default"]["lifetime"] = lifetime
        return self._issue(acs_url, str(response), relay_state, mode)

    def _issue(self, acs_url: str, xml: str, relay_state: str, mode: str) -> IssuedResponse:
        issued = IssuedResponse(
            acs_url=acs_url,
            saml_response=base64.b64encode(xml.encode()).decode(),
            relay_state=relay_state,
            mode=mode,
        )
        self.issued.append(issued)
        return issued

    def _trust(self, sp_entity_id: str, acs_url: str) -> None:
        """This IdP trusts every service provider that asks: it learns the SP's entity
        id and ACS URL from its first request, as an admin pasting them into an IdP
        console would."""
        if sp_entity_id in self._trusted:
            return
        self._trusted.add(sp_entity_id)
        for server in (self._idp, self._forger):
            assert server is not None
            server.metadata.load("inline", _sp_metadata(sp_entity_id, acs_url))


def _sp_metadata(entity_id: str, acs_url: str) -> str:
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="{html.escape(entity_id)}">'
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"<md:NameIDFormat>{NAMEID_FORMAT_EMAILADDRESS}</md:NameIDFormat>"
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" '
        f'Location="{html.escape(acs_url)}" index="1"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )


def certificate_pem(name: str = "elsewhere") -> str:
    """A throwaway self-signed certificate (PEM), for settings that need a real one."""
    _, certificate = _new_key_and_certificate(name)
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _new_key_and_certificate(name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"ActionLab test {name}")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _make_key_and_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    key, certificate = _new_key_and_certificate(name)
    key_file = folder / f"{name}.key"
    cert_file = folder / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def _post_form(issued: IssuedResponse) -> str:
    """The HTTP-POST binding: a form the browser submits to the ACS URL at once."""
    return (
        "<!doctype html><title>Signing you in…</title>"
        f'<form id="saml-post" method="post" action="{html.escape(issued.acs_url)}">'
        f'<input type="hidden" name="SAMLResponse" value="{issued.saml_response}">'
        f'<input type="hidden" name="RelayState" value="{html.escape(issued.relay_state)}">'
        '<noscript><button type="submit">Continue</button></noscript></form>'
        "<script>document.getElementById('saml-post').submit()</script>"
    )


def _single(values: dict[str, list[str]]) -> dict[str, str]:
    return {name: items[0] for name, items in values.items()}


def _respond(
    start_response: Callable[..., Any],
    body: str,
    content_type: str = "text/html",
    status: str = "200 OK",
) -> list[bytes]:
    data = body.encode()
    start_response(
        status,
        [("Content-Type", f"{content_type}; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


__all__ = [
    "MFA_CONTEXT",
    "MODES",
    "PASSWORD_CONTEXT",
    "IdpUser",
    "IssuedResponse",
    "SamlIdentityProvider",
    "certificate_pem",
]
