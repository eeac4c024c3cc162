from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core.email_addresses import allow_unicode_local_parts
        from core.security import connect_receivers
        from core.sessions import start_session_clock

        allow_unicode_local_parts()
        connect_receivers()
        user_logged_in.connect(start_session_clock)
