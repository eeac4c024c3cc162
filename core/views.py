from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health
from core.tasks import HEARTBEAT_CACHE_KEY


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker state as JSON; 503 when any of them is down."""
    checks = {
        "database": health.check_database(),
        "cache": health.check_cache(),
        "broker": health.check_broker(),
    }
    body: dict[str, object] = {
        name: ("ok" if error is None else {"status": "down", "error": error})
        for name, error in checks.items()
    }
    healthy = all(error is None for error in checks.values())
    body["status"] = "ok" if healthy else "down"
    if checks["cache"] is None:
        # When beat and a worker run, the heartbeat task leaves its time in the cache.
        last = cache.get(HEARTBEAT_CACHE_KEY)
        body["scheduler_last_heartbeat"] = last
        if last:
            body["scheduler_heartbeat_age_seconds"] = round(
                timezone.now().timestamp() - float(last), 1
            )
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def session_probe(request: HttpRequest) -> HttpResponse:
    """The smallest signed-in page: the whole middleware stack (session, sign-in, CSRF,
    security headers) and nothing else. `make bench` measures every page against it."""
    return HttpResponse(f"ok {request.user.pk}\n", content_type="text/plain; charset=utf-8")
