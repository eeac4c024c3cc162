from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="securityevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("login", "Signed in"),
                    ("login_failed", "Sign-in failed"),
                    ("login_blocked", "Sign-in refused: too many failed attempts"),
                    ("login_code_failed", "Wrong sign-in code"),
                    ("logout", "Signed out"),
                    ("session_expired", "Session expired"),
                    ("mfa_added", "Two-factor authenticator added"),
                    ("mfa_removed", "Two-factor authenticator removed"),
                    ("mfa_reset", "Recovery codes regenerated"),
                    ("mfa_failed", "Wrong two-factor code"),
                    ("password_changed", "Password changed"),
                    ("password_set", "Password set"),
                    ("password_reset", "Password reset"),
                    ("invitation_accepted", "Invitation accepted"),
                    ("org_admin_granted", "Organisation admin role given"),
                    ("org_admin_removed", "Organisation admin role removed"),
                    ("permission_denied", "Access refused (403)"),
                    ("rate_limited", "Too many requests (429)"),
                ],
                max_length=32,
            ),
        ),
    ]
