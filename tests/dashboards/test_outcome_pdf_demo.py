"""The outcome report's PDF, made on the server from the demo, names every project."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from programs.models import Membership, Role
from projects.models import Phase, Project, ProjectResults


@pytest.mark.django_db
def test_the_demos_outcome_report_pdf_names_every_project(tmp_path: Path) -> None:
    call_command("seed_demo")
    admin_membership = (
        Membership.objects.filter(role=Role.PROGRAM_ADMIN, is_active=True)
        .select_related("program", "user")
        .order_by("pk")
        .first()
    )
    assert admin_membership is not None
    program = admin_membership.program
    client = Client()
    client.force_login(admin_membership.user)
    response = client.get(reverse("dashboards:report_pdf", args=[program.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "outcome.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Titles may wrap across lines in the layout; compare with whitespace folded.
    folded = " ".join(text.split())
    projects = Project.objects.filter(team__cohort__program=program)
    assert projects.count() >= 4
    for project in projects:
        assert " ".join(project.title.split()) in folded, project.title
    completed = projects.get(phase=Phase.COMPLETED)
    assert ProjectResults.objects.get(project=completed).confirmed_at is not None
    assert "86%" in folded  # what the completed experiment achieved
    # The charts are drawn in the PDF too, with their axes' words.
    for words in ("Check-ins done, % of due", "100%", "Average, 1 to 5", "projects"):
        assert words in folded, words
