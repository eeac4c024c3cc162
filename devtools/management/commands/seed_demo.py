"""Load a believable demo program (`devtools.demo.program`) and print the demo logins.

Idempotent: running the command again changes nothing and creates no duplicates.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core.events import quiet
from devtools.demo.program import (
    DEMO_PASSWORD,
    PROGRAM,
    demo_is_current,
    demo_logins,
    holds_programs_of_its_own,
    seed_demo_program,
)


class Command(BaseCommand):
    help = "Load the demo program (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Leave a database that holds programs of its own alone, and a demo that is "
                "up to date as it is (only its logins are printed)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"]:
            if holds_programs_of_its_own():
                self.stdout.write(
                    "The database already holds programs of its own; demo data not loaded."
                )
                return
            if demo_is_current(timezone.localdate()):
                self.stdout.write(f"Demo program “{PROGRAM}” is loaded and up to date.")
                self.print_logins(demo_logins())
                return
        # Building the demo grants dozens of roles: each is recorded in the security log
        # as usual, but not echoed line by line above the logins a newcomer looks for. It is
        # built through the services, but telling nobody: the demo's notifications are its
        # own (`seed_notifications`), and loading it sends no email.
        security_log = logging.getLogger("actionlab.security")
        level = security_log.level
        security_log.setLevel(logging.WARNING)
        try:
            with transaction.atomic(), quiet():
                logins = seed_demo_program()
        finally:
            security_log.setLevel(level)
        self.stdout.write(self.style.SUCCESS(f"Demo program “{PROGRAM}” is ready."))
        self.print_logins(logins)

    def print_logins(self, logins: list[tuple[str, str]]) -> None:
        self.stdout.write(f"Sign in at /accounts/login/ with password “{DEMO_PASSWORD}” as:")
        for role, email in logins:
            self.stdout.write(f"  {role:<20} {email}")
