"""The team builder's automatic proposal: balanced, cross-boundary teams that keep reporting
lines apart."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teams.composition import MemberFacts
from teams.proposal import (
    OpenTeam,
    Plan,
    mix_score,
    plan_proposal,
    propose_teams,
    reporting_pairs,
    round_robin,
    team_count_for,
    team_mix,
)

UNITS = ["Emergency", "Finance", "Nursing", "Pharmacy", None]
DISCIPLINES = ["physician", "nurse", "administrator", "allied_health", "research", "other"]
OUTSIDE_MANAGER = 99_999  # someone who is not in the cohort

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def person(
    uid: int, unit: str | None, discipline: str, reports_to: int | None = None
) -> MemberFacts:
    return MemberFacts(uid, f"Person {uid}", unit, discipline, reports_to)


def team_sizes(teams: Sequence[Sequence[int]]) -> list[int]:
    return sorted(len(team) for team in teams)


def same_team(teams: Sequence[Sequence[int]], a: int, b: int) -> bool:
    return any(a in team and b in team for team in teams)


def quality(teams: Sequence[Sequence[int]], cohort: Sequence[MemberFacts]) -> tuple[int, int]:
    """Larger is better: fewer reporting pairs first, then more mix."""
    return (-len(reporting_pairs(teams, cohort)), mix_score(teams, cohort))


def a_split_without_pairs_exists(cohort: Sequence[MemberFacts], team_count: int) -> bool:
    """Exhaustive search over every balanced split (a person's team is tried only while it
    has room and holds nobody they share a reporting line with)."""
    ids = {c.user_id for c in cohort}
    lines = {
        (c.user_id, c.reports_to_id)
        for c in cohort
        if c.reports_to_id in ids and c.reports_to_id != c.user_id
    }
    floor, extra = divmod(len(cohort), team_count)
    teams: list[list[int]] = [[] for _ in range(team_count)]

    def place(position: int) -> bool:
        if position == len(cohort):
            return True
        uid = cohort[position].user_id
        larger = sum(1 for team in teams if len(team) > floor)
        for team in teams:
            if len(team) > floor or (len(team) == floor and larger == extra):
                continue
            if any((uid, other) in lines or (other, uid) in lines for other in team):
                continue
            team.append(uid)
            if place(position + 1):
                return True
            team.pop()
        return False

    return place(0)


def profiles(draw: st.DrawFn, size: int) -> list[tuple[str | None, str]]:
    """A unit and a discipline per person, drawn as one number each."""
    combined = st.integers(0, len(UNITS) * len(DISCIPLINES) - 1)
    return [
        (UNITS[number // len(DISCIPLINES)], DISCIPLINES[number % len(DISCIPLINES)])
        for number in draw(st.lists(combined, min_size=size, max_size=size))
    ]


def picks(draw: st.DrawFn, size: int) -> list[int]:
    """One number per person choosing their manager: 0 is nobody (what failures shrink to),
    any other number picks among the people they may report to."""
    return draw(st.lists(st.integers(0, 60), min_size=size, max_size=size))


@st.composite
def cohorts(draw: st.DrawFn, *, min_size: int = 1, max_size: int = 30) -> list[MemberFacts]:
    """People from a small pool of units and the six disciplines; each reports to nobody,
    to someone drawn earlier, or to someone outside the cohort. Ids are arbitrary."""
    ids = draw(st.lists(st.integers(1, 10_000), min_size=min_size, max_size=max_size, unique=True))
    people = []
    for position, ((unit, discipline), pick) in enumerate(
        zip(profiles(draw, len(ids)), picks(draw, len(ids)), strict=True)
    ):
        managers = [OUTSIDE_MANAGER, *ids[:position]]
        manager = managers[(pick - 1) % len(managers)] if pick else None
        people.append(person(ids[position], unit, discipline, manager))
    return people


@st.composite
def cohorts_with_team_count(
    draw: st.DrawFn, *, max_size: int = 30, max_teams: int | None = None
) -> tuple[list[MemberFacts], int]:
    cohort = draw(cohorts(max_size=max_size))
    most = len(cohort) if max_teams is None else min(max_teams, len(cohort))
    return cohort, draw(st.integers(1, most))


@st.composite
def cohorts_with_a_split_free_of_pairs(draw: st.DrawFn) -> tuple[list[MemberFacts], int]:
    """Larger cohorts where a balanced split without reporting pairs is known to exist.

    The argument is by construction: the people are first dealt out to `team_count` teams
    in a shuffled order, which gives a balanced split, and each reporting line is then
    drawn only between two people that this deal put on different teams. The deal itself
    is therefore a balanced split without a reporting pair, whatever else the structure
    looks like: managers with many reports, long chains, two teams, one team per person.
    Lines go to people drawn earlier, so they form reporting trees, as in an organisation.
    """
    size = draw(st.integers(10, 60))
    team_count = draw(st.integers(2, size))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=size, max_size=size, unique=True))
    dealt = draw(st.permutations(range(size)))
    team_in_deal = {ids[position]: turn % team_count for turn, position in enumerate(dealt)}
    people = []
    for position, ((unit, discipline), pick) in enumerate(
        zip(profiles(draw, size), picks(draw, size), strict=True)
    ):
        uid = ids[position]
        allowed = [other for other in ids[:position] if team_in_deal[other] != team_in_deal[uid]]
        manager = allowed[(pick - 1) % len(allowed)] if pick and allowed else None
        people.append(person(uid, unit, discipline, manager))
    return people, team_count


# Examples


def test_a_manager_and_their_direct_reports_land_on_different_teams() -> None:
    cohort = [
        person(1, "Emergency", "physician"),
        person(2, "Emergency", "nurse", reports_to=1),
        person(3, "Emergency", "nurse", reports_to=1),
        person(4, "Finance", "administrator"),
        person(5, "Pharmacy", "allied_health"),
        person(6, "Nursing", "nurse"),
    ]
    teams = propose_teams(cohort, team_count=2)
    assert not same_team(teams, 1, 2)
    assert not same_team(teams, 1, 3)
    assert reporting_pairs(teams, cohort) == []


def test_people_from_one_unit_are_spread_across_the_teams() -> None:
    cohort = [
        person(uid, unit, discipline)
        for uid, (unit, discipline) in enumerate(
            ((u, d) for u in ("Emergency", "Finance", "Pharmacy") for d in DISCIPLINES[:3]),
            start=1,
        )
    ]
    teams = propose_teams(cohort, team_count=3)
    by_id = {c.user_id: c for c in cohort}
    for team in teams:
        members = [by_id[uid] for uid in team]
        assert sorted(str(m.unit) for m in members) == ["Emergency", "Finance", "Pharmacy"]
        assert len({m.discipline for m in members}) == 3
    assert mix_score(teams, cohort) == 3 * (3 + 3 - 1)


def test_teams_differ_by_at_most_one_member_when_the_cohort_does_not_divide_evenly() -> None:
    cohort = [person(uid, "Emergency", "nurse") for uid in range(1, 11)]
    assert team_sizes(propose_teams(cohort, team_count=3)) == [3, 3, 4]


def test_one_team_holds_everyone() -> None:
    cohort = [person(3, "Finance", "nurse"), person(1, None, "other", reports_to=3)]
    assert propose_teams(cohort, team_count=1) == [[1, 3]]


def test_as_many_teams_as_people_gives_everyone_a_team_of_their_own() -> None:
    cohort = [person(uid, "Finance", "nurse") for uid in (5, 2, 9)]
    assert propose_teams(cohort, team_count=3) == [[2], [5], [9]]


def test_an_empty_cohort_gives_no_teams() -> None:
    assert propose_teams([], team_count=4) == []
    assert round_robin([], 4) == []


@pytest.mark.parametrize("team_count", [0, -1, 4])
def test_no_teams_or_more_teams_than_people_is_refused(team_count: int) -> None:
    cohort = [person(uid, "Finance", "nurse") for uid in (1, 2, 3)]
    with pytest.raises(ValueError):
        propose_teams(cohort, team_count=team_count)
    with pytest.raises(ValueError):
        round_robin(cohort, team_count)


def test_a_person_listed_twice_is_refused() -> None:
    cohort = [person(1, "Finance", "nurse"), person(1, "Finance", "nurse")]
    with pytest.raises(ValueError, match="only once"):
        propose_teams(cohort, team_count=1)


def test_a_manager_outside_the_cohort_constrains_nobody() -> None:
    cohort = [person(uid, "Finance", "nurse", reports_to=OUTSIDE_MANAGER) for uid in (1, 2)]
    assert propose_teams(cohort, team_count=1) == [[1, 2]]
    assert reporting_pairs([[1, 2]], cohort) == []


def test_two_teams_can_need_each_manager_to_join_the_other_managers_reports() -> None:
    # The only balanced split without a reporting pair: {1, 21, 22, 23} and {2, 11, 12, 13}.
    cohort = [person(1, "Emergency", "physician"), person(2, "Emergency", "physician")]
    cohort += [person(uid, "Emergency", "nurse", reports_to=1) for uid in (11, 12, 13)]
    cohort += [person(uid, "Emergency", "nurse", reports_to=2) for uid in (21, 22, 23)]
    assert propose_teams(cohort, team_count=2) == [[1, 21, 22, 23], [2, 11, 12, 13]]


def test_when_every_split_holds_a_reporting_pair_everyone_still_gets_a_team() -> None:
    cohort = [person(1, "Emergency", "physician")]
    cohort += [person(uid, "Emergency", "nurse", reports_to=1) for uid in (2, 3, 4)]
    teams = propose_teams(cohort, team_count=2)
    assert team_sizes(teams) == [2, 2]
    assert len(reporting_pairs(teams, cohort)) == 1


def test_the_order_of_the_candidates_does_not_change_the_proposal() -> None:
    rng = random.Random(7)  # noqa: S311 - a fixed, reproducible cohort
    cohort = [
        person(uid, rng.choice(UNITS), rng.choice(DISCIPLINES), rng.choice([None, 1, 2]))
        for uid in range(1, 25)
    ]
    proposal = propose_teams(cohort, team_count=4)
    for _ in range(5):
        rng.shuffle(cohort)
        assert propose_teams(cohort, team_count=4) == proposal


def test_round_robin_deals_people_out_in_id_order() -> None:
    cohort = [person(uid, "Finance", "nurse") for uid in (40, 10, 30, 20, 50)]
    assert round_robin(cohort, 2) == [[10, 30, 50], [20, 40]]


def test_the_mix_counts_units_and_disciplines_less_the_largest_unit() -> None:
    team = [
        person(1, "Emergency", "physician"),
        person(2, "Emergency", "nurse"),
        person(3, "Finance", "nurse"),
        person(4, None, "research"),
    ]
    # Two units, three disciplines, two people from Emergency.
    assert team_mix(team) == 2 + 3 - 2
    assert mix_score([[1, 2], [3, 4]], team) == (1 + 2 - 2) + (1 + 2 - 1)
    with pytest.raises(ValueError):
        mix_score([[1, 5]], team)


def test_reporting_pairs_name_the_report_then_the_manager() -> None:
    cohort = [
        person(1, "Finance", "administrator"),
        person(2, "Finance", "administrator", reports_to=1),
        person(3, "Finance", "administrator", reports_to=2),
    ]
    assert reporting_pairs([[1, 2, 3]], cohort) == [(2, 1), (3, 2)]
    assert reporting_pairs([[1, 3], [2]], cohort) == []


def test_two_people_reporting_to_each_other_are_one_pair() -> None:
    cohort = [person(1, "Finance", "nurse", reports_to=2), person(2, "ICU", "nurse", 1)]
    assert reporting_pairs([[1, 2]], cohort) == [(1, 2)]
    assert propose_teams(cohort, team_count=2) == [[1], [2]]


@pytest.mark.parametrize(
    ("size", "target", "expected"),
    [(30, 6, 5), (33, 6, 6), (32, 6, 5), (5, 6, 1), (0, 6, 1), (1, 6, 1), (7, 1, 7)],
)
def test_the_team_count_brings_teams_nearest_the_target_size(
    size: int, target: int, expected: int
) -> None:
    assert team_count_for(size, target_size=target) == expected


def test_a_target_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        team_count_for(10, target_size=0)


def test_three_hundred_people_split_into_fifty_teams_within_seconds() -> None:
    rng = random.Random(300)  # noqa: S311 - a fixed, reproducible cohort
    units = [f"Unit {n}" for n in range(12)]
    cohort = [
        person(
            uid,
            rng.choice(units),
            rng.choice(DISCIPLINES),
            rng.randrange(1, uid) if uid > 1 and rng.random() < 0.3 else None,
        )
        for uid in range(1, 301)
    ]
    started = time.perf_counter()
    teams = propose_teams(cohort, team_count=50)
    assert time.perf_counter() - started < 5
    assert team_sizes(teams) == [6] * 50
    assert reporting_pairs(teams, cohort) == []
    assert mix_score(teams, cohort) > mix_score(round_robin(cohort, 50), cohort)


# Properties


@PROPERTY
@given(cohorts_with_team_count())
def test_every_participant_lands_on_exactly_one_team(
    case: tuple[list[MemberFacts], int],
) -> None:
    cohort, team_count = case
    teams = propose_teams(cohort, team_count=team_count)
    assert len(teams) == team_count
    assert Counter(uid for team in teams for uid in team) == Counter(c.user_id for c in cohort)


@PROPERTY
@given(cohorts_with_team_count())
def test_team_sizes_differ_by_at_most_one(case: tuple[list[MemberFacts], int]) -> None:
    cohort, team_count = case
    sizes = team_sizes(propose_teams(cohort, team_count=team_count))
    assert sizes[-1] - sizes[0] <= 1


@PROPERTY
@given(cohorts_with_team_count(max_size=9, max_teams=3))
def test_small_cohorts_hold_no_reporting_pair_when_a_split_without_one_exists(
    case: tuple[list[MemberFacts], int],
) -> None:
    cohort, team_count = case
    teams = propose_teams(cohort, team_count=team_count)
    if a_split_without_pairs_exists(cohort, team_count):
        assert reporting_pairs(teams, cohort) == []


@PROPERTY
@given(cohorts_with_a_split_free_of_pairs())
def test_larger_cohorts_hold_no_reporting_pair_when_a_split_without_one_exists(
    case: tuple[list[MemberFacts], int],
) -> None:
    cohort, team_count = case
    teams = propose_teams(cohort, team_count=team_count)
    assert reporting_pairs(teams, cohort) == []
    sizes = team_sizes(teams)
    assert sizes[-1] - sizes[0] <= 1


@PROPERTY
@given(cohorts_with_team_count())
def test_the_proposal_is_never_worse_than_dealing_people_out_in_id_order(
    case: tuple[list[MemberFacts], int],
) -> None:
    cohort, team_count = case
    proposal = propose_teams(cohort, team_count=team_count)
    assert quality(proposal, cohort) >= quality(round_robin(cohort, team_count), cohort)


@PROPERTY
@given(cohorts_with_team_count())
def test_without_reporting_lines_the_mix_is_never_below_dealing_out_in_id_order(
    case: tuple[list[MemberFacts], int],
) -> None:
    cohort, team_count = case
    cohort = [person(c.user_id, c.unit, c.discipline) for c in cohort]
    proposal = propose_teams(cohort, team_count=team_count)
    assert mix_score(proposal, cohort) >= mix_score(round_robin(cohort, team_count), cohort)


@PROPERTY
@given(st.data())
def test_the_same_people_in_any_order_get_the_identical_proposal(data: st.DataObject) -> None:
    cohort, team_count = data.draw(cohorts_with_team_count())
    shuffled = data.draw(st.permutations(cohort))
    assert propose_teams(shuffled, team_count=team_count) == propose_teams(
        cohort, team_count=team_count
    )


# The whole proposal: never a team below the minimum, leftovers offered existing teams -------


@st.composite
def open_teams(draw: st.DrawFn, taken: set[int]) -> list[OpenTeam]:
    """Existing teams of up to six members (some reporting to each other or to the people
    being placed), each with room for zero to three more."""
    teams = []
    next_id = 20_000
    for number in range(draw(st.integers(0, 4))):
        members = []
        for _ in range(draw(st.integers(1, 6))):
            next_id += 1
            unit, discipline = profiles(draw, 1)[0]
            manager = draw(st.sampled_from([None, *sorted(taken), *(m.user_id for m in members)]))
            members.append(person(next_id, unit, discipline, manager))
        teams.append(
            OpenTeam(
                team_id=number + 1,
                name=f"Team {number + 1}",
                members=tuple(members),
                room=draw(st.integers(0, 3)),
            )
        )
    return teams


def pairs_in(plan: Plan, cohort: Sequence[MemberFacts], teams: Sequence[OpenTeam]) -> set[str]:
    """Each reporting line the plan leaves inside a team, as "report reports to manager"."""
    names = {c.user_id: c.name for c in cohort}
    for team in teams:
        names |= {m.user_id: m.name for m in team.members}
    everyone = [*cohort, *(m for t in teams for m in t.members)]
    groups = [list(group) for group in plan.groups] + [
        [m.user_id for m in team.members]
        + [uid for uid, tid in plan.placements.items() if tid == team.team_id]
        for team in teams
    ]
    existing = set(
        reporting_pairs([[m.user_id for m in team.members] for team in teams], everyone)
    )
    return {
        f"{names[report]} reports to {names[manager]}"
        for report, manager in reporting_pairs(groups, everyone)
        if (report, manager) not in existing
    }


@PROPERTY
@given(data=st.data())
def test_a_plan_never_makes_a_team_below_the_minimum_and_places_everyone_once(
    data: st.DataObject,
) -> None:
    cohort = data.draw(cohorts(max_size=14))
    min_size = data.draw(st.integers(1, 6))
    max_size = data.draw(st.integers(min_size, 9))
    team_count = data.draw(st.integers(1, len(cohort)))
    teams = data.draw(open_teams({c.user_id for c in cohort}))
    plan = plan_proposal(
        cohort, team_count=team_count, min_size=min_size, max_size=max_size, open_teams=teams
    )
    assert all(len(group) >= min_size for group in plan.groups)
    placed = [uid for group in plan.groups for uid in group]
    placed += [*plan.placements, *plan.unplaced]
    assert sorted(placed) == sorted(c.user_id for c in cohort)
    if plan.groups:
        assert not plan.placements and not plan.unplaced
        assert len(plan.groups) <= team_count
    room = {team.team_id: team.room for team in teams}
    for team_id in plan.placements.values():
        room[team_id] -= 1
    assert all(left >= 0 for left in room.values())
    # Someone stays unplaced only when every team is full, and the notes say so.
    if plan.unplaced:
        assert all(left == 0 for left in room.values())
        assert any("no room for" in note for note in plan.notes)


@PROPERTY
@given(data=st.data())
def test_every_reporting_line_a_plan_leaves_inside_a_team_is_named_with_the_reason(
    data: st.DataObject,
) -> None:
    cohort = data.draw(cohorts(max_size=14))
    min_size = data.draw(st.integers(1, 6))
    team_count = data.draw(st.integers(1, len(cohort)))
    teams = data.draw(open_teams({c.user_id for c in cohort}))
    plan = plan_proposal(
        cohort, team_count=team_count, min_size=min_size, max_size=9, open_teams=teams
    )
    for pair in pairs_in(plan, cohort, teams):
        assert any(note.startswith(pair) for note in plan.notes), (pair, plan.notes)


def test_three_leftovers_join_existing_teams_with_room_and_away_from_their_manager() -> None:
    manager = person(1, "Finance", "administrator")
    teams = [
        OpenTeam(1, "Flow Forward", (manager, person(2, "Nursing", "nurse")), room=2),
        OpenTeam(2, "Safe Passage", (person(3, "Pharmacy", "nurse"),), room=2),
        OpenTeam(3, "Full House", (person(4, "Emergency", "physician"),), room=0),
    ]
    leftovers = [
        person(10, "Finance", "nurse", reports_to=1),
        person(11, "Emergency", "physician"),
        person(12, "Research", "research"),
    ]
    plan = plan_proposal(leftovers, team_count=1, min_size=4, max_size=6, open_teams=teams)
    assert plan.groups == []  # three people would make a team below the minimum of four
    assert plan.notes[0].startswith("3 people are fewer than the program's minimum team size")
    assert plan.placements[10] == 2  # not with the manager on Flow Forward
    assert set(plan.placements.values()) <= {1, 2}
    assert plan.unplaced == []


def test_asking_for_too_many_teams_proposes_fewer_and_says_why() -> None:
    cohort = [person(i, UNITS[i % 4], DISCIPLINES[i % 6]) for i in range(1, 10)]
    plan = plan_proposal(cohort, team_count=3, min_size=4, max_size=6)
    assert [len(group) for group in plan.groups] == [5, 4] or team_sizes(plan.groups) == [4, 5]
    assert "9 people make at most 2 teams of at least 4" in plan.notes[0]
