"""Program analytics: counts only, groups below five hidden, CSV files that open safely
in a spreadsheet, and a query count that does not grow with the number of teams."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dashboards.analytics import program_analytics
from programs.models import Membership, Role, Unit
from reflections.weeks import LocalWeek
from teams.models import Team
from tests import factories as f
from tests.conftest import Cast
from tests.dashboards.conftest import add_checkin, build_program, count_queries

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
LAST_WEEK = LocalWeek(2026, 46)


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def csv_rows(cast: Cast, table: str) -> list[dict[str, str]]:
    response = cast.client_for("program_admin").get(
        reverse("dashboards:analytics_csv", args=[cast.program.pk, table])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def grow_team(cast: Cast, size: int, unit: Unit) -> Team:
    """Make the cast's team `size` people, all in `unit`."""
    for _ in range(size - 2):
        f.add_participant(cast.team)
    for member in cast.team.members.all():
        member.user.profiles.update(unit=unit)
    return cast.team


def joined_at_the_start(cast: Cast) -> None:
    """Everyone in the program so far joined on its first day."""
    start = datetime.datetime.combine(
        cast.program.starts_on, datetime.time(9), tzinfo=datetime.UTC
    )
    Membership.objects.filter(program=cast.program).update(created_at=start)


def test_groups_of_fewer_than_five_people_are_hidden(cast: Cast) -> None:
    add_checkin(cast.participant, cast.program, LAST_WEEK)
    html = cast.client_for("program_admin").get(
        reverse("dashboards:analytics", args=[cast.program.pk])
    )
    text = html.content.decode()
    assert "fewer than 5" in text
    rows = csv_rows(cast, "teams")
    assert {row["Team"] for row in rows} == {"Flow Forward", "Safe Passage"}
    assert all(row["Check-ins done"] == "fewer than 5" for row in rows)
    assert all(row["People"] == "fewer than 5" for row in rows)


def test_a_group_of_five_shows_its_counts(cast: Cast) -> None:
    unit = f.UnitFactory(organization=cast.program.organization, name="Emergency Medicine")
    team = grow_team(cast, 5, unit)
    joined_at_the_start(cast)
    members = [m.user for m in team.members.all()]
    for member in members[:4]:
        add_checkin(member, cast.program, LAST_WEEK)
    # Another team of five in one unit: with a single person there, "Everyone" minus Flow
    # Forward would be that person, so Flow Forward would be withheld.
    surgery = f.UnitFactory(organization=cast.program.organization, name="Surgery")
    for _ in range(4):
        f.add_participant(cast.other_team)
    for member in cast.other_team.members.all():
        member.user.profiles.update(unit=surgery)
    teams = {row["Team"]: row for row in csv_rows(cast, "teams")}
    flow = teams["Flow Forward"]
    assert flow["People"] == "5"
    assert flow["Check-ins done"] == "4"
    assert int(flow["Check-ins due"]) == 5 * 10  # weeks 37 to 46 of 2026 are complete
    assert teams["Safe Passage"]["People"] == "5"
    units = {row["Unit"]: row for row in csv_rows(cast, "units")}
    assert units["Emergency Medicine"]["Check-ins done"] == "4"


def test_weekly_table_counts_check_ins_and_reflections_but_no_content(cast: Cast) -> None:
    unit = f.UnitFactory(organization=cast.program.organization)
    team = grow_team(cast, 5, unit)
    joined_at_the_start(cast)
    from reflections.services import do_write_reflection

    for member in [m.user for m in team.members.all()]:
        add_checkin(member, cast.program, LAST_WEEK)
    with time_machine.travel(datetime.datetime(2026, 11, 11, 12, tzinfo=datetime.UTC)):
        do_write_reflection(
            author=cast.participant,
            program=cast.program,
            title="Very private title",
            body="Very private body",
            tags=[],
            visibility="private",
            prompt=None,
        )
    rows = csv_rows(cast, "weekly")
    assert list(rows[0]) == [
        "Week",
        "People",
        "Check-ins done",
        "Check-ins due",
        "Completion (%)",
        "Reflections written",
    ]
    last = next(row for row in rows if row["Week"] == "Week of 09 Nov 2026")
    assert last["People"] == "6"
    assert last["Check-ins done"] == "5"
    assert last["Check-ins due"] == "6"
    assert last["Completion (%)"] == "83"
    assert last["Reflections written"] == "1"
    assert rows[-1]["Week"] == "Everyone"
    html = cast.client_for("program_admin").get(
        reverse("dashboards:analytics", args=[cast.program.pk])
    )
    text = html.content.decode()
    assert "Very private" not in text
    # Completion over time, as a chart with an axis in percent and its figures as a table.
    chart = text.split('class="chart-block"', 1)[1].split("</details>", 1)[0]
    assert "Weekly check-in completion" in chart
    assert ">100%</text>" in chart
    assert "Check-ins done, % of due" in chart
    assert "09 Nov: 83%" in chart
    assert '<td data-label="Week of">09 Nov</td><td data-label="Check-ins done">83%</td>' in chart


