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

import jwt
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone

from core.models import SecurityEvent
from core.security import record_event
from programs.models import (
    Invitation,
    Organization,
    OrganizationSignOn,
    Profile,
    Role,
    User,
)
from programs.services import InvitationProblem, do_accept_invitation, do_add_membership
from programs.sso import email_domain, is_known_to, serves_email, sign_on_for_provider_id

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


def pending_invitations(email: str, organization: Organization) -> list[Invitation]:
    """The open invitations of the organisation's programs (not archived) to the address."""
    if not email:
        return []
    return list(
        Invitation.objects.pending(timezone.now())
        .filter(
            email__iexact=email,
            program__organization=organization,
            program__archived_at__isnull=True,
        )
        .select_related("program", "cohort")
    )


def _sign_on(sociallogin: SocialLogin) -> OrganizationSignOn | None:
    return sign_on_for_provider_id(str(sociallogin.account.provider))


def provider_email(sociallogin: SocialLogin) -> str:
    """The address the provider gave for the person (lower case), or "". (Not the
    address of an account already linked to the provider's subject: the provider's own
    word is what is checked.)"""
    addresses = [a.email for a in sociallogin.email_addresses if a.email]
    if addresses:
        return addresses[0].strip().lower()
    if sociallogin.user is not None and not sociallogin.user.pk:
        return (sociallogin.user.email or "").strip().lower()
    return ""


def email_is_vouched_for(
    sociallogin: SocialLogin, sign_on: OrganizationSignOn, email: str
) -> bool:
    """Whether the provider's address can be trusted to be the person's: the provider
    marks it verified, or the organisation says its provider is authoritative for its
    domains (the address is in them: checked before)."""
    if sign_on.email_authoritative:
        return True
    return any(a.verified for a in sociallogin.email_addresses if (a.email or "").lower() == email)


