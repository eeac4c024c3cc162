"""Signed-in sessions end after a stretch without activity and after a fixed lifetime.

SESSION_IDLE_TIMEOUT: seconds without a request after which the next request finds the
person signed out. SESSION_ABSOLUTE_LIFETIME: seconds after sign-in after which the
session ends however active it is (SESSION_COOKIE_AGE follows it, so the cookie and the
stored session do not outlive it either). Both times are kept in the session itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.models import SecurityEvent
from core.security import record_event

STARTED_KEY = "_actionlab_auth_started"
LAST_SEEN_KEY = "_actionlab_last_seen"
# Saving the session on every request would write to the session store each time; the
# last-seen time is refreshed at most once a minute, which the idle timeout can afford.
LAST_SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Signs a person out once their session has been idle or alive too long.

    Runs after AuthenticationMiddleware and MessageMiddleware. The request then goes on
    anonymously, so LoginRequiredMiddleware sends the person to the sign-in page, with a
    message saying why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        session = request.session
        now = timezone.now().timestamp()
        started = session.get(STARTED_KEY)
        last_seen = session.get(LAST_SEEN_KEY)
        if started is None or last_seen is None:
            # A session signed in before these times were kept: its clock starts now.
            session[STARTED_KEY] = session[LAST_SEEN_KEY] = now
            return
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            reason = "idle"
            text = (
                f"You were signed out after {_in_words(settings.SESSION_IDLE_TIMEOUT)} "
                "without activity. Sign in again to continue."
            )
        elif now - started > settings.SESSION_ABSOLUTE_LIFETIME:
            reason = "lifetime"
            text = (
                f"You were signed out because your session reached its limit of "
                f"{_in_words(settings.SESSION_ABSOLUTE_LIFETIME)}. Sign in again to continue."
            )
        else:
            if now - last_seen >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN_KEY] = now
            return
        record_event(SecurityEvent.Kind.SESSION_EXPIRED, request=request, reason=reason)
        logout(request)
        messages.info(request, text)


def start_session_clock(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """At sign-in the lifetime starts (connected to `user_logged_in`). Setting the times
    here, while the session is being written anyway, spares a write on the next request."""
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[STARTED_KEY] = request.session[LAST_SEEN_KEY] = now


def _in_words(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def end_sessions_of(user_id: int) -> int:
    """Delete every stored session signed in as the user (database sessions, the
    project's engine): the person is signed out everywhere at once. Returns how many.

    Sessions carry the user id only inside their encoded data, so the unexpired ones are
    read one by one; there are as many as sign-ins within SESSION_ABSOLUTE_LIFETIME."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user_id):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)
