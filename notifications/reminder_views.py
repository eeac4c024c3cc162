"""Reminder pages: the one-click unsubscribes and the program admins' reminder log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import PageForm
from core.pagination import paginate
from notifications.digests import do_opt_out_of_partner_notes, email_from_partner_opt_out_token
from notifications.models import ReminderDelivery
from notifications.reminders import (
    do_set_reminders,
    reminder_settings,
    user_from_unsubscribe_token,
)
from programs.access import get_program_for_admin
from programs.http import AuthenticatedHttpRequest
from reflections.forms import NotificationSettingsForm
from reflections.models import ReminderKind

PAGE_SIZE = 50
Status = ReminderDelivery.Status


# The token in the address is the credential: mail clients post the RFC 8058 one-click
# unsubscribe without cookies or a CSRF token.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    """Turn off one kind of reminder for the person the signed token names: GET asks for
    confirmation, POST (a press of the button or a mail client's one-click) does it."""
    person = user_from_unsubscribe_token(kind, token)
    if person is None:
        return render(
            request, "notifications/reminders/unsubscribe.html", {"invalid": True}, status=400
        )
    done = request.method == "POST"
    if done:
        do_set_reminders(user=person, kind=kind, enabled=False)
    return render(
        request,
        "notifications/reminders/unsubscribe.html",
        {"person": person, "kind": kind, "kind_label": ReminderKind(kind).label, "done": done},
    )


@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My emails, one switch per kind: the weekly check-in reminder, the coach digest and
    the accountability partner notes. Turning one back on undoes an unsubscribe."""
    enabled = reminder_settings(request.user)
    form = NotificationSettingsForm(request.POST or None, enabled=enabled)
    if request.method == "POST" and form.is_valid():
        changed = []
        for kind, label in ReminderKind.choices:
            wanted = bool(form.cleaned_data[kind])
            if wanted != enabled[kind]:
                do_set_reminders(user=request.user, kind=kind, enabled=wanted)
                changed.append(f"{label.lower()}s {'on' if wanted else 'off'}")
        if changed:
            messages.success(request, "Saved: " + "; ".join(changed) + ".")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("notifications:reminder_settings")
    return render(request, "notifications/reminders/settings.html", {"form": form})


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def partner_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click unsubscribe in a note to an accountability partner from outside the
    program, who has no account: the signed token names their address."""
    email = email_from_partner_opt_out_token(token)
    if email is None:
        return render(
            request, "notifications/reminders/unsubscribe.html", {"invalid": True}, status=400
        )
    done = request.method == "POST"
    if done:
        do_opt_out_of_partner_notes(email=email)
    return render(
        request,
        "notifications/reminders/unsubscribe.html",
        {
            "address": email,
            "kind": ReminderKind.PARTNER_NUDGE,
            "kind_label": ReminderKind.PARTNER_NUDGE.label,
            "done": done,
        },
    )


@require_GET
def log(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The program's reminders by week and status, with every failure's reason."""
    access = get_program_for_admin(request.user, program_id)
    program = access.program
    deliveries = ReminderDelivery.objects.filter(program=program)
    weeks = [
        {"label": f"{row['iso_year']}-W{row['iso_week']:02d}", **row}
        for row in deliveries.values("iso_year", "iso_week")
        .annotate(
            **{
                status: Count("pk", filter=Q(status=status))
                for status in (Status.QUEUED, Status.SENT, Status.SKIPPED, Status.FAILED)
            }
        )
        .order_by("-iso_year", "-iso_week")
    ]
    page = paginate(
        deliveries.select_related("user").order_by("-iso_year", "-iso_week", "status", "pk"),
        PageForm(request.GET).number(),
        per_page=PAGE_SIZE,
    )
    return render(
        request,
        "notifications/reminders/log.html",
        {"program": program, "weeks": weeks, "page": page},
    )
