"""The weekly reminders' delivery rows now belong to `notifications` (its 0002): only
Django's record of the model goes; the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reflections', '0009_team_reflection_revisions'),
        ('notifications', '0002_reminder_deliveries_move_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='ReminderDelivery')],
        ),
    ]
