"""The demo program gets plans, weeks of check-ins, reflections and team reflections."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count

from devtools.demo.reflections import seed_reflections
from programs.models import Program, Role
from reflections.models import (
    CheckIn,
    Plan,
    Prompt,
    ReadReceipt,
    Reflection,
    TeamReflection,
    Visibility,
)
from tests import factories as f
from tests.conftest import Cast


@pytest.fixture(autouse=True)
def _a_wednesday_in_the_programs_twelfth_week() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, tzinfo=datetime.UTC)):
        yield


def test_what_the_demo_shares_reaches_the_coach_it_was_shared_with(cast: Cast) -> None:
    for _ in range(5):
        f.add_participant(cast.team)
    seed_reflections(program=cast.program)
    shared = Reflection.objects.filter(team=cast.team).exclude(visibility=Visibility.PRIVATE)
    assert shared.exists()
    # The audience was recorded when each entry was shared, as the journal page does.
    assert set(Reflection.objects.shared_with(cast.coach).filter(team=cast.team)) == set(shared)
    assert CheckIn.objects.shared_with(cast.coach).exists()
    assert TeamReflection.objects.for_user(cast.coach).filter(team=cast.team).exists()
    assert not Reflection.objects.shared_with(cast.other_coach).filter(team=cast.team).exists()


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Prompt, Plan, CheckIn, Reflection, TeamReflection, ReadReceipt)
    )


def test_the_demo_gives_participants_plans_check_ins_and_reflections(cast: Cast) -> None:
    for _ in range(5):
        f.add_participant(cast.team)
    seed_reflections(program=cast.program)
    participants = cast.program.memberships.filter(role=Role.PARTICIPANT, is_active=True)
    on_teams = participants.filter(user__team_memberships__isnull=False).count()
    assert Plan.objects.count() == on_teams
    assert Prompt.objects.filter(program=cast.program, week_number__isnull=False).count() >= 10
    per_person = dict(
        CheckIn.objects.values_list("user").annotate(n=Count("id")).values_list("user", "n")
    )
    assert len(per_person) >= on_teams - 1  # most people check in …
    assert all(5 <= n < 10 for n in per_person.values())  # … with some missed weeks
    visibilities = set(Reflection.objects.values_list("visibility", flat=True))
    assert {Visibility.PRIVATE, Visibility.TEAM} <= visibilities
    assert TeamReflection.objects.filter(team=cast.team).count() == 1
    assert TeamReflection.objects.filter(team=cast.other_team).count() == 1
    assert ReadReceipt.objects.exists()
    assert not ReadReceipt.objects.filter(reflection__visibility=Visibility.PRIVATE).exists()


def test_seeding_twice_adds_nothing(cast: Cast) -> None:
    seed_reflections(program=cast.program)
    first = counts()
    seed_reflections(program=cast.program)
    assert counts() == first


def test_the_demo_check_ins_are_one_per_local_week(cast: Cast) -> None:
    seed_reflections(program=cast.program)
    weeks = CheckIn.objects.values_list("user", "iso_year", "iso_week")
    assert len(weeks) == len(set(weeks))


def test_the_demo_program_of_seed_demo_gets_its_journals(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    program = Program.objects.get()
    seed_reflections(program=program)
    assert Plan.objects.filter(program=program).count() == 24
    assert CheckIn.objects.filter(program=program).count() > 150
    assert TeamReflection.objects.filter(team__cohort__program=program).count() == 4
    first = counts()
    seed_reflections(program=program)
    assert counts() == first
