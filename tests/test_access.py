"""The authorization matrix: every URL pattern of the project × every role × GET and POST.

DESIGN.md, privacy rule 5: an outsider to a program gets 404, exactly as for an id that
does not exist (the page's main region is the same, byte for byte); a member without the
right gets 403; someone's private writing does not exist (404) for anyone it is not shared
with. A read-only view refuses POST and a write-only view refuses GET (405). Anonymous
visitors are sent to sign in, except on the few public pages (token links, /healthz). List
pages show each role the number of things it may see.

`ROWS` holds one row per URL pattern, keyed by the URL's name. The guard at the bottom
fails when a URL pattern of our apps has no row, or a row names a URL that is gone.

To add a row, name the URL and say, for each method, who gets what:

    "programs:thing": Row(
        program,                        # the URL's kwargs, from the World (w.program...)
        get=Allow(ADMIN),               # program admins 200, other members 403,
                                        # outsiders 404, anonymous to sign-in
        post=Allow(ADMIN, 302, data=lambda w: {"name": "X"}),
    ),

`get` and `post` default to `NOT_ALLOWED` (405 for everyone signed in). `Allow` also
takes `hidden` roles (404: the object does not exist for them), `others` and `outsiders`
(the statuses of everyone else, 403 and 404 by default) and `but` (per-role exceptions);
`public=True` marks a `@login_not_required` view (anonymous visitors are then a role like
the others); `sees` counts what each role sees on a list page. A second row for the same
URL (another slug, a query string, ids crossed with another program's: `crossed`) gets a
key with a description after a space: "projects:gate approve-charter".

The World (the cast, with one of every object) is built once for this module; every
request runs in a savepoint that is rolled back, so no request sees another's writes. The
number of (URL, role, method) cases checked is printed at the end of the run.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from coaching.models import CoachNote, PulseSurvey, TeamSession
from notifications import delivery as notification_emails
from notifications.digests import partner_opt_out_token
from notifications.kinds import Kind
from notifications.models import Notification, ReminderDelivery
from notifications.reminders import unsubscribe_token
from notifications.services import do_notify
from programs.models import (
    Invitation,
    Membership,
    Milestone,
    OrganizationInvitation,
    Role,
    User,
)
from programs.org_services import organization_invitation_token
from programs.services import do_add_membership, invitation_token
from projects.models import (
    Action,
    CharterAmendment,
    DoorRequest,
    StatusUpdate,
    SuccessMeasure,
    TransitionPlan,
)
from projects.results import handover_token
from projects.services import do_save_rationale
from reflections.feeds import do_create_calendar_feed
from reflections.models import Prompt, Reflection
from reflections.services import (
    do_create_checkin,
    do_save_plan,
    do_write_reflection,
    do_write_team_reflection,
    partner_token,
)
from teams.models import PeopleImport
from teams.services import do_assign_member, do_set_advisors
from tests import factories as f
from tests.conftest import Cast, build_cast

OUR_APPS = (
    "coaching",
    "core",
    "programs",
    "teams",
    "projects",
    "reflections",
    "notifications",
    "dashboards",
)

# Roles -----------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
# Signed in, but no member of the program: one with no membership at all, a program admin
# of another program (in the same organisation), the organisation's admin (who runs no
# program) and the installation's operator (staff).
OUTSIDERS = ("stranger", "other_program_admin", "org_admin", "site_admin")
SIGNED_IN = (
    *OUTSIDERS,
    "former_participant",  # membership ended
    "other_participant",  # on the other team
    "other_coach",  # coaches the other team
    "participant",
    "teammate",
    "coach",
    "sponsor",
    "program_admin",
)
ROLES = (ANONYMOUS, *SIGNED_IN)

ADMIN = ("program_admin",)
TEAM = ("participant", "teammate")
TEAM_READERS = ("program_admin", "coach", "sponsor", *TEAM)
PARTICIPANTS = (*TEAM, "other_participant")
# Who receives entries shared with them: participants (from teammates) and coaches.
RECEIVERS = (*PARTICIPANTS, "coach", "other_coach")
TEAM_REFLECTION_READERS = (*TEAM, "coach", "sponsor")
PULSE_TAKERS = (*TEAM, "coach")
ACTIVE_MEMBERS = (*PARTICIPANTS, "other_coach", "coach", "sponsor", "program_admin")


# What each role gets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Allow:
    """The status each role gets for one method of one URL.

    `ok` roles get `status`; `hidden` roles get 404 (the object does not exist for them);
    the outsiders to the program get `outsiders` (404); every other signed-in role gets
    `others` (403); `but` overrides any of these for named roles. An anonymous visitor is
    sent to sign in (302), unless the row is `public`. `data` is the POST body.
    """

    ok: tuple[str, ...] = ()
    status: int = 200
    hidden: tuple[str, ...] = ()
    others: int = 403
    outsiders: int = 404
    but: Mapping[str, int] = field(default_factory=dict)
    data: Callable[[World], dict[str, Any]] = lambda w: {}

    def status_for(self, role: str) -> int:
        if role in self.but:
            return self.but[role]
        if role in self.ok:
            return self.status
        if role in self.hidden:
            return 404
        if role in OUTSIDERS:
            return self.outsiders
        return self.others


# The method is refused whoever asks (anonymous visitors are still sent to sign in first,
# except on a public URL).
NOT_ALLOWED = Allow(others=405, outsiders=405)
# A page about no particular object, for everyone signed in.
EVERYONE = SIGNED_IN


@dataclass(frozen=True)
class Sees:
    """How many things each role sees on a list page (GET). Every role that gets the page
    needs a number here."""

    what: str
    count: Callable[[HttpResponse], set[str]]
    by_role: Mapping[str, int]


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    get: Allow = NOT_ALLOWED
    post: Allow = NOT_ALLOWED
    # `@login_not_required`: an anonymous visitor gets what `get`/`post` say for "anonymous"
    # (by default `others`, 403) instead of the sign-in page.
    public: bool = False
    query: str = ""
    sees: tuple[Sees, ...] = ()

    def expected(self, method: str, role: str) -> int:
        if role == ANONYMOUS and not self.public:
            return 302
        return (self.get if method == "get" else self.post).status_for(role)


# The world: the cast, with one of everything --------------------------------------------


@dataclass
class World:
    cast: Cast
    sessions: dict[str, str]
    milestone: Milestone
    invitation: Invitation
    people_import: PeopleImport
    action: Action
    door: DoorRequest
    update: StatusUpdate
    amendment: CharterAmendment
    team_shared_reflection: int
    deleted_reflection: int
    coach_shared_checkin: int
    sponsor_shared_team_reflection: int
    team_only_team_reflection: int
    coach_note: CoachNote
    pulse: PulseSurvey
    feed_token: str
    partner_token: str
    unsubscribe_token: str
    # Objects of another program, or of the other team's project, by name: their ids in a
    # URL of ours must find nothing (404), not the other program's object.
    elsewhere: dict[str, int]

    clients: dict[tuple[str, bool], Client] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # The cast's people and objects read as the world's own: `w.program`, `w.coach`.
        return getattr(self.__dict__["cast"], name)

    def client(self, role: str, *, enforce_csrf_checks: bool = False) -> Client:
        """A client signed in as `role` (with its session, and no other cookie). Clients
        are kept: a new one loads the middleware again, which costs more than a request."""
        key = (role, enforce_csrf_checks)
        if key not in self.clients:
            self.clients[key] = Client(enforce_csrf_checks=enforce_csrf_checks)
        client = self.clients[key]
        client.cookies = SimpleCookie()
        if role != ANONYMOUS:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


WHEN = datetime.datetime(2026, 10, 7, 12, 0, tzinfo=datetime.UTC)


def _reflection(author: Any, program: Any, title: str, visibility: str) -> int:
    return do_write_reflection(
        author=author,
        program=program,
        title=title,
        body=f"{title}: what I learned.",
        tags=[],
        visibility=visibility,
        prompt=None,
    ).pk


def build_world() -> World:
    c = build_cast()
    program = c.program
    other_program = c.outsider.memberships.get().program
    cohort = program.cohorts.get()

    # Journals: the participant has one entry of each visibility and one in the bin, the
    # teammate a private and a team entry, the other participant a team entry.
    _reflection(c.participant, program, "Only mine", "private")
    _reflection(c.participant, program, "For my coach", "coach")
    team_shared = _reflection(c.participant, program, "Shared with my team", "team")
    deleted = _reflection(c.participant, program, "In the bin", "private")
    Reflection.objects.filter(pk=deleted).update(deleted_at=timezone.now())
    _reflection(c.teammate, program, "Teammate's own", "private")
    _reflection(c.teammate, program, "Teammate to the team", "team")
    _reflection(c.other_participant, program, "Other team's news", "team")

    # The sponsor reviews a rationale the team wrote.
    do_save_rationale(project=c.project, criterion=1, rationale="A real problem, cross-unit.")
    checkin = do_create_checkin(
        user=c.participant,
        program=program,
        time_zone="America/New_York",
        steps_taken="Asked first.",
        next_focus="Listen more.",
        progress=3,
        visibility="coach",
        now=WHEN,
    )
    shared_team_entry = do_write_team_reflection(
        team=c.team,
        by=c.participant,
        title="What our stakeholders told us",
        body="Everyone agrees the problem is real.",
        share_with_sponsor=True,
    )
    team_only_entry = do_write_team_reflection(
        team=c.team,
        by=c.teammate,
        title="How we argue",
        body="Between us.",
        share_with_sponsor=False,
    )
    plan = do_save_plan(
        user=c.participant,
        program=program,
        aspect="How I listen in meetings I chair.",
        action="ask one open question before I give advice",
        partner_user=None,
        partner_name="Alex Mentor",
        partner_email="alex.mentor@example.com",
        checkin_weekday=4,
        checkin_time=datetime.time(9, 0),
    )
    for user, prog, week in (
        (c.participant, program, 40),
        (c.teammate, program, 40),
        (c.other_participant, program, 41),
        (f.UserFactory(), other_program, 40),
    ):
        ReminderDelivery.objects.create(
            user=user,
            program=prog,
            kind="checkin",
            iso_year=2026,
            iso_week=week,
            time_zone="America/New_York",
            due_at=WHEN,
            status="sent",
            planned_by=uuid.uuid4(),
            created_at=WHEN,
            queued_at=WHEN,
        )

    other_cohort = f.CohortFactory(program=other_program)
    elsewhere = {
        "cohort": other_cohort.pk,
        "team": f.TeamFactory(cohort=other_cohort).pk,
        "milestone": Milestone.objects.create(
            program=other_program, kind="kickoff", title="Their kickoff", due_on=WHEN.date()
        ).pk,
        "invitation": Invitation.objects.create(
            program=other_program,
            email="their-invitee@example.org",
            role=Role.COACH,
            nonce="m",
            expires_at=timezone.now() + datetime.timedelta(days=5),
        ).pk,
        "import": PeopleImport.objects.create(
            program=other_program,
            cohort=other_cohort,
            uploaded_by=c.outsider,
            filename="theirs.csv",
            content="email,first_name,last_name\n",
        ).pk,
        "action": Action.objects.create(
            project=c.other_project, title="Their action", owner=c.other_participant
        ).pk,
        "door": DoorRequest.objects.create(
            project=c.other_project,
            kind="decision",
            request="Their request.",
            asked_by=c.other_participant,
        ).pk,
        "membership": c.outsider.memberships.get().pk,
        "amendment": CharterAmendment.objects.create(
            project=c.other_project, new_texts={"scope": "Theirs."}, reason="Theirs."
        ).pk,
        "update": StatusUpdate.objects.create(
            project=c.other_project,
            progress="Their progress.",
            next_steps="Their next steps.",
            author=c.other_participant,
        ).pk,
    }

    # The participant's one notification: nobody else's to open or mark read.
    do_notify(
        kind=Kind.SPONSOR_COMMENT,
        recipients=[c.participant],
        program=program,
        subject=c.project.title,
        link=f"/projects/{c.project.pk}/",
        dedupe_key="matrix",
    )
    # The team's next meeting.
    TeamSession.objects.create(
        team=c.team,
        starts_at=WHEN + datetime.timedelta(days=400),
        ends_at=WHEN + datetime.timedelta(days=400, hours=1),
        place="Room 4",
        agenda="Our agenda.",
        created_by=c.participant,
        created_at=WHEN,
        updated_at=WHEN,
    )

    sessions = {}
    for role in SIGNED_IN:
        client = Client()
        client.force_login(getattr(c, role))
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value

    return World(
        cast=c,
        sessions=sessions,
        milestone=Milestone.objects.create(
            program=program, kind="kickoff", title="Kickoff", due_on=datetime.date(2026, 9, 7)
        ),
        invitation=Invitation.objects.create(
            program=program,
            email="invitee@example.org",
            role=Role.COACH,
            nonce="n",
            expires_at=timezone.now() + datetime.timedelta(days=5),
        ),
        people_import=PeopleImport.objects.create(
            program=program,
            cohort=cohort,
            uploaded_by=c.program_admin,
            filename="people.csv",
            content="email,first_name,last_name,unit,discipline,job_title,role,team,"
            "reports_to_email\n",
        ),
        action=Action.objects.create(
            project=c.project, title="Map the discharge process", owner=c.participant
        ),
        door=DoorRequest.objects.create(
            project=c.project,
            kind="introduction",
            request="An introduction to the CMO.",
            asked_by=c.participant,
        ),
        update=StatusUpdate.objects.create(
            project=c.project,
            progress="Mapped the process.",
            next_steps="Pull data.",
            author=c.participant,
        ),
        amendment=CharterAmendment.objects.create(
            project=c.project,
            new_texts={"scope": "Three medicine units."},
            old_texts={"scope": ""},
            reason="The pilot grew.",
            proposed_by=c.participant,
        ),
        team_shared_reflection=team_shared,
        deleted_reflection=deleted,
        coach_shared_checkin=checkin.pk,
        sponsor_shared_team_reflection=shared_team_entry.pk,
        team_only_team_reflection=team_only_entry.pk,
        coach_note=CoachNote.objects.create(
            team=c.team,
            author=c.coach,
            held_on=datetime.date(2026, 10, 1),
            body="Process note.",
            task_minutes=40,
            process_minutes=20,
            created_at=WHEN,
            updated_at=WHEN,
        ),
        # Opened just now: a pulse takes answers for three days after it opens.
        pulse=PulseSurvey.objects.create(
            team=c.team, meeting_on=datetime.date(2026, 10, 1), created_at=timezone.now()
        ),
        feed_token=do_create_calendar_feed(user=c.participant, program=program).token,
        partner_token=partner_token(plan),
        unsubscribe_token=unsubscribe_token(c.participant, "checkin"),
        elsewhere=elsewhere,
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint (or transaction) rolled back at the end, whatever happened inside. Like
    the test's own, it lets a durable atomic block run inside it."""
    atomic = transaction.atomic()
    atomic._from_testcase = True  # type: ignore[attr-defined]
    with atomic:
        yield
        transaction.set_rollback(True)


