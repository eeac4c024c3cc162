"""Every date and time on a page is on the signed-in person's clock: their zone is
activated for the request; anonymous pages keep the site's zone."""

from __future__ import annotations

import datetime

import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.timezones import PersonTimeZoneMiddleware
from programs.models import User
from tests.conftest import Cast


def zone_seen_by(user: object) -> str:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(timezone.get_current_timezone_name())

    request = RequestFactory().get("/")
    request.user = user  # type: ignore[assignment]
    return PersonTimeZoneMiddleware(view)(request).content.decode()


def test_the_signed_in_persons_zone_is_active_for_their_request(cast: Cast) -> None:
    User.objects.filter(pk=cast.participant.pk).update(time_zone="Asia/Kolkata")
    cast.participant.refresh_from_db()
    assert zone_seen_by(cast.participant) == "Asia/Kolkata"
    assert timezone.get_current_timezone_name() == "UTC"  # and only for that request


def test_an_anonymous_visitor_sees_the_sites_zone() -> None:
    assert zone_seen_by(AnonymousUser()) == "UTC"


def test_a_page_shows_a_moment_on_the_readers_clock(cast: Cast) -> None:
    User.objects.filter(pk=cast.participant.pk).update(time_zone="Pacific/Auckland")
    # 12:00 UTC on Wednesday 18 November 2026 is 01:00 on Thursday in Auckland.
    with time_machine.travel(datetime.datetime(2026, 11, 18, 12, 0, tzinfo=datetime.UTC)):
        html = cast.client_for("participant").get(reverse("programs:profile")).content.decode()
    assert "Now on your clock: Thursday 19 November, 01:00 (Pacific/Auckland)." in html
