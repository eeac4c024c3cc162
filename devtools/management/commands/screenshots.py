"""The README's screenshots of each role's home (`make screenshots`; devtools.screenshots).

It needs no running server and leaves the database alone: it runs itself again in a
scratch SQLite database (in a temporary folder, deleted afterwards), which it migrates and
fills with the demo program (`seed_demo`), serves with Django's threaded live server (the
one the browser tests use, with the static files) and photographs with Debian's Chromium.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

PASSED_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "CHROMIUM_PATH")


class Command(BaseCommand):
    help = (
        "Save screenshots of each role's home in the demo program (1280 and 390 px wide) "
        "with Chromium, from a scratch database; default folder docs/screenshots."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"),
            help="The folder the PNG files are saved in (default: docs/screenshots).",
        )
        # How the command runs itself inside the scratch database.
        parser.add_argument("--in-scratch-database", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]).resolve()
        if options["in_scratch_database"]:
            self.take(output)
        else:
            self.run_in_scratch_database(output)

    def run_in_scratch_database(self, output: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="actionlab-screenshots-") as scratch:
            env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ} | {
                "DATABASE_URL": f"sqlite:///{scratch}/actionlab.sqlite3",
                # Served as in production, but over plain HTTP on this machine.
                "DEBUG": "0",
                "DEVTOOLS": "1",
                "SECRET_KEY": secrets.token_urlsafe(40),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_SSL_REDIRECT": "0",
                "STATIC_MANIFEST": "0",
                "STATIC_ROOT": f"{scratch}/static",
                "CELERY_QUEUE_DIR": f"{scratch}/celery",
                "CELERY_TASK_ALWAYS_EAGER": "1",
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                # The demo's coaches and admins sign in with their password alone, as in
                # the browser tests, rather than being sent to set up two-factor first.
                "MFA_REQUIRED_FOR_STAFF": "0",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
                # Playwright's sync API runs an event loop in the thread that drives it.
                "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
            }
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            result = subprocess.run(  # noqa: S603 (this project's own command)
                [*manage, "screenshots", "--in-scratch-database", f"--output={output}"],
                env=env,
                check=False,
                stdout=subprocess.PIPE,
                text=True,
            )
        self.stdout.write(result.stdout, ending="")
        if result.returncode:
            raise CommandError(f"The screenshots failed (exit code {result.returncode}).")

    def take(self, output: Path) -> None:
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.test.testcases import LiveServerThread
        from playwright.sync_api import sync_playwright

        from devtools.browser import CHROMIUM, CHROMIUM_ARGS
        from devtools.screenshots import take_all

        call_command("migrate", verbosity=0)
        call_command("seed_demo", stdout=StringIO())
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    saved = take_all(browser, f"http://127.0.0.1:{server.port}", output)
                finally:
                    browser.close()
        finally:
            server.terminate()
        for path in saved:
            self.stdout.write(str(path))
        self.stdout.write(self.style.SUCCESS(f"{len(saved)} screenshots in {output}"))
