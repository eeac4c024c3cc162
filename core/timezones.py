"""Every date and time on a page is shown on the reader's own clock."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class PersonTimeZoneMiddleware:
    """Activate the signed-in person's time zone for the request, so that templates and
    `timezone.localtime()` show their clock; anonymous pages keep the site's zone. The
    person's model says what their zone is (a `zone` attribute); this module knows no app."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = getattr(getattr(request, "user", None), "zone", None)
        if isinstance(zone, zoneinfo.ZoneInfo):
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
