"""The notification centre, the unread count in the header, notification settings and the
one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pagination import paginate
from notifications.access import get_notification_for_user
from notifications.delivery import DIGEST, user_from_unsubscribe_token
from notifications.forms import PageForm, PreferencesForm, ResubscribeForm
from notifications.kinds import EmailMode, Kind
from notifications.models import Notification
from notifications.services import (
    daily_kinds,
    digest_hour,
    do_mark_all_read,
    do_mark_read,
    do_set_digest_hour,
    do_set_email_mode,
    do_unsubscribe,
    email_modes,
)
from programs.http import AuthenticatedHttpRequest

PAGE_SIZE = 25
UNREAD_CHANGED = "notificationsRead"


def is_safe_link(link: str) -> bool:
    """Only a path on this site: never another host (an open redirect)."""
    return (
        link.startswith("/")
        and not link.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(link, allowed_hosts=None)
    )


@require_GET
def centre(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's notifications, newest first, unread ones marked."""
    form = PageForm(request.GET)
    number = form.cleaned_data.get("page") if form.is_valid() else None
    page = paginate(
        Notification.objects.for_user(request.user).select_related("program"),
        number or 1,
        per_page=PAGE_SIZE,
    )
    return render(request, "notifications/centre.html", {"page": page})


@require_GET
def unread_count(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The header's unread count, fetched by htmx when a page loads and every minute."""
    count = Notification.objects.for_user(request.user).unread().count()
    return render(request, "base.html#unread_count", {"unread": count})


@require_GET
def open_notification(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to the thing it is about."""
    notification = get_notification_for_user(request.user, notification_id)
    do_mark_read(notification=notification)
    if is_safe_link(notification.link):
        return redirect(notification.link)
    return redirect("notifications:centre")


@require_POST
def mark_read(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, notification_id)
    do_mark_read(notification=notification)
    if request.htmx:
        response = render(
            request, "notifications/centre.html#item", {"notification": notification}
        )
        # The header's unread count listens for this and fetches itself again.
        response["HX-Trigger"] = UNREAD_CHANGED
        return response
    return redirect("notifications:centre")


@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = do_mark_all_read(user=request.user)
    if count:
        messages.success(
            request, f"Marked {count} notification{'s' if count != 1 else ''} as read."
        )
    else:
        messages.info(request, "Nothing was unread.")
    return redirect("notifications:centre")


@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per kind: immediately, in the daily digest, or not by email; and the digest hour."""
    modes = email_modes(request.user)
    hour = digest_hour(request.user)
    form = PreferencesForm(request.POST or None, modes=modes, hour=hour)
    if request.method == "POST" and form.is_valid():
        changed = []
        for kind, label in Kind.choices:
            wanted = form.cleaned_data[kind]
            if wanted != modes[kind]:
                do_set_email_mode(user=request.user, kind=kind, email=wanted)
                changed.append(f"{label}: {EmailMode(wanted).label.lower()}")
        if form.cleaned_data["digest_hour"] != hour:
            do_set_digest_hour(user=request.user, hour=form.cleaned_data["digest_hour"])
            changed.append(f"daily digest at {form.cleaned_data['digest_hour']:02d}:00")
        if changed:
            messages.success(request, "Saved. " + "; ".join(changed) + ".")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


# The token in the address is the credential: mail clients post the RFC 8058 one-click
# unsubscribe without cookies or a CSRF token.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    """Stop one kind of email (or the daily digest) for the person the signed token
    names: GET asks for confirmation, POST (the button or a mail client's one-click) does
    it and offers to turn it back on."""
    person = user_from_unsubscribe_token(kind, token)
    if person is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    kinds = daily_kinds(person) if kind == DIGEST else [kind]
    context: dict[str, object] = {"person": person, "kind": kind, "token": token}
    if request.method == "POST":
        turned_off = do_unsubscribe(user=person, kinds=kinds)
        modes = set(turned_off.values())
        context |= {
            "done": True,
            "turned_off": [Kind(k).label for k in turned_off],
            "kinds": list(turned_off),
            "previous": modes.pop() if len(modes) == 1 else EmailMode.NOW,
        }
    else:
        context["labels"] = [Kind(k).label for k in kinds]
    return render(request, "notifications/unsubscribe.html", context)


@login_not_required
@require_POST
def resubscribe(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    """Undo an unsubscribe: the kinds the link turned off are emailed as before."""
    person = user_from_unsubscribe_token(kind, token)
    form = ResubscribeForm(request.POST)
    if person is None or not form.is_valid():
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    kinds = form.cleaned_data["kinds"]
    if kind != DIGEST and kinds != [kind]:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    for each in kinds:
        do_set_email_mode(user=person, kind=each, email=form.cleaned_data["email"])
    return render(
        request,
        "notifications/unsubscribe.html",
        {"person": person, "restored": [Kind(k).label for k in kinds]},
    )
