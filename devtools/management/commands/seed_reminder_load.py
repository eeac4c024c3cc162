"""A program whose participants are all due for this week's reminder, for load tests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from devtools.reminder_load import seed_due_participants


class Command(BaseCommand):
    help = (
        "Create a running program with N participants who are all due for this week's "
        "check-in reminder (bulk inserts; for load tests, never for a real database)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("participants", type=int)
        parser.add_argument(
            "--label",
            default=None,
            help="Names the program and the addresses: <label>-000001@load.actionlab.example",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        program = seed_due_participants(options["participants"], label=options["label"])
        self.stdout.write(
            f"Seeded {options['participants']} participants in program {program.pk}."
        )
