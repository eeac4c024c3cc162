from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from core.models import SecurityEvent
from core.security import record_event

INVITATION_SESSION_KEY = "invitation_token"
ORGANIZATION_INVITATION_SESSION_KEY = "organization_invitation_token"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """People join through a program's invitation: sign-up is open to the holder of a
        valid invitation link, and to everyone only when ACCOUNT_ALLOW_SIGNUP is on."""
        if request.session.get(INVITATION_SESSION_KEY) or request.session.get(
            ORGANIZATION_INVITATION_SESSION_KEY
        ):
            return True
        return bool(settings.ACCOUNT_ALLOW_SIGNUP)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        token = request.session.get(INVITATION_SESSION_KEY)
        if token:
            return reverse("programs:invitation", args=[token])
        token = request.session.get(ORGANIZATION_INVITATION_SESSION_KEY)
        if token:
            return reverse("organizations:invitation", args=[token])
        return super().get_signup_redirect_url(request)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth refuses a sign-in after too many failures without trying the password;
        the refusal goes to the security log like a failed sign-in."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            login = credentials.get("email") or credentials.get("username") or ""
            record_event(SecurityEvent.Kind.LOGIN_BLOCKED, request=request, login=login)
            raise