@contextmanager
def world_in_a_transaction(django_db_blocker: Any) -> Iterator[World]:
    """Build the world once, inside a transaction rolled back at the end; each test's own
    transaction (pytest-django's `db`) is a savepoint inside it."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast), rolled_back():
        yield build_world()


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with world_in_a_transaction(django_db_blocker) as built:
        yield built


def send(
    world: World,
    role: str,
    method: str,
    url: str,
    data: dict[str, Any] | None = None,
    *,
    enforce_csrf_checks: bool = False,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """One request as `role`, in a savepoint that is rolled back: nothing it writes stays."""
    with rolled_back():
        client = world.client(role, enforce_csrf_checks=enforce_csrf_checks)
        response = getattr(client, method)(url, data or {}, headers=headers)
    return response


# What a list page shows --------------------------------------------------------------------


def main_region(html: bytes) -> bytes:
    """The page body without the layout (navigation, per-request CSRF token)."""
    return html.split(b'<main id="main"', 1)[1].split(b"</main>", 1)[0]


def links(pattern: str) -> Callable[[HttpResponse], set[str]]:
    """The distinct links in the page's main region whose address matches `pattern`."""
    compiled = re.compile(rf'href="({pattern})"')

    def found(response: HttpResponse) -> set[str]:
        return set(compiled.findall(main_region(response.content).decode()))

    return found


