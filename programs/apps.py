from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from programs.sso_adapter import remember_provider_mfa
        from programs.sso_backchannel import remember_provider_session

        user_logged_in.connect(remember_provider_mfa)
        user_logged_in.connect(remember_provider_session)
