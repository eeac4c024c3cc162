"""One time zone per person: `User.time_zone` replaces the zone each organisation profile
kept and the zone each Be Better Now plan kept.

A person's zone becomes their plan's zone if they had a plan (the plan most recently
changed, when they had several), else their profile's zone (the most recent profile),
else UTC. The plan's zone comes first: it is the clock the person chose for their weekly
check-in, where the profile's zone was a default nobody could change.
"""

from collections import defaultdict

from django.db import migrations, models

import programs.models

CHUNK = 1000


def copy_zones_to_people(apps, schema_editor):
    User = apps.get_model("programs", "User")
    Profile = apps.get_model("programs", "Profile")
    Plan = apps.get_model("reflections", "Plan")
    zones: dict[int, str] = {}
    for user_id, zone in Profile.objects.order_by("pk").values_list("user_id", "time_zone"):
        zones[user_id] = zone
    for user_id, zone in Plan.objects.order_by("updated_at", "pk").values_list(
        "user_id", "time_zone"
    ):
        zones[user_id] = zone
    people_by_zone: dict[str, list[int]] = defaultdict(list)
    for user_id, zone in zones.items():
        if zone:
            people_by_zone[zone].append(user_id)
    for zone, user_ids in people_by_zone.items():
        for start in range(0, len(user_ids), CHUNK):
            User.objects.filter(pk__in=user_ids[start : start + CHUNK]).update(time_zone=zone)


def copy_zones_to_profiles(apps, schema_editor):
    User = apps.get_model("programs", "User")
    Profile = apps.get_model("programs", "Profile")
    Profile.objects.update(
        time_zone=models.Subquery(
            User.objects.filter(pk=models.OuterRef("user_id")).values("time_zone")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0004_organization_admins_and_units"),
        ("reflections", "0005_weekly_report_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="time_zone",
            field=models.CharField(
                default="UTC",
                max_length=64,
                validators=[programs.models.validate_time_zone],
                verbose_name="time zone",
            ),
        ),
        migrations.RunPython(copy_zones_to_people, copy_zones_to_profiles),
        migrations.RemoveField(model_name="profile", name="time_zone"),
    ]
