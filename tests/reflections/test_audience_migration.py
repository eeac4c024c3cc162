"""The migration that gives writing shared before audiences were recorded the audience the
history can prove (reflections 0008), run on rows as they were before it: the entries exist,
their `Audience` rows do not."""

from __future__ import annotations

import datetime
import importlib

from django.apps import apps
from django.utils import timezone

from programs.models import Membership, Role
from reflections.models import Audience, CheckInVisibility, Reflection
from teams.models import TeamMember
from tests.conftest import Cast
from tests.reflections.builders import check_in, plan_for, team_entry, write

migration = importlib.import_module("reflections.migrations.0008_audience_of_existing_writing")

LONG_AGO = timezone.now() - datetime.timedelta(days=400)


def readers_after_migration(**subject: object) -> set[tuple[str, str]]:
    """Forget every recorded audience, run the migration, and name who it let in."""
    Audience.objects.all().delete()
    migration.forwards(apps, None)
    return {
        (row.reader.first_name, row.role)
        for row in Audience.objects.filter(**subject).select_related("reader")
    }


def age_everyone(cast: Cast) -> None:
    """Everyone took their place long before any of the writing."""
    Membership.objects.filter(program=cast.program).update(created_at=LONG_AGO)
    TeamMember.objects.filter(cohort__program=cast.program).update(joined_at=LONG_AGO)


def test_those_in_place_before_the_entry_keep_reading_it(cast: Cast) -> None:
    age_everyone(cast)
    entry = write(cast.participant, cast.program, visibility="team")
    assert readers_after_migration(reflection=entry) == {
        ("Casey", "coach"),
        ("Terry", "member"),
    }
    assert Reflection.objects.for_user(cast.coach).filter(pk=entry.pk).exists()


def test_a_coach_or_member_who_arrived_after_the_entry_is_left_out(cast: Cast) -> None:
    age_everyone(cast)
    entry = write(cast.participant, cast.program, visibility="team")
    later = entry.created_at + datetime.timedelta(days=1)
    Membership.objects.filter(user=cast.coach, role=Role.COACH).update(created_at=later)
    TeamMember.objects.filter(user=cast.teammate).update(joined_at=later)
    assert readers_after_migration(reflection=entry) == set()
    assert not Reflection.objects.for_user(cast.coach).filter(pk=entry.pk).exists()


def test_private_entries_gain_no_reader(cast: Cast) -> None:
    age_everyone(cast)
    entry = write(cast.participant, cast.program, visibility="private")
    assert readers_after_migration(reflection=entry) == set()


def test_a_partner_named_since_the_check_in_is_left_out(cast: Cast) -> None:
    age_everyone(cast)
    plan = plan_for(cast.participant, cast.program, partner=cast.teammate)
    plan.updated_at = LONG_AGO
    plan.save(update_fields=["updated_at"])
    checkin = check_in(cast.participant, cast.program, visibility=CheckInVisibility.PARTNER)
    assert readers_after_migration(checkin=checkin) == {("Terry", "partner")}
    plan.updated_at = checkin.created_at + datetime.timedelta(hours=1)
    plan.save(update_fields=["updated_at"])
    assert readers_after_migration(checkin=checkin) == set()


def test_a_team_reflection_keeps_the_team_and_coach_of_its_last_save(cast: Cast) -> None:
    age_everyone(cast)
    entry = team_entry(cast.team, cast.participant, share_with_sponsor=True)
    assert readers_after_migration(team_reflection=entry) == {
        ("Pat", "member"),
        ("Terry", "member"),
        ("Casey", "coach"),
        ("Sam", "sponsor"),
    }
    TeamMember.objects.filter(user=cast.teammate).update(
        joined_at=entry.updated_at + datetime.timedelta(minutes=5)
    )
    assert ("Terry", "member") not in readers_after_migration(team_reflection=entry)
