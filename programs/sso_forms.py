"""Forms of single sign-on: an organisation admin's provider settings (both protocols),
"Continue with your organisation" on the sign-in page, and allauth's code request form
that refuses addresses whose organisation requires single sign-on."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.core import context
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from core.models import SecurityEvent
from core.security import record_event
from programs.models import Cohort, Organization, OrganizationSignOn, SignOnProtocol
from programs.saml import is_public_host
from programs.sso import parse_domains, requires_sso

SSO_REQUIRED = (
    "{organization} requires you to sign in with your organisation's account: use "
    "“Continue with your organisation” on the sign-in page."
)


def sso_required_message(email: str) -> str | None:
    """The refusal for a password or code sign-in of an address whose organisation
    requires single sign-on; None when it does not."""
    sign_on = requires_sso(email)
    if sign_on is None:
        return None
    return SSO_REQUIRED.format(organization=sign_on.organization.name)


def validate_provider_url(value: str) -> None:
    """A provider's address must be https at a public address: the server reads it (its
    discovery document or metadata), so an address inside the server's own network is
    refused. Plain http and local addresses only where SSO_ALLOW_LOCAL_PROVIDERS allows
    (development, and the tests' local providers)."""
    parts = urlsplit(value)
    if settings.SSO_ALLOW_LOCAL_PROVIDERS:
        if parts.scheme in {"https", "http"} and parts.hostname:
            return
        raise ValidationError("Use the provider's https:// address.")
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError("Use the provider's https:// address.")
    if not is_public_host(parts.hostname):
        raise ValidationError(
            "This address leads into the server's own network; use the provider's public "
            "https:// address."
        )


class SignOnForm(forms.Form):
    """An organisation's single sign-on. The client secret is never shown back: left
    empty, the stored one is kept."""

    protocol = forms.ChoiceField(
        choices=SignOnProtocol.choices,
        widget=forms.RadioSelect,
        initial=SignOnProtocol.OIDC,
        label="Protocol",
    )
    domains = forms.CharField(
        label="Email domains",
        max_length=2000,
        help_text="The domains of your people's addresses, separated by commas, e.g. "
        "example.org, example-health.org. A domain can belong to one organisation only.",
    )
    is_active = forms.BooleanField(
        required=False,
        label="In use: the sign-in page sends people with these domains to the provider",
    )
    email_authoritative = forms.BooleanField(
        required=False,
        label="The provider is authoritative for these domains",
        help_text="Trust the addresses it sends in these domains even when it does not mark "
        "them verified (Entra ID, ADFS and most SAML providers do not).",
    )
    require_sso = forms.BooleanField(
        required=False,
        label="Require single sign-on",
        help_text="People with an address in these domains can no longer sign in with a "
        "password or an emailed code.",
    )
    join_cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        required=False,
        label="Anyone from these domains may join",
        empty_label="Nobody: only people already invited or imported",
        help_text="A person with no ActionLab account who signs in through the provider "
        "gets one, as a participant of this cohort.",
    )
    # OpenID Connect
    issuer_url = forms.URLField(
        required=False,
        max_length=500,
        label="Issuer URL",
        validators=[validate_provider_url],
        assume_scheme="https",
        help_text="Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0. "
        "Okta: https://<your domain>.okta.com. ActionLab reads "
        "/.well-known/openid-configuration under it.",
    )
    client_id = forms.CharField(required=False, max_length=191, label="Client ID")
    client_secret = forms.CharField(
        required=False,
        max_length=500,
        label="Client secret",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    # SAML
    saml_metadata_url = forms.URLField(
        required=False,
        max_length=500,
        label="IdP metadata URL",
        validators=[validate_provider_url],
        assume_scheme="https",
    )
    saml_metadata_xml = forms.CharField(
        required=False,
        max_length=200_000,
        label="IdP metadata XML",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Or paste the metadata file instead of its URL.",
    )
    saml_entity_id = forms.CharField(
        required=False, max_length=500, label="IdP entity ID (issuer)"
    )
    saml_sso_url = forms.URLField(
        required=False,
        max_length=500,
        label="IdP sign-in URL",
        validators=[validate_provider_url],
        assume_scheme="https",
    )
    saml_certificate = forms.CharField(
        required=False,
        max_length=20_000,
        label="IdP signing certificate (PEM)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    OIDC_FIELDS = ("issuer_url", "client_id", "client_secret")
    SAML_FIELDS = (
        "saml_metadata_url",
        "saml_metadata_xml",
        "saml_entity_id",
        "saml_sso_url",
        "saml_certificate",
    )

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        sign_on: OrganizationSignOn | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.sign_on = sign_on
        self.fields["join_cohort"].queryset = (  # type: ignore[attr-defined]
            Cohort.objects.filter(
                program__organization=organization, program__archived_at__isnull=True
            )
            .select_related("program")
            .order_by("program__name", "starts_on")
        )
        self.fields["join_cohort"].label_from_instance = (  # type: ignore[attr-defined]
            lambda cohort: f"{cohort.program.name} — {cohort.name}"
        )
        stored = self.stored_secret_hint
        self.fields["client_secret"].help_text = (
            f"A secret is stored (ending in {stored}). Leave this empty to keep it."
            if stored
            else "From the provider's console; it is never shown again after saving."
        )

    @property
    def stored_secret_hint(self) -> str:
        """The last characters of the stored secret, masked, or "" when none is stored."""
        if self.sign_on is None or self.sign_on.protocol != SignOnProtocol.OIDC:
            return ""
        secret = str(self.sign_on.app.secret or "")
        if not secret:
            return ""
        return "…" + secret[-4:] if len(secret) >= 12 else "…"

    @classmethod
    def initial_for(cls, sign_on: OrganizationSignOn | None) -> dict[str, Any]:
        if sign_on is None:
            return {"protocol": SignOnProtocol.OIDC}
        settings = sign_on.app.settings or {}
        initial: dict[str, Any] = {
            "protocol": sign_on.protocol,
            "domains": ", ".join(sign_on.domains.values_list("domain", flat=True)),
            "is_active": sign_on.is_active,
            "email_authoritative": sign_on.email_authoritative,
            "require_sso": sign_on.require_sso,
            "join_cohort": sign_on.join_cohort_id,
        }
        if sign_on.protocol == SignOnProtocol.OIDC:
            initial |= {
                "issuer_url": settings.get("server_url", ""),
                "client_id": sign_on.app.client_id,
            }
        else:
            idp = settings.get("idp", {})
            initial |= {
                "saml_metadata_url": idp.get("metadata_url", ""),
                "saml_entity_id": idp.get("entity_id", ""),
                "saml_sso_url": idp.get("sso_url", ""),
                "saml_certificate": idp.get("x509cert", ""),
            }
        return initial

    def clean_domains(self) -> list[str]:
        try:
            domains = parse_domains(self.cleaned_data["domains"])
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        if not domains:
            raise ValidationError("Give at least one domain.")
        return domains

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        protocol = data.get("protocol")
        if protocol == SignOnProtocol.OIDC:
            if not data.get("issuer_url") and "issuer_url" not in self.errors:
                self.add_error("issuer_url", "Give the provider's issuer URL.")
            if not data.get("client_id"):
                self.add_error("client_id", "Give the client (application) ID.")
            if not data.get("client_secret") and not self.stored_secret_hint:
                self.add_error("client_secret", "Give the client secret.")
        elif protocol == SignOnProtocol.SAML:
            by_url = data.get("saml_metadata_url")
            by_xml = data.get("saml_metadata_xml")
            by_fields = (
                data.get("saml_entity_id")
                and data.get("saml_sso_url")
                and data.get("saml_certificate")
            )
            if not (by_url or by_xml or by_fields):
                self.add_error(
                    None,
                    "Give the provider's metadata URL, or its metadata XML, or its entity "
                    "ID, sign-in URL and certificate.",
                )
        if data.get("require_sso") and not data.get("is_active"):
            self.add_error(
                "require_sso",
                "Single sign-on can be required only while it is in use: people would "
                "have no way to sign in.",
            )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned values as `do_configure_sign_on` takes them."""
        data = self.cleaned_data
        return {
            "protocol": data["protocol"],
            "domains": data["domains"],
            "is_active": data["is_active"],
            "email_authoritative": data["email_authoritative"],
            "require_sso": data["require_sso"],
            "join_cohort": data["join_cohort"],
            "issuer_url": data["issuer_url"],
            "client_id": data["client_id"],
            "client_secret": data["client_secret"] or None,
            "saml_metadata_url": data["saml_metadata_url"],
            "saml_metadata_xml": data["saml_metadata_xml"],
            "saml_entity_id": data["saml_entity_id"],
            "saml_sso_url": data["saml_sso_url"],
            "saml_certificate": data["saml_certificate"],
        }


class OrganizationSignInForm(forms.Form):
    """The sign-in page's "Continue with your organisation": the address finds the
    organisation's provider."""

    email = forms.EmailField(
        label="Your work email",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """allauth's "email me a sign-in code", refused for an address whose organisation
    requires single sign-on (no code is sent)."""

    def clean_email(self) -> str:
        email = str(super().clean_email() or "")
        if email and (message := sso_required_message(email)):
            record_event(
                SecurityEvent.Kind.SSO_REFUSED,
                request=context.request,
                reason="sso_required",
                method="code",
                login=email,
            )
            raise ValidationError(message)
        return email


class BackchannelLogoutForm(forms.Form):
    """The provider's signed `logout_token` (checked by the back-channel logout itself)."""

    logout_token = forms.CharField(required=False, strip=False)
