"""Moving coach notes and the team pulse from `teams` to `coaching` keeps every row: the
notes with their handovers and reads, the session that points at its note, the pulses
with their answers; and the content types (so the permissions) follow the models."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("coaching", "0005_session_record_sharing"),
    ("teams", "0007_self_assessment_moves_to_programs"),
]
AFTER = [
    ("coaching", "0006_coach_notes_and_pulse_from_teams"),
    ("teams", "0008_coach_notes_and_pulse_to_coaching"),
]
MODELS = {"coachnote", "coachnotehandover", "coachnoteread", "pulsesurvey", "pulseresponse"}


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def with_other_apps(targets: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The targets, with every other app at its latest migration (so that the historical
    models have the columns the database has)."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [node for node in leaves if node[0] not in {"coaching", "teams"}] + targets


def moved_content_types(apps: object, app_label: str) -> set[str]:
    ContentType = apps.get_model("contenttypes", "ContentType")  # type: ignore[attr-defined]
    return set(
        ContentType.objects.filter(app_label=app_label, model__in=MODELS).values_list(
            "model", flat=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_notes_and_pulses_keep_their_rows_when_they_move_to_coaching() -> None:
    before = with_other_apps(BEFORE)
    apps = migrate(before).loader.project_state(before).apps
    try:
        now = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
        start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
        User = apps.get_model("programs", "User")
        org = apps.get_model("programs", "Organization").objects.create(name="Lakeside")
        program = apps.get_model("programs", "Program").objects.create(
            organization=org, name="P", starts_on=start, ends_on=end
        )
        cohort = apps.get_model("programs", "Cohort").objects.create(
            program=program, name="C", starts_on=start, ends_on=end
        )
        team = apps.get_model("teams", "Team").objects.create(cohort=cohort, name="Blue")
        coach = User.objects.create(email="coach@example.org")
        next_coach = User.objects.create(email="next@example.org")
        member = User.objects.create(email="member@example.org")
        note = apps.get_model("teams", "CoachNote").objects.create(
            team=team,
            author=coach,
            held_on=now.date(),
            body="The team argued well.",
            task_minutes=60,
            process_minutes=30,
            created_at=now,
            updated_at=now,
        )
        apps.get_model("teams", "CoachNoteHandover").objects.create(
            note=note, coach=next_coach, handed_by=coach, handed_at=now
        )
        apps.get_model("teams", "CoachNoteRead").objects.create(
            note=note, reader=next_coach, read_at=now
        )
        apps.get_model("coaching", "TeamSession").objects.create(
            team=team,
            starts_at=now,
            ends_at=now + datetime.timedelta(minutes=90),
            coach_note=note,
            created_at=now,
            updated_at=now,
        )
        survey = apps.get_model("teams", "PulseSurvey").objects.create(
            team=team, meeting_on=now.date(), opened_by=member, created_at=now
        )
        apps.get_model("teams", "PulseResponse").objects.create(
            survey=survey,
            respondent=member,
            goal_clarity=4,
            balanced_participation=3,
            psychological_safety=5,
            learning=4,
            progress=2,
            comment="Good pace.",
            created_at=now,
        )
        assert moved_content_types(apps, "teams") == MODELS

        after = with_other_apps(AFTER)
        apps = migrate(after).loader.project_state(after).apps
        moved = apps.get_model("coaching", "CoachNote").objects.get()
        assert (moved.pk, moved.body, moved.team.name) == (
            note.pk,
            "The team argued well.",
            "Blue",
        )
        assert list(moved.handovers.values_list("coach__email", flat=True)) == [next_coach.email]
        assert list(moved.reads.values_list("reader__email", flat=True)) == [next_coach.email]
        session = apps.get_model("coaching", "TeamSession").objects.get()
        assert session.coach_note.pk == note.pk
        answer = apps.get_model("coaching", "PulseResponse").objects.get()
        assert (answer.survey.pk, answer.psychological_safety) == (survey.pk, 5)
        assert moved_content_types(apps, "coaching") == MODELS
        assert moved_content_types(apps, "teams") == set()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
