"""Recording security events: sign-ins, failed sign-ins, MFA and password changes,
accepted invitations, refused requests.

`record_event` is the only writer. It takes the facts as keyword arguments and keeps
short scalars only, so a row can hold an attempted email or a URL name but never a
request body. Nothing here reads `request.POST` or a form: that is where people's
writing travels, and it must not reach the log.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from allauth.account import signals as account_signals
from allauth.account.adapter import get_adapter
from allauth.mfa import signals as mfa_signals
from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.models import SecurityEvent

logger = logging.getLogger("actionlab.security")

Kind = SecurityEvent.Kind
# An email address is at most 254 characters; nothing recorded needs more.
MAX_DETAIL_LENGTH = 254


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as allauth's rate limits see it: REMOTE_ADDR, unless
    ALLAUTH_TRUSTED_PROXY_COUNT says how many proxies in X-Forwarded-For to trust."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no address at all, e.g. a request built in code
        return None


def do_purge_security_events(*, now: datetime.datetime | None = None) -> int:
    """Delete the events older than SECURITY_LOG_RETENTION_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(
        days=settings.SECURITY_LOG_RETENTION_DAYS
    )
    deleted, _ = SecurityEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _scalar(value: object) -> str | int | bool | None:
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)[:MAX_DETAIL_LENGTH]


def record_event(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    **details: object,
) -> SecurityEvent:
    """Write one security event and the matching log line.

    `user` defaults to the request's signed-in user. `details` are short facts (ids,
    names of things, an attempted email); longer values are cut to 254 characters.
    """
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if user is not None and not getattr(user, "pk", None):
        user = None
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        ip_address=client_ip(request),
        details={name: _scalar(value) for name, value in details.items()},
    )
    logger.info(
        "security event %s user=%s ip=%s %s",
        kind,
        event.user_id,
        event.ip_address,
        event.details,
    )
    return event


def record_events(
    kind: str,
    events: list[tuple[Any, dict[str, object]]],
    *,
    request: HttpRequest | None = None,
) -> list[SecurityEvent]:
    """Write many events of one kind in one query (an import that gives a thousand
    roles), each `(user, details)` kept as `record_event` keeps it."""
    ip_address = client_ip(request)
    rows = [
        SecurityEvent(
            kind=kind,
            user=user if getattr(user, "pk", None) else None,
            ip_address=ip_address,
            details={name: _scalar(value) for name, value in details.items()},
        )
        for user, details in events
    ]
    SecurityEvent.objects.bulk_create(rows)
    for event in rows:
        logger.info(
            "security event %s user=%s ip=%s %s",
            kind,
            event.user_id,
            event.ip_address,
            event.details,
        )
    return rows


class SecurityEventMiddleware:
    """Records every refused request: 403 (PermissionDenied, CSRF failures, explicit
    403 responses) and 429 (rate limits). Only the URL's name and numeric ids are kept;
    string parts of a URL can be secrets (tokens), so they are left out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            self._record(Kind.PERMISSION_DENIED, request)
        elif response.status_code == 429:
            self._record(Kind.RATE_LIMITED, request)
        return response

    @staticmethod
    def _record(kind: str, request: HttpRequest) -> None:
        match = request.resolver_match
        ids = {
            name: value
            for name, value in (match.kwargs.items() if match else ())
            if isinstance(value, int)
        }
        record_event(
            kind,
            request=request,
            method=request.method,
            view=match.view_name if match else None,
            **ids,
        )


# Receivers for Django's and allauth's account signals. These are the only hooks those
# libraries offer; each writes one event and nothing else.


def _logged_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    record_event(Kind.LOGIN, request=request, user=user)


def _logged_out(
    sender: object, request: HttpRequest | None, user: Any = None, **kwargs: object
) -> None:
    record_event(Kind.LOGOUT, request=request, user=user)


def _login_failed(
    sender: object,
    credentials: dict[str, object],
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    # Django has already masked the password in `credentials`; only the login is kept.
    login = credentials.get("email") or credentials.get("username") or ""
    record_event(Kind.LOGIN_FAILED, request=request, user=None, login=login)


def _login_code_rejected(
    sender: object, request: HttpRequest, user: Any, last_attempt: bool = False, **kwargs: object
) -> None:
    record_event(Kind.LOGIN_CODE_FAILED, request=request, user=user, last_attempt=last_attempt)


def _user_event(kind: str) -> Callable[..., None]:
    def receiver(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
        record_event(kind, request=request, user=user)

    return receiver


def _authenticator_event(kind: str) -> Callable[..., None]:
    def receiver(
        sender: object, request: HttpRequest, user: Any, authenticator: Any, **kwargs: object
    ) -> None:
        record_event(kind, request=request, user=user, type=authenticator.type)

    return receiver


_RECEIVERS: list[tuple[Any, Callable[..., None]]] = [
    (auth_signals.user_logged_in, _logged_in),
    (auth_signals.user_logged_out, _logged_out),
    (auth_signals.user_login_failed, _login_failed),
    (account_signals.login_code_rejected, _login_code_rejected),
    (account_signals.password_changed, _user_event(Kind.PASSWORD_CHANGED)),
    (account_signals.password_set, _user_event(Kind.PASSWORD_SET)),
    (account_signals.password_reset, _user_event(Kind.PASSWORD_RESET)),
    (mfa_signals.authenticator_added, _authenticator_event(Kind.MFA_ADDED)),
    (mfa_signals.authenticator_removed, _authenticator_event(Kind.MFA_REMOVED)),
    (mfa_signals.authenticator_reset, _authenticator_event(Kind.MFA_RESET)),
    (mfa_signals.authentication_failed, _authenticator_event(Kind.MFA_FAILED)),
]


def connect_receivers() -> None:
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver)
