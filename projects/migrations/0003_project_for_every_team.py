"""Every team has its project: give the teams created without one (by the team builder or
the people import, before projects were started with their team) a project in crafting."""

from django.db import migrations


def start_missing_projects(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    Project = apps.get_model("projects", "Project")
    missing = Team.objects.filter(project__isnull=True).order_by("pk")
    Project.objects.bulk_create(
        Project(team=team, title=f"Project of {team.name}"[:200], phase="crafting")
        for team in missing
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_project_charter_submitted_at_project_out_of_scope_and_more"),
        ("teams", "0003_coach_tools"),
    ]

    operations = [
        migrations.RunPython(start_missing_projects, migrations.RunPython.noop),
    ]
