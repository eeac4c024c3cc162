"""A program admin subtracts shown analytics figures to single out one person.

Before: the "Everyone" row minus the shown team rows gave the check-ins of the one person
on a hidden team, and a unit minus the team inside it gave the one person in the unit who
is not on that team. Now a group is withheld whenever its figures, taken from the total or
from another shown group, would give a group of fewer than five.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from programs.models import Membership
from reflections.weeks import LocalWeek
from tests import factories as f
from tests.conftest import Cast
from tests.dashboards.conftest import add_checkin

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
WEEKS = [LocalWeek(2026, 44), LocalWeek(2026, 45), LocalWeek(2026, 46)]


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def table(cast: Cast, slug: str, heading: str) -> dict[str, dict[str, str]]:
    response = cast.client_for("program_admin").get(
        reverse("dashboards:analytics_csv", args=[cast.program.pk, slug])
    )
    assert response.status_code == 200
    return {row[heading]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}


def number(row: dict[str, str], column: str = "Check-ins done") -> int | None:
    value = row[column]
    return int(value) if value.isdigit() else None


def everyone_joined_at_the_start(cast: Cast) -> None:
    start = datetime.datetime.combine(
        cast.program.starts_on, datetime.time(9), tzinfo=datetime.UTC
    )
    Membership.objects.filter(program=cast.program).update(created_at=start)


def test_everyone_minus_the_shown_teams_does_not_give_the_hidden_person(cast: Cast) -> None:
    ed = f.UnitFactory(organization=cast.program.organization, name="Emergency")
    for _ in range(3):
        f.add_participant(cast.team)
    for member in cast.team.members.all():
        member.user.profiles.update(unit=ed)
        add_checkin(member.user, cast.program, WEEKS[-1])
    # Safe Passage is one person, who checked in three times.
    for week in WEEKS:
        add_checkin(cast.other_participant, cast.program, week)
    everyone_joined_at_the_start(cast)

    everyone = table(cast, "weekly", "Week")["Everyone"]
    teams = table(cast, "teams", "Team")
    assert teams["Safe Passage"]["Check-ins done"] == "fewer than 5"
    # The attack: the total minus every team row that shows a number.
    shown = [number(row) for row in teams.values()]
    total = number(everyone)
    assert total is not None
    assert None in shown  # something stays hidden ...
    hidden_rows = [name for name, row in teams.items() if number(row) is None]
    # ... and it is never a single small group: Flow Forward is withheld with it.
    assert hidden_rows == ["Flow Forward", "Safe Passage"]
    assert teams["Flow Forward"]["Check-ins done"] == "withheld"
    # Nor does the unit table give the person away (their unit is a group of one).
    units = table(cast, "units", "Unit")
    assert all(number(row) is None for row in units.values())


def test_a_unit_minus_the_team_inside_it_does_not_give_one_person(cast: Cast) -> None:
    ed = f.UnitFactory(organization=cast.program.organization, name="Emergency")
    surgery = f.UnitFactory(organization=cast.program.organization, name="Surgery")
    for _ in range(3):
        f.add_participant(cast.team)
    for _ in range(5):
        f.add_participant(cast.other_team, unit=surgery)
    for member in cast.team.members.all():
        member.user.profiles.update(unit=ed)
    # The one person of Emergency who is not on Flow Forward.
    cast.other_participant.profiles.update(unit=ed)
    for week in WEEKS:
        add_checkin(cast.other_participant, cast.program, week)
    everyone_joined_at_the_start(cast)

    teams = table(cast, "teams", "Team")
    units = table(cast, "units", "Unit")
    assert number(units["Emergency"], "People") == 6
    # The attack: Emergency (six people) minus Flow Forward (five of them).
    emergency, flow = number(units["Emergency"]), number(teams["Flow Forward"])
    assert emergency is None or flow is None
    # Likewise Safe Passage (six) minus Surgery (five of them).
    assert number(teams["Safe Passage"]) is None or number(units["Surgery"]) is None


def test_ending_restoring_or_moving_a_person_changes_no_figure(cast: Cast) -> None:
    """Before: the figures counted the active participants on their current team, so the
    "Everyone" row (or Pat's team) before and after ending Pat's membership differed by
    exactly Pat's check-ins and reflections; moving a person did the same to two teams."""
    from django.core.cache import cache

    from programs.models import Membership
    from teams.services import do_assign_member, do_end_membership, do_restore_membership

    for _ in range(4):
        f.add_participant(cast.team)
        f.add_participant(cast.other_team)
    for member in [*cast.team.members.all(), *cast.other_team.members.all()]:
        add_checkin(member.user, cast.program, WEEKS[-1])
    for week in WEEKS[:2]:
        add_checkin(cast.participant, cast.program, week)
    everyone_joined_at_the_start(cast)

    def figures() -> tuple[dict[str, dict[str, str]], ...]:
        cache.clear()  # the page keeps its figures a few minutes; count them again
        return (
            table(cast, "weekly", "Week"),
            table(cast, "teams", "Team"),
            table(cast, "units", "Unit"),
            table(cast, "disciplines", "Discipline"),
        )

    before = figures()
    assert number(before[1]["Flow Forward"]) == 8  # six check-ins last week, two of Pat's
    pat = Membership.objects.get(user=cast.participant, program=cast.program)
    do_end_membership(membership=pat)
    assert figures() == before
    do_restore_membership(membership=Membership.objects.get(pk=pat.pk))
    assert figures() == before
    do_assign_member(cohort=cast.team.cohort, user=cast.teammate, team=cast.other_team)
    assert figures() == before
