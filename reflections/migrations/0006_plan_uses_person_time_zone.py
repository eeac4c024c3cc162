"""The Be Better Now plan's slot is on the person's own clock (`User.time_zone`, filled
from the plan's zone by programs 0005), so the plan no longer keeps a zone of its own."""

from django.db import migrations, models


def copy_zones_to_plans(apps, schema_editor):
    User = apps.get_model("programs", "User")
    Plan = apps.get_model("reflections", "Plan")
    Plan.objects.update(
        time_zone=models.Subquery(
            User.objects.filter(pk=models.OuterRef("user_id")).values("time_zone")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0005_person_time_zone"),
        ("reflections", "0005_weekly_report_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, copy_zones_to_plans),
        migrations.RemoveField(model_name="plan", name="time_zone"),
    ]
