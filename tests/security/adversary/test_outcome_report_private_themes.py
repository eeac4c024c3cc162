"""Attack: a program admin reads what participants keep private through the outcome report.

The report names learning themes. Five participants tag private journal entries
"thinking-of-leaving" and four tag entries shared with their coach "clash-with-my-boss"; a
program admin opens the report, its CSV and its PDF hoping to see either. Neither appears
anywhere: private writing is never read, and a shared theme is named only once five people
used it. The five who shared "sponsorship" with their team show that themes do appear."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.urls import reverse

from reflections.models import Visibility
from reflections.services import do_write_reflection
from tests import factories as f
from tests.conftest import Cast


def test_the_report_names_no_private_theme_and_no_theme_of_fewer_than_five(
    cast: Cast, tmp_path: Path
) -> None:
    people = [cast.participant, cast.teammate] + [f.add_participant(cast.team) for _ in range(3)]
    for index, person in enumerate(people):
        entries = [
            ("thinking-of-leaving", Visibility.PRIVATE, "I am thinking of leaving."),
            ("sponsorship", Visibility.TEAM, "Our sponsor opened a door."),
        ]
        if index < 4:
            entries.append(("clash-with-my-boss", Visibility.COACH, "My boss and I clashed."))
        for tag, visibility, body in entries:
            do_write_reflection(
                author=person,
                program=cast.program,
                title="This week",
                body=body,
                tags=[tag],
                visibility=visibility,
                prompt=None,
            )
    client = cast.client_for("program_admin")
    html = client.get(reverse("dashboards:report", args=[cast.program.pk])).content.decode()
    csv_text = client.get(
        reverse("dashboards:report_csv", args=[cast.program.pk])
    ).content.decode()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(client.get(reverse("dashboards:report_pdf", args=[cast.program.pk])).content)
    pdf_text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "sponsorship" in html
    assert "sponsorship" in pdf_text
    for document in (html, csv_text, pdf_text):
        for secret in (
            "thinking-of-leaving",
            "I am thinking of leaving",
            "clash-with-my-boss",
            "My boss and I clashed",
            "Our sponsor opened a door",
        ):
            assert secret not in document
