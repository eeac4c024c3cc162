"""Coach notes (with their handovers and reads) and the team pulse move from `teams` to
`coaching`. The state moves with the models (`teams` forgets them in its 0007); the tables
are renamed to the `coaching_` names, keeping their rows, as are the read index and the
content types (so that permissions and the admin's history follow the models)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("coachnote", "coachnotehandover", "coachnoteread", "pulsesurvey", "pulseresponse")


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_to_coaching(apps, schema_editor):
    _move_content_types(apps, schema_editor, "teams", "coaching")


def content_types_to_teams(apps, schema_editor):
    _move_content_types(apps, schema_editor, "coaching", "teams")


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0005_session_record_sharing"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("teams", "0006_people_import_notices_sent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CoachNote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("held_on", models.DateField(verbose_name="session date")),
                        ("body", models.TextField()),
                        (
                            "task_minutes",
                            models.PositiveSmallIntegerField(verbose_name="minutes on the task"),
                        ),
                        (
                            "process_minutes",
                            models.PositiveSmallIntegerField(
                                verbose_name="minutes on the process"
                            ),
                        ),
                        ("created_at", models.DateTimeField()),
                        ("updated_at", models.DateTimeField()),
                        (
                            "author",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="coach_notes",
                                to="teams.team",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_coachnote",
                        "ordering": ["-held_on", "-pk"],
                    },
                ),
                migrations.AlterField(
                    model_name="teamsession",
                    name="coach_note",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="coaching.coachnote",
                    ),
                ),
                migrations.CreateModel(
                    name="CoachNoteHandover",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("handed_at", models.DateTimeField()),
                        (
                            "coach",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "handed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "note",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="handovers",
                                to="coaching.coachnote",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_coachnotehandover",
                    },
                ),
                migrations.CreateModel(
                    name="CoachNoteRead",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("read_at", models.DateTimeField()),
                        (
                            "note",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reads",
                                to="coaching.coachnote",
                            ),
                        ),
                        (
                            "reader",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_coachnoteread",
                        "ordering": ["-read_at"],
                    },
                ),
                migrations.CreateModel(
                    name="PulseSurvey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("meeting_on", models.DateField(verbose_name="meeting date")),
                        ("created_at", models.DateTimeField()),
                        (
                            "opened_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="pulse_surveys",
                                to="teams.team",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_pulsesurvey",
                        "ordering": ["-meeting_on"],
                    },
                ),
                migrations.CreateModel(
                    name="PulseResponse",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "goal_clarity",
                            models.PositiveSmallIntegerField(verbose_name="goal clarity"),
                        ),
                        (
                            "balanced_participation",
                            models.PositiveSmallIntegerField(
                                verbose_name="balanced participation"
                            ),
                        ),
                        (
                            "psychological_safety",
                            models.PositiveSmallIntegerField(verbose_name="psychological safety"),
                        ),
                        ("learning", models.PositiveSmallIntegerField(verbose_name="learning")),
                        ("progress", models.PositiveSmallIntegerField(verbose_name="progress")),
                        ("comment", models.TextField(blank=True, max_length=2000)),
                        ("created_at", models.DateTimeField()),
                        (
                            "respondent",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "survey",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="responses",
                                to="coaching.pulsesurvey",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_pulseresponse",
                    },
                ),
                migrations.AddConstraint(
                    model_name="coachnote",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("task_minutes__gt", 0), ("process_minutes__gt", 0), _connector="OR"
                        ),
                        name="coachnote_time_split_not_empty",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="coachnotehandover",
                    constraint=models.UniqueConstraint(
                        fields=("note", "coach"), name="coachnotehandover_once"
                    ),
                ),
                migrations.AddIndex(
                    model_name="coachnoteread",
                    index=models.Index(
                        fields=["note", "-read_at"], name="teams_coach_note_id_6bde00_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pulsesurvey",
                    constraint=models.UniqueConstraint(
                        fields=("team", "meeting_on"), name="pulse_one_per_meeting"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pulseresponse",
                    constraint=models.UniqueConstraint(
                        fields=("survey", "respondent"), name="pulse_one_response_per_member"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pulseresponse",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("goal_clarity__gte", 1), ("goal_clarity__lte", 5)),
                        name="pulse_goal_clarity_1_to_5",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pulseresponse",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("balanced_participation__gte", 1), ("balanced_participation__lte", 5)
                        ),
                        name="pulse_balanced_participation_1_to_5",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pulseresponse",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("psychological_safety__gte", 1), ("psychological_safety__lte", 5)
                        ),
                        name="pulse_psychological_safety_1_to_5",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pulseresponse",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("learning__gte", 1), ("learning__lte", 5)),
                        name="pulse_learning_1_to_5",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pulseresponse",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("progress__gte", 1), ("progress__lte", 5)),
                        name="pulse_progress_1_to_5",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # Referenced tables first, so that the foreign keys follow on every database.
        migrations.AlterModelTable(name="coachnote", table=None),
        migrations.AlterModelTable(name="coachnotehandover", table=None),
        migrations.AlterModelTable(name="coachnoteread", table=None),
        migrations.AlterModelTable(name="pulsesurvey", table=None),
        migrations.AlterModelTable(name="pulseresponse", table=None),
        migrations.RenameIndex(
            model_name="coachnoteread",
            new_name="coaching_co_note_id_d83c9d_idx",
            old_name="teams_coach_note_id_6bde00_idx",
        ),
        migrations.RunPython(content_types_to_coaching, content_types_to_teams),
    ]
