"""Single sign-on per organisation: configuring an organisation's provider and finding
the provider that answers for an email address.

An organisation has at most one provider (`OrganizationSignOn`), OpenID Connect or SAML,
kept as one allauth `SocialApp` row whose `provider_id` is `org-<organisation id>`: the
callback address an organisation admin copies into their provider's console contains it
(/accounts/oidc/org-3/login/callback/, /accounts/saml/org-3/acs/). Each email domain
belongs to one organisation. What a sign-in through the provider may do is decided in
programs/sso_adapter.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from allauth.socialaccount.models import SocialAccount, SocialApp
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from core.models import SecurityEvent
from core.security import record_event
from programs.models import (
    Cohort,
    Organization,
    OrganizationSignOn,
    SignOnDomain,
    SignOnProtocol,
    User,
)

PROVIDER_PREFIX = "org-"
# allauth's provider ids for the two protocols.
ALLAUTH_PROVIDER = {SignOnProtocol.OIDC: "openid_connect", SignOnProtocol.SAML: "saml"}

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# The attribute names a SAML provider sends, in the forms Entra ID / ADFS (claim URIs),
# Okta and Google Workspace use; allauth takes the first one present.
SAML_ATTRIBUTE_MAPPING = {
    "uid": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    "email": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
        "urn:oid:0.9.2342.19200300.100.1.3",
    ],
    "first_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "first_name",
        "urn:oid:2.5.4.42",
    ],
    "last_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "last_name",
        "urn:oid:2.5.4.4",
    ],
}


def provider_id_for(organization: Organization) -> str:
    return f"{PROVIDER_PREFIX}{organization.pk}"


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def normalize_domain(value: str) -> str:
    """A domain as stored: lower case, no @, no trailing dot. Raises ValidationError for
    anything that is not a domain name."""
    domain = value.strip().lower().lstrip("@").rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValidationError(f"“{value}” is not a domain name.") from error
    if not _DOMAIN.match(domain):
        raise ValidationError(f"“{value}” is not a domain name, e.g. example.org.")
    return domain


def parse_domains(text: str) -> list[str]:
    """The domains in a text box: separated by commas, spaces or lines; each once."""
    domains: list[str] = []
    errors: list[str] = []
    for part in re.split(r"[\s,;]+", text):
        if not part:
            continue
        try:
            domain = normalize_domain(part)
        except ValidationError as error:
            errors += error.messages
            continue
        if domain not in domains:
            domains.append(domain)
    if errors:
        raise ValidationError(errors)
    return domains


def sign_on_for_email(email: str, *, active_only: bool = True) -> OrganizationSignOn | None:
    """The organisation provider that answers for the address's domain, if any."""
    domain = email_domain(email)
    if not domain:
        return None
    found = (
        SignOnDomain.objects.select_related("sign_on__app", "sign_on__organization")
        .filter(domain=domain)
        .first()
    )
    if found is None or (active_only and not found.sign_on.is_active):
        return None
    return found.sign_on


def sign_on_for_provider_id(provider_id: str) -> OrganizationSignOn | None:
    """The organisation sign-on behind an allauth provider id (`org-3`)."""
    return (
        OrganizationSignOn.objects.select_related("app", "organization")
        .filter(app__provider_id=provider_id)
        .first()
    )


def serves_email(sign_on: OrganizationSignOn, email: str) -> bool:
    return sign_on.domains.filter(domain=email_domain(email)).exists()


def oidc_app_settings(issuer_url: str, *, verified_domains: list[str] | None) -> dict[str, Any]:
    return {
        "server_url": issuer_url,
        "oauth_pkce_enabled": True,
        "verified_email": verified_domains or False,
        "email_authentication": True,
    }


def saml_app_settings(
    *,
    metadata_url: str = "",
    metadata_xml: str = "",
    entity_id: str = "",
    sso_url: str = "",
    certificate: str = "",
    verified_domains: list[str] | None,
) -> dict[str, Any]:
    """allauth's SAML settings for the IdP given by its metadata XML, its metadata URL or
    its entity id, sign-in URL and certificate, each checked (programs/saml.py), with
    python3-saml's strict settings."""
    from programs import saml

    idp = saml.idp_settings(
        metadata_xml=metadata_xml,
        metadata_url="" if metadata_xml else metadata_url,
        entity_id=entity_id,
        sso_url=sso_url,
        certificate=certificate,
    )
    return {
        "idp": idp,
        "attribute_mapping": SAML_ATTRIBUTE_MAPPING,
        "advanced": saml.strict_settings(),
        "verified_email": verified_domains or False,
        "email_authentication": True,
    }


