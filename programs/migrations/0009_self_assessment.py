"""Self-assessment lives with programs: SelfAssessment (from teams) and SelfAssessmentStage
(from dashboards) join the programs state, and their tables are renamed to programs_ names
with their rows. Their content types follow, so permissions granted on them still hold."""

import django.db.models.deletion
from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

STAGES = [
    ("baseline", "Baseline (start of the program)"),
    ("midpoint", "Mid-point"),
    ("end", "End of the program"),
]
# (model, app it leaves, table it leaves)
MOVES = [
    ("selfassessment", "teams", "teams_selfassessment"),
    ("selfassessmentstage", "dashboards", "dashboards_selfassessmentstage"),
]


def rename_tables() -> list[migrations.RunSQL]:
    return [
        migrations.RunSQL(
            f'ALTER TABLE "{table}" RENAME TO "programs_{model}"',
            f'ALTER TABLE "programs_{model}" RENAME TO "{table}"',
        )
        for model, _, table in MOVES
    ]


def move_content_types(apps: Apps, schema_editor: BaseDatabaseSchemaEditor, back: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model, app, _ in MOVES:
        source, target = ("programs", app) if back else (app, "programs")
        if not types.filter(app_label=target, model=model).exists():
            types.filter(app_label=source, model=model).update(app_label=target)


def content_types_forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    move_content_types(apps, schema_editor, back=False)


def content_types_backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    move_content_types(apps, schema_editor, back=True)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0008_saml_assertion_uses"),
        ("teams", "0007_self_assessment_moves_to_programs"),
        ("dashboards", "0003_self_assessment_stage_moves_to_programs"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SelfAssessment",
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
                        ("stage", models.CharField(choices=STAGES, max_length=10)),
                        ("ratings", models.JSONField(default=dict)),
                        ("created_at", models.DateTimeField()),
                        ("updated_at", models.DateTimeField()),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="programs.program",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="self_assessments",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "program", "stage"),
                                name="selfassessment_once_per_stage",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SelfAssessmentStage",
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
                        ("stage", models.CharField(choices=STAGES, max_length=10)),
                        ("closed_at", models.DateTimeField()),
                        ("people", models.PositiveIntegerField()),
                        ("figures", models.JSONField(default=dict)),
                        ("counted_user_ids", models.JSONField(default=list)),
                        (
                            "closed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="programs.program",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("program", "stage"),
                                name="selfassessmentstage_closed_once",
                            )
                        ],
                    },
                ),
            ],
            database_operations=rename_tables(),
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
