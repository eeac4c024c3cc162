from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.models import SecurityEvent
from core.security import record_event
from programs.sso_forms import sso_required_message


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """People join through an invitation, whose own sign-up form creates the invited
        address's account and no other (programs.views, programs.org_views); allauth's
        general sign-up is open only when ACCOUNT_ALLOW_SIGNUP is on."""
        return bool(settings.ACCOUNT_ALLOW_SIGNUP)

    def get_login_stages(self) -> list[str]:
        """allauth's, with its two-factor step skipped for a single sign-on whose
        provider vouched for a second factor (programs/sso_adapter.py)."""
        return [
            "programs.sso_adapter.SingleSignOnAwareAuthenticateStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth refuses a sign-in after too many failures without trying the password;
        the refusal goes to the security log like a failed sign-in. A password is refused
        for an address whose organisation requires single sign-on."""
        login = str(credentials.get("email") or credentials.get("username") or "")
        if login and (message := sso_required_message(login)):
            record_event(
                SecurityEvent.Kind.SSO_REFUSED,
                request=request,
                reason="sso_required",
                method="password",
                login=login,
            )
            raise ValidationError(message)
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            login = credentials.get("email") or credentials.get("username") or ""
            record_event(SecurityEvent.Kind.LOGIN_BLOCKED, request=request, login=login)
            raise
