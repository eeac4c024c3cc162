"""The demo program: an academic health system running a leadership academy.

Idempotent: people, teams and projects are found by their natural keys, so loading it
again changes nothing and creates no duplicates.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from devtools.demo.coach_tools import seed_coaching, seed_showcase
from devtools.demo.coaching import seed_sessions
from devtools.demo.notifications import (
    seed_calendar_invitations,
    seed_notifications,
    seed_reminder_log,
)
from devtools.demo.projects import seed_project_work
from devtools.demo.reflections import seed_reflections
from devtools.demo.results import seed_completed_project
from notifications.digests import DIGEST_TIME, DIGEST_WEEKDAY
from notifications.models import ReminderDelivery
from programs.models import (
    Cohort,
    Discipline,
    Invitation,
    Membership,
    Milestone,
    Organization,
    OrganizationSignOn,
    Profile,
    Program,
    Role,
    SignOnProtocol,
    User,
)
from programs.org_services import (
    do_accept_organization_invitation,
    do_add_unit,
    do_create_organization,
    do_grant_organization_admin,
)
from programs.services import do_add_membership, do_create_program, do_ensure_person
from programs.sso import do_configure_sign_on
from projects.models import (
    CharterAmendment,
    Criterion,
    CriterionAssessment,
    Phase,
    Project,
    ProjectType,
)
from projects.services import (
    do_approve_charter,
    do_decide_amendment,
    do_edit_charter_section,
    do_name_project,
    do_propose_amendment,
    do_review_criterion,
    do_save_rationale,
    do_submit_charter,
)
from reflections.models import CheckIn, Plan, ReminderKind
from reflections.weeks import LocalWeek
from teams.models import Team, TeamMember
from teams.services import do_add_team_member, do_create_team, do_set_advisors

DEMO_PASSWORD = "actionlab-demo"  # noqa: S105  (printed for newcomers; demo data only)
DOMAIN = "riverside-health.example"
ORGANIZATION = "Riverside Academic Health System"
PROGRAM = "System Leadership Academy 2026–27"

UNITS = [
    "Emergency Medicine",
    "Internal Medicine",
    "Surgical Services",
    "Nursing Administration",
    "Pharmacy",
    "Quality & Patient Safety",
    "Finance",
    "Information Services",
    "Pediatrics",
    "Cardiology",
]


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    unit: str
    discipline: str
    title: str
    time_zone: str = "America/New_York"

    @property
    def email(self) -> str:
        return f"{self.first}.{self.last}@{DOMAIN}".lower().replace(" ", "").replace("'", "")


ADMIN = Person(
    "Dana",
    "Whitfield",
    "Nursing Administration",
    Discipline.ADMINISTRATOR,
    "Director, Leadership Development",
)
# Runs Riverside in ActionLab: its units, its admins, and starting its programs.
ORG_ADMIN = Person(
    "Renee",
    "Castillo",
    "Nursing Administration",
    Discipline.ADMINISTRATOR,
    "Chief Learning Officer",
)
COACHES = [
    Person(
        "Marcus",
        "Oyelaran",
        "Quality & Patient Safety",
        Discipline.ADMINISTRATOR,
        "Organizational Development Consultant",
    ),
    Person(
        "Ingrid",
        "Halvorsen",
        "Nursing Administration",
        Discipline.NURSE,
        "Nurse Educator and Certified Coach",
        "Europe/Oslo",
    ),
    Person("Tomás", "Ribeiro", "Internal Medicine", Discipline.PHYSICIAN, "Physician Coach"),
    Person("Leah", "Abernathy", "Finance", Discipline.ADMINISTRATOR, "Executive Coach"),
]
SPONSORS = [
    Person(
        "Evelyn",
        "Castellanos",
        "Emergency Medicine",
        Discipline.PHYSICIAN,
        "Chief Medical Officer",
    ),
    Person(
        "Robert", "Nakamura", "Nursing Administration", Discipline.NURSE, "Chief Nursing Officer"
    ),
    Person(
        "Priya",
        "Raman",
        "Cardiology",
        Discipline.PHYSICIAN,
        "Vice President, Heart and Vascular Service Line",
    ),
    Person(
        "Gregory",
        "Lindqvist",
        "Pharmacy",
        Discipline.ADMINISTRATOR,
        "Vice President, Clinical Operations",
    ),
]

P = Discipline.PHYSICIAN
N = Discipline.NURSE
A = Discipline.ADMINISTRATOR
AH = Discipline.ALLIED_HEALTH

TEAMS: list[dict[str, Any]] = [
    {
        "name": "Flow Forward",
        "project": {
            "title": "Cut emergency department boarding time for admitted patients",
            "type": ProjectType.PILOT,
            "phase": Phase.CARRYING_OUT,
            "problem": (
                "Admitted patients wait a median of 7.5 hours in the emergency department "
                "for an inpatient bed, which delays care and blocks ambulance arrivals."
            ),
            "alignment": "System goal 2: timely access to care; the board's capacity plan.",
            "outcomes": (
                "A daily 10 a.m. bed huddle and early-discharge pull on two medicine units."
            ),
            "measures": "Median boarding time under 4 hours; ambulance diversion hours halved.",
            "scope": "Two medicine units and the adult ED; pediatrics is out of scope.",
        },
        "members": [
            Person("Aisha", "Mensah", "Emergency Medicine", P, "Attending Physician"),
            Person("Kevin", "O'Brien", "Nursing Administration", N, "Nurse Manager, 5 West"),
            Person("Sofia", "Delgado", "Finance", A, "Senior Financial Analyst"),
            Person("Hannah", "Becker", "Internal Medicine", P, "Hospitalist"),
            Person(
                "Daniel",
                "Osei",
                "Information Services",
                A,
                "Clinical Systems Analyst",
                "America/Chicago",
            ),
            Person("Mei", "Lin", "Pharmacy", AH, "Clinical Pharmacist", "America/Los_Angeles"),
        ],
    },
    {
        "name": "Safe Passage",
        "project": {
            "title": "Spread nurse-led discharge huddles across the medicine service",
            "type": ProjectType.SPREAD,
            "phase": Phase.CRAFTING,
            "problem": (
                "Discharge huddles on 4 East reduced readmissions, but no other unit has "
                "adopted them."
            ),
            "alignment": "System goal 1: safe transitions of care.",
            "outcomes": "Huddles running on six medicine units with a shared checklist.",
            "measures": "30-day readmissions; discharge-before-noon rate.",
            "scope": "Adult medicine units at the main campus.",
        },
        "members": [
            Person("Grace", "Adeyemi", "Nursing Administration", N, "Charge Nurse"),
            Person("Samuel", "Whitaker", "Surgical Services", P, "General Surgeon"),
            Person("Olivia", "Brennan", "Quality & Patient Safety", A, "Quality Improvement Lead"),
            Person("Rahul", "Iyer", "Cardiology", P, "Cardiology Fellow Director", "Asia/Kolkata"),
            Person("Chloe", "Martin", "Finance", A, "Revenue Cycle Manager"),
            Person(
                "Jamal",
                "Carter",
                "Pediatrics",
                N,
                "Clinical Nurse Specialist",
                "America/Los_Angeles",
            ),
        ],
    },
    {
        "name": "Heart at Home",
        "project": {
            "title": "Community paramedicine partnership for heart failure follow-up",
            "type": ProjectType.PARTNERSHIP,
            "phase": Phase.CRAFTING,
            "problem": (
                "One in four heart failure patients returns within 30 days; many miss the "
                "first follow-up visit."
            ),
            "alignment": "Value-based care contract; community health needs assessment.",
            "outcomes": "Home visits within 72 hours of discharge by county paramedics.",
            "measures": "Follow-up within 7 days above 80%; readmissions down by a fifth.",
            "scope": "Patients discharged home in the county; nursing homes are out of scope.",
        },
        "members": [
            Person("Fatima", "Haddad", "Cardiology", N, "Heart Failure Nurse Navigator"),
            Person("Benjamin", "Clarke", "Emergency Medicine", P, "EMS Medical Director"),
            Person("Yuki", "Tanaka", "Information Services", A, "Interoperability Manager"),
            Person("Laura", "Schmidt", "Pharmacy", AH, "Ambulatory Care Pharmacist"),
            Person("Marcus", "Bell", "Finance", A, "Contracting Manager"),
            Person("Elena", "Popescu", "Internal Medicine", P, "Primary Care Physician"),
        ],
    },
    {
        "name": "Right Med, Right Time",
        "project": {
            "title": "Experiment: pharmacist-led medication reconciliation at admission",
            "type": ProjectType.EXPERIMENT,
            "phase": Phase.CRAFTING,
            "problem": (
                "Medication history errors at admission reach a third of patients over 65."
            ),
            "alignment": "Patient safety plan: harm reduction from medication errors.",
            "outcomes": "A four-week trial comparing pharmacist- and physician-led histories.",
            "measures": "Discrepancies per patient; time to complete reconciliation.",
            "scope": "Admissions through the ED to surgery and medicine.",
        },
        "members": [
            Person("Nathan", "Greene", "Pharmacy", AH, "Pharmacy Operations Manager"),
            Person("Isabel", "Moreno", "Surgical Services", N, "Perioperative Nurse Manager"),
            Person("Victor", "Chen", "Internal Medicine", P, "Chief Resident"),
            Person("Amara", "Nwosu", "Quality & Patient Safety", A, "Patient Safety Officer"),
            Person("Ruth", "Goldberg", "Pediatrics", P, "Pediatric Hospitalist"),
            # Reports to Isabel Moreno: the team page flags the reporting line.
            Person("Tyler", "Jensen", "Surgical Services", N, "Staff Nurse, Surgical ICU"),
        ],
        "reports_to": {"tyler.jensen": "isabel.moreno"},
    },
]


MILESTONES = [
    (Milestone.Kind.KICKOFF, "Kickoff retreat", datetime.timedelta(days=0)),
    (Milestone.Kind.CHARTER_DUE, "Project charters due", datetime.timedelta(weeks=6)),
    (
        Milestone.Kind.MIDPOINT_REVIEW,
        "Mid-point review with sponsors",
        datetime.timedelta(weeks=19),
    ),
    (Milestone.Kind.SHOWCASE, "Showcase to the executive team", datetime.timedelta(weeks=36)),
    (
        Milestone.Kind.TRANSITION,
        "Projects handed to their new owners",
        datetime.timedelta(weeks=39),
    ),
]

LATECOMERS = [
    Person("Noah", "Fischer", "Cardiology", AH, "Cardiac Rehabilitation Lead"),
    Person("Zara", "Ahmed", "Finance", A, "Budget Analyst"),
    Person("Owen", "Gallagher", "Emergency Medicine", N, "ED Nurse Educator"),
]

# A coach who stepped down three weeks ago: the people page lists her as a former member.
FORMER_COACH = Person(
    "Gwen", "Halloran", "Nursing Administration", N, "Director of Nursing Education"
)


RATIONALES = {
    Criterion.MAKE_SOMETHING_HAPPEN: "We change how beds are assigned on two units, not a report.",
    Criterion.ENGAGE_OTHERS: "Bed management, nursing, finance, IT and EMS all have a part.",
    Criterion.BEYOND_EXPERTISE: "None of us has run patient flow; we learn it together.",
    Criterion.STRATEGIC: "Access is the board's first goal for the next two years.",
    Criterion.CHALLENGE: "Many owners, no single fix, and daily pressure on the wards.",
    Criterion.PROGRAM_GOALS: "Leading across boundaries is what the academy is for.",
}


CHARTER_FIELDS = {
    "problem_statement": "problem",
    "strategic_alignment": "alignment",
    "intended_outcomes": "outcomes",
    "success_measures": "measures",
    "scope": "scope",
}


def seed_charter(team: Team, charter: dict[str, Any], *, by: User) -> Project:
    """The team names its project and writes its charter, through the same services as
    the project page (each a step of the charter's history). A charter already written is
    left as it is."""
    project = Project.objects.get(team=team)
    if project.version > 1 or project.phase != Phase.CRAFTING:
        return project
    project = do_name_project(
        project=project,
        title=charter["title"],
        project_type=charter["type"],
        base_version=project.version,
        by=by,
    )
    for section, key in CHARTER_FIELDS.items():
        project = do_edit_charter_section(
            project=project,
            section=section,
            text=charter[key],
            base_version=project.version,
            by=by,
        )
    return project


def seed_criteria(project: Project, *, sponsor: User, member: User, approve: bool) -> None:
    """Rationales by phase, through the project's services: the project being carried out
    had all six confirmed and its charter approved; one crafting team has submitted its
    charter, the others are still writing."""
    if CriterionAssessment.objects.filter(project=project).exists():
        return
    if approve or project.team.name == "Safe Passage":
        written = list(Criterion)
    else:
        written = list(Criterion)[:3]
    for criterion in written:
        do_save_rationale(project=project, criterion=criterion, rationale=RATIONALES[criterion])
    if len(written) == 6:
        do_submit_charter(project=project, by=member)
    if approve:
        for criterion in written:
            do_review_criterion(
                project=project, criterion=criterion, confirm=True, comment="", by=sponsor
            )
        do_approve_charter(project=project, by=sponsor, comment="Clear and bold. Go.")
        seed_amendment(project, sponsor=sponsor, member=member)


def seed_amendment(project: Project, *, sponsor: User, member: User) -> None:
    """The approved charter was amended once: the team widened its scope for a reason and
    the sponsor approved it (the history shows the change before and after); a second
    proposal waits for the sponsor."""
    if CharterAmendment.objects.filter(project=project).exists():
        return
    project.refresh_from_db()
    first = do_propose_amendment(
        project=project,
        new_texts={
            "scope": project.scope.replace(
                "Two medicine units and the adult ED",
                "Two medicine units, the adult ED and the discharge lounge",
            )
            + " The discharge lounge joins from the second month.",
        },
        reason="The discharge lounge opened early and asked to take part in the pilot.",
        by=member,
    )
    do_decide_amendment(
        amendment=first,
        approve=True,
        comment="Yes: the lounge is where the morning bottleneck clears.",
        by=sponsor,
    )
    project.refresh_from_db()
    do_propose_amendment(
        project=project,
        new_texts={
            "success_measures": project.success_measures.rstrip()
            + "\nPatient experience: discharge-day survey score up by 10%."
        },
        reason="Patients told us the waiting matters more to them than the hour.",
        by=member,
    )


def seed_partner_notes_and_digests(*, program: Program, participant: User) -> None:
    """The demo participant tells her accountability partner when she checks in (a note
    sent for each of her last four check-ins), and each coach had the Monday digest of
    the last four weeks: both appear in the reminder log."""
    Plan.objects.filter(user=participant, program=program).update(notify_partner=True)
    checkins = CheckIn.objects.filter(user=participant, program=program).order_by(
        "-iso_year", "-iso_week"
    )
    sent: list[tuple[User, str, LocalWeek, str, datetime.datetime]] = [
        (
            participant,
            ReminderKind.PARTNER_NUDGE,
            LocalWeek(c.iso_year, c.iso_week),
            c.time_zone,
            c.created_at,
        )
        for c in checkins[:4]
    ]
    for team in Team.objects.filter(cohort__program=program).select_related("coach"):
        coach = team.coach
        if coach is None:
            continue
        zone = coach.zone
        week = LocalWeek.of(timezone.now(), zone)
        for _ in range(4):
            week = week.previous()
            if week.ends_on < program.starts_on:
                break
            monday = week.starts_on + datetime.timedelta(days=DIGEST_WEEKDAY)
            due = datetime.datetime.combine(monday, DIGEST_TIME, tzinfo=zone)
            sent.append((coach, ReminderKind.COACH_DIGEST, week, zone.key, due))
    for user, kind, week, zone_name, due in sent:
        ReminderDelivery.objects.get_or_create(
            user=user,
            program=program,
            kind=kind,
            iso_year=week.iso_year,
            iso_week=week.iso_week,
            defaults={
                "time_zone": zone_name,
                "due_at": due,
                "status": ReminderDelivery.Status.SENT,
                "attempts": 1,
                "planned_by": uuid.uuid4(),
                "created_at": due,
                "queued_at": due,
                "sent_at": due + datetime.timedelta(seconds=3),
            },
        )


def date_the_joining(program: Program) -> None:
    """The demo's people joined at the kickoff, the latecomers three weeks ago: the weeks
    of check-ins before today count on the coach grid and in analytics, which count a
    person from the week they joined. Only the demo's own people are dated, and only
    forward of the date they should have, so seeding again changes nothing."""
    kickoff = datetime.datetime.combine(program.starts_on, datetime.time(9), tzinfo=datetime.UTC)
    late = timezone.now() - datetime.timedelta(weeks=3)
    late_emails = [p.email for p in LATECOMERS]
    at_kickoff = [p.email for p in (ADMIN, FORMER_COACH, *COACHES, *SPONSORS)] + [
        p.email for spec in TEAMS for p in spec["members"]
    ]
    for emails, joined in ((at_kickoff, kickoff), (late_emails, late)):
        Membership.objects.filter(
            program=program, user__email__in=emails, created_at__gt=joined
        ).update(created_at=joined)
        TeamMember.objects.filter(
            team__cohort__program=program, user__email__in=emails, joined_at__gt=joined
        ).update(joined_at=joined)


def monday_on_or_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def holds_programs_of_its_own() -> bool:
    """Whether the database holds a program that is not the demo's: one without any demo
    account among its members (programs a demo account created count as the demo's)."""
    return Program.objects.exclude(memberships__user__email__endswith=f"@{DOMAIN}").exists()


def demo_is_current(today: datetime.date) -> bool:
    """Whether the demo has check-ins of the last two weeks. A demo loaded weeks ago (or by
    an older version of this command) has none, and loading it again brings its weeks of
    check-ins, reflections, pulses and the reminder log up to today."""
    return CheckIn.objects.filter(
        program__name=PROGRAM,
        program__organization__name=ORGANIZATION,
        week_starts_on__gte=monday_on_or_before(today) - datetime.timedelta(weeks=2),
    ).exists()


def demo_logins() -> list[tuple[str, str]]:
    return [
        ("program admin", ADMIN.email),
        ("learning coach", COACHES[0].email),
        ("executive sponsor", SPONSORS[0].email),
        ("participant", TEAMS[0]["members"][0].email),
        ("organisation admin", ORG_ADMIN.email),
    ]


def seed_demo_program() -> list[tuple[str, str]]:
    """Load the demo program, or bring it up to today; the demo logins by role. Run it
    inside `core.events.quiet()`: the demo's notifications are its own."""
    # The operator's path (Organisations → new): the organisation, with an invitation
    # for its first admin, which she accepts below; then its units.
    organization = Organization.objects.filter(name=ORGANIZATION).first()
    org_invitation = None
    if organization is None:
        organization, org_invitation = do_create_organization(
            name=ORGANIZATION,
            time_zone="America/New_York",
            admin_email=ORG_ADMIN.email,
            by=None,
        )
    if not OrganizationSignOn.objects.filter(organization=organization).exists():
        # An example single sign-on (Microsoft Entra ID), not in use: its admin sees
        # what the settings look like without anyone being sent to a tenant that
        # does not exist.
        do_configure_sign_on(
            organization,
            protocol=SignOnProtocol.OIDC,
            domains=[DOMAIN],
            is_active=False,
            email_authoritative=True,
            issuer_url=(
                "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
            ),
            client_id="11111111-2222-3333-4444-555555555555",
            client_secret="example-secret-replace-with-the-tenant-one",  # noqa: S106
        )
    units = {unit.name: unit for unit in organization.units.all()}
    for name in UNITS:
        if name not in units:
            units[name] = do_add_unit(organization=organization, name=name)

    demo_hash = make_password(DEMO_PASSWORD)

    def person(p: Person) -> User:
        user = do_ensure_person(
            email=p.email,
            first_name=p.first,
            last_name=p.last,
            organization=organization,
            unit=units[p.unit],
            discipline=p.discipline,
            job_title=p.title,
            time_zone=p.time_zone,
        )
        if not user.has_usable_password():
            # One hash for every demo account: hashing each would take seconds apiece.
            user.password = demo_hash
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        return user

    org_admin = person(ORG_ADMIN)
    if org_invitation is not None:
        do_accept_organization_invitation(invitation=org_invitation, user=org_admin)
    else:
        do_grant_organization_admin(organization=organization, user=org_admin, by=None)
    admin = person(ADMIN)
    # A nine-month program that began twelve weeks before the first seeding, started
    # by its program admin (New program).
    start = monday_on_or_before(timezone.localdate() - datetime.timedelta(weeks=12))
    program = Program.objects.filter(organization=organization, name=PROGRAM).first()
    if program is None:
        program = do_create_program(
            organization=organization,
            by=admin,
            name=PROGRAM,
            **{
                "starts_on": start,
                "ends_on": start + datetime.timedelta(weeks=39, days=4),
                "description": (
                    "Nine months in which leaders from across Riverside work in "
                    "cross-boundary teams on strategic projects for the system, guided by an "
                    "executive sponsor and a learning coach, and learn by reflecting on that "
                    "work."
                ),
                "learning_goals": (
                    "Lead change across organisational boundaries.\n"
                    "Ask questions that open up a problem before solving it.\n"
                    "Engage stakeholders actively, from informing to enlisting.\n"
                    "Reflect on one's own leadership practice every week."
                ),
                "competencies": (
                    "Leading across boundaries\n"
                    "Asking powerful questions\n"
                    "Engaging stakeholders\n"
                    "Reflective practice\n"
                    "Strategic thinking"
                ),
                "checkin_weekday": Program.Weekday.FRIDAY,
                "checkin_time": datetime.time(9, 0),
            },
        )
    cohort, _ = Cohort.objects.get_or_create(
        program=program,
        name="Cohort 1",
        defaults={"starts_on": program.starts_on, "ends_on": program.ends_on},
    )

    for kind, title, offset in MILESTONES:
        Milestone.objects.get_or_create(
            program=program,
            kind=kind,
            defaults={
                "title": title,
                "due_on": min(program.starts_on + offset, program.ends_on),
            },
        )

    do_add_membership(program=program, user=admin, role=Role.PROGRAM_ADMIN)
    logins = [("program admin", admin.email)]
    for index, spec in enumerate(TEAMS):
        coach = person(COACHES[index])
        sponsor = person(SPONSORS[index])
        do_add_membership(program=program, user=coach, role=Role.COACH)
        do_add_membership(program=program, user=sponsor, role=Role.SPONSOR)
        team = Team.objects.filter(cohort=cohort, name=spec["name"]).first()
        if team is None:
            # The builder's services: the team comes with its project, in crafting.
            team = do_create_team(cohort=cohort, name=spec["name"])
            do_set_advisors(team=team, coach=coach, sponsor=sponsor)
        members = {}
        for member_spec in spec["members"]:
            user = person(member_spec)
            do_add_membership(program=program, user=user, role=Role.PARTICIPANT, cohort=cohort)
            do_add_team_member(team=team, user=user)
            members[user.email.split("@")[0]] = user
        for report, manager in spec.get("reports_to", {}).items():
            Profile.objects.filter(user=members[report], organization=organization).update(
                reports_to=members[manager]
            )
        project = seed_charter(team, spec["project"], by=next(iter(members.values())))
        seed_criteria(
            project,
            sponsor=sponsor,
            member=next(iter(members.values())),
            approve=spec["project"]["phase"] == Phase.CARRYING_OUT,
        )
        project.refresh_from_db()
        seed_project_work(project=project, members=list(members.values()), sponsor=sponsor)
        if index == 0:
            logins += [
                ("learning coach", coach.email),
                ("executive sponsor", sponsor.email),
                ("participant", next(iter(members.values())).email),
                ("organisation admin", org_admin.email),
            ]
    # Three participants who joined late: the team builder proposes a team for them.
    for late in LATECOMERS:
        do_add_membership(program=program, user=person(late), role=Role.PARTICIPANT, cohort=cohort)
    now = timezone.now()
    Membership.objects.get_or_create(
        user=person(FORMER_COACH),
        program=program,
        role=Role.COACH,
        defaults={
            "is_active": False,
            "ended_at": now - datetime.timedelta(weeks=3),
            "ending": Membership.Ending.LEFT,
        },
    )
    for email, role, invited_cohort, expires in (
        (f"new.coach@{DOMAIN}", Role.COACH, None, now + datetime.timedelta(days=10)),
        (f"late.joiner@{DOMAIN}", Role.PARTICIPANT, cohort, now - datetime.timedelta(days=3)),
    ):
        Invitation.objects.get_or_create(
            program=program,
            email=email,
            role=role,
            defaults={
                "cohort": invited_cohort,
                "nonce": secrets.token_hex(16),
                "invited_by": admin,
                "sent_at": expires - datetime.timedelta(days=14),
                "expires_at": expires,
            },
        )
    seed_completed_project(program=program)
    date_the_joining(program)
    seed_reflections(program=program)
    seed_reminder_log(program=program)
    seed_coaching(program=program)
    seed_sessions(program=program)
    seed_showcase(program=program)
    seed_partner_notes_and_digests(
        program=program, participant=User.objects.get(email=TEAMS[0]["members"][0].email)
    )
    seed_notifications(program=program)
    seed_calendar_invitations(
        program=program,
        asked_for_milestones=User.objects.get(email=TEAMS[0]["members"][0].email),
    )
    return logins
