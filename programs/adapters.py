from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """People join through a program's invitation; open sign-up is off by default."""
        return bool(settings.ACCOUNT_ALLOW_SIGNUP)
