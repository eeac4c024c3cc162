from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health
from core.tasks import HEARTBEAT_CACHE_KEY

logger = logging.getLogger(__name__)


def may_see_health_details(request: HttpRequest) -> bool:
    """Staff, or a probe that sends the X-Healthz-Token header matching HEALTHZ_TOKEN."""
    if request.user.is_authenticated and (request.user.is_staff or request.user.is_superuser):
        return True
    token = settings.HEALTHZ_TOKEN
    sent = request.headers.get("X-Healthz-Token", "")
    return bool(token) and constant_time_compare(sent, token)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The overall state as JSON, 503 when the database, cache or broker is down. Staff and
    probes with the health token also see which part is down and the scheduler's last
    heartbeat; nobody sees a driver's error, which goes to the log."""
    checks = {
        "database": health.check_database(),
        "cache": health.check_cache(),
        "broker": health.check_broker(),
    }
    for name, error in checks.items():
        if error is not None:
            logger.error("healthz: the %s is down: %s", name, error)
    healthy = all(error is None for error in checks.values())
    body: dict[str, object] = {"status": "ok" if healthy else "down"}
    if may_see_health_details(request):
        body |= {name: "ok" if error is None else "down" for name, error in checks.items()}
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
