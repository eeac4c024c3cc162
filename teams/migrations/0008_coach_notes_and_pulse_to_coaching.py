"""Coach notes and the team pulse now live in `coaching` (see its migration 0006, which
renames the tables and keeps their rows): `teams` forgets them, without touching the
database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0006_coach_notes_and_pulse_from_teams"),
        ("teams", "0007_self_assessment_moves_to_programs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CoachNoteHandover"),
                migrations.DeleteModel(name="CoachNoteRead"),
                migrations.DeleteModel(name="PulseResponse"),
                migrations.DeleteModel(name="CoachNote"),
                migrations.DeleteModel(name="PulseSurvey"),
            ],
            database_operations=[],
        ),
    ]
