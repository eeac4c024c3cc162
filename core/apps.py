from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core.security import connect_receivers
        from core.sessions import start_session_clock

        connect_receivers()
        user_logged_in.connect(start_session_clock)