def rows_of(
    context_key: str, label: Callable[[Any], object] = str
) -> Callable[[HttpResponse], set[str]]:
    """The items of a list (or page) the view gave its template, each named by `label`."""

    def found(response: HttpResponse) -> set[str]:
        assert response.context is not None
        return {str(label(item)) for item in response.context[context_key]}

    return found


def analytics_teams(response: HttpResponse) -> set[str]:
    assert response.context is not None
    return {str(row[0]) for row in response.context["data"].table("teams").rows}


def csv_rows(response: HttpResponse) -> set[str]:
    lines = response.content.decode("utf-8-sig").splitlines()
    return set(lines[1:])


# The URLs' arguments -----------------------------------------------------------------------


def program(w: World) -> dict[str, Any]:
    return {"program_id": w.program.pk}


def cohort(w: World) -> dict[str, Any]:
    return {"program_id": w.program.pk, "cohort_id": w.team.cohort_id}


def other_team_in_cohort(w: World) -> dict[str, Any]:
    return cohort(w) | {"team_id": w.other_team.pk}


def team(w: World) -> dict[str, Any]:
    return {"team_id": w.team.pk}


def project(w: World) -> dict[str, Any]:
    return {"project_id": w.project.pk}


def a_measure(w: World) -> SuccessMeasure:
    """The project's one success measure (made the first time a row asks for it)."""
    return SuccessMeasure.objects.get_or_create(project=w.project, name="Wait time")[0]


def a_plan(w: World) -> TransitionPlan:
    """A transition plan, not accepted yet, for the hand-over link."""
    unit = f.UnitFactory(organization=w.program.organization)
    return TransitionPlan.objects.get_or_create(
        project=w.project,
        defaults={"new_owner_name": "Morgan Owner", "new_owner_unit": unit, "sustainment": "."},
    )[0]


def team_reflection(w: World) -> dict[str, Any]:
    return {"team_reflection_id": w.sponsor_shared_team_reflection}


MISSING = 987654