def test_a_week_of_fewer_than_five_due_draws_no_column(cast: Cast) -> None:
    add_checkin(cast.participant, cast.program, LAST_WEEK)
    text = (
        cast.client_for("program_admin")
        .get(reverse("dashboards:analytics", args=[cast.program.pk]))
        .content.decode()
    )
    chart = text.split('class="chart-block"', 1)[1].split("</details>", 1)[0]
    assert "<rect" not in chart
    assert (
        '<td data-label="Week of">09 Nov</td><td data-label="Check-ins done">fewer than 5</td>'
        in chart
    )


def test_projects_by_phase_is_drawn_as_bars_with_their_counts(cast: Cast) -> None:
    text = (
        cast.client_for("program_admin")
        .get(reverse("dashboards:analytics", args=[cast.program.pk]))
        .content.decode()
    )
    chart = text.split('aria-labelledby="table-phases"', 1)[1].split("</details>", 1)[0]
    assert "Projects by phase" in chart
    assert "Number of projects in each phase: Crafting 2, Carrying out 0" in chart
    assert "Crafting: 2</title>" in chart
    assert '<td data-label="Phase">Crafting</td><td data-label="Projects">2</td>' in chart


def test_phases_table_counts_projects_per_phase(cast: Cast) -> None:
    rows = {row["Phase"]: row["Projects"] for row in csv_rows(cast, "phases")}
    assert rows == {"Crafting": "2", "Carrying out": "0", "Transitioning": "0", "Completed": "0"}


def test_csv_cells_that_look_like_formulas_are_neutralised(cast: Cast) -> None:
    cast.team.name = '=HYPERLINK("http://evil")'
    cast.team.save()
    rows = csv_rows(cast, "teams")
    assert '\'=HYPERLINK("http://evil")' in {row["Team"] for row in rows}


def test_analytics_run_the_same_queries_for_1_and_50_teams_and_at_most_10(db: None) -> None:
    today = NOW.date()
    small = build_program(1, today=today)
    large = build_program(50, today=today)
    small_count = count_queries(
        small.admin, reverse("dashboards:analytics", args=[small.program.pk])
    )
    large_count = count_queries(
        large.admin, reverse("dashboards:analytics", args=[large.program.pk])
    )
    assert small_count == large_count, f"{small_count} vs {large_count} queries"
    assert large_count <= 10, f"{large_count} queries"


def write_reflection_at(cast: Cast, moment: datetime.datetime) -> None:
    from reflections.services import do_write_reflection

    with time_machine.travel(moment, tick=False):
        do_write_reflection(
            author=cast.participant,
            program=cast.program,
            title="Entry",
            body="Entry",
            tags=[],
            visibility="private",
            prompt=None,
        )


def test_reflections_count_in_the_week_of_the_readers_clock(cast: Cast, settings: object) -> None:
    settings.TIME_ZONE = "UTC"  # type: ignore[attr-defined]
    cast.program_admin.time_zone = "America/New_York"
    cast.program_admin.save(update_fields=["time_zone"])
    grow_team(cast, 5, f.UnitFactory(organization=cast.program.organization))
    joined_at_the_start(cast)
    # Sunday evening in New York, already Monday in UTC: both count in the week before.
    write_reflection_at(cast, datetime.datetime(2026, 11, 9, 3, tzinfo=datetime.UTC))
    write_reflection_at(cast, datetime.datetime(2026, 11, 16, 4, 30, tzinfo=datetime.UTC))
    # Monday morning in New York.
    write_reflection_at(cast, datetime.datetime(2026, 11, 16, 5, 30, tzinfo=datetime.UTC))
    written = {row["Week"]: row["Reflections written"] for row in csv_rows(cast, "weekly")}
    assert written["Week of 02 Nov 2026"] == "1"
    assert written["Week of 09 Nov 2026"] == "1"
    assert "Week of 16 Nov 2026" not in written  # the current week is not complete
    assert written["Everyone"] == "2"


