"""Two request-wide rules that no single view should have to remember.

- A NUL character anywhere in a request (path, query string, form field or JSON body) is
  refused with a 400 that says so: no text a person types contains one, PostgreSQL refuses
  it in a text column or a query parameter, and a view that passed it on would answer 500.
- No response of the application is kept by a browser or a proxy on disk: pages show
  private writing, exports and calendar feeds carry it, and a shared computer's cache or
  the back button after signing out must not show it to the next person.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.utils.cache import patch_cache_control

NUL = "\x00"


class NulCharacterInRequest(SuspiciousOperation):
    """The request carries a NUL character; core.errors.bad_request names it."""


def _nul_in(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or NUL in request.path_info:
        return True
    if _nul_in(request.GET):
        return True
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return False
    if request.content_type == "application/json":
        # A JSON string carries NUL as the escape \u0000 (or, invalidly, the raw byte).
        body = request.body
        return b"\x00" in body or b"\\u0000" in body.lower()
    if request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return _nul_in(request.POST)
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _has_nul(request):
            raise NulCharacterInRequest("The request contains a NUL character.")
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response the application renders.
    Static files (served by whitenoise before this middleware) keep their long caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            # A feed's "max-age" would let a calendar app's cache keep it; no-store wins.
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, no_store=True, private=True)
        return response
