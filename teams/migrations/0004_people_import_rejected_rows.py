from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0003_coach_tools"),
    ]

    operations = [
        migrations.AddField(
            model_name="peopleimport",
            name="rejected_rows",
            field=models.TextField(blank=True),
        ),
    ]
