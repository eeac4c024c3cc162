"""A former team member downloads "all my writing" after leaving the team.

Before: the export held a team reflection's *current* text, so what teammates wrote after
the person left reached them; and it left out their draft, the entries in their bin and
their self-assessments. Now it holds the versions they saved themselves, as they saved
them, and everything else that is theirs.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any

from django.urls import reverse
from django.utils import timezone

from coaching.models import CoachNote
from programs.models import SelfAssessment
from projects.models import CharterChange, DoorRequest, StakeholderEngagement, StatusUpdate
from reflections.services import (
    do_delete_reflection,
    do_edit_team_reflection,
    do_save_draft,
)
from teams.models import TeamMember
from tests.conftest import Cast
from tests.reflections.builders import team_entry, write


def _export(cast: Cast, who: str) -> tuple[dict[str, Any], str]:
    response = cast.client_for(who).get(reverse("reflections:export"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = {name: archive.read(name).decode() for name in archive.namelist()}
    return json.loads(files["actionlab-writing.json"]), "".join(files.values())


def _leave_the_team(cast: Cast) -> None:
    TeamMember.objects.filter(team=cast.team, user=cast.participant).delete()
    cast.participant.memberships.update(is_active=False)


def test_a_teammates_later_edit_is_not_in_the_former_members_export(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant, title="Our first month", body="We began.")
    _leave_the_team(cast)
    do_edit_team_reflection(
        team_reflection=entry,
        by=cast.teammate,
        title="Our first month, without Pat",
        body="Written after Pat left: the team's candid view of why.",
        share_with_sponsor=False,
        base_version=1,
    )

    data, everything = _export(cast, "participant")
    assert "Written after Pat left" not in everything
    assert "without Pat" not in everything
    assert [(t["version"], t["title"], t["body"]) for t in data["team_reflections"]] == [
        (1, "Our first month", "We began.")
    ]
    # The teammate's own export holds their version.
    theirs, _ = _export(cast, "teammate")
    assert [t["version"] for t in theirs["team_reflections"]] == [2]


def test_each_version_i_saved_is_exported_as_i_saved_it(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant, body="Mine, first.")
    do_edit_team_reflection(
        team_reflection=entry,
        by=cast.teammate,
        title=entry.title,
        body="The teammate's middle version.",
        share_with_sponsor=False,
        base_version=1,
    )
    do_edit_team_reflection(
        team_reflection=entry,
        by=cast.participant,
        title=entry.title,
        body="Mine, again.",
        share_with_sponsor=False,
        base_version=2,
    )
    data, everything = _export(cast, "participant")
    assert [t["body"] for t in data["team_reflections"]] == ["Mine, first.", "Mine, again."]
    assert "middle version" not in everything


def test_the_export_holds_my_draft_my_bin_and_my_self_assessment(cast: Cast) -> None:
    binned = write(cast.participant, cast.program, title="Thrown away", body="Still mine.")
    do_delete_reflection(reflection=binned)
    do_save_draft(
        user=cast.participant,
        program=cast.program,
        token="page-1",
        title="Half a thought",
        body="Not finished yet.",
        tags="",
        visibility="private",
        prompt=None,
    )
    now = timezone.now()
    SelfAssessment.objects.create(
        user=cast.participant,
        program=cast.program,
        stage=SelfAssessment.Stage.BASELINE,
        ratings={"Leading change": 2},
        created_at=now,
        updated_at=now,
    )
    _leave_the_team(cast)

    data, everything = _export(cast, "participant")
    assert [r["title"] for r in data["bin"]] == ["Thrown away"]
    assert data["reflections"] == []
    assert [d["body"] for d in data["drafts"]] == ["Not finished yet."]
    assert [a["ratings"] for a in data["self_assessments"]] == [{"Leading change": 2}]
    for text in ("Still mine.", "Not finished yet.", "Leading change: 2"):
        assert text in everything


def test_the_export_holds_what_i_wrote_on_the_project_and_not_what_others_did(
    cast: Cast,
) -> None:
    project = cast.project
    CharterChange.objects.create(
        project=project,
        section="scope",
        new_text="My scope paragraph.",
        version=2,
        changed_by=cast.participant,
    )
    CharterChange.objects.create(
        project=project,
        section="scope",
        new_text="The teammate's scope.",
        version=3,
        changed_by=cast.teammate,
    )
    StakeholderEngagement.objects.create(
        project=project,
        stakeholder="Bed manager",
        level="consult",
        engaged_on=datetime.date(2026, 3, 2),
        note="She wants a pilot first.",
        recorded_by=cast.participant,
    )
    door = DoorRequest.objects.create(
        project=project,
        kind="introduction",
        request="Meet the CNO, please.",
        asked_by=cast.participant,
    )
    DoorRequest.objects.filter(pk=door.pk).update(
        answer="The sponsor's answer.", answered_by=cast.sponsor, answered_at=timezone.now()
    )
    StatusUpdate.objects.create(
        project=project,
        progress="Two wards agreed.",
        next_steps="Start on ward 5.",
        author=cast.participant,
    )
    _leave_the_team(cast)

    data, everything = _export(cast, "participant")
    work = data["project"]
    assert [c["text"] for c in work["charter_sections"]] == ["My scope paragraph."]
    assert [e["note"] for e in work["stakeholder_engagements"]] == ["She wants a pilot first."]
    assert [d["request"] for d in work["doors_asked"]] == ["Meet the CNO, please."]
    assert [u["progress"] for u in work["status_updates"]] == ["Two wards agreed."]
    assert "The teammate's scope." not in everything
    assert "The sponsor's answer." not in everything
    sponsor, _ = _export(cast, "sponsor")
    assert [d["answer"] for d in sponsor["project"]["doors_answered"]] == ["The sponsor's answer."]


def test_a_coach_exports_their_own_coach_notes(cast: Cast) -> None:
    now = timezone.now()
    CoachNote.objects.create(
        team=cast.team,
        author=cast.coach,
        held_on=datetime.date(2026, 3, 2),
        body="Silence after my question; then Terry spoke.",
        task_minutes=20,
        process_minutes=10,
        created_at=now,
        updated_at=now,
    )
    data, _ = _export(cast, "coach")
    assert [n["body"] for n in data["coach_notes"]] == [
        "Silence after my question; then Terry spoke."
    ]
    theirs, _ = _export(cast, "other_coach")
    assert theirs["coach_notes"] == []