def refuse(
    request: HttpRequest,
    sociallogin: SocialLogin | None,
    *,
    reason: str,
    title: str,
    message: str,
    user: User | None = None,
    **details: object,
) -> ImmediateHttpResponse:
    """A refused single sign-on: a security event and a page that says why."""
    record_event(
        SecurityEvent.Kind.SSO_REFUSED,
        request=request,
        user=user,
        reason=reason,
        provider=str(sociallogin.account.provider) if sociallogin else None,
        **details,
    )
    response = render(
        request,
        "socialaccount/sso_refused.html",
        {"title": title, "message": message},
        status=401,
    )
    return ImmediateHttpResponse(response)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """The rules above; see the module docstring."""

    def list_apps(
        self, request: HttpRequest, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        """Only the providers of organisations whose single sign-on is in use: any other
        one's sign-in and callback addresses answer 404."""
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        in_use = set(
            OrganizationSignOn.objects.filter(
                is_active=True, app__in=[a.pk for a in apps if a.pk]
            ).values_list("app_id", flat=True)
        )
        return [app for app in apps if app.pk in in_use]

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[User, str] | None:
        """The account made for the provider's address (by an invitation or an import),
        when the address is in the organisation's domains and vouched for."""
        sign_on = _sign_on(sociallogin)
        email = provider_email(sociallogin)
        if sign_on is None or not email or not serves_email(sign_on, email):
            return None
        if not email_is_vouched_for(sociallogin, sign_on, email):
            return None
        user = User.objects.filter(email__iexact=email).first()
        return (user, email) if user is not None else None

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # Linking a provider's account to whoever is signed in would let one
            # person's account be opened by another's identity: accounts are linked
            # only by their address, at sign-in.
            raise refuse(
                request,
                sociallogin,
                reason="connect",
                title="Accounts are not linked by hand",
                message="Sign out, then sign in with “Continue with your organisation”: "
                "your organisation's account opens the ActionLab account of the same "
                "address.",
            )
        sign_on = _sign_on(sociallogin)
        if sign_on is None or not sign_on.is_active:
            raise refuse(
                request,
                sociallogin,
                reason="not_in_use",
                title="Single sign-on is not in use",
                message="Your organisation's single sign-on is switched off. Sign in with "
                "your password or an emailed code.",
            )
        email = provider_email(sociallogin)
        organization = sign_on.organization
        if not email or not serves_email(sign_on, email):
            domains = ", ".join(sign_on.domains.values_list("domain", flat=True))
            raise refuse(
                request,
                sociallogin,
                reason="outside_domains",
                title="This address is not your organisation's",
                message=f"{organization.name}'s sign-in service answered with the address "
                f"“{email or 'none'}”, which is not in its domains ({domains}). Nobody "
                "was signed in. Ask your organisation's ActionLab admin to check the "
                "single sign-on settings.",
                domain=email_domain(email) if email else "",
            )
        user = sociallogin.user if sociallogin.is_existing else None
        if user is not None and not serves_email(sign_on, user.email):
            # Linked earlier, but the account's address has left the organisation's
            # domains since.
            raise refuse(
                request,
                sociallogin,
                reason="account_outside_domains",
                user=user,
                title="This account is not your organisation's",
                message=f"The ActionLab account linked to your organisation's sign-in has "
                f"an address outside {organization.name}'s domains. Sign in with your "
                "password or an emailed code.",
            )
        if user is None:
            existing = User.objects.filter(email__iexact=email).first()
            if existing is not None and not email_is_vouched_for(sociallogin, sign_on, email):
                raise refuse(
                    request,
                    sociallogin,
                    reason="email_not_verified",
                    user=existing,
                    title="Your address was not confirmed",
                    message=f"{organization.name}'s sign-in service did not confirm that "
                    f"{email} is yours, so ActionLab cannot sign you in to that account. "
                    "Sign in with your password or an emailed code, or ask your "
                    "organisation's ActionLab admin to mark the sign-in service as "
                    "authoritative for its domains.",
                )
            user = existing
        if user is not None and (user.is_staff or user.is_superuser):
            # The site's operators sign in with their password and authenticator: an
            # organisation's provider vouching for their address gives it no hold on them.
            raise refuse(
                request,
                sociallogin,
                reason="site_admin",
                user=user,
                title="Site admins sign in with their password",
                message=f"The ActionLab account for {email} is a site admin's: sign in with "
                "its password and authenticator app.",
            )
        if user is not None and not is_known_to(user, organization):
            # The organisation's provider answers for the organisation's people only: an
            # account that belongs to no program, profile or administration of the
            # organisation (someone else's, under a domain it claimed) stays out of reach.
            raise refuse(
                request,
                sociallogin,
                reason="not_known_to_organization",
                user=user,
                title="This account is not one of your organisation's",
                message=f"The ActionLab account for {email} does not belong to any of "
                f"{organization.name}'s programs, so its sign-in service cannot open it. "
                "Sign in with your password or an emailed code.",
            )
        if user is not None and not user.is_active:
            raise refuse(
                request,
                sociallogin,
                reason="deactivated",
                user=user,
                title="This account is deactivated",
                message=f"The ActionLab account for {email} has been deactivated. If you "
                "think this is a mistake, ask your organisation's ActionLab admin.",
            )
        if user is None:
            may_join = sign_on.join_cohort is not None or pending_invitations(
                email, sign_on.organization
            )
            if not may_join or not email_is_vouched_for(sociallogin, sign_on, email):
                raise refuse(
                    request,
                    sociallogin,
                    reason="no_account",
                    title="No ActionLab account for this address",
                    message=f"There is no ActionLab account for {email}. People join "
                    "ActionLab through an invitation from their program admin: ask yours "
                    "for one, then sign in here again.",
                    domain=email_domain(email),
                )
            # A new account: the email must be the one the provider gave, in lower case.
            if sociallogin.user is not None:
                sociallogin.user.email = email

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        """Reached only for an address with no account, and only when the organisation
        lets anyone from its domains join a program or one of its programs invited the
        address (pre_social_login refused the rest)."""
        sign_on = _sign_on(sociallogin)
        if sign_on is None:
            return False
        return sign_on.join_cohort_id is not None or bool(
            pending_invitations(provider_email(sociallogin), sign_on.organization)
        )

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> User:
        user: User = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").lower()
        sign_on = _sign_on(sociallogin)
        if sign_on is not None:
            user.time_zone = sign_on.organization.starting_zone()
        return user

    @transaction.atomic
    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> User:
        """A new account: the invitations of the organisation's programs to the address
        are accepted (the provider vouched for the address, as the emailed link would
        have), or it joins the organisation's open cohort as a participant."""
        user: User = super().save_user(request, sociallogin, form)
        sign_on = _sign_on(sociallogin)
        accepted = 0
        if sign_on is not None:
            for invitation in pending_invitations(user.email, sign_on.organization):
                try:
                    do_accept_invitation(invitation=invitation, user=user)
                except InvitationProblem:
                    continue
                accepted += 1
                record_event(
                    SecurityEvent.Kind.INVITATION_ACCEPTED,
                    request=request,
                    user=user,
                    invitation_id=invitation.pk,
                    program_id=invitation.program_id,
                    how="single sign-on",
                )
        cohort = sign_on.join_cohort if sign_on is not None and not accepted else None
        if sign_on is not None:
            # Known to the organisation like anyone imported: a profile there (no unit
            # yet; the program admin or the person completes it).
            Profile.objects.get_or_create(user=user, organization=sign_on.organization)
        if cohort is not None:
            do_add_membership(
                program=cohort.program,
                user=user,
                role=Role.PARTICIPANT,
                cohort=cohort,
                how="single sign-on",
            )
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """A failed sign-in through a provider (a refused or tampered answer, an expired
        or foreign token, a used link): a security event, and words for the page."""
        reason, message = describe_failure(error, exception, extra_context or {})
        app = getattr(provider, "app", None)
        record_event(
            SecurityEvent.Kind.SSO_FAILED,
            request=request,
            provider=getattr(app, "provider_id", None) or getattr(provider, "id", None),
            error=str(error) if error else None,
            reason=reason,
        )
        if extra_context is not None:
            extra_context["sso_message"] = message
            extra_context["sso_reason"] = reason


def _causes(exception: BaseException | None) -> list[BaseException]:
    found: list[BaseException] = []
    while exception is not None and len(found) < 10:
        found.append(exception)
        exception = exception.__cause__ or exception.__context__
    return found


def describe_failure(
    error: Any, exception: BaseException | None, extra_context: dict[str, Any]
) -> tuple[str, str]:
    """A short reason for the security log and a sentence for the person."""
    again = " Start again from the sign-in page."
    for cause in _causes(exception):
        if isinstance(cause, jwt.InvalidAudienceError):
            return (
                "wrong_audience",
                "Your organisation's sign-in service answered with a token meant for "
                "another application, so ActionLab refused it." + again,
            )
        if isinstance(cause, jwt.ExpiredSignatureError):
            return (
                "expired_token",
                "Your organisation's sign-in service answered with a token that had "
                "already expired, so ActionLab refused it. If this happens again, the "
                "clocks of the two services may disagree: tell your ActionLab admin." + again,
            )
        if isinstance(cause, jwt.InvalidIssuerError):
            return (
                "wrong_issuer",
                "The sign-in answer did not come from your organisation's sign-in service, "
                "so ActionLab refused it." + again,
            )
        if isinstance(cause, jwt.PyJWTError):
            return (
                "invalid_token",
                "The sign-in answer from your organisation's sign-in service could not be "
                "verified, so ActionLab refused it." + again,
            )
    if exception is not None and "already used" in str(exception):
        return (
            "replayed_token",
            "This sign-in answer was already used once, so ActionLab refused it." + again,
        )
    if exception is None and "state_id" in extra_context:
        return (
            "unknown_state",
            "This sign-in answer was already used, has expired or was started in "
            "another browser, so ActionLab refused it." + again,
        )
    if exception is None and "state" in extra_context:
        return (
            "provider_refused",
            "Your organisation's sign-in service did not sign you in (it refused, or "
            "the sign-in was cancelled)." + again,
        )
    if exception is not None:
        return (
            "provider_error",
            "ActionLab could not complete the sign-in with your organisation's sign-in "
            "service." + again,
        )
    return (
        "provider_error",
        "Your organisation's sign-in service did not sign you in." + again,
    )


class SingleSignOnAwareAuthenticateStage(AuthenticateStage):
    """allauth's two-factor step at sign-in, skipped when the organisation's provider
    vouches for a second factor (`provider_says_mfa`)."""

    def _should_handle(self, request: HttpRequest) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if isinstance(sociallogin, SocialLogin) and provider_says_mfa(sociallogin):
            return False
        return super()._should_handle(request)


def remember_provider_mfa(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """At sign-in (allauth's `user_logged_in`), keep in the session whether the
    organisation's provider vouched for a second factor (programs/mfa.py reads it)."""
    if not hasattr(request, "session"):
        return
    sociallogin = kwargs.get("sociallogin")
    if isinstance(sociallogin, SocialLogin) and provider_says_mfa(sociallogin):
        request.session[SSO_MFA_SESSION_KEY] = True
    else:
        request.session.pop(SSO_MFA_SESSION_KEY, None)
