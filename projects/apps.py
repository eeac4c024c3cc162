from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self) -> None:
        from core.events import subscribe
        from projects.services import start_projects_for
        from teams.events import TeamsCreated

        # Every team gets its project in the transaction that creates the team.
        subscribe(TeamsCreated, start_projects_for)
