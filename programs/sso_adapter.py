"""What a sign-in through an organisation's provider may do (allauth's social account
adapter), for both protocols.

- The provider answers only for its organisation's domains: an address outside them is
  refused, whatever the provider says about it.
- It signs a person in to the account an invitation or an import made for that address,
  when the provider marks the address verified or the organisation says the provider is
  authoritative for its domains.
- It makes an account only when the organisation lets anyone from its domains join a
  program (then as a participant of that program's chosen cohort); otherwise a sign-in
  for an address with no account is refused with a message saying so.
- A deactivated account cannot sign in.
- Whether the provider vouches for a second factor (`provider_says_mfa`) is kept in the
  session: program admins and coaches are then not asked for ActionLab's own TOTP.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin

# OpenID Connect `amr` values (RFC 8176, and Entra ID's and Okta's own) that mean more
# than one factor, or a factor that is itself a second one.
MFA_AMR_VALUES = frozenset(
    {"mfa", "otp", "hwk", "sms", "sc", "tel", "ngcmfa", "rsa", "fido", "wiaormfa"}
)
# OpenID Connect `acr` values of multi-factor policies.
MFA_ACR_VALUES = frozenset(
    {
        "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
        "https://refeds.org/profile/mfa",
        "phr",
        "phrh",
    }
)
# SAML AuthnContextClassRef values (and Entra ID's / ADFS's authnmethodsreferences
# attribute values) that mean multi-factor authentication.
MFA_SAML_CONTEXTS = frozenset(
    {
        "http://schemas.microsoft.com/claims/multipleauthn",
        "https://refeds.org/profile/mfa",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor",  # Okta's custom value
    }
)
# Where a SAML sign-in's AuthnContextClassRef values are kept in the account's
# extra_data (a list of strings); the SAML provider puts them there.
SAML_AUTHN_CONTEXTS_KEY = "authn_context_class_refs"
SAML_AUTHN_METHODS_ATTRIBUTE = "http://schemas.microsoft.com/claims/authnmethodsreferences"
# Session key: the signed-in person's provider vouched for a second factor.
SSO_MFA_SESSION_KEY = "_actionlab_sso_mfa"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(item) for item in value]
    return []


def provider_says_mfa(sociallogin: SocialLogin) -> bool:
    """Whether the provider says the person used more than one factor: an OpenID Connect
    ID token's `amr` (or `acr`), a SAML assertion's AuthnContextClassRef (or Entra ID's
    authnmethodsreferences attribute)."""
    data = sociallogin.account.extra_data or {}
    if "id_token" in data:
        claims = data.get("id_token") or {}
        amr = {value.lower() for value in _strings(claims.get("amr"))}
        acr = {value.lower() for value in _strings(claims.get("acr"))}
        return bool(amr & MFA_AMR_VALUES) or bool(acr & MFA_ACR_VALUES)
    contexts = set(_strings(data.get(SAML_AUTHN_CONTEXTS_KEY)))
    contexts |= set(_strings(data.get(SAML_AUTHN_METHODS_ATTRIBUTE)))
    return bool(contexts & MFA_SAML_CONTEXTS)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """The rules above; see the module docstring."""
