"""The outcome report a board reads: one card per project, learning themes from shared
writing only, and its CSV and PDF downloads."""

from __future__ import annotations

import csv
import datetime
import io
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Phase, TransitionPlan
from projects.results import do_add_measure, do_save_narrative
from projects.work_services import do_answer_door, do_ask_door, do_log_engagement
from reflections.models import Visibility
from reflections.services import do_write_reflection
from tests import factories as f
from tests.conftest import Cast


@pytest.fixture
def reported(cast: Cast) -> Cast:
    project = cast.project
    project.problem_statement = "Patients wait six hours for a ward bed."
    project.save()
    do_add_measure(
        project=project,
        name="Median boarding time",
        baseline="6 h",
        target="3 h",
        achieved="3.5 h",
    )
    do_save_narrative(project=project, narrative="Boarding fell by 40% in three months.")
    unit = f.UnitFactory(organization=cast.program.organization, name="Emergency")
    do_log_engagement(
        project=project,
        by=cast.participant,
        stakeholder="Bed manager",
        unit=unit,
        level="involve",
        engaged_on=datetime.date(2026, 10, 1),
    )
    door = do_ask_door(
        project=project, kind="decision", request="Pilot on 4B?", by=cast.participant
    )
    do_answer_door(door=door, answer="Yes, from November.", by=cast.sponsor)
    project.phase = Phase.COMPLETED
    project.save()
    TransitionPlan.objects.create(
        project=project,
        new_owner_name="Morgan Owner",
        new_owner_unit=unit,
        sustainment="The daily bed huddle stays in the unit's routine.",
        submitted_at=timezone.now(),
        accepted_at=timezone.now(),
        accepted_by=cast.sponsor,
    )
    return cast


def report(cast: Cast, name: str = "dashboards:report") -> bytes:
    response = cast.client_for("program_admin").get(reverse(name, args=[cast.program.pk]))
    assert response.status_code == 200
    return response.content


def test_the_report_has_a_card_for_every_project(reported: Cast) -> None:
    html = report(reported).decode()
    for text in (
        "Cut ED boarding time",
        "Discharge huddles",
        "Flow Forward",
        "Sam Sponsor",
        "Patients wait six hours for a ward bed.",
        "Median boarding time",
        "3.5 h",
        "Boarding fell by 40% in three months.",
        "Involve 1",
        "Emergency 1",
        "Yes, from November.",
        "Morgan Owner",
        "The daily bed huddle stays in the unit&#x27;s routine.",
    ):
        assert text in html, text


def test_learning_themes_come_from_shared_writing_of_five_people_only(cast: Cast) -> None:
    people = [cast.participant, cast.teammate] + [f.add_participant(cast.team) for _ in range(3)]
    for person in people:
        for tag, visibility in (
            ("sponsorship", Visibility.TEAM),
            ("secret-doubts", Visibility.PRIVATE),
        ):
            do_write_reflection(
                author=person,
                program=cast.program,
                title="Week",
                body="Thoughts.",
                tags=[tag],
                visibility=visibility,
                prompt=None,
            )
    for person in people[:4]:
        do_write_reflection(
            author=person,
            program=cast.program,
            title="Week",
            body="Thoughts.",
            tags=["four-people"],
            visibility=Visibility.COACH,
            prompt=None,
        )
    html = report(cast).decode()
    assert "sponsorship" in html
    assert "secret-doubts" not in html
    assert "four-people" not in html


def test_the_csv_has_one_row_per_project(reported: Cast) -> None:
    rows = list(csv.reader(io.StringIO(report(reported, "dashboards:report_csv").decode())))
    assert len(rows) == 3
    mine = next(row for row in rows if "Cut ED boarding time" in row)
    assert "Median boarding time: baseline 6 h, target 3 h, achieved 3.5 h" in mine
    assert "Morgan Owner" in mine


def test_the_pdf_is_made_on_the_server_and_names_each_project(reported: Cast, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = report(reported, "dashboards:report_pdf")
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Cut ED boarding time" in text
    assert "Discharge huddles" in text
    assert "3.5 h" in text
