from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0005_team_changes_and_note_handover"),
    ]

    operations = [
        migrations.AddField(
            model_name="peopleimport",
            name="notices_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
