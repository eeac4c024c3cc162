"""The page for a request Django refuses before any view runs (400): too large, too many
fields, a NUL character, or not readable. It says what happened and that nothing was saved.

It is rendered without the request's context processors (the request may be the very thing
that cannot be read), so it stands on its own like the 500 page. An htmx request gets the
message alone, swapped out of band into the page's alert region, and nothing else is
swapped: the form, and what was typed in it, stay on the screen.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponseBadRequest
from django.template.loader import render_to_string

from core.middleware import NulCharacterInRequest

MEGABYTE = 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:g} MB"


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBadRequest:
    context = {
        "too_large": isinstance(exception, RequestDataTooBig),
        "too_many": isinstance(exception, TooManyFieldsSent | TooManyFilesSent),
        "nul": isinstance(exception, NulCharacterInRequest),
        "text_limit": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        "upload_limit": _megabytes(settings.MAX_UPLOAD_SIZE),
    }
    if request.headers.get("HX-Request") == "true":
        response = HttpResponseBadRequest(render_to_string("400.html#problem", context))
        response["HX-Reswap"] = "none"
        return response
    return HttpResponseBadRequest(render_to_string("400.html", context))
