"""The cast: one program with a program admin, two coaches, a sponsor, two participants on
one team, one participant on another team, a former participant, an admin of another
program (`outsider`, also `other_program_admin`), a stranger who belongs to no program, an
organisation admin of the program's organisation (`org_admin`, in no program) and the
installation's operator (`site_admin`, staff, in no program)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from config.celery import app as celery_app
from programs.models import Program, Role, User
from projects.models import Project
from teams.models import Team
from tests import factories as f
from tests.reminders.flaky import FlakyBackend

# The suite's one Chromium, for tests/e2e and tests/sso alike.
pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    # Every test reads pages as production does: kept between visits (core/page_cache.py).
    settings.PAGE_CACHE = True  # type: ignore[attr-defined]
    cache.clear()


@dataclass
class Cast:
    program: Program
    team: Team
    other_team: Team
    project: Project
    other_project: Project
    program_admin: User
    coach: User
    sponsor: User
    participant: User
    teammate: User
    other_participant: User
    former_participant: User
    # A program admin, of another program (in the same organisation).
    outsider: User
    # The coach of `other_team`: a coach in the program, but not this team's.
    other_coach: User
    # Signed in, with no membership in any program.
    stranger: User
    # Administers the program's organisation; holds no role in any program.
    org_admin: User
    # The installation's operator (`is_staff`); holds no role anywhere.
    site_admin: User

    @property
    def other_program_admin(self) -> User:
        return self.outsider

    def client_for(self, who: str) -> Client:
        client = Client()
        client.force_login(getattr(self, who))
        return client


def build_cast() -> Cast:
    """Write the cast to the database (see the module docstring)."""
    program = f.ProgramFactory(name="System Leadership Academy")
    cohort = f.CohortFactory(program=program, name="Cohort 1")
    coach = f.UserFactory(first_name="Casey", last_name="Coach")
    sponsor = f.UserFactory(first_name="Sam", last_name="Sponsor")
    other_coach = f.UserFactory(first_name="Cory", last_name="Othercoach")
    team = f.TeamFactory(cohort=cohort, name="Flow Forward", coach=coach, sponsor=sponsor)
    other_team = f.TeamFactory(cohort=cohort, name="Safe Passage", coach=other_coach)
    program_admin = f.UserFactory(first_name="Dana", last_name="Admin")
    f.MembershipFactory(user=program_admin, program=program, role=Role.PROGRAM_ADMIN)
    f.MembershipFactory(user=coach, program=program, role=Role.COACH)
    f.MembershipFactory(user=other_coach, program=program, role=Role.COACH)
    f.MembershipFactory(user=sponsor, program=program, role=Role.SPONSOR)
    participant = f.add_participant(team, f.UserFactory(first_name="Pat", last_name="Participant"))
    teammate = f.add_participant(team, f.UserFactory(first_name="Terry", last_name="Teammate"))
    other_participant = f.add_participant(other_team)
    former = f.UserFactory()
    f.MembershipFactory(
        user=former, program=program, cohort=cohort, role=Role.PARTICIPANT, is_active=False
    )
    outsider = f.UserFactory(first_name="Olly", last_name="Outsider")
    f.MembershipFactory(user=outsider, role=Role.PROGRAM_ADMIN)  # admin of another program
    stranger = f.UserFactory(first_name="Stevie", last_name="Stranger")
    org_admin = f.UserFactory(first_name="Orla", last_name="Orgadmin")
    f.OrganizationAdminFactory(user=org_admin, organization=program.organization)
    site_admin = f.UserFactory(first_name="Sid", last_name="Siteadmin", is_staff=True)
    return Cast(
        program=program,
        team=team,
        other_team=other_team,
        project=f.ProjectFactory(team=team, title="Cut ED boarding time"),
        other_project=f.ProjectFactory(team=other_team, title="Discharge huddles"),
        program_admin=program_admin,
        coach=coach,
        sponsor=sponsor,
        participant=participant,
        teammate=teammate,
        other_participant=other_participant,
        former_participant=former,
        outsider=outsider,
        other_coach=other_coach,
        stranger=stranger,
        org_admin=org_admin,
        site_admin=site_admin,
    )


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


# Shared by several folders ----------------------------------------------------------------

Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Capture) -> Callable[[], Any]:
    """Run what waits for the commit (notifications, emails, invitations, tasks) at the
    block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def flaky_smtp(settings: object) -> Iterator[type[FlakyBackend]]:
    """An SMTP server that fails `failures_left` times. Eager tasks run their retries
    in place (without waiting) only when they do not propagate the Retry."""
    settings.MAILERS = {"default": {"BACKEND": "tests.reminders.flaky.FlakyBackend"}}  # type: ignore[attr-defined]
    mail.outbox = []
    celery_app.conf.task_eager_propagates = False
    yield FlakyBackend
    celery_app.conf.task_eager_propagates = True
    FlakyBackend.failures_left = 0


@pytest.fixture
def site_admin(db: None) -> Client:
    """A client signed in as a superuser, for the Django admin's pages (the cast's
    `site_admin` is staff without the rights)."""
    user = User.objects.create_superuser(email="root@example.org", password="a-long-password-1")
    client = Client()
    client.force_login(user)
    return client


# The authorization matrix (tests/test_access.py) counts the (URL, role, method) cases it
# checks here, and the count is printed at the end of the run, so that CI's log shows it.
MATRIX_TALLY = pytest.StashKey[dict[str, int]]()


@pytest.fixture
def matrix_tally(request: pytest.FixtureRequest) -> dict[str, int]:
    return request.config.stash.setdefault(MATRIX_TALLY, {})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    tally = terminalreporter.config.stash.get(MATRIX_TALLY, {})
    if tally:
        cases = sum(tally.values())
        terminalreporter.write_sep("-", "authorization matrix")
        terminalreporter.write_line(
            f"{cases} (URL, role, method) cases checked on {len(tally)} URL rows"
        )
