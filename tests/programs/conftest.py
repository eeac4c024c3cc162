"""Shared helpers for the self-assessment: a program whose stages are all open, ratings
as a participant posts them, and a program admin closing a stage."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from programs.models import Milestone, User
from programs.self_assessment import do_save_self_assessment
from tests.conftest import Cast

COMPETENCIES = "Leading across boundaries\nAsking powerful questions\n"


def open_every_stage(cast: Cast) -> Cast:
    """The program with competencies, past its mid-point review and its showcase, so every
    stage of the self-assessment is open."""
    cast.program.competencies = COMPETENCIES
    cast.program.save()
    for kind, day in (
        (Milestone.Kind.MIDPOINT_REVIEW, datetime.date(2026, 10, 1)),
        (Milestone.Kind.SHOWCASE, datetime.date(2026, 11, 1)),
    ):
        Milestone.objects.create(program=cast.program, kind=kind, title=kind.label, due_on=day)
    return cast


@pytest.fixture
def with_competencies(cast: Cast) -> Cast:
    return open_every_stage(cast)


def ratings(stage: str = "baseline", first: int = 2, second: int = 3) -> dict[str, str]:
    return {"stage": stage, "c0": str(first), "c1": str(second)}


def rate(users: list[User], cast: Cast, stage: str, value: int) -> None:
    for user in users:
        do_save_self_assessment(
            user=user,
            program=cast.program,
            stage=stage,
            ratings={"Leading across boundaries": value, "Asking powerful questions": value},
        )


def close(cast: Cast, stage: str) -> str:
    """A program admin closes the stage on the report page; the page's text afterwards."""
    client = cast.client_for("program_admin")
    response = client.post(
        reverse("programs:self_assessment_close", args=[cast.program.pk]),
        {"stage": stage},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()
