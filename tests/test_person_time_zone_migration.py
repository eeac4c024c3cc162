"""The migration to one time zone per person keeps each person's clock: their plan's zone
if they had a plan (the one changed last), else their profile's zone, else UTC."""

from __future__ import annotations

import datetime

import pytest

from tests.migrating import migrate, migrate_to_latest

BEFORE = [
    ("programs", "0004_organization_admins_and_units"),
    ("reflections", "0005_weekly_report_indexes"),
]
AFTER = [("programs", "0005_person_time_zone"), ("reflections", "0006_plan_uses_person_time_zone")]


@pytest.mark.django_db(transaction=True)
def test_each_person_keeps_the_clock_of_their_plan_else_their_profile() -> None:
    apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    User = apps.get_model("programs", "User")
    Organization = apps.get_model("programs", "Organization")
    Profile = apps.get_model("programs", "Profile")
    Program = apps.get_model("programs", "Program")
    Plan = apps.get_model("reflections", "Plan")
    org = Organization.objects.create(name="Lakeside")
    program = Program.objects.create(
        organization=org,
        name="P",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    other = Program.objects.create(
        organization=org,
        name="Q",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    now = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)

    def person(email: str, profile_zone: str | None) -> object:
        user = User.objects.create(email=email)
        if profile_zone:
            Profile.objects.create(user=user, organization=org, time_zone=profile_zone)
        return user

    def plan(user: object, prog: object, zone: str, days: int) -> None:
        Plan.objects.create(
            user=user,
            program=prog,
            aspect="a",
            action="b",
            checkin_weekday=4,
            checkin_time=datetime.time(9),
            time_zone=zone,
            created_at=now,
            updated_at=now + datetime.timedelta(days=days),
        )

    priya = person("priya@example.org", "America/New_York")
    plan(priya, program, "Asia/Kolkata", 0)
    moved = person("moved@example.org", "Europe/London")
    plan(moved, program, "Europe/Paris", 0)
    plan(moved, other, "Asia/Tokyo", 3)  # changed last
    profile_only = person("profile@example.org", "America/Chicago")
    nobody = person("nobody@example.org", None)

    try:
        apps = migrate(AFTER).loader.project_state(AFTER).apps
        zones = dict(apps.get_model("programs", "User").objects.values_list("email", "time_zone"))
        assert zones == {
            priya.email: "Asia/Kolkata",
            moved.email: "Asia/Tokyo",
            profile_only.email: "America/Chicago",
            nobody.email: "UTC",
        }
    finally:
        migrate_to_latest()
