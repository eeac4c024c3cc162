"""SelfAssessmentStage moves to the programs app (programs 0009 takes its table, with its
rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_showcase_items"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SelfAssessmentStage")],
            database_operations=[],
        ),
    ]