def test_figures_are_reused_for_a_few_minutes_and_recounted_the_next_day(cast: Cast) -> None:
    grow_team(cast, 5, f.UnitFactory(organization=cast.program.organization))
    joined_at_the_start(cast)
    members = [m.user for m in cast.team.members.all()]
    add_checkin(members[0], cast.program, LAST_WEEK)

    def last_week_done() -> str:
        rows = csv_rows(cast, "weekly")
        return next(r for r in rows if r["Week"] == "Week of 09 Nov 2026")["Check-ins done"]

    assert last_week_done() == "1"
    add_checkin(members[1], cast.program, LAST_WEEK)
    assert last_week_done() == "1"
    page = cast.client_for("program_admin").get(
        reverse("dashboards:analytics", args=[cast.program.pk])
    )
    assert "Counted at 15:00" in page.content.decode()
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        assert last_week_done() == "2"


def test_a_long_table_is_shown_a_page_at_a_time_and_whole_in_the_csv(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboards import analytics_views

    monkeypatch.setattr(analytics_views, "ROWS_PER_PAGE", 1)
    client = cast.client_for("program_admin")
    url = reverse("dashboards:analytics", args=[cast.program.pk])
    first = client.get(url).content.decode()
    assert '<td data-label="Team">Flow Forward</td>' in first
    assert '<td data-label="Team">Safe Passage</td>' not in first
    assert "Rows 1–1 of 2" in first
    assert 'href="?teams_page=2#table-teams"' in first
    second = client.get(url, {"teams_page": "2"}).content.decode()
    assert '<td data-label="Team">Safe Passage</td>' in second
    assert '<td data-label="Team">Flow Forward</td>' not in second
    assert 'href="?teams_page=1#table-teams"' in second
    assert {row["Team"] for row in csv_rows(cast, "teams")} == {"Flow Forward", "Safe Passage"}


def test_names_in_the_tables_are_escaped(cast: Cast) -> None:
    cast.team.name = "<b>Bold</b> & co"
    cast.team.save()
    page = cast.client_for("program_admin").get(
        reverse("dashboards:analytics", args=[cast.program.pk])
    )
    text = page.content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in text
    assert "<b>Bold</b>" not in text


def test_a_person_is_due_only_from_the_week_they_joined(cast: Cast) -> None:
    grow_team(cast, 5, f.UnitFactory(organization=cast.program.organization))
    joined_at_the_start(cast)  # six people, due in each of the ten complete weeks
    late = f.UserFactory()
    f.ProfileFactory(user=late, organization=cast.program.organization)
    with time_machine.travel(datetime.datetime(2026, 11, 4, 10, tzinfo=datetime.UTC)):
        f.MembershipFactory(
            user=late, program=cast.program, cohort=cast.team.cohort, role=Role.PARTICIPANT
        )
    # A check-in from the week before they joined counts for nothing; from then on it does.
    add_checkin(late, cast.program, LocalWeek(2026, 44))
    add_checkin(late, cast.program, LocalWeek(2026, 45))
    weekly = {row["Week"]: row for row in csv_rows(cast, "weekly")}
    before = weekly["Week of 26 Oct 2026"]
    assert (before["People"], before["Check-ins due"], before["Check-ins done"]) == ("6", "6", "0")
    joined = weekly["Week of 02 Nov 2026"]
    assert (joined["People"], joined["Check-ins due"], joined["Check-ins done"]) == ("7", "7", "1")
    everyone = weekly["Everyone"]
    assert everyone["Check-ins due"] == str(6 * 10 + 2)
    assert everyone["Check-ins done"] == "1"


def table_of_chart(html: str) -> str:
    block = html.split('class="chart-block"', 1)[1].split("</details>", 1)[0]
    return block[block.index("<table") :]


def test_the_shared_cache_keeps_how_many_people_a_week_counts_but_not_who(cast: Cast) -> None:
    # Six participants are due every week: each week's column is drawn, from the page's
    # first counting and from the cached figures alike; the cache holds no person's id.
    grow_team(cast, 5, f.UnitFactory(organization=cast.program.organization))
    joined_at_the_start(cast)
    for member in cast.team.members.all()[:3]:
        add_checkin(member.user, cast.program, LAST_WEEK)
    url = reverse("dashboards:analytics", args=[cast.program.pk])
    client = cast.client_for("program_admin")
    counted = client.get(url).content.decode()
    cached = client.get(url).content.decode()
    chart = cached.split('class="chart-block"', 1)[1].split("</details>", 1)[0]
    assert chart.count("<rect") == 10  # weeks 37 to 46 of 2026
    assert '<td data-label="Week of">09 Nov</td><td data-label="Check-ins done">50%</td>' in chart
    assert table_of_chart(counted) == table_of_chart(cached)
    with timezone.override(cast.program_admin.zone):
        kept = program_analytics(program=cast.program, today=NOW.date())
    assert [tally.people for tally in kept.weekly] == [set()] * 10
    assert [tally.headcount for tally in kept.weekly] == [6] * 10
