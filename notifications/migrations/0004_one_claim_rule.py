from django.db import migrations, models


class Migration(migrations.Migration):
    """One claim rule for every delivery: reminders, coach digests and partner notes are
    claimed (queued → sending) like notification emails, and both tables call the text of
    a skip or failure `reason`."""

    dependencies = [
        ("notifications", "0003_session_scheduled_kind"),
    ]

    operations = [
        migrations.RenameField(model_name="emaildelivery", old_name="error", new_name="reason"),
        migrations.AddField(
            model_name="reminderdelivery",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RemoveConstraint(
            model_name="reminderdelivery",
            name="reminderdelivery_status_valid",
        ),
        migrations.AlterField(
            model_name="reminderdelivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("skipped", "Skipped"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="reminderdelivery",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["queued", "sending", "sent", "failed", "skipped"])
                ),
                name="reminderdelivery_status_valid",
            ),
        ),
    ]