@transaction.atomic
def do_configure_sign_on(
    organization: Organization,
    *,
    protocol: str,
    domains: Iterable[str],
    is_active: bool = False,
    email_authoritative: bool = False,
    require_sso: bool = False,
    join_cohort: Cohort | None = None,
    issuer_url: str = "",
    client_id: str = "",
    client_secret: str | None = None,
    saml_metadata_url: str = "",
    saml_metadata_xml: str = "",
    saml_entity_id: str = "",
    saml_sso_url: str = "",
    saml_certificate: str = "",
    by: User | None = None,
    request: HttpRequest | None = None,
) -> OrganizationSignOn:
    """Create or change the organisation's provider.

    `client_secret=None` keeps the stored secret (the form never shows it back). A
    different issuer, entity id or protocol forgets every account linked through the old
    provider: its subject ids could name other people at the new one. Raises
    ValidationError (keyed by field) for a domain of another organisation or a join
    cohort outside the organisation."""
    domain_list = [normalize_domain(d) for d in domains]
    taken = sorted(
        SignOnDomain.objects.filter(domain__in=domain_list)
        .exclude(sign_on__organization=organization)
        .values_list("domain", flat=True)
    )
    if taken:
        raise ValidationError(
            {"domains": f"Already used by another organisation: {', '.join(taken)}."}
        )
    if join_cohort is not None and join_cohort.program.organization_id != organization.pk:
        raise ValidationError({"join_cohort": "Choose a cohort of this organisation's programs."})
    if protocol not in ALLAUTH_PROVIDER:
        raise ValidationError({"protocol": "Choose OpenID Connect or SAML."})

    verified = domain_list if email_authoritative else None
    if protocol == SignOnProtocol.OIDC:
        settings = oidc_app_settings(issuer_url.strip(), verified_domains=verified)
        identity = ("oidc", issuer_url.strip())
    else:
        settings = saml_app_settings(
            metadata_url=saml_metadata_url.strip(),
            metadata_xml=saml_metadata_xml.strip(),
            entity_id=saml_entity_id.strip(),
            sso_url=saml_sso_url.strip(),
            certificate=saml_certificate.strip(),
            verified_domains=verified,
        )
        identity = ("saml", str(settings["idp"].get("entity_id", "")))

    sign_on = (
        OrganizationSignOn.objects.select_related("app")
        .select_for_update()
        .filter(organization=organization)
        .first()
    )
    if sign_on is None:
        app = SocialApp(provider_id=provider_id_for(organization))
        old_identity = None
    else:
        app = sign_on.app
        old_identity = _identity(sign_on)
    app.provider = ALLAUTH_PROVIDER[SignOnProtocol(protocol)]
    app.name = organization.name[:40]
    if protocol == SignOnProtocol.OIDC:
        app.client_id = client_id.strip()
        if client_secret is not None:
            app.secret = client_secret
    else:
        app.client_id = provider_id_for(organization)
        app.secret = ""
    app.settings = settings
    app.save()
    if old_identity is not None and old_identity != identity:
        SocialAccount.objects.filter(provider=app.provider_id).delete()

    if sign_on is None:
        sign_on = OrganizationSignOn(organization=organization, app=app)
    sign_on.protocol = protocol
    sign_on.is_active = is_active
    sign_on.email_authoritative = email_authoritative
    sign_on.require_sso = require_sso
    sign_on.join_cohort = join_cohort
    sign_on.updated_by = by
    sign_on.save()
    sign_on.domains.exclude(domain__in=domain_list).delete()
    existing = set(sign_on.domains.values_list("domain", flat=True))
    SignOnDomain.objects.bulk_create(
        SignOnDomain(sign_on=sign_on, domain=d) for d in domain_list if d not in existing
    )
    record_event(
        SecurityEvent.Kind.SSO_CONFIGURED,
        request=request,
        user=by,
        organization_id=organization.pk,
        protocol=protocol,
        active=is_active,
        require_sso=require_sso,
    )
    return sign_on


def _identity(sign_on: OrganizationSignOn) -> tuple[str, str]:
    """What names the provider: the protocol and the issuer or entity id."""
    settings = sign_on.app.settings or {}
    if sign_on.protocol == SignOnProtocol.OIDC:
        return ("oidc", str(settings.get("server_url", "")))
    return ("saml", str(settings.get("idp", {}).get("entity_id", "")))


def is_known_to(user: User, organization: Organization) -> bool:
    """Whether the account is one of the organisation's people: a profile there, a role
    in one of its programs (even ended), its administration."""
    return Organization.objects.known_to(user).filter(pk=organization.pk).exists()


def requires_sso(email: str) -> OrganizationSignOn | None:
    """The organisation sign-on that forbids password and code sign-in for this address:
    its domain's organisation requires single sign-on, and the account (if there is one)
    is that organisation's and not a site admin's, whose password stays theirs."""
    sign_on = sign_on_for_email(email)
    if sign_on is None or not sign_on.require_sso:
        return None
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is not None and (
        user.is_staff or user.is_superuser or not is_known_to(user, sign_on.organization)
    ):
        return None
    return sign_on


def can_deactivate(organization: Organization, user: User) -> bool:
    """An organisation admin may deactivate an account whose address is in the
    organisation's single sign-on domains: the organisation owns that identity."""
    return SignOnDomain.objects.filter(
        sign_on__organization=organization, domain=email_domain(user.email)
    ).exists()


@transaction.atomic
def do_deactivate_account(
    *, organization: Organization, user: User, by: User, request: HttpRequest | None = None
) -> int:
    """A leaver: the account cannot sign in any more (password, code or provider) and
    every session it has ends now. Returns how many sessions ended."""
    from core.sessions import end_sessions_of

    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            "A site admin's account is managed by the site's operators, not by an organisation."
        )
    if not can_deactivate(organization, user):
        raise ValidationError(
            f"{user.email} is not in {organization.name}'s single sign-on domains."
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = end_sessions_of(user.pk)
    record_event(
        SecurityEvent.Kind.ACCOUNT_DEACTIVATED,
        request=request,
        user=user,
        by=by.pk,
        organization_id=organization.pk,
        sessions_ended=ended,
    )
    return ended
