"""The weekly reminders' throughput, measured for real (`make bench-reminders`).

In a scratch PostgreSQL database (created, migrated and dropped here) it seeds N due
participants, starts real Celery workers (`bin/worker`) on the Redis broker, sends the
tick through the broker and waits until every delivery row is sent: reminders per second
from the tick to the last one, with the workers using the local-memory email backend.
Beside it, the same send path (`do_send_reminders`, batch by batch) run in this one
process on a sample of other participants: the single-process rate, and the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError

PASSED_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/6"
TARGET_SECONDS_FOR_50K = 45.0
TARGET_RATIO = 1.4
# How often the command counts the delivery rows while the workers send: each count reads
# every row of the program, on the same two cores as the workers.
POLL_SECONDS = 1.0


class Command(BaseCommand):
    help = (
        "Plan and send N weekly reminders through Redis and real Celery workers against a "
        "scratch PostgreSQL database, and compare with the single-process send rate."
    )
    requires_system_checks: list[str] = []
    # The command as it runs itself inside the scratch database, and its count option.
    command_name = "bench_reminders"
    count_option = "reminders"
    default_count = 50_000

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(f"--{self.count_option}", type=int, default=self.default_count)
        parser.add_argument(
            "--sample",
            type=int,
            default=2_000,
            help="Reminders sent in this process to measure the single-process rate.",
        )
        parser.add_argument("--workers", type=int, default=2, help="bin/worker processes.")
        parser.add_argument(
            "--concurrency", type=int, default=1, help="Pool processes of each worker."
        )
        parser.add_argument(
            "--postgres",
            default=DEFAULT_POSTGRES,
            help="A database on the server where the scratch database is created.",
        )
        parser.add_argument(
            "--redis-url",
            default=os.environ.get("REDIS_URL") or DEFAULT_REDIS,
            help="The broker; its database must be empty (or pass --flush), and is "
            f"emptied afterwards. Default: REDIS_URL, else {DEFAULT_REDIS}.",
        )
        parser.add_argument("--flush", action="store_true", help="Empty the Redis database first.")
        # How the command runs itself inside the scratch database.
        parser.add_argument("--in-database", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["in_database"]:
            self.measure(options)
        else:
            self.orchestrate(options)

    # The scratch database and the broker ------------------------------------------------

    def orchestrate(self, options: dict[str, Any]) -> None:
        import psycopg
        import redis
        from psycopg import sql

        broker = redis.Redis.from_url(options["redis_url"], socket_connect_timeout=5)
        keys = broker.dbsize()
        if keys and not options["flush"]:
            raise CommandError(
                f"The Redis database {options['redis_url']} holds {keys} keys; the benchmark "
                "needs an empty one (pass --flush to empty it)."
            )
        broker.flushdb()
        name = f"h_reminders_bench_{uuid.uuid4().hex[:10]}"
        admin = psycopg.connect(options["postgres"], autocommit=True, connect_timeout=5)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        server = options["postgres"].rsplit("/", 1)[0]
        env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ} | {
            "DATABASE_URL": f"{server}/{name}",
            "REDIS_URL": options["redis_url"],
            "DEBUG": "0",
            # The command runs itself there, so the development tools stay installed; the
            # workers leave them out, as in production.
            "DEVTOOLS": "1",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "STATIC_MANIFEST": "0",
            "PYTHONUNBUFFERED": "1",
        }
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        try:
            self.stdout.write(f"Scratch database {name}; migrating …")
            subprocess.run([*manage, "migrate", "--verbosity=0"], env=env, check=True)  # noqa: S603
            forwarded = [
                f"--{self.count_option}={options[self.count_option]}",
                f"--sample={options['sample']}",
                f"--workers={options['workers']}",
                f"--concurrency={options['concurrency']}",
                f"--redis-url={options['redis_url']}",
            ]
            result = subprocess.run(  # noqa: S603 (this project's own command)
                [*manage, self.command_name, "--in-database", *forwarded], env=env, check=False
            )
            if result.returncode:
                raise CommandError(f"The benchmark failed (exit code {result.returncode}).")
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            admin.close()
            broker.flushdb()
            broker.close()

    # The measurement, inside the scratch database ---------------------------------------

    def measure(self, options: dict[str, Any]) -> None:
        from devtools.reminder_load import queue_deliveries_directly, seed_due_participants
        from notifications.models import ReminderDelivery
        from notifications.reminders import SEND_BATCH_SIZE, do_send_reminders

        count, sample = options["reminders"], options["sample"]
        started = time.perf_counter()
        sample_program = seed_due_participants(sample + SEND_BATCH_SIZE, label="sample")
        program = seed_due_participants(count, label="bench")
        self.stdout.write(
            f"Seeded {count + sample + SEND_BATCH_SIZE:,} due participants in "
            f"{time.perf_counter() - started:.1f} s."
        )

        # The single-process rate: the workers' code path, called here, batch by batch,
        # after one batch that warms the templates and caches up.
        ids = queue_deliveries_directly(sample_program)
        do_send_reminders(delivery_ids=ids[:SEND_BATCH_SIZE])
        ids = ids[SEND_BATCH_SIZE:]
        started = time.perf_counter()
        for start in range(0, len(ids), SEND_BATCH_SIZE):
            do_send_reminders(delivery_ids=ids[start : start + SEND_BATCH_SIZE])
        single = len(ids) / (time.perf_counter() - started)
        sent = ReminderDelivery.objects.filter(pk__in=ids, status="sent").count()
        if sent != len(ids) or len(mail.outbox) != len(ids) + SEND_BATCH_SIZE:
            raise CommandError(f"The sample sent {sent} of {len(ids)} reminders.")
        mail.outbox = []
        self.stdout.write(f"One process, in-process: {len(ids):,} reminders at {single:,.0f}/s.")

        with tempfile.TemporaryDirectory(prefix="bench-reminders-") as logs:
            workers = self.start_workers(options, Path(logs))
            try:
                elapsed, planned_after = self.plan_and_wait(program.pk, count, workers)
            finally:
                self.stop_workers(workers)
        rate = count / elapsed
        processes = options["workers"] * options["concurrency"]
        self.stdout.write(
            f"{options['workers']} bin/worker × {options['concurrency']} pool process(es), "
            f"through Redis: {count:,} reminders planned in {planned_after:.1f} s and all "
            f"sent after {elapsed:.1f} s: {rate:,.0f}/s."
        )
        ratio = rate / single
        self.stdout.write(
            f"Workers ({processes} processes) / one process: {ratio:.2f}× "
            f"(target ≥ {TARGET_RATIO}×)."
        )
        if count == 50_000:
            verdict = "met" if elapsed <= TARGET_SECONDS_FOR_50K else "missed"
            self.stdout.write(f"Target of 50,000 in ≤ {TARGET_SECONDS_FOR_50K:.0f} s: {verdict}.")

    def start_workers(self, options: dict[str, Any], logs: Path) -> list[subprocess.Popen[bytes]]:
        from celery import current_app as app

        workers = []
        for number in range(options["workers"]):
            log = (logs / f"worker-{number}.log").open("wb")
            env = os.environ | {
                "DEVTOOLS": "0",
                "WORKER_CONCURRENCY": str(options["concurrency"]),
                "WORKER_NAME": f"bench{number}",
            }
            workers.append(
                subprocess.Popen(  # noqa: S603 (this project's own script)
                    [str(Path(settings.BASE_DIR) / "bin" / "worker")],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        deadline = time.monotonic() + 120
        while len(app.control.ping(timeout=1.0) or []) < options["workers"]:
            if time.monotonic() > deadline:
                self.stop_workers(workers)
                raise CommandError("The workers did not answer within 120 s.")
        return workers

    def plan_and_wait(
        self, program_id: int, count: int, workers: list[subprocess.Popen[bytes]]
    ) -> tuple[float, float]:
        """Send the tick through the broker and wait until every reminder of the program
        is sent; (seconds until then, seconds until all were planned)."""
        from django.db.models import Count

        from notifications.models import ReminderDelivery
        from notifications.tasks import plan_reminders

        rows = ReminderDelivery.objects.filter(program_id=program_id)
        started = time.perf_counter()
        plan_reminders.delay()
        planned_after = 0.0
        statuses: dict[str, int] = {}
        deadline = started + max(300.0, count / 50)
        while time.perf_counter() < deadline:
            if any(worker.poll() is not None for worker in workers):
                raise CommandError("A worker exited during the benchmark.")
            statuses = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
            total = sum(statuses.values())
            if total == count and not planned_after:
                planned_after = time.perf_counter() - started
            waiting = statuses.get("queued", 0) + statuses.get("sending", 0)
            if total == count and not waiting:
                elapsed = time.perf_counter() - started
                if statuses.get("sent") != count:
                    raise CommandError(f"Not every reminder was sent: {statuses}")
                return elapsed, planned_after
            time.sleep(POLL_SECONDS)
        raise CommandError(f"The reminders were not all sent in time: {statuses}")

    def stop_workers(self, workers: list[subprocess.Popen[bytes]]) -> None:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
