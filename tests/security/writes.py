"""Every request that writes text people type, with what a valid request sends: the
hostile-input tests put a null character into each text, the oversized-input tests a
megabyte, and both check that the request is refused with a message and nothing is saved,
and that the same request with ordinary text is saved (so the refusal was for the text).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coaching.models import PULSE_DIMENSIONS, CoachNote, PulseResponse
from coaching.pulse import do_open_pulse
from programs.models import Cohort, Milestone, Program
from projects.models import (
    Action,
    CriterionAssessment,
    DoorRequest,
    PhaseEvent,
    Project,
    SponsorComment,
    StakeholderEngagement,
    StatusUpdate,
    TransitionPlan,
)
from projects.services import (
    do_save_rationale,
    do_submit_charter,
)
from projects.work_services import do_ask_door, do_post_status_update
from reflections.models import CheckIn, Draft, Plan, Reflection, TeamReflection
from teams.models import Team
from tests.conftest import Cast

HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass(frozen=True)
class Write:
    who: str
    url: Callable[[Cast], str]
    # The form's data with `text` in the field under test.
    data: Callable[[Cast, str], dict[str, Any]]
    # Where the text would be saved.
    model: type[models.Model]
    column: str
    setup: Callable[[Cast], object] = lambda cast: None
    headers: dict[str, str] = field(default_factory=dict)

    def saved(self, marker: str) -> bool:
        return self.model._default_manager.filter(**{f"{self.column}__contains": marker}).exists()

    def post(self, cast: Cast, text: str) -> tuple[int, str]:
        """Send the request; the status and the page the person then sees."""
        client: Client = cast.client_for(self.who)
        response = client.post(self.url(cast), self.data(cast, text), **self.headers)
        status = response.status_code
        if status in (301, 302):
            response = client.get(response["Location"])
        return status, response.content.decode()


def program_fields(cast: Cast, **text: str) -> dict[str, Any]:
    program: Program = cast.program
    return {
        "name": program.name,
        "description": "",
        "starts_on": program.starts_on.isoformat(),
        "ends_on": program.ends_on.isoformat(),
        "learning_goals": "",
        "competencies": "",
        "checkin_weekday": program.checkin_weekday,
        "checkin_time": "09:00",
        "team_min_size": program.team_min_size,
        "team_max_size": program.team_max_size,
    } | text


def project(cast: Cast) -> Project:
    return Project.objects.get(pk=cast.project.pk)


def submitted_charter(cast: Cast) -> None:
    for number in range(1, 7):
        do_save_rationale(project=cast.project, criterion=number, rationale="Because.")
    do_submit_charter(project=project(cast), by=cast.participant)


def transitioning(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project.pk).update(phase="transitioning")


def today() -> str:
    return timezone.localdate().isoformat()


def p(cast: Cast) -> int:
    return cast.program.pk


WRITES: dict[str, Write] = {
    "program name": Write(
        "program_admin",
        lambda c: reverse("programs:edit", args=[p(c)]),
        lambda c, t: program_fields(c, name=t),
        Program,
        "name",
    ),
    "program description": Write(
        "program_admin",
        lambda c: reverse("programs:edit", args=[p(c)]),
        lambda c, t: program_fields(c, description=t),
        Program,
        "description",
    ),
    "program competencies": Write(
        "program_admin",
        lambda c: reverse("programs:edit", args=[p(c)]),
        lambda c, t: program_fields(c, competencies=t),
        Program,
        "competencies",
    ),
    "cohort name": Write(
        "program_admin",
        lambda c: reverse("programs:cohort_create", args=[p(c)]),
        lambda c, t: {"name": t, "starts_on": "2026-09-07", "ends_on": "2027-06-04"},
        Cohort,
        "name",
    ),
    "milestone title": Write(
        "program_admin",
        lambda c: reverse("programs:schedule", args=[p(c)]),
        lambda c, t: {"kind": "custom", "title": t, "due_on": "2026-12-01"},
        Milestone,
        "title",
    ),
    "milestone description": Write(
        "program_admin",
        lambda c: reverse("programs:schedule", args=[p(c)]),
        lambda c, t: {"kind": "showcase", "due_on": "2026-12-01", "description": t},
        Milestone,
        "description",
    ),
    "team name": Write(
        "program_admin",
        lambda c: reverse("teams:builder_team_create", args=[p(c), c.team.cohort_id]),
        lambda c, t: {"name": t},
        Team,
        "name",
    ),
    "charter section": Write(
        "participant",
        lambda c: reverse("projects:charter_save", args=[c.project.pk, "scope"]),
        lambda c, t: {"text": t, "version": project(c).version},
        Project,
        "scope",
    ),
    "charter title": Write(
        "participant",
        lambda c: reverse("projects:charter_save", args=[c.project.pk, "title"]),
        lambda c, t: {"text": t, "version": project(c).version},
        Project,
        "title",
    ),
    "criterion rationale": Write(
        "participant",
        lambda c: reverse("projects:criterion_save", args=[c.project.pk, 1]),
        lambda c, t: {"rationale": t},
        CriterionAssessment,
        "rationale",
    ),
    "sponsor's comment on a criterion": Write(
        "sponsor",
        lambda c: reverse("projects:criterion_review", args=[c.project.pk, 1]),
        lambda c, t: {"decision": "comment", "comment": t},
        CriterionAssessment,
        "sponsor_comment",
        setup=lambda c: do_save_rationale(project=c.project, criterion=1, rationale="Yes."),
    ),
    "comment returning the charter": Write(
        "sponsor",
        lambda c: reverse("projects:gate", args=[c.project.pk, "return-charter"]),
        lambda c, t: {"comment": t},
        PhaseEvent,
        "comment",
        setup=submitted_charter,
    ),
    "transition plan's new owner": Write(
        "participant",
        lambda c: reverse("projects:transition_plan", args=[c.project.pk]),
        lambda c, t: {
            "new_owner_name": t,
            "new_owner_unit": c.participant.profiles.get().unit_id,
            "sustainment": "Weekly huddles.",
        },
        TransitionPlan,
        "new_owner_name",
        setup=transitioning,
    ),
    "transition plan's sustainment": Write(
        "participant",
        lambda c: reverse("projects:transition_plan", args=[c.project.pk]),
        lambda c, t: {
            "new_owner_name": "Dr Ada Obi",
            "new_owner_unit": c.participant.profiles.get().unit_id,
            "sustainment": t,
        },
        TransitionPlan,
        "sustainment",
        setup=transitioning,
    ),
    "reason for an override": Write(
        "program_admin",
        lambda c: reverse("projects:override", args=[c.project.pk]),
        lambda c, t: {"phase": "carrying_out", "reason": f"The sponsor agreed. {t}"},
        PhaseEvent,
        "comment",
    ),
    "action title": Write(
        "participant",
        lambda c: reverse("projects:action_create", args=[c.project.pk]),
        lambda c, t: {"title": t, "owner": c.participant.pk, "status": "todo"},
        Action,
        "title",
    ),
    "stakeholder": Write(
        "participant",
        lambda c: reverse("projects:engagement_create", args=[c.project.pk]),
        lambda c, t: {"stakeholder": t, "level": "consult", "engaged_on": today()},
        StakeholderEngagement,
        "stakeholder",
    ),
    "stakeholder note": Write(
        "participant",
        lambda c: reverse("projects:engagement_create", args=[c.project.pk]),
        lambda c, t: {
            "stakeholder": "Bed manager",
            "level": "consult",
            "engaged_on": today(),
            "note": t,
        },
        StakeholderEngagement,
        "note",
    ),
    "door request": Write(
        "participant",
        lambda c: reverse("projects:door_create", args=[c.project.pk]),
        lambda c, t: {"kind": "introduction", "request": t},
        DoorRequest,
        "request",
    ),
    "sponsor's answer to a door request": Write(
        "sponsor",
        lambda c: reverse("projects:door_answer", args=[c.project.pk, c.project.doors.get().pk]),
        lambda c, t: {"answer": t},
        DoorRequest,
        "answer",
        setup=lambda c: do_ask_door(
            project=c.project, kind="introduction", request="Meet the CMO.", by=c.participant
        ),
    ),
    "status update": Write(
        "participant",
        lambda c: reverse("projects:update_create", args=[c.project.pk]),
        lambda c, t: {"progress": t, "next_steps": "Pull the data.", "risks": ""},
        StatusUpdate,
        "progress",
    ),
    "risks in a status update": Write(
        "participant",
        lambda c: reverse("projects:update_create", args=[c.project.pk]),
        lambda c, t: {"progress": "Mapped.", "next_steps": "Pull the data.", "risks": t},
        StatusUpdate,
        "risks",
    ),
    "sponsor's comment on an update": Write(
        "sponsor",
        lambda c: reverse(
            "projects:update_comment", args=[c.project.pk, c.project.updates.get().pk]
        ),
        lambda c, t: {"body": t},
        SponsorComment,
        "body",
        setup=lambda c: do_post_status_update(
            project=c.project, by=c.participant, progress="Mapped.", next_steps="Data."
        ),
    ),
    "reflection title": Write(
        "participant",
        lambda c: reverse("reflections:write", args=[p(c)]),
        lambda c, t: {"title": t, "body": "What I learned.", "visibility": "private"},
        Reflection,
        "title",
    ),
    "reflection": Write(
        "participant",
        lambda c: reverse("reflections:write", args=[p(c)]),
        lambda c, t: {"title": "After the huddle", "body": t, "visibility": "private"},
        Reflection,
        "body",
    ),
    "autosaved draft": Write(
        "participant",
        lambda c: reverse("reflections:draft_save", args=[p(c)]),
        lambda c, t: {"draft_token": "page-one", "title": "Huddle", "body": t},
        Draft,
        "body",
        headers=HTMX,
    ),
    "team reflection": Write(
        "participant",
        lambda c: reverse("reflections:team_write", args=[c.team.pk]),
        lambda c, t: {"title": "What we learned", "body": t},
        TeamReflection,
        "body",
    ),
    "plan's aspect": Write(
        "participant",
        lambda c: reverse("reflections:plan", args=[p(c)]),
        lambda c, t: plan_fields(aspect=t),
        Plan,
        "aspect",
    ),
    "plan's “I will”": Write(
        "participant",
        lambda c: reverse("reflections:plan", args=[p(c)]),
        lambda c, t: plan_fields(action=f"ask {t}"),
        Plan,
        "action",
    ),
    "accountability partner's name": Write(
        "participant",
        lambda c: reverse("reflections:plan", args=[p(c)]),
        lambda c, t: plan_fields(partner_name=t),
        Plan,
        "partner_name",
    ),
    "check-in": Write(
        "participant",
        lambda c: reverse("reflections:checkin", args=[p(c)]),
        lambda c, t: {"steps_taken": t, "next_focus": "Listen.", "visibility": "private"},
        CheckIn,
        "steps_taken",
    ),
    "coach note": Write(
        "coach",
        lambda c: reverse("coaching:note_new", args=[c.team.pk]),
        lambda c, t: {
            "held_on": today(),
            "body": t,
            "task_minutes": 40,
            "process_minutes": 20,
        },
        CoachNote,
        "body",
    ),
    "pulse comment": Write(
        "participant",
        lambda c: reverse("coaching:pulse_answer", args=[c.team.pulse_surveys.get().pk]),
        lambda c, t: dict.fromkeys(PULSE_DIMENSIONS, "4") | {"comment": t},
        PulseResponse,
        "comment",
        setup=lambda c: do_open_pulse(
            team=c.team, by=c.coach, meeting_on=datetime.date(2026, 10, 12)
        ),
    ),
}


def plan_fields(**text: str) -> dict[str, Any]:
    return {
        "aspect": "Listening to my team.",
        "action": "ask one open question in every huddle",
        "partner_name": "Ada Obi",
        "partner_email": "ada@example.org",
        "checkin_weekday": 4,
        "checkin_time": "09:00",
        "time_zone": "America/New_York",
    } | text


def assert_refused_then_accepted(
    write: Write, cast: Cast, hostile: str, *, says: tuple[str, ...]
) -> None:
    """`hostile` (which contains "hostilemark") is refused, nothing is saved, and the page
    the person sees says one of `says`; the same request with ordinary text is saved."""
    write.setup(cast)
    status, html = write.post(cast, hostile)
    assert status < 500
    assert not write.saved("hostilemark"), "the text was saved"
    assert any(words in html for words in says), f"nothing on the page says {says}"
    status, html = write.post(cast, "ordinarymark, as anyone writes it")
    assert status < 400, (status, html[:3000])
    assert write.saved("ordinarymark"), "the same request with ordinary text was not saved"
