"""Plan the weekly reminders that are due now, as beat's `reminders.tick` does."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.reminders import do_plan_reminders


class Command(BaseCommand):
    help = (
        "Plan the weekly check-in reminders that are due now and hand them to the workers "
        "(what beat's reminders.tick does every few minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        planned = do_plan_reminders()
        self.stdout.write(f"Planned {len(planned)} reminders.")
