from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from programs.models import Membership


def navigation_items(memberships: Iterable[Membership]) -> list[dict[str, str]]:
    """A link to each program of `memberships` (read with their program), by name."""
    programs = {
        m.program_id: f"{m.program.name} (archived)" if m.program.is_archived else m.program.name
        for m in sorted(memberships, key=lambda m: m.program.name)
    }
    return [
        {"label": name, "url": reverse("dashboards:program", args=[pk])}
        for pk, name in programs.items()
    ]


def _navigation(request: HttpRequest) -> list[dict[str, str]]:
    user = request.user
    if not user.is_authenticated:
        return []
    # The memberships the page's access check read, when it read them.
    read = getattr(user, "memberships_read", None)
    if read is not None:
        return navigation_items(m for m in read if m.is_active)
    return navigation_items(Membership.objects.for_user(user).select_related("program"))


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The programs the reader belongs to, looked up only if a template shows them."""
    return {"navigation": SimpleLazyObject(lambda: _navigation(request))}
