"""Request typing shared by the apps' views."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind LoginRequiredMiddleware: `user` is a real account."""

    user: AbstractUser  # type: ignore[assignment]
    htmx: HtmxDetails
