"""Fetching a person's own notifications."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from notifications.models import Notification
from programs.models import User


def get_notification_for_user(user: User, notification_id: int) -> Notification:
    """The person's own notification; anyone else's answers 404 like one that does not
    exist (a notification has exactly one reader)."""
    return get_object_or_404(Notification.objects.for_user(user), pk=notification_id)
