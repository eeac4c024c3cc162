"""Seed the scale dataset for performance work (see `devtools.scale`) and say how long
it took. By default: one organisation, 5,000 participants in 700 teams, 52 weeks of
history. Meant for a database of its own (`make bench` uses `actionlab_bench`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from devtools.scale import ORGANIZATION, ScaleSpec, print_counts, seed_scale
from programs.models import Organization, Program


class Command(BaseCommand):
    help = (
        "Seed one organisation at scale (5,000 participants, 700 teams, a year of weekly "
        "writing and work by default) with bulk writes, and print the time it took."
    )

    def add_arguments(self, parser: Any) -> None:
        defaults = ScaleSpec()
        parser.add_argument("--participants", type=int, default=defaults.participants)
        parser.add_argument("--teams", type=int, default=defaults.teams)
        parser.add_argument(
            "--weeks", type=int, default=defaults.weeks, help="Weeks of history before today."
        )
        parser.add_argument("--cohorts", type=int, default=defaults.cohorts)
        parser.add_argument(
            "--teams-per-coach", type=int, default=defaults.teams_per_coach, dest="per_coach"
        )
        parser.add_argument(
            "--teams-per-sponsor",
            type=int,
            default=defaults.teams_per_sponsor,
            dest="per_sponsor",
        )
        parser.add_argument(
            "--seed", type=int, default=defaults.seed, help="Random seed: same seed, same data."
        )
        parser.add_argument(
            "--password",
            default=defaults.password,
            help="The password of every seeded account (hashed once).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds a program.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        spec = ScaleSpec(
            participants=options["participants"],
            teams=options["teams"],
            weeks=options["weeks"],
            cohorts=options["cohorts"],
            teams_per_coach=options["per_coach"],
            teams_per_sponsor=options["per_sponsor"],
            seed=options["seed"],
            password=options["password"],
        )
        if problems := spec.problems():
            raise CommandError(" ".join(problems))
        if options["if_empty"] and Program.objects.exists():
            self.stdout.write("The database already holds a program; scale data not seeded.")
            return
        if Organization.objects.filter(name=ORGANIZATION).exists():
            self.stdout.write(
                f"“{ORGANIZATION}” is already seeded; nothing done. "
                "Seed into an empty database to start again."
            )
            return
        self.stdout.write(
            f"Seeding {spec.participants:,} participants in {spec.teams:,} teams "
            f"({spec.coaches:,} coaches, {spec.sponsors:,} sponsors, {spec.cohorts} cohorts) "
            f"with {spec.weeks} weeks of history:"
        )
        started = time.perf_counter()
        result = seed_scale(spec, now=timezone.now(), log=self.stdout.write)
        took = time.perf_counter() - started
        self.stdout.write(f"Rows written ({sum(result.counts.values()):,}):")
        print_counts(result.counts, self.stdout)  # type: ignore[arg-type]
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded the scale dataset in {took:.1f} s (program {result.program_id})."
            )
        )
        self.stdout.write(f"Sign in at /accounts/login/ with password “{spec.password}” as:")
        for role, email in result.logins:
            self.stdout.write(f"  {role:<20} {email}")
