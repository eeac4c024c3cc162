from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from coaching.events import SessionScheduled
        from coaching.export import COACH_NOTES_SECTION, LEARNING_SECTION, PULSE_SECTION
        from coaching.invitations import invite_after_commit
        from coaching.team_section import next_session_section
        from core.events import subscribe
        from core.exports import register_export
        from core.panels import register_team_section

        # The calendar invitation of a scheduled or changed session, once it is saved.
        subscribe(SessionScheduled, invite_after_commit, after_commit=True)
        # A coach's notes, a member's pulse answers and learning-round entries are their
        # writing: they go in their export.
        register_export(COACH_NOTES_SECTION)
        register_export(PULSE_SECTION)
        register_export(LEARNING_SECTION)
        # The team page's next session and the latest sessions held.
        register_team_section("sessions", next_session_section)
