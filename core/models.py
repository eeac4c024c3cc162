"""The security event log: who did what to an account, from where, and when.

Rows carry identifiers and short facts only (an attempted email, a URL name, ids), never
anything a person wrote: no reflection, check-in or note text, no form data, no passwords.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Sign-in failed"
        LOGIN_BLOCKED = "login_blocked", "Sign-in refused: too many failed attempts"
        LOGIN_CODE_FAILED = "login_code_failed", "Wrong sign-in code"
        LOGOUT = "logout", "Signed out"
        SESSION_EXPIRED = "session_expired", "Session expired"
        MFA_ADDED = "mfa_added", "Two-factor authenticator added"
        MFA_REMOVED = "mfa_removed", "Two-factor authenticator removed"
        MFA_RESET = "mfa_reset", "Recovery codes regenerated"
        MFA_FAILED = "mfa_failed", "Wrong two-factor code"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_SET = "password_set", "Password set"
        PASSWORD_RESET = "password_reset", "Password reset"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        ROLE_GRANTED = "role_granted", "Role in a program given"
        ROLE_ENDED = "role_ended", "Role in a program ended"
        ADVISOR_CHANGED = "advisor_changed", "Team coach or sponsor changed"
        TEAM_MEMBER_MOVED = "team_member_moved", "Team member placed, moved or removed"
        NOTES_HANDED_OVER = "notes_handed_over", "Coach notes handed over"
        ORGANIZATION_ADMIN_GRANTED = "org_admin_granted", "Organisation admin role given"
        ORGANIZATION_ADMIN_REMOVED = "org_admin_removed", "Organisation admin role removed"
        SSO_CONFIGURED = "sso_configured", "Single sign-on configured"
        SSO_FAILED = "sso_failed", "Single sign-on failed"
        SSO_REFUSED = "sso_refused", "Single sign-on refused"
        SSO_LOGOUT = "sso_logout", "Signed out everywhere by the organisation's provider"
        ACCOUNT_DEACTIVATED = "account_deactivated", "Account deactivated"
        PERMISSION_DENIED = "permission_denied", "Access refused (403)"
        RATE_LIMITED = "rate_limited", "Too many requests (429)"
        ADMIN_LOOKUP_REFUSED = "admin_lookup_refused", "Django admin: lookup on writing refused"
        ADMIN_PASSWORD_RESET_SENT = (
            "admin_password_reset_sent",
            "Django admin: password reset link emailed",
        )

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="securityevent_user_time"),
            models.Index(fields=["kind", "-created_at"], name="securityevent_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M:%S}"
