"""The audience of writing shared before audiences were recorded.

DESIGN.md, privacy rule 7: "my coach" means the coach when the entry was shared. Before
this migration nothing recorded who that was, so it is rebuilt from what the database
still tells, and where it cannot tell, the narrower audience wins:

- a coach is in the audience only if they are the team's coach now and their coach
  membership in the program began before the entry was written (the team's earlier
  coaches are not known, so a coach who took over later reads nothing of it);
- a teammate only if they are on the team now and joined it before the entry was written
  (a member's `joined_at` is when they last joined, so they were on the team then);
- a team reflection's members, coach and sponsor the same way, against its last save;
- an accountability partner only if the plan (hence its partner) has not changed since
  the check-in was written and the partner's membership began before it.

Nobody gains a reader by this migration: every row it writes stands for a reader who
could read the entry the moment before it ran.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db import migrations

BATCH = 2000


def _earliest_membership(Membership: Any, role: str) -> dict[tuple[int, int], datetime.datetime]:
    """(user, program) → when the active membership in `role` began."""
    return {
        (user_id, program_id): created_at
        for user_id, program_id, created_at in Membership.objects.filter(
            role=role, is_active=True
        ).values_list("user_id", "program_id", "created_at")
    }


def forwards(apps: Any, schema_editor: Any) -> None:
    Audience = apps.get_model("reflections", "Audience")
    Reflection = apps.get_model("reflections", "Reflection")
    CheckIn = apps.get_model("reflections", "CheckIn")
    TeamReflection = apps.get_model("reflections", "TeamReflection")
    Plan = apps.get_model("reflections", "Plan")
    Team = apps.get_model("teams", "Team")
    TeamMember = apps.get_model("teams", "TeamMember")
    Membership = apps.get_model("programs", "Membership")

    coaches = _earliest_membership(Membership, "coach")
    sponsors = _earliest_membership(Membership, "sponsor")
    participants = _earliest_membership(Membership, "participant")
    teams = {
        pk: (coach_id, sponsor_id, program_id)
        for pk, coach_id, sponsor_id, program_id in Team.objects.values_list(
            "pk", "coach_id", "sponsor_id", "cohort__program_id"
        )
    }
    members: dict[int, list[tuple[int, datetime.datetime]]] = defaultdict(list)
    for team_id, user_id, joined_at in TeamMember.objects.values_list(
        "team_id", "user_id", "joined_at"
    ):
        members[team_id].append((user_id, joined_at))

    rows: list[Any] = []

    def add(reader_id: int, role: str, when: datetime.datetime, **subject: int) -> None:
        subject_ids = {f"{name}_id": value for name, value in subject.items()}
        rows.append(Audience(reader_id=reader_id, role=role, granted_at=when, **subject_ids))
        if len(rows) >= BATCH:
            flush()

    def flush() -> None:
        Audience.objects.bulk_create(rows, ignore_conflicts=True)
        rows.clear()

    def coach_then(team_id: int, when: datetime.datetime) -> int | None:
        coach_id, _, program_id = teams[team_id]
        began = coaches.get((coach_id, program_id)) if coach_id else None
        return coach_id if began is not None and began <= when else None

    def members_then(team_id: int, when: datetime.datetime, besides: int | None) -> list[int]:
        return [
            user_id
            for user_id, joined_at in members.get(team_id, [])
            if joined_at <= when and user_id != besides
        ]

    shared = Reflection.objects.exclude(visibility="private").filter(team__isnull=False)
    for pk, author_id, team_id, visibility, written in shared.values_list(
        "pk", "author_id", "team_id", "visibility", "created_at"
    ).iterator(chunk_size=BATCH):
        coach_id = coach_then(team_id, written)
        if coach_id is not None and coach_id != author_id:
            add(coach_id, "coach", written, reflection=pk)
        if visibility == "team":
            for user_id in members_then(team_id, written, author_id):
                add(user_id, "member", written, reflection=pk)

    for pk, team_id, written in (
        CheckIn.objects.filter(visibility="coach", team__isnull=False)
        .values_list("pk", "team_id", "created_at")
        .iterator(chunk_size=BATCH)
    ):
        coach_id = coach_then(team_id, written)
        if coach_id is not None:
            add(coach_id, "coach", written, checkin=pk)

    partners = {
        (user_id, program_id): (partner_id, updated_at)
        for user_id, program_id, partner_id, updated_at in Plan.objects.filter(
            partner_user__isnull=False
        ).values_list("user_id", "program_id", "partner_user_id", "updated_at")
    }
    for pk, user_id, program_id, written in (
        CheckIn.objects.filter(visibility="partner")
        .values_list("pk", "user_id", "program_id", "created_at")
        .iterator(chunk_size=BATCH)
    ):
        partner = partners.get((user_id, program_id))
        if partner is None or partner[1] > written:
            continue
        partner_id = partner[0]
        began = min(
            (
                held[(partner_id, program_id)]
                for held in (participants, coaches, sponsors)
                if (partner_id, program_id) in held
            ),
            default=None,
        )
        if began is not None and began <= written:
            add(partner_id, "partner", written, checkin=pk)

    for pk, team_id, share_with_sponsor, saved in TeamReflection.objects.values_list(
        "pk", "team_id", "share_with_sponsor", "updated_at"
    ).iterator(chunk_size=BATCH):
        for user_id in members_then(team_id, saved, None):
            add(user_id, "member", saved, team_reflection=pk)
        coach_id = coach_then(team_id, saved)
        if coach_id is not None:
            add(coach_id, "coach", saved, team_reflection=pk)
        _, sponsor_id, program_id = teams[team_id]
        began = sponsors.get((sponsor_id, program_id)) if sponsor_id else None
        if share_with_sponsor and sponsor_id and began is not None and began <= saved:
            add(sponsor_id, "sponsor", saved, team_reflection=pk)
    flush()


class Migration(migrations.Migration):
    dependencies = [
        ("reflections", "0007_audience_fixed_when_shared"),
        ("teams", "0005_team_changes_and_note_handover"),
        ("programs", "0003_archive_and_membership_ending"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
