"""The personal calendar feed: its page, where a person makes, replaces or stops its
secret address, and the feed itself for calendar apps."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from programs.http import AuthenticatedHttpRequest
from reflections.access import get_personal_space_for_user
from reflections.feeds import (
    active_feed,
    calendar_feed,
    do_create_calendar_feed,
    do_revoke_calendar_feed,
    feed_from_token,
)


@require_GET
def calendar_feed_page(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """My personal calendar feed address, to make, replace or stop."""
    program = get_personal_space_for_user(request.user, program_id).program
    feed = active_feed(request.user, program)
    feed_url = (
        settings.SITE_URL + reverse("reflections:calendar_feed_ics", args=[feed.token])
        if feed
        else ""
    )
    return render(
        request,
        "reflections/calendar_feed.html",
        {"program": program, "feed": feed, "feed_url": feed_url},
    )


@require_POST
def calendar_feed_create(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    program = get_personal_space_for_user(request.user, program_id).program
    do_create_calendar_feed(user=request.user, program=program)
    messages.success(request, "Your new calendar feed address is ready; any earlier one stopped.")
    return redirect("reflections:calendar_feed", program.pk)


@require_POST
def calendar_feed_revoke(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    program = get_personal_space_for_user(request.user, program_id).program
    do_revoke_calendar_feed(user=request.user, program=program)
    messages.success(request, "Your calendar feed is stopped; its address no longer works.")
    return redirect("reflections:calendar_feed", program.pk)


@login_not_required
@require_GET
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself, for calendar apps; an unknown or revoked token is 404."""
    feed = feed_from_token(token)
    if feed is None:
        raise Http404("No such calendar feed.")
    response = HttpResponse(
        calendar_feed(feed, timezone.now()), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=900"
    return response
