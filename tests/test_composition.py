"""Cross-boundary measures of a team."""

from __future__ import annotations

from teams.composition import MemberFacts, measure


def member(
    uid: int, unit: str | None, discipline: str, reports_to: int | None = None
) -> MemberFacts:
    return MemberFacts(uid, f"Person {uid}", unit, discipline, reports_to)


def test_a_well_mixed_team_has_no_warnings() -> None:
    team = [
        member(1, "ED", "physician"),
        member(2, "Finance", "administrator"),
        member(3, "Nursing", "nurse"),
        member(4, "Pharmacy", "allied_health"),
    ]
    mix = measure(team, min_size=4, max_size=8)
    assert (mix.distinct_units, mix.distinct_disciplines) == (4, 4)
    assert mix.largest_unit_share == 0.25
    assert mix.warnings == []


def test_one_unit_holding_most_of_the_team_is_explained() -> None:
    team = [member(i, "ED", "physician" if i % 2 else "nurse") for i in range(1, 4)]
    team.append(member(4, "Finance", "administrator"))
    mix = measure(team, min_size=4, max_size=8)
    assert mix.largest_unit == "ED"
    assert mix.largest_unit_share == 0.75
    assert any("3 of 4 members come from ED" in w for w in mix.warnings)


def test_a_member_reporting_to_another_member_is_flagged() -> None:
    team = [member(1, "ED", "nurse"), member(2, "ICU", "nurse", reports_to=1)]
    mix = measure(team, min_size=2, max_size=8)
    assert mix.reporting_pairs == [("Person 2", "Person 1")]
    assert any("Person 2 reports to Person 1" in w for w in mix.warnings)


def test_a_manager_outside_the_team_is_not_flagged() -> None:
    mix = measure([member(1, "ED", "nurse", reports_to=99)], min_size=1, max_size=8)
    assert mix.reporting_pairs == []


def test_sizes_outside_the_program_limits_are_explained() -> None:
    small = measure([member(1, "ED", "nurse")], min_size=4, max_size=8)
    assert "fewer than the program's minimum of 4" in " ".join(small.warnings)
    big = measure([member(i, f"U{i}", "nurse") for i in range(9)], min_size=4, max_size=8)
    assert "more than the program's maximum of 8" in " ".join(big.warnings)
