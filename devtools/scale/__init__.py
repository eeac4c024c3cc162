"""The scale dataset: one organisation running one year-long program with thousands of
participants in hundreds of teams, and a year of their weekly writing and work.

Its default size is the one the performance targets are set for: 5,000 participants in
700 teams (each with a learning coach, an executive sponsor and a project), and 52 weeks
of check-ins, reflections, actions, pulse answers, coach notes, status updates and team
reflections. Everything is consistent the way `seed_demo` makes it: memberships in the
teams' cohorts, team members in the team's cohort, one week per check-in on the person's
own clock, phases and their events in order, answers only from the team's members.

Rows are generated as tuples from a seeded random generator (the same arguments give the
same data) and written with COPY on PostgreSQL (`devtools.scale.bulk.RowWriter`). Every
account shares one password hash, computed once.
"""

from __future__ import annotations

from devtools.scale.data import BENCH_PASSWORD, DOMAIN, ORGANIZATION, PROGRAM
from devtools.scale.seeder import (
    ScaleResult,
    ScaleSpec,
    bench_logins,
    print_counts,
    seed_scale,
)

__all__ = [
    "BENCH_PASSWORD",
    "DOMAIN",
    "ORGANIZATION",
    "PROGRAM",
    "ScaleResult",
    "ScaleSpec",
    "bench_logins",
    "print_counts",
    "seed_scale",
]
