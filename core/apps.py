from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks
        from django.db.models.signals import post_migrate

        from core.email_addresses import allow_unicode_local_parts
        from core.page_cache import (
            check_shared_cache,
            renew_after_migrate,
            watch_all_connections,
        )
        from core.security import connect_receivers
        from core.sessions import start_session_clock

        make_local_folders()
        allow_unicode_local_parts()
        connect_receivers()
        user_logged_in.connect(start_session_clock)
        watch_all_connections()
        post_migrate.connect(renew_after_migrate, sender=self)
        checks.register(check_shared_cache, checks.Tags.caches, deploy=True)


def make_local_folders() -> None:
    """The folders the settings name for writing on this machine (`LOCAL_FOLDERS`), made
    once Django starts, before any process opens the SQLite file, a broker folder or
    STATIC_ROOT."""
    folders: list[Path] = getattr(settings, "LOCAL_FOLDERS", [])
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
