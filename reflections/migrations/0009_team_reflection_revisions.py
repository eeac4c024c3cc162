"""Each saved version of a team reflection keeps its text, so a person's export holds the
versions they saved rather than the text others wrote later. For versions saved before
this, only the current one's text is known: it is given to the edit that saved it."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def keep_current_text(apps: object, schema_editor: object) -> None:
    TeamReflection = apps.get_model("reflections", "TeamReflection")  # type: ignore[attr-defined]
    TeamReflectionEdit = apps.get_model("reflections", "TeamReflectionEdit")  # type: ignore[attr-defined]
    current = TeamReflection.objects.filter(
        pk=OuterRef("team_reflection_id"), version=OuterRef("version")
    )
    latest = TeamReflectionEdit.objects.filter(version=F("team_reflection__version"))
    latest.update(
        title=Subquery(current.values("title")[:1]),
        body=Subquery(current.values("body")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reflections", "0008_audience_of_existing_writing"),
    ]

    operations = [
        migrations.AddField(
            model_name="teamreflectionedit",
            name="body",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="teamreflectionedit",
            name="title",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(keep_current_text, migrations.RunPython.noop),
    ]
