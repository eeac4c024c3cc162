"""Two-factor authentication is required of the people who see across teams.

With MFA_REQUIRED_FOR_STAFF on (the default when DEBUG is off), a program admin, a
learning coach, an organisation admin or a site admin (`is_staff`) without a TOTP
authenticator is sent to allauth's authenticator set-up until they add one, unless they
signed in through their organisation's single sign-on and its provider vouched for a
second factor (programs/sso_adapter.py keeps that in the session). Only the
set-up pages (and the re-authentication they may ask for), signing out and static files
stay open to them.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from programs.models import Membership, Organization, Role, User
from programs.sso_adapter import SSO_MFA_SESSION_KEY

ROLES_NEEDING_MFA = (Role.PROGRAM_ADMIN, Role.COACH)


def must_use_mfa(user: User) -> bool:
    """Whether the user's roles require a second factor."""
    return (
        user.is_staff
        or Membership.objects.filter(
            user=user, is_active=True, role__in=ROLES_NEEDING_MFA
        ).exists()
        or Organization.objects.administered_by(user).exists()
    )


def needs_mfa_set_up(user: User) -> bool:
    """Whether the user must add a TOTP authenticator before going on."""
    return must_use_mfa(user) and not is_mfa_enabled(user, types=[Authenticator.Type.TOTP])


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("mfa_index"),  # /accounts/2fa/: set-up, recovery codes, MFA re-authentication
        reverse("account_reauthenticate"),  # also its /code/ variants
        reverse("account_logout"),
        settings.STATIC_URL,  # Django gives it its leading slash
    )


class MfaRequiredMiddleware:
    """Sends staff without a second factor to the TOTP set-up page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.MFA_REQUIRED_FOR_STAFF
            and isinstance(user, User)
            and not request.path.startswith(_open_paths())
            and not request.session.get(SSO_MFA_SESSION_KEY)
            and needs_mfa_set_up(user)
        ):
            if request.headers.get("HX-Request") == "true":
                return _answer_background_request(request)
            messages.warning(
                request,
                "Your role needs two-factor authentication. "
                "Set up an authenticator app to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _answer_background_request(request: HttpRequest) -> HttpResponse:
    """An htmx request (the header's unread count, a form on a page opened before the role
    needed a second factor) gets no page back to swap in: from a page that is itself open,
    such as the set-up page, nothing at all; from any other page, the browser goes to the
    set-up page."""
    current = request.headers.get("HX-Current-URL", "")
    if url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}) and urlsplit(
        current
    ).path.startswith(_open_paths()):
        return HttpResponse(status=204)
    return HttpResponseClientRedirect(reverse("mfa_activate_totp"))
