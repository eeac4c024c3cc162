"""The kinds of event a person can be notified of, and how each reaches them by email."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    CHARTER_SUBMITTED = "charter_submitted", "A charter is submitted for your approval"
    CHARTER_APPROVED = "charter_approved", "Your team's charter is approved"
    CHARTER_RETURNED = "charter_returned", "Your team's charter is returned for changes"
    CRITERION_QUERIED = "criterion_queried", "Your sponsor queries a criterion"
    DOOR_REQUESTED = "door_requested", "A team asks you to open a door"
    DOOR_ANSWERED = "door_answered", "Your sponsor answers a door request"
    STATUS_UPDATE = "status_update", "A team posts a status update"
    SPONSOR_COMMENT = "sponsor_comment", "Your sponsor comments on an update"
    TRANSITION_SUBMITTED = "transition_submitted", "A transition plan is submitted"
    TRANSITION_ACCEPTED = "transition_accepted", "A transition plan is accepted"
    ACTION_ASSIGNED = "action_assigned", "An action is assigned to you"
    ACTION_DUE = "action_due", "An action of yours is due tomorrow"
    ACTION_OVERDUE = "action_overdue", "An action of yours is overdue"
    SHARED_WITH_YOU = "shared_with_you", "Something is shared with you"
    PULSE_OPENED = "pulse_opened", "A team pulse is open"
    SESSION_SCHEDULED = "session_scheduled", "A team session is scheduled or moved"
    ADVISOR_ASSIGNED = "advisor_assigned", "You are made a team's coach or sponsor"
    PARTNER_NAMED = "partner_named", "You are named an accountability partner"
    ROLE_CHANGED = "role_changed", "A role of yours is given or ends"


class EmailMode(models.TextChoices):
    NOW = "now", "Immediately"
    DAILY = "daily", "In a daily digest"
    OFF = "off", "Not by email"


# Everything is emailed at once unless the person chooses otherwise, except the reminder
# that an action is due tomorrow, which can wait for the day's digest.
DEFAULT_EMAIL_MODES: dict[str, str] = {Kind.ACTION_DUE: EmailMode.DAILY}
DEFAULT_DIGEST_HOUR = 8


def default_email_mode(kind: str) -> str:
    return DEFAULT_EMAIL_MODES.get(kind, EmailMode.NOW)
