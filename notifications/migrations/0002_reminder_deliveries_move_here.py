"""The weekly reminders' delivery rows move here from `reflections`: the table, its rows,
constraints and indexes stay as they are (`db_table` keeps its name); only Django's
record of which app owns the model changes. `reflections` 0010 drops it from its state."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_notifications_and_email_deliveries'),
        ('programs', '0005_person_time_zone'),
        ('reflections', '0009_team_reflection_revisions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='ReminderDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('checkin', 'Weekly check-in reminder'), ('coach_digest', 'Weekly coach digest'), ('partner_nudge', 'Accountability partner note')], max_length=20)),
                ('iso_year', models.PositiveSmallIntegerField()),
                ('iso_week', models.PositiveSmallIntegerField()),
                ('time_zone', models.CharField(max_length=64)),
                ('due_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('failed', 'Failed'), ('skipped', 'Skipped')], default='queued', max_length=10)),
                ('reason', models.CharField(blank=True, max_length=300)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('planned_by', models.UUIDField()),
                ('created_at', models.DateTimeField()),
                ('queued_at', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminder_deliveries', to='programs.program')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminder_deliveries', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'reminder deliveries',
                'db_table': 'reflections_reminderdelivery',
                'ordering': ['-iso_year', '-iso_week', 'user_id'],
                'indexes': [models.Index(fields=['status', 'queued_at'], name='reflections_status_4863c4_idx'), models.Index(fields=['program', '-iso_year', '-iso_week', 'status'], name='reflections_program_e9ce4c_idx'), models.Index(fields=['planned_by'], name='reflections_planned_468dfa_idx')],
                'constraints': [models.UniqueConstraint(fields=('user', 'program', 'iso_year', 'iso_week', 'kind'), name='reminderdelivery_once_per_week'), models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'sent', 'failed', 'skipped'])), name='reminderdelivery_status_valid')],
            },
        ),
            ],
        ),
    ]
