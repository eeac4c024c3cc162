"""SelfAssessment moves to the programs app (programs 0009 takes its table, with its rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0006_people_import_notices_sent"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SelfAssessment")],
            database_operations=[],
        ),
    ]
