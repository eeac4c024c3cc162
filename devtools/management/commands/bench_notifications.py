"""A burst of event notifications, measured for real (`make bench-notifications`).

In a scratch PostgreSQL database (created, migrated and dropped as for the reminders'
benchmark) it seeds N members of one program, starts real Celery workers (`bin/worker`)
on the Redis broker, and announces one event to all of them at once, as opening a pulse
to a whole cohort does: the notification centre rows and the email deliveries are written
in the announcing process, the emails go out through the broker and the workers. It
prints how long the announcement took, and notifications per second from the
announcement until every email is sent. Beside it, the same path run in this one process
(the tasks eager) on a sample of other members: the single-process rate, and the ratio.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from django.core import mail
from django.core.management.base import CommandError

from devtools.management.commands import bench_reminders
from devtools.management.commands.bench_reminders import POLL_SECONDS

SUBJECT = "A team pulse is open: Flow Forward"


class Command(bench_reminders.Command):
    help = (
        "Announce one event to N members at once and send its emails through Redis and "
        "real Celery workers against a scratch PostgreSQL database, and compare with the "
        "single-process rate."
    )
    command_name = "bench_notifications"
    count_option = "notifications"
    default_count = 10_000

    def measure(self, options: dict[str, Any]) -> None:
        import tempfile

        from celery import current_app as app

        from devtools.reminder_load import seed_due_participants
        from notifications.kinds import Kind
        from notifications.models import EmailDelivery
        from notifications.services import do_notify
        from programs.models import Program, User

        count, sample = options["notifications"], options["sample"]
        started = time.perf_counter()
        sample_program = seed_due_participants(sample, label="sample")
        program = seed_due_participants(count, label="burst")
        self.stdout.write(
            f"Seeded {count + sample:,} members in {time.perf_counter() - started:.1f} s."
        )

        def announce(to: Program) -> float:
            members = list(User.objects.filter(memberships__program=to))
            began = time.perf_counter()
            do_notify(
                kind=Kind.PULSE_OPENED,
                recipients=members,
                program=to,
                subject=SUBJECT,
                link="/",
            )
            return time.perf_counter() - began

        # The single-process rate: the workers' task run in this process as it is enqueued.
        app.conf.task_always_eager = True
        try:
            started = time.perf_counter()
            announce(sample_program)
            single = sample / (time.perf_counter() - started)
        finally:
            app.conf.task_always_eager = False
        sent = EmailDelivery.objects.filter(status="sent").count()
        if sent != sample or len(mail.outbox) != sample:
            raise CommandError(f"The sample sent {sent} of {sample} emails.")
        mail.outbox = []
        self.stdout.write(f"One process, in-process: {sample:,} notifications at {single:,.0f}/s.")

        with tempfile.TemporaryDirectory(prefix="bench-notifications-") as logs:
            workers = self.start_workers(options, Path(logs))
            try:
                started = time.perf_counter()
                announced = announce(program)
                elapsed = self.wait_until_sent(program.pk, count, started, workers)
            finally:
                self.stop_workers(workers)
        rate = count / elapsed
        processes = options["workers"] * options["concurrency"]
        self.stdout.write(
            f"{options['workers']} bin/worker × {options['concurrency']} pool process(es), "
            f"through Redis: {count:,} notifications announced in {announced:.1f} s and "
            f"all emailed after {elapsed:.1f} s: {rate:,.0f}/s."
        )
        self.stdout.write(f"Workers ({processes} processes) / one process: {rate / single:.2f}×.")

    def wait_until_sent(
        self,
        program_id: int,
        count: int,
        started: float,
        workers: list[subprocess.Popen[bytes]],
    ) -> float:
        from django.db.models import Count

        from notifications.models import EmailDelivery

        rows = EmailDelivery.objects.filter(notification__program_id=program_id)
        statuses: dict[str, int] = {}
        deadline = started + max(300.0, count / 50)
        while time.perf_counter() < deadline:
            if any(worker.poll() is not None for worker in workers):
                raise CommandError("A worker exited during the benchmark.")
            statuses = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
            if statuses.get("sent", 0) == count:
                return time.perf_counter() - started
            if sum(statuses.values()) == count and statuses.get("failed", 0):
                raise CommandError(f"Not every email was sent: {statuses}")
            time.sleep(POLL_SECONDS)
        raise CommandError(f"The emails were not all sent in time: {statuses}")
