"""Django with nothing in it, for `make bench` to measure beside the application.

One view answering a short text, no middleware, no database, no installed app, and settings
made here rather than read from config/settings.py. `bin/bench` serves it with the same
gunicorn command and workers as the application, on another port, and loads it with the
same wrk settings: the table then shows how far the floor (the smallest signed-in page,
through the whole middleware stack) is from what Django itself answers on the machine.

Importing this module configures Django's settings, so nothing else may import it: gunicorn
loads it as `devtools.bench_plain:application` in a process of its own.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
    USE_TZ=True,
)


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns: list[URLPattern] = [path("", plain)]

application = get_wsgi_application()