def missing(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The same URL with every id one that does not exist."""
    return {key: MISSING if isinstance(value, int) else value for key, value in kwargs.items()}


# The rows ------------------------------------------------------------------------------------

ROWS: dict[str, Row] = {
    # Home, health, the program --------------------------------------------------------------
    "home": Row(
        get=Allow(EVERYONE),
        sees=(
            Sees(
                "programs I run",
                links(r"/programs/\d+/"),
                {
                    role: 1 if role in ("program_admin", "other_program_admin") else 0
                    for role in EVERYONE
                },
            ),
            Sees(
                "my teams (as member, coach or sponsor)",
                links(r"/teams/\d+/"),
                {
                    role: 0 if role in (*OUTSIDERS, "former_participant", "program_admin") else 1
                    for role in EVERYONE
                },
            ),
        ),
    ),
    "healthz": Row(public=True, get=Allow(ROLES)),
    # The end of a SAML sign-in (allauth's path, programs/saml.py), reached by a redirect:
    # public, as the IdP's response arrives before anyone is signed in; an organisation
    # without a SAML provider in use has none (404), whoever asks.
    "saml_finish_acs": Row(
        lambda w: {"organization_slug": f"org-{w.program.organization_id}"},
        public=True,
        get=Allow(ROLES, 404),
    ),
    "dashboards:program": Row(
        program,
        get=Allow(ACTIVE_MEMBERS),
        sees=(
            Sees(
                "teams one can open",
                links(r"/teams/\d+/"),
                {
                    "other_participant": 1,
                    "other_coach": 1,
                    "participant": 1,
                    "teammate": 1,
                    "coach": 1,
                    "sponsor": 1,
                    "program_admin": 2,
                },
            ),
        ),
    ),
    # The cohort showcase: the cohort (every participant of the cast is in it), the coaches
    # and sponsor of its teams and the program's admins read it; the team's members publish.
    "dashboards:showcase": Row(
        lambda w: {"cohort_id": w.team.cohort_id}, get=Allow(ACTIVE_MEMBERS)
    ),
    "dashboards:showcase_publish": Row(
        project, post=Allow(TEAM, 302, data=lambda w: {"action": "publish"})
    ),
    # Program administration -----------------------------------------------------------------
    "programs:create": Row(
        # An organisation admin starts a program; there is no object to hide.
        get=Allow(("org_admin",), outsiders=403),
        post=Allow(("org_admin",), 400, outsiders=403),
    ),
    "programs:edit": Row(program, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "programs:cohort_create": Row(program, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "programs:cohort_edit": Row(cohort, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "programs:schedule": Row(program, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "programs:milestone_edit": Row(
        lambda w: program(w) | {"milestone_id": w.milestone.pk},
        get=Allow(ADMIN),
        post=Allow(ADMIN, 400),
    ),
    "programs:milestone_delete": Row(
        lambda w: program(w) | {"milestone_id": w.milestone.pk},
        get=Allow(ADMIN),
        post=Allow(ADMIN, 302),
    ),
    "programs:invite": Row(program, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "programs:invite_many": Row(program, post=Allow(ADMIN, 400)),
    "programs:invitation_resend": Row(
        lambda w: program(w) | {"invitation_id": w.invitation.pk}, post=Allow(ADMIN, 302)
    ),
    "programs:invitation_revoke": Row(
        lambda w: program(w) | {"invitation_id": w.invitation.pk}, post=Allow(ADMIN, 302)
    ),
    # The invitation link is the credential: whoever holds it sees the invitation; only the
    # invited email can accept it (409 for any other account).
    "programs:invitation": Row(
        lambda w: {"token": invitation_token(w.invitation)},
        public=True,
        get=Allow(ROLES),
        post=Allow(SIGNED_IN, 409, but={ANONYMOUS: 302}),
    ),
    # Whoever holds the link may open the sign-up form; it creates only the invited
    # address's account (an empty form is refused, and changes nothing).
    "programs:invitation_signup": Row(
        lambda w: {"token": invitation_token(w.invitation)},
        public=True,
        get=Allow(ROLES),
        post=Allow(ROLES, 400),
    ),
    # Everyone's own profile; a program admin corrects a member's unit, discipline and
    # title, and someone who was never in the program does not exist there.
    "programs:profile": Row(get=Allow(EVERYONE), post=Allow(EVERYONE, 400)),
    "programs:member_profile": Row(
        lambda w: program(w) | {"user_id": w.participant.pk},
        get=Allow(ADMIN),
        post=Allow(ADMIN, 302, data=lambda w: {"discipline": "nurse", "job_title": "Lead"}),
    ),
    "programs:member_profile someone-outside-the-program": Row(
        lambda w: program(w) | {"user_id": w.stranger.pk},
        get=Allow(but={"program_admin": 404}),
        post=Allow(but={"program_admin": 404}, data=lambda w: {"discipline": "nurse"}),
    ),
    # People, import and export, team builder -----------------------------------------------
    "teams:people": Row(
        program,
        get=Allow(ADMIN),
        # The active members; the former participant is not among them.
        sees=(
            Sees("people", rows_of("rows", lambda row: row["membership"]), {"program_admin": 7}),
        ),
    ),
    "teams:import_example": Row(get=Allow(EVERYONE)),
    "teams:import": Row(program, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "teams:import_preview": Row(
        lambda w: program(w) | {"import_id": w.people_import.pk}, get=Allow(ADMIN)
    ),
    "teams:import_confirm": Row(
        lambda w: program(w) | {"import_id": w.people_import.pk}, post=Allow(ADMIN, 302)
    ),
    "teams:import_rejected": Row(
        lambda w: program(w) | {"import_id": w.people_import.pk}, get=Allow(ADMIN)
    ),
    "teams:people_export": Row(program, get=Allow(ADMIN)),
    "teams:builder": Row(cohort, get=Allow(ADMIN)),
    "teams:builder_assign": Row(
        cohort,
        post=Allow(ADMIN, 302, data=lambda w: {"user": w.participant.pk, "team": w.team.pk}),
    ),
    "teams:builder_team_create": Row(
        cohort, post=Allow(ADMIN, 302, data=lambda w: {"name": "Pathfinders"})
    ),
    "teams:builder_team_advisors": Row(other_team_in_cohort, post=Allow(ADMIN, 302)),
    "teams:builder_team_delete": Row(
        other_team_in_cohort, get=Allow(ADMIN), post=Allow(ADMIN, 302)
    ),
    "teams:builder_team_rename": Row(
        other_team_in_cohort, post=Allow(ADMIN, 302, data=lambda w: {"name": "Pathfinders"})
    ),
    # GET without a team count goes back to the builder with a message.
    "teams:builder_propose": Row(cohort, get=Allow(ADMIN, 302), post=Allow(ADMIN, 302)),
    # Teams and projects ----------------------------------------------------------------------
    "teams:detail": Row(
        team,
        get=Allow(TEAM_READERS),
        sees=(
            Sees(
                "team members",
                rows_of("rows", lambda row: row[0]),
                dict.fromkeys(TEAM_READERS, 2),
            ),
        ),
    ),
    "projects:detail": Row(project, get=Allow(TEAM_READERS)),
    "projects:charter_history": Row(project, get=Allow(TEAM_READERS)),
    "projects:charter_section": Row(
        lambda w: project(w) | {"section": "scope"}, get=Allow(TEAM_READERS)
    ),
    "projects:charter_section ?edit": Row(
        lambda w: project(w) | {"section": "scope"}, query="edit", get=Allow(TEAM)
    ),
    "projects:charter_save": Row(
        lambda w: project(w) | {"section": "scope"},
        post=Allow(TEAM, 302, data=lambda w: {"text": "Two units.", "version": w.project.version}),
    ),
    # A section the charter does not have is not found, for those who may write it.
    "projects:charter_save an unknown section": Row(
        lambda w: project(w) | {"section": "budget"},
        post=Allow(TEAM, 404, data=lambda w: {"text": "x", "version": w.project.version}),
    ),
    "projects:criterion_save": Row(
        lambda w: project(w) | {"number": 1},
        post=Allow(TEAM, 302, data=lambda w: {"rationale": "We pilot a new huddle."}),
    ),
    "projects:criterion_review": Row(
        lambda w: project(w) | {"number": 1},
        post=Allow(("sponsor",), 302, data=lambda w: {"decision": "confirm"}),
    ),
    "projects:gate": Row(
        lambda w: project(w) | {"action": "submit-charter"}, post=Allow(TEAM, 302)
    ),
    "projects:gate approve-charter": Row(
        lambda w: project(w) | {"action": "approve-charter"}, post=Allow(("sponsor",), 302)
    ),
    "projects:transition_plan": Row(project, post=Allow(TEAM, 302)),
    # While crafting, nothing is closed yet (the team is told so on the project page).
    "projects:close_actions": Row(project, post=Allow(TEAM, 302)),
    # While crafting, the team edits the charter directly: a proposal is refused in words.
    "projects:amendment_new": Row(
        project,
        get=Allow(TEAM),
        post=Allow(TEAM, 400, data=lambda w: {"scope": "Wider.", "reason": "Because."}),
    ),
    "projects:amendment_decide": Row(
        lambda w: project(w) | {"amendment_id": w.amendment.pk},
        post=Allow(("sponsor",), 302, data=lambda w: {"decision": "return", "comment": "No."}),
    ),
    "projects:name": Row(
        project,
        post=Allow(
            TEAM,
            302,
            data=lambda w: {
                "title": "Home by noon",
                "project_type": "experiment",
                "version": w.project.version,
            },
        ),
    ),
    "projects:override": Row(project, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "projects:results": Row(project, get=Allow(TEAM_READERS)),
    "projects:measure_add": Row(
        project, post=Allow(TEAM, 302, data=lambda w: {"new-name": "Boarding time"})
    ),
    "projects:measure_edit": Row(
        lambda w: project(w) | {"measure_id": a_measure(w).pk},
        post=Allow(TEAM, 302, data=lambda w: {f"m{a_measure(w).pk}-name": "Boarding"}),
    ),
    "projects:measure_remove": Row(
        lambda w: project(w) | {"measure_id": a_measure(w).pk}, post=Allow(TEAM, 302)
    ),
    "projects:narrative": Row(
        project, post=Allow(TEAM, 302, data=lambda w: {"narrative": "Boarding halved."})
    ),
    # Refused with a message (nothing is written yet), but only the sponsor gets that far.
    "projects:results_confirm": Row(project, post=Allow(("sponsor",), 302)),
    # The signed link opens for people of the organisation; the plan is not accepted yet,
    # so confirming is refused with a form error.
    "projects:handover": Row(
        lambda w: {"token": handover_token(a_plan(w))},
        get=Allow(ACTIVE_MEMBERS, others=404),
        post=Allow(ACTIVE_MEMBERS, 400, others=404, data=lambda w: {"name": "Morgan Owner"}),
    ),
    "projects:sponsor_dashboard": Row(
        get=Allow(EVERYONE),
        sees=(
            Sees(
                "sponsored projects",
                links(r"/projects/\d+/"),
                {role: 1 if role == "sponsor" else 0 for role in EVERYONE},
            ),
        ),
    ),
    "projects:actions": Row(project, get=Allow(TEAM_READERS)),
    "projects:action_create": Row(
        project,
        post=Allow(
            TEAM,
            302,
            data=lambda w: {
                "title": "Call bed management",
                "owner": w.participant.pk,
                "status": "todo",
            },
        ),
    ),
    "projects:action_row": Row(
        lambda w: project(w) | {"action_id": w.action.pk}, get=Allow(TEAM_READERS)
    ),
    "projects:action_edit": Row(
        lambda w: project(w) | {"action_id": w.action.pk},
        get=Allow(TEAM),
        post=Allow(TEAM, 400),
    ),
    "projects:stakeholders": Row(project, get=Allow(TEAM_READERS)),
    "projects:engagement_create": Row(
        project,
        post=Allow(
            TEAM,
            302,
            data=lambda w: {
                "stakeholder": "Director of Patient Access",
                "level": "consult",
                "engaged_on": "2026-10-01",
            },
        ),
    ),
    "projects:doors": Row(project, get=Allow(TEAM_READERS)),
    "projects:door_create": Row(
        project,
        post=Allow(
            TEAM,
            302,
            data=lambda w: {"kind": "decision", "request": "Approve two hours of analyst time."},
        ),
    ),
    "projects:door_answer": Row(
        lambda w: project(w) | {"door_id": w.door.pk},
        post=Allow(("sponsor",), 302, data=lambda w: {"answer": "Done: see you on Tuesday."}),
    ),
    "projects:updates": Row(project, get=Allow(TEAM_READERS)),
    "projects:update_create": Row(
        project,
        post=Allow(
            TEAM,
            302,
            data=lambda w: {"progress": "Baseline done.", "next_steps": "Start the pilot."},
        ),
    ),
    "projects:update_comment": Row(
        lambda w: project(w) | {"update_id": w.update.pk},
        post=Allow(("sponsor",), 302, data=lambda w: {"body": "Good progress."}),
    ),
    # Journal, shared entries, export ---------------------------------------------------------
    "reflections:journal": Row(
        program,
        get=Allow(PARTICIPANTS),
        sees=(
            Sees(
                "journal entries",
                links(r"/reflections/\d+/"),
                {"participant": 3, "teammate": 2, "other_participant": 1},
            ),
        ),
    ),
    "reflections:write": Row(program, get=Allow(PARTICIPANTS), post=Allow(PARTICIPANTS, 400)),
    "reflections:draft_save": Row(
        program,
        post=Allow(
            PARTICIPANTS, 204, data=lambda w: {"draft_token": "page-1", "body": "Half a thought"}
        ),
    ),
    "reflections:draft_discard": Row(program, post=Allow(PARTICIPANTS, 302)),
    "reflections:deleted": Row(
        program,
        get=Allow(PARTICIPANTS),
        sees=(
            Sees(
                "deleted entries",
                rows_of("page"),
                {"participant": 1, "teammate": 0, "other_participant": 0},
            ),
        ),
    ),
    "reflections:shared": Row(
        program,
        get=Allow(RECEIVERS),
        sees=(
            Sees(
                "entries and check-ins shared with me",
                links(r"/(?:reflections|check-ins)/\d+/"),
                {
                    "participant": 1,  # the teammate's team entry
                    "teammate": 1,  # the participant's team entry
                    "other_participant": 0,
                    "coach": 4,  # three entries and a check-in from the team
                    "other_coach": 1,
                },
            ),
        ),
    ),
    "reflections:detail": Row(
        lambda w: {"reflection_id": w.team_shared_reflection},
        get=Allow(("participant", "teammate", "coach"), hidden=SIGNED_IN),
    ),
    "reflections:edit": Row(
        lambda w: {"reflection_id": w.team_shared_reflection},
        get=Allow(("participant",), hidden=SIGNED_IN),
        post=Allow(("participant",), 400, hidden=SIGNED_IN),
    ),
    "reflections:delete": Row(
        lambda w: {"reflection_id": w.team_shared_reflection},
        post=Allow(("participant",), 302, hidden=SIGNED_IN),
    ),
    "reflections:restore": Row(
        lambda w: {"reflection_id": w.deleted_reflection},
        post=Allow(("participant",), 302, hidden=SIGNED_IN),
    ),
    "reflections:export": Row(get=Allow(EVERYONE)),
    # Team reflections ------------------------------------------------------------------------
    "reflections:team_list": Row(
        team,
        get=Allow(TEAM_REFLECTION_READERS),
        sees=(
            Sees(
                "team reflections",
                links(r"/team-reflections/\d+/"),
                {"participant": 2, "teammate": 2, "coach": 2, "sponsor": 1},
            ),
        ),
    ),
    "reflections:team_write": Row(team, get=Allow(TEAM), post=Allow(TEAM, 400)),
    "reflections:team_detail": Row(team_reflection, get=Allow(TEAM_REFLECTION_READERS)),
    "reflections:team_detail not shared with the sponsor": Row(
        lambda w: {"team_reflection_id": w.team_only_team_reflection},
        get=Allow(("coach", *TEAM)),
    ),
    "reflections:team_edit": Row(team_reflection, get=Allow(TEAM), post=Allow(TEAM, 400)),
    # Be Better Now and check-ins -------------------------------------------------------------
    "reflections:plan": Row(program, get=Allow(PARTICIPANTS), post=Allow(PARTICIPANTS, 400)),
    "reflections:plan_calendar": Row(program, get=Allow(PARTICIPANTS)),
    "reflections:checkin": Row(program, get=Allow(PARTICIPANTS), post=Allow(PARTICIPANTS, 400)),
    "reflections:checkin_history": Row(
        program,
        get=Allow(PARTICIPANTS),
        sees=(
            Sees(
                "check-ins",
                rows_of("page"),
                {"participant": 1, "teammate": 0, "other_participant": 0},
            ),
        ),
    ),
    "reflections:checkin_detail": Row(
        lambda w: {"checkin_id": w.coach_shared_checkin},
        get=Allow(("participant", "coach"), hidden=SIGNED_IN),
    ),
    # The partner's link is the credential; GET asks, POST records the answer.
    "reflections:partner_confirm": Row(
        lambda w: {"token": w.partner_token},
        public=True,
        get=Allow(ROLES),
        post=Allow(ROLES),
    ),
    # Reminders and the calendar feed -------------------------------------------------------
    "notifications:reminder_unsubscribe": Row(
        lambda w: {"kind": "checkin", "token": w.unsubscribe_token},
        public=True,
        get=Allow(ROLES),
        post=Allow(ROLES),
    ),
    "notifications:reminder_settings": Row(get=Allow(EVERYONE), post=Allow(EVERYONE, 302)),
    "notifications:reminder_log": Row(
        program,
        get=Allow(ADMIN),
        sees=(Sees("reminders", rows_of("page"), {"program_admin": 3}),),
    ),
    "reflections:calendar_feed": Row(program, get=Allow(PARTICIPANTS)),
    "reflections:calendar_feed_create": Row(program, post=Allow(PARTICIPANTS, 302)),
    "reflections:calendar_feed_revoke": Row(program, post=Allow(PARTICIPANTS, 302)),
    "reflections:calendar_feed_ics": Row(
        lambda w: {"token": w.feed_token},
        public=True,
        get=Allow(ROLES),
    ),
    # Coach tools, analytics, outcome ---------------------------------------------------------
    "dashboards:coach_dashboard": Row(
        program,
        get=Allow(("coach", "other_coach")),
        sees=(
            Sees(
                "coached teams",
                links(r"/teams/\d+/"),
                {"coach": 1, "other_coach": 1},
            ),
        ),
    ),
    "dashboards:analytics": Row(
        program,
        get=Allow(ADMIN),
        sees=(Sees("teams in the participation table", analytics_teams, {"program_admin": 2}),),
    ),
    "dashboards:analytics_csv": Row(
        lambda w: program(w) | {"table": "teams"},
        get=Allow(ADMIN),
        sees=(Sees("teams in the CSV file", csv_rows, {"program_admin": 2}),),
    ),
    # A table the page does not have is not found, for those who may read the tables.
    "dashboards:analytics_csv an unknown table": Row(
        lambda w: program(w) | {"table": "people"}, get=Allow(ADMIN, 404)
    ),
    "programs:self_assessment": Row(
        program, get=Allow(PARTICIPANTS), post=Allow(PARTICIPANTS, 400)
    ),
    "dashboards:report": Row(program, get=Allow(ADMIN)),
    "dashboards:report_csv": Row(program, get=Allow(ADMIN)),
    "dashboards:report_pdf": Row(program, get=Allow(ADMIN)),
    "programs:self_assessment_close": Row(
        program, post=Allow(ADMIN, 302, data=lambda w: {"stage": "baseline"})
    ),
    "coaching:notes": Row(
        team,
        get=Allow(("coach",)),
        sees=(Sees("coach notes", links(r"/coaching/notes/\d+/"), {"coach": 1}),),
    ),
    "coaching:note_new": Row(team, get=Allow(("coach",)), post=Allow(("coach",), 400)),
    "coaching:note": Row(
        lambda w: {"note_id": w.coach_note.pk}, get=Allow(("coach",), hidden=SIGNED_IN)
    ),
    "coaching:pulse": Row(team, get=Allow(PULSE_TAKERS)),
    "coaching:pulse_open": Row(
        team, post=Allow(PULSE_TAKERS, 302, data=lambda w: {"meeting_on": "2026-10-08"})
    ),
    "coaching:pulse_answer": Row(
        lambda w: {"survey_id": w.pulse.pk}, get=Allow(TEAM), post=Allow(TEAM, 400)
    ),
    # Added with the security work: archiving and deleting a program, ending a
    # membership, the partner's unsubscribe link, the benchmarks' smallest page.
    "session_probe": Row(get=Allow(EVERYONE)),
    "programs:archive": Row(program, get=Allow(ADMIN), post=Allow(ADMIN, 302)),
    "programs:restore": Row(program, post=Allow(ADMIN, 302)),
    "programs:delete": Row(program, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "teams:membership_end": Row(
        lambda w: program(w) | {"membership_id": membership_of(w, "teammate")},
        get=Allow(ADMIN),
        post=Allow(ADMIN, 302),
    ),
    "teams:membership_restore": Row(
        lambda w: program(w) | {"membership_id": membership_of(w, "former_participant")},
        post=Allow(ADMIN, 302),
    ),
    # An accountability partner from outside the program has no account: the signed
    # address in the link is the credential.
    "notifications:partner_unsubscribe": Row(
        lambda w: {"token": partner_opt_out_token("alex.mentor@example.com")},
        public=True,
        get=Allow(ROLES),
        post=Allow(ROLES),
    ),
}


def participants_notification(w: World) -> dict[str, Any]:
    notification = Notification.objects.get(recipient=w.participant, dedupe_key="matrix")
    return {"notification_id": notification.pk}


def notification_unsubscribe(w: World) -> dict[str, Any]:
    kind = Kind.DOOR_ANSWERED
    return {"kind": kind, "token": notification_emails.unsubscribe_token(w.participant, kind)}


# A person's notifications are theirs alone: everyone signed in has a centre and settings,
# and another person's notification does not exist for them.
ROWS |= {
    "notifications:centre": Row(get=Allow(EVERYONE)),
    "notifications:unread": Row(get=Allow(EVERYONE)),
    "notifications:mark_all_read": Row(post=Allow(EVERYONE, 302)),
    "notifications:open": Row(
        participants_notification, get=Allow(("participant",), 302, hidden=SIGNED_IN)
    ),
    "notifications:mark_read": Row(
        participants_notification, post=Allow(("participant",), 302, hidden=SIGNED_IN)
    ),
    "notifications:settings": Row(
        get=Allow(EVERYONE),
        post=Allow(
            EVERYONE,
            302,
            data=lambda w: dict.fromkeys(Kind.values, "now") | {"digest_hour": "8"},
        ),
    ),
    # The signed link is the credential (a mail client's one-click POST has no session).
    "notifications:unsubscribe": Row(
        notification_unsubscribe, public=True, get=Allow(ROLES), post=Allow(ROLES)
    ),
    "notifications:resubscribe": Row(
        notification_unsubscribe,
        public=True,
        post=Allow(ROLES, data=lambda w: {"kinds": [Kind.DOOR_ANSWERED], "email": "now"}),
    ),
    # Any member of the program may ask for its milestones as calendar invitations.
    "notifications:milestone_invitations": Row(program, post=Allow(ACTIVE_MEMBERS, 302)),
}


def membership_of(w: World, role: str) -> int:
    return Membership.objects.get(user=getattr(w, role), program=w.program).pk


# Ids crossed between programs and projects: our program (or project) in the URL, with the
# id of an object of another program (or of the other team's project). Whoever could open
# the object's page in our program finds nothing (404); the rest are refused as usual.


def ours_with_theirs(url_kwargs: Callable[[World], dict[str, Any]], **theirs: str) -> Any:
    return lambda w: url_kwargs(w) | {name: w.elsewhere[what] for name, what in theirs.items()}


def crossed(
    kwargs: Callable[[World], dict[str, Any]],
    finders: tuple[str, ...],
    *,
    get: bool = False,
    post: bool = False,
) -> Row:
    finds_nothing = Allow(hidden=finders)
    return Row(
        kwargs,
        get=finds_nothing if get else NOT_ALLOWED,
        post=finds_nothing if post else NOT_ALLOWED,
    )


THEIR_COHORT = ours_with_theirs(program, cohort_id="cohort")
ROWS |= {
    "programs:cohort_edit (their cohort)": crossed(THEIR_COHORT, ADMIN, get=True, post=True),
    "programs:milestone_edit (their milestone)": crossed(
        ours_with_theirs(program, milestone_id="milestone"), ADMIN, get=True, post=True
    ),
    "programs:milestone_delete (their milestone)": crossed(
        ours_with_theirs(program, milestone_id="milestone"), ADMIN, get=True, post=True
    ),
    "programs:invitation_resend (their invitation)": crossed(
        ours_with_theirs(program, invitation_id="invitation"), ADMIN, post=True
    ),
    "programs:invitation_revoke (their invitation)": crossed(
        ours_with_theirs(program, invitation_id="invitation"), ADMIN, post=True
    ),
    "teams:import_preview (their import)": crossed(
        ours_with_theirs(program, import_id="import"), ADMIN, get=True
    ),
    "teams:import_confirm (their import)": crossed(
        ours_with_theirs(program, import_id="import"), ADMIN, post=True
    ),
    "teams:import_rejected (their import)": crossed(
        ours_with_theirs(program, import_id="import"), ADMIN, get=True
    ),
    "teams:builder (their cohort)": crossed(THEIR_COHORT, ADMIN, get=True),
    "teams:builder_assign (their cohort)": crossed(THEIR_COHORT, ADMIN, post=True),
    "teams:builder_team_create (their cohort)": crossed(THEIR_COHORT, ADMIN, post=True),
    "teams:builder_propose (their cohort)": crossed(THEIR_COHORT, ADMIN, get=True, post=True),
    "teams:builder_team_advisors (their team)": crossed(
        ours_with_theirs(cohort, team_id="team"), ADMIN, post=True
    ),
    "teams:builder_team_delete (their team)": crossed(
        ours_with_theirs(cohort, team_id="team"), ADMIN, get=True, post=True
    ),
    "teams:builder_team_rename (their team)": crossed(
        ours_with_theirs(cohort, team_id="team"), ADMIN, post=True
    ),
    "projects:action_row (their action)": crossed(
        ours_with_theirs(project, action_id="action"), TEAM_READERS, get=True
    ),
    # Only the team edits; the others are refused before the action is looked up.
    "projects:action_edit (their action)": crossed(
        ours_with_theirs(project, action_id="action"), TEAM, get=True, post=True
    ),
    "projects:door_answer (their door)": crossed(
        ours_with_theirs(project, door_id="door"), ("sponsor",), post=True
    ),
    "projects:amendment_decide (their amendment)": crossed(
        ours_with_theirs(project, amendment_id="amendment"), ("sponsor",), post=True
    ),
    "teams:membership_end (their membership)": crossed(
        ours_with_theirs(program, membership_id="membership"), ADMIN, get=True, post=True
    ),
    "teams:membership_restore (their membership)": crossed(
        ours_with_theirs(program, membership_id="membership"), ADMIN, post=True
    ),
    "projects:update_comment (their update)": crossed(
        ours_with_theirs(project, update_id="update"), ("sponsor",), post=True
    ),
}


# Organisations and reflection prompts ------------------------------------------------------
# An organisation's pages are its admins'. Everyone the organisation knows (a profile or a
# membership in one of its programs) gets 403; whoever it does not know gets 404, the
# site's operator included: they create organisations, they do not run them.

ORG_ADMIN = ("org_admin",)
# The admin of another program has a membership in the organisation, so is known to it.
KNOWN_TO_THE_ORG = {"other_program_admin": 403}


def organization(w: World) -> dict[str, Any]:
    return {"organization_id": w.program.organization_id}


def unit(w: World) -> dict[str, Any]:
    return organization(w) | {"unit_id": w.participant.profiles.get().unit_id}


def their_unit(w: World) -> dict[str, Any]:
    elsewhere = f.OrganizationFactory(name="Hillcrest Clinics")
    return organization(w) | {"unit_id": f.UnitFactory(organization=elsewhere).pk}


def organization_admin(w: World) -> dict[str, Any]:
    return organization(w) | {"admin_id": w.org_admin.organization_admin_roles.get().pk}


def _organization_invitation(w: World) -> OrganizationInvitation:
    invitation, _ = OrganizationInvitation.objects.get_or_create(
        organization=w.program.organization,
        email="next-org-admin@example.org",
        defaults={"nonce": "o", "expires_at": timezone.now() + datetime.timedelta(days=5)},
    )
    return invitation


def organization_invitation(w: World) -> dict[str, Any]:
    return {"token": organization_invitation_token(_organization_invitation(w))}


def organization_invitation_id(w: World) -> int:
    return _organization_invitation(w).pk


def stranger(w: World) -> int:
    """A person the world's organisation does not know."""
    found = User.objects.filter(email="stranger@example.net").first()
    return (found or f.UserFactory(email="stranger@example.net")).pk


def prompt(w: World) -> dict[str, Any]:
    found, _ = Prompt.objects.get_or_create(
        program=w.program, text="What did you notice?", defaults={"week_number": 2}
    )
    return program(w) | {"prompt_id": found.pk}


def org_page(status: int = 200) -> Allow:
    return Allow(ORG_ADMIN, status, but=KNOWN_TO_THE_ORG)


# Another organisation's unit under our organisation's id: nothing, for our admin.
THEIR_UNIT = Allow(hidden=ORG_ADMIN, but=KNOWN_TO_THE_ORG)


ROWS |= {
    "programs:organizations": Row(
        get=Allow(("site_admin",), outsiders=403),
        post=Allow(("site_admin",), 400, outsiders=403),
    ),
    "programs:organization_site_invite": Row(
        organization, post=Allow(("site_admin",), 302, outsiders=403)
    ),
    "programs:organization": Row(organization, get=org_page()),
    "programs:unit_create": Row(organization, post=org_page(400)),
    "programs:unit_edit": Row(unit, get=org_page(), post=org_page(400)),
    "programs:unit_edit (their unit)": Row(their_unit, get=THEIR_UNIT, post=THEIR_UNIT),
    "programs:unit_merge": Row(unit, get=org_page(), post=org_page(400)),
    "programs:unit_merge (their unit)": Row(their_unit, get=THEIR_UNIT, post=THEIR_UNIT),
    "programs:unit_retire": Row(unit, post=org_page(302)),
    "programs:unit_restore": Row(unit, post=org_page(302)),
    "programs:organization_time_zone": Row(organization, post=org_page(400)),
    "programs:organization_admin_invite": Row(organization, post=org_page(400)),
    # The only admin is asked, then told it cannot be removed (302 back with the reason).
    "programs:organization_admin_remove": Row(
        organization_admin, get=org_page(), post=org_page(302)
    ),
    "programs:organization_invitation_revoke": Row(
        lambda w: organization(w) | {"invitation_id": organization_invitation_id(w)},
        post=org_page(302),
    ),
    "programs:organization_invitation": Row(
        organization_invitation,
        public=True,
        get=Allow(ROLES),
        post=Allow(SIGNED_IN, 409, but={ANONYMOUS: 302}),
    ),
    "programs:organization_invitation_signup": Row(
        organization_invitation, public=True, get=Allow(ROLES), post=Allow(ROLES, 400)
    ),
    # Single sign-on: the settings page (POST without the fields: 400), the people page,
    # and "deactivate", which asks first and answers a person outside the organisation's
    # sign-on domains (none in the world) with a message (302); a person the
    # organisation does not know does not exist for its admin.
    "programs:organization_sign_on": Row(organization, get=org_page(), post=org_page(400)),
    "programs:organization_people": Row(organization, get=org_page()),
    "programs:organization_deactivate": Row(
        lambda w: organization(w) | {"user_id": w.participant.pk},
        get=org_page(),
        post=org_page(302),
    ),
    "programs:organization_deactivate (a stranger)": Row(
        lambda w: organization(w) | {"user_id": stranger(w)},
        get=THEIR_UNIT,
        post=THEIR_UNIT,
    ),
    # "Continue with your organisation" on the sign-in page: without an address it goes
    # back to the sign-in page, for anyone.
    "organization_sign_in": Row(public=True, post=Allow(ROLES, 302)),
    # OpenID Connect back-channel logout: the organisation's provider POSTs a signed
    # logout token, server to server (no session, no CSRF token). The world's
    # organisation has no provider in use: 404 for everyone; GET is refused (405).
    "sso_backchannel_logout": Row(
        organization,
        public=True,
        get=NOT_ALLOWED,
        post=Allow(others=404, outsiders=404, data=lambda w: {"logout_token": "x"}),
    ),
    "reflections:prompts": Row(program, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "reflections:prompt_edit": Row(prompt, get=Allow(ADMIN), post=Allow(ADMIN, 400)),
    "reflections:prompt_delete": Row(prompt, get=Allow(ADMIN), post=Allow(ADMIN, 302)),
}


def post_data(allow: Allow, w: World) -> dict[str, Any]:
    # A browser's form always sends something (at least its CSRF token), so a form view
    # never sees an empty POST; "matrix" stands in for it.
    return {"matrix": "1", **allow.data(w)}


def url_of(key: str, w: World) -> str:
    row = ROWS[key]
    url = reverse(key.split(" ", 1)[0], kwargs=row.kwargs(w))
    return f"{url}?{row.query}" if row.query else url


# The matrix ----------------------------------------------------------------------------------


def counted(sees: tuple[Sees, ...], role: str, response: HttpResponse, where: str) -> list[str]:
    problems = []
    for list_ in sees:
        if role not in list_.by_role:
            problems.append(f"{where}: no count of {list_.what} for this role")
            continue
        seen = list_.count(response)
        if len(seen) != list_.by_role[role]:
            problems.append(
                f"{where}: sees {len(seen)} {list_.what}, expected "
                f"{list_.by_role[role]}: {sorted(seen)}"
            )
    return problems


def check_row(w: World, key: str) -> tuple[list[str], int]:
    """Every role × method for one row: the mismatches, and how many cases were checked."""
    row = ROWS[key]
    kwargs = row.kwargs(w)
    url = url_of(key, w)
    missing_url = reverse(key.split(" ", 1)[0], kwargs=missing(kwargs))
    if row.query:
        missing_url += f"?{row.query}"
    takes_ids = any(isinstance(value, int) for value in kwargs.values())
    problems: list[str] = []
    cases = 0
    for method, allow in (("get", row.get), ("post", row.post)):
        data = post_data(allow, w) if method == "post" else {}
        for role in ROLES:
            cases += 1
            expected = row.expected(method, role)
            response = send(w, role, method, url, data)
            got = response.status_code
            where = f"{method.upper()} as {role}"
            if got != expected:
                problems.append(f"{where}: expected {expected}, got {got}")
                continue
            if (
                role == ANONYMOUS
                and not row.public
                and not response["Location"].startswith(reverse("account_login"))
            ):
                problems.append(f"{where}: sent to {response['Location']}, not to sign in")
            if got == 404 and takes_ids and role != ANONYMOUS:
                # The object does not exist for them: the page must not tell otherwise.
                absent = send(w, role, method, missing_url, data)
                if absent.status_code != 404 or main_region(absent.content) != main_region(
                    response.content
                ):
                    problems.append(f"{where}: the 404 differs from a missing id's")
            if method == "get" and got == 200:
                problems += counted(row.sees, role, response, where)
    return problems, cases


# Added with fixed audiences (DESIGN.md, privacy rule 7): sharing an entry again, and
# handing coach notes over.
ROWS |= {
    "reflections:share_again": Row(
        lambda w: {"reflection_id": w.team_shared_reflection},
        post=Allow(("participant",), 302, hidden=SIGNED_IN),
    ),
    # Only a coach who wrote notes on the team (the world's coach) hands them over.
    "coaching:note_handover": Row(team, get=Allow(("coach",)), post=Allow(("coach",), 400)),
}


# Team sessions: the team's members and coach schedule and change them; the sponsor is
# invited too; a program admin sees attendance as completion only, never the session.
SESSION_SCHEDULERS = (*TEAM, "coach")
SESSION_INVITEES = (*SESSION_SCHEDULERS, "sponsor")


def team_session(w: World) -> dict[str, Any]:
    return {"session_id": TeamSession.objects.get(team=w.team).pk}


ROWS |= {
    "coaching:schedule": Row(
        team, get=Allow(SESSION_SCHEDULERS), post=Allow(SESSION_SCHEDULERS, 400)
    ),
    "coaching:detail": Row(team_session, get=Allow(SESSION_INVITEES)),
    "coaching:change": Row(
        team_session, get=Allow(SESSION_SCHEDULERS), post=Allow(SESSION_SCHEDULERS, 400)
    ),
    "coaching:calendar": Row(team_session, get=Allow(SESSION_INVITEES)),
    # Running it: the team and its coach; the learning round is the members' own (the coach
    # is told so); the coach alone extends the program's question bank.
    "coaching:run": Row(team_session, get=Allow(SESSION_SCHEDULERS)),
    "coaching:start": Row(team_session, post=Allow(SESSION_SCHEDULERS, 302)),
    "coaching:attendance": Row(team_session, post=Allow(SESSION_SCHEDULERS, 302)),
    "coaching:run_notes": Row(team_session, post=Allow(SESSION_SCHEDULERS, 302)),
    "coaching:action_new": Row(team_session, post=Allow(SESSION_SCHEDULERS, 400)),
    "coaching:learning": Row(
        team_session, post=Allow(SESSION_SCHEDULERS, 400, but={"coach": 302})
    ),
    "coaching:end": Row(team_session, post=Allow(SESSION_SCHEDULERS, 302)),
    "coaching:question_new": Row(team_session, post=Allow(("coach",), 400)),
    # The coach's one tap: theirs alone.
    "coaching:intervene": Row(team_session, post=Allow(("coach",), 400)),
    # The coach's record is shared with the team (or no longer) by that coach alone.
    "coaching:share_record": Row(
        team_session, post=Allow(("coach",), 302, data=lambda w: {"share": "yes"})
    ),
    "coaching:share_record stop": Row(
        team_session, post=Allow(("coach",), 302, data=lambda w: {"share": "no"})
    ),
}


# The Django admin's password pages for someone else's account (tests/security/adversary/
# test_site_admin_takeover.py): whoever is not staff is sent to the admin's sign-in; the
# matrix's site admin is staff without the right to change people, so gets 403.
NOT_STAFF = Allow(others=302, outsiders=302, but={"site_admin": 403})
ROWS |= {
    "admin:auth_user_password_change": Row(
        lambda w: {"id": w.cast.participant.pk}, get=NOT_STAFF, post=NOT_STAFF
    ),
    "admin:programs_user_send_password_reset": Row(
        lambda w: {"user_id": w.cast.participant.pk},
        get=Allow(others=302, outsiders=302, but={"site_admin": 405}),
        post=NOT_STAFF,
    ),
}


@pytest.mark.parametrize("key", list(ROWS))
def test_each_role_gets_what_its_rights_give(
    world: World, db: None, matrix_tally: dict[str, int], key: str
) -> None:
    problems, cases = check_row(world, key)
    matrix_tally[key] = cases
    assert not problems, f"{key} ({url_of(key, world)}):\n  " + "\n  ".join(problems)


def test_forbidden_page_says_why_in_words(world: World, db: None) -> None:
    response = send(
        world, "other_participant", "get", reverse("teams:detail", args=[world.team.pk])
    )
    assert response.status_code == 403
    assert b"Only this team, its coach, its sponsor and program admins" in response.content


def test_a_rolled_back_request_leaves_nothing_behind(world: World, db: None) -> None:
    # The matrix relies on this: the admin's deletion is gone for the next request.
    url = reverse("programs:milestone_delete", args=[world.program.pk, world.milestone.pk])
    assert send(world, "program_admin", "post", url).status_code == 302
    assert Milestone.objects.filter(pk=world.milestone.pk).exists()
    assert send(world, "program_admin", "get", url).status_code == 200


# The guard -----------------------------------------------------------------------------------


def all_url_patterns(
    resolver: URLResolver, namespace: str = "", route: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_url_patterns(entry, ns, route + str(entry.pattern))
        else:
            yield f"{namespace}{entry.name}", route + str(entry.pattern), entry


def project_url_names() -> set[str]:
    """Every named URL pattern whose view is one of our apps'."""
    return {
        name
        for name, _route, entry in all_url_patterns(get_resolver())
        if entry.callback.__module__.split(".")[0] in OUR_APPS
    }


def test_every_url_pattern_of_our_apps_has_a_row() -> None:
    untested = project_url_names() - {key.split(" ", 1)[0] for key in ROWS}
    assert not untested, f"add these URLs to ROWS in tests/test_access.py: {sorted(untested)}"


def test_every_row_names_a_url_that_exists() -> None:
    stale = {key.split(" ", 1)[0] for key in ROWS} - project_url_names()
    assert not stale, f"these rows name no URL pattern of our apps: {sorted(stale)}"


def test_the_guard_sees_pages_with_and_without_ids() -> None:
    # The guard above would pass vacuously if it found nothing; it must see these.
    assert {
        "home",
        "healthz",
        "reflections:export",
        "teams:detail",
        "projects:detail",
        "dashboards:program",
        "dashboards:coach_dashboard",
        "reflections:calendar_feed_ics",
    } <= project_url_names()


# Places that changed hands (DESIGN.md, privacy rule 7) --------------------------------------
#
# After the world's writing was shared, three people change places: the program admin makes
# herself a coach and takes the team over (a program admin who is also a coach), so the
# world's coach is a replaced coach, and the teammate is moved to the other team. Each row
# says what each of them gets now: the writing shared before the change is not theirs.

CHANGED = ("program_admin", "coach", "teammate")


def change_hands(w: World) -> None:
    admin = w.program_admin
    do_add_membership(program=w.program, user=admin, role=Role.COACH, by=admin)
    do_set_advisors(team=w.team, coach=admin, sponsor=w.sponsor, by=admin)
    do_assign_member(cohort=w.team.cohort, user=w.teammate, team=w.other_team, by=admin)


@dataclass(frozen=True)
class AfterChange:
    url: Callable[[World], str]
    status: Mapping[str, int]
    # On a list page: how many of `what` each of them sees.
    sees: tuple[Sees, ...] = ()


AFTER_CHANGE: dict[str, AfterChange] = {
    "a team entry shared before": AfterChange(
        lambda w: reverse("reflections:detail", args=[w.team_shared_reflection]),
        {"program_admin": 404, "coach": 404, "teammate": 404},
    ),
    "a check-in shared with the coach before": AfterChange(
        lambda w: reverse("reflections:checkin_detail", args=[w.coach_shared_checkin]),
        {"program_admin": 404, "coach": 404, "teammate": 404},
    ),
    "a team reflection saved before": AfterChange(
        lambda w: reverse("reflections:team_detail", args=[w.sponsor_shared_team_reflection]),
        {"program_admin": 403, "coach": 403, "teammate": 403},
    ),
    "the previous coach's note": AfterChange(
        lambda w: reverse("coaching:note", args=[w.coach_note.pk]),
        # Its author keeps their own note while a coach in the program.
        {"program_admin": 404, "coach": 200, "teammate": 404},
    ),
    "the team's coach notes": AfterChange(
        lambda w: reverse("coaching:notes", args=[w.team.pk]),
        {"program_admin": 200, "coach": 403, "teammate": 403},
        (Sees("coach notes", links(r"/coaching/notes/\d+/"), {"program_admin": 0}),),
    ),
    "the team's reflections": AfterChange(
        lambda w: reverse("reflections:team_list", args=[w.team.pk]),
        {"program_admin": 200, "coach": 403, "teammate": 403},
        (Sees("team reflections", links(r"/team-reflections/\d+/"), {"program_admin": 0}),),
    ),
    "what is shared with me": AfterChange(
        lambda w: reverse("reflections:shared", args=[w.program.pk]),
        {"program_admin": 200, "coach": 200, "teammate": 200},
        (
            Sees(
                "entries and check-ins shared with me",
                links(r"/(?:reflections|check-ins)/\d+/"),
                # The new team's entry was shared before the teammate joined it.
                {"program_admin": 0, "coach": 0, "teammate": 0},
            ),
        ),
    ),
    "the team page": AfterChange(
        lambda w: reverse("teams:detail", args=[w.team.pk]),
        {"program_admin": 200, "coach": 403, "teammate": 403},
    ),
}


@pytest.mark.parametrize("key", list(AFTER_CHANGE))
def test_places_that_changed_hands_open_nothing_shared_before(
    world: World, db: None, key: str
) -> None:
    row = AFTER_CHANGE[key]
    problems = []
    with rolled_back():
        change_hands(world)
        url = row.url(world)
        for role in CHANGED:
            response = send(world, role, "get", url)
            where = f"GET {url} as {role}"
            if response.status_code != row.status[role]:
                problems.append(
                    f"{where}: expected {row.status[role]}, got {response.status_code}"
                )
            elif response.status_code == 200:
                problems += counted(row.sees, role, response, where) if row.sees else []
    assert not problems, "\n  ".join(problems)
