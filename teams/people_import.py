"""Import and export of a program's people as CSV.

A program admin uploads a file for one cohort. The file is checked (size, encoding, header,
number of rows) and kept as a `PeopleImport`; nothing else is written. The header is read
the way people write it in a spreadsheet: any case, spaces, hyphens or underscores, in any
order, with common synonyms ("Given name", "E-mail", "Dept", "Manager email"…). The preview
shows, row by row, what confirming would do and what stops it. Confirming checks every row
again against the database as it is then and writes all of them in one transaction, or, when
the admin chooses "import the valid rows", the rows without a problem, keeping the others
for download with the reason each was rejected. The writes are a fixed number of bulk
queries, however long the file.

An import never reaches into another organisation: an existing account that has no profile
in the program's organisation (and no membership in any of its programs) is not enrolled;
it gets an invitation that its owner must accept. Previews show only what the admin typed,
never what an existing account stores. Everyone imported hears of it by email: new people
get an invitation to set up their account, existing members a note that they were added.

The export writes the same columns, so an exported file imports again with no change.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from dataclasses import dataclass, field
from functools import cache

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import mailers
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from core.csv import FORMULA_STARTS, csv_text, unquote
from core.events import announce
from core.mail import compose_email
from core.models import SecurityEvent
from core.security import record_events
from programs.models import (
    Cohort,
    Discipline,
    Invitation,
    Membership,
    OrganizationAdmin,
    Profile,
    Program,
    Role,
    Unit,
    User,
)
from programs.services import do_invite_many
from programs.time_zones import offered_zone_names
from teams.events import TeamsCreated
from teams.history import record_members_placed
from teams.models import PeopleImport, Team, TeamMember

logger = logging.getLogger(__name__)

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "unit",
    "discipline",
    "job_title",
    "role",
    "team",
    "reports_to_email",
    "time_zone",
)
REQUIRED_COLUMNS = ("email", "role")
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
INVITED = "invited"
PROBLEM = "problem"
STATUS_LABELS = {
    NEW: "New person",
    UPDATED: "Updated",
    UNCHANGED: "Unchanged",
    INVITED: "Invitation",
    PROBLEM: "Not imported",
}


class ImportFileError(Exception):
    """Why a file cannot be read as a people file, in words for the admin."""


# Reading the file ------------------------------------------------------------------------


def _choice_key(text: str) -> str:
    """“Allied health”, “allied_health” and “ALLIED-HEALTH” are the same choice."""
    return " ".join(text.replace("_", " ").replace("-", " ").casefold().split())


def _header_key(text: str) -> str:
    """“First name”, “first_name”, “FIRST-NAME” and “Firstname” are the same column."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# What people write at the top of a column, beyond the column's own name.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": ("e-mail", "email address", "e-mail address", "mail", "work email"),
    "first_name": ("first", "given name", "forename", "first names"),
    "last_name": ("last", "surname", "family name"),
    "unit": ("department", "dept", "service line", "site", "unit name"),
    "discipline": ("profession", "professional discipline"),
    "job_title": ("title", "position", "job", "role title"),
    "role": ("program role", "programme role"),
    "team": ("team name", "set", "action learning set"),
    "reports_to_email": (
        "reports to",
        "manager",
        "manager email",
        "manager e-mail",
        "line manager email",
        "supervisor email",
        "reports to e-mail",
    ),
    "time_zone": ("timezone", "tz", "zone", "iana time zone"),
}
HEADERS = {
    _header_key(name): column
    for column, names in HEADER_SYNONYMS.items()
    for name in (column, *names)
}
COLUMN_LABELS = {
    "email": "email",
    "first_name": "first name",
    "last_name": "last name",
    "unit": "unit",
    "discipline": "discipline",
    "job_title": "job title",
    "role": "role",
    "team": "team",
    "reports_to_email": "reports-to email",
    "time_zone": "time zone",
}


def _choices(pairs: list[tuple[str, str]], extra: dict[str, str]) -> dict[str, str]:
    found = {_choice_key(value): value for value, _ in pairs}
    found.update({_choice_key(label): value for value, label in pairs})
    found.update({_choice_key(alias): value for alias, value in extra.items()})
    return found


DISCIPLINES = _choices(Discipline.choices, {})
ROLES = _choices(
    Role.choices,
    {"admin": Role.PROGRAM_ADMIN, "coach": Role.COACH, "sponsor": Role.SPONSOR},
)
DISCIPLINE_LABELS = {value: str(label) for value, label in Discipline.choices}
ROLE_LABELS = {value: str(label) for value, label in Role.choices}


@cache
def _time_zones() -> dict[str, str]:
    """Every zone the picker offers (current IANA names, no legacy aliases such as
    US/Eastern) by its name in lower case, so “europe/london” is Europe/London."""
    return {name.casefold(): name for name in offered_zone_names()}


def _words(labels: list[str]) -> str:
    return ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else "".join(labels)


DISCIPLINE_HELP = _words([str(label) for _, label in Discipline.choices])
ROLE_HELP = _words([str(label) for _, label in Role.choices])


def _unquote(cell: str) -> str:
    """A cell as the person meant it: trimmed, without the quote an export puts in front of
    a value a spreadsheet would take for a formula."""
    return unquote(cell.strip()).strip()


def runs_as_formula(cell: str) -> bool:
    """True for a cell a spreadsheet would run as a formula (see `core.csv`)."""
    return cell.lstrip(" ").startswith(FORMULA_STARTS)


@dataclass(frozen=True)
class SourceRow:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: tuple[str, ...]  # in the order of COLUMNS
    raw: tuple[str, ...] = ()  # as in the file, in the file's order
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceFile:
    header: tuple[str, ...]  # as written in the file
    rows: list[SourceRow]
    ignored: tuple[str, ...] = ()  # header cells that name no column we know


def _read_header(cells: list[str]) -> tuple[list[int | None], list[str]]:
    """Where each of COLUMNS is in the file, and the header cells that name none."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        column = HEADERS.get(_header_key(unquote(cell)))
        if column is None:
            if cell:
                ignored.append(cell)
            continue
        if column in positions:
            raise ImportFileError(
                f"Two columns of the first row mean {COLUMN_LABELS[column]}: "
                f"“{cells[positions[column]]}” and “{cell}”. Keep one of them."
            )
        positions[column] = index
    missing = [COLUMN_LABELS[c] for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        raise ImportFileError(
            f"The first row must name the columns, and at least {_words(missing)}. "
            f"This file's first row is: {', '.join(cells)}. Known columns: "
            f"{', '.join(COLUMNS)} (in any order, any case; e.g. “First name” or "
            "“Reports-to email” are understood too)."
        )
    return [positions.get(column) for column in COLUMNS], ignored


def read_file(text: str) -> SourceFile:
    """The people rows of a file's text, after checking its header and length.

    Raises ImportFileError for a file that cannot be a people file at all.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header: list[str] | None = None
    positions: list[int | None] = []
    ignored: list[str] = []
    rows: list[SourceRow] = []
    try:
        for number, record in enumerate(reader, start=1):
            raw = list(record)
            while raw and not raw[-1].strip():
                raw.pop()
            if not raw:
                continue
            if header is None:
                header = [cell.strip() for cell in raw]
                positions, ignored = _read_header(header)
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} people rows; at most {MAX_ROWS:,} can "
                    "be imported at a time. Split it into smaller files."
                )
            problems: list[str] = []
            if len(raw) > len(header):
                problems.append(
                    f"has {len(raw)} values where the header names {len(header)} columns "
                    "(is there a comma inside a value that is not in quotes?)"
                )
            padded = raw + [""] * (len(header) - len(raw))
            cells = tuple("" if at is None else _unquote(padded[at]) for at in positions)
            for column, at in zip(COLUMNS, positions, strict=True):
                if at is not None and runs_as_formula(padded[at]):
                    problems.append(
                        f"{COLUMN_LABELS[column]} “{padded[at].strip()}” starts with "
                        f"“{padded[at].lstrip(' ')[:1].strip() or 'a tab'}”, which a "
                        "spreadsheet would run as a formula; remove it or correct the value"
                    )
            rows.append(SourceRow(number, cells, tuple(raw), tuple(problems)))
    except csv.Error as exc:
        raise ImportFileError(
            f"The file could not be read as CSV near row {reader.line_num}: {exc}."
        ) from None
    if header is None:
        raise ImportFileError(
            f"The file is empty. Its first row must name the columns: {', '.join(COLUMNS)}."
        )
    if not rows:
        raise ImportFileError("The file has the header row but no people under it.")
    return SourceFile(tuple(header), rows, tuple(ignored))


def read_rows(text: str) -> list[SourceRow]:
    """The people rows of a file's text (see `read_file`)."""
    return read_file(text).rows


def read_upload(upload: UploadedFile) -> str:
    """The text of an uploaded people file, checked. Raises ImportFileError."""
    size = upload.size or 0
    if size > MAX_UPLOAD_BYTES:
        megabytes = math.ceil(size * 10 / 1024 / 1024) / 10
        raise ImportFileError(
            f"The file is {megabytes:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. In your spreadsheet, save it as "
            "“CSV UTF-8 (comma delimited)” and upload it again."
        ) from None
    if "\x00" in text:
        raise ImportFileError("The file is not a CSV text file.")
    read_file(text)
    return text


# Planning --------------------------------------------------------------------------------


@dataclass
class RowPlan:
    """One row of the file: what it says, what confirming would do, what stops it.

    Everything shown of a row is what the file says or what the import would write; what
    an existing account stores (its name, above all) is never shown.
    """

    number: int
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    unit: str = ""
    discipline: str = ""  # the choice's value once recognised, else as written
    job_title: str = ""
    role: str = ""  # the choice's value once recognised, else as written
    team: str = ""
    reports_to_email: str = ""
    time_zone: str = ""  # the zone's IANA name once recognised, else as written
    raw: tuple[str, ...] = ()
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: str = UNCHANGED
    email_ok: bool = False
    role_ok: bool = False
    reports_to_ok: bool = False
    unit_is_unknown: bool = False
    flagged: bool = False  # a cell a spreadsheet would run as a formula

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def discipline_label(self) -> str:
        return DISCIPLINE_LABELS.get(self.discipline, self.discipline)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role] if self.role_ok else self.role

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_participant(self) -> bool:
        return self.role_ok and self.role == Role.PARTICIPANT


@dataclass(frozen=True)
class PlannedInvitation:
    email: str
    role: str
    cohort: Cohort | None


@dataclass
class _Writes:
    units: list[Unit] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    new_profiles: list[Profile] = field(default_factory=list)
    changed_profiles: list[Profile] = field(default_factory=list)
    new_memberships: list[Membership] = field(default_factory=list)
    reactivated: list[Membership] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    team_members: list[TeamMember] = field(default_factory=list)
    # Who hears of it: an invitation (new people, accounts outside the organisation), or
    # a note that they were added (members of the organisation given a role).
    invitations: list[PlannedInvitation] = field(default_factory=list)
    added: dict[str, User] = field(default_factory=dict)


@dataclass(frozen=True)
class RejectedRow:
    number: int
    raw: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass
class ImportPlan:
    """The preview of an import, and the writes that confirming it makes."""

    people_import: PeopleImport
    rows: list[RowPlan] = field(default_factory=list)
    file_error: str = ""
    header: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    new_units: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    applied: bool = False
    writes: _Writes = field(default_factory=_Writes)

    @property
    def problem_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.errors]

    @property
    def valid_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if not row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.file_error and bool(self.rows) and not self.problem_rows

    @property
    def can_confirm(self) -> bool:
        """True when the rows are fine, or would be once the unknown units are created."""
        return (
            not self.file_error
            and bool(self.rows)
            and all(row.unit_is_unknown and len(row.errors) == 1 for row in self.problem_rows)
        )

    @property
    def unit_only_rows(self) -> list[RowPlan]:
        """Rows whose one problem is a unit to create."""
        return [row for row in self.problem_rows if row.unit_is_unknown and len(row.errors) == 1]

    @property
    def can_import_valid_rows(self) -> bool:
        """True when some rows have a problem and others could be imported without them
        (those with no problem, and those whose one problem is a unit to create)."""
        return (
            not self.file_error
            and not self.can_confirm
            and bool(self.valid_rows or self.unit_only_rows)
        )

    @property
    def only_units_are_unknown(self) -> bool:
        return bool(self.problem_rows) and self.can_confirm

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def count_new(self) -> int:
        return self.count(NEW)

    @property
    def count_updated(self) -> int:
        return self.count(UPDATED)

    @property
    def count_unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def count_invited(self) -> int:
        return self.count(INVITED)

    @property
    def summary(self) -> str:
        parts = [
            f"{self.count(NEW):,} new",
            f"{self.count(UPDATED):,} updated",
            f"{self.count(UNCHANGED):,} unchanged",
        ]
        if self.count(INVITED):
            parts.append(f"{self.count(INVITED):,} invited")
        made = []
        if self.new_units:
            made.append(_plural(len(self.new_units), "unit"))
        if self.new_teams:
            made.append(_plural(len(self.new_teams), "team"))
        created = f"; {' and '.join(made)} created" if made else ""
        rejected = ""
        if self.rejected:
            rejected = f" {_plural(len(self.rejected), 'row')} not imported."
        return f"{_plural(len(self.rows), 'row')}: {', '.join(parts)}{created}.{rejected}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _email_ok(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= 254


LIMITS = (("first_name", 150), ("last_name", 150), ("unit", 200), ("job_title", 200))


def _parse(source: SourceRow) -> RowPlan:
    """The row's own checks: those that need neither the database nor the other rows."""
    email, first, last, unit, discipline, title, role, team, manager, zone = source.cells
    row = RowPlan(
        number=source.number,
        email=email.lower(),
        first_name=first,
        last_name=last,
        unit=unit,
        discipline=DISCIPLINES.get(_choice_key(discipline), discipline),
        job_title=title,
        role=ROLES.get(_choice_key(role), role),
        team=team,
        reports_to_email=manager.lower(),
        time_zone=_time_zones().get(zone.casefold(), zone),
        raw=source.raw,
    )
    row.errors.extend(source.problems)
    row.flagged = any("spreadsheet would run as a formula" in p for p in source.problems)
    if not email:
        row.errors.append("email is missing")
    elif not _email_ok(row.email):
        row.errors.append(f"“{email}” is not a valid email address")
    else:
        row.email_ok = True
    if not role:
        row.errors.append(f"role is missing (use {ROLE_HELP})")
    elif row.role not in ROLE_LABELS:
        row.errors.append(f"unknown role “{role}” (use {ROLE_HELP})")
    else:
        row.role_ok = True
    if not discipline:
        row.discipline = Discipline.OTHER
    elif row.discipline not in DISCIPLINE_LABELS:
        row.errors.append(f"unknown discipline “{discipline}” (use {DISCIPLINE_HELP})")
    if zone and row.time_zone not in _time_zones().values():
        row.errors.append(
            f"unknown time zone “{zone}” (use an IANA name such as Europe/London, "
            "America/New_York or Asia/Kolkata)"
        )
    for column, limit in LIMITS:
        if len(getattr(row, column)) > limit:
            row.errors.append(f"{column} is longer than {limit} characters")
    if team and row.role_ok and not row.is_participant:
        row.errors.append(
            f"team “{team}” is given, but only participants are on teams "
            f"(this row's role is {row.role_label})"
        )
    if len(team) > 200:
        row.errors.append("team is longer than 200 characters")
    if manager and not _email_ok(row.reports_to_email):
        row.errors.append(f"reports_to_email “{manager}” is not a valid email address")
    elif manager and row.reports_to_email == row.email:
        row.errors.append("reports_to_email is the person's own address")
    else:
        row.reports_to_ok = bool(manager)
    return row


PERSON_FIELDS = (
    ("first_name", "first name"),
    ("last_name", "last name"),
    ("unit", "unit"),
    ("discipline", "discipline"),
    ("job_title", "job title"),
    ("reports_to_email", "reports_to_email"),
    ("time_zone", "time zone"),
)


def _check_repeats(rows: list[RowPlan]) -> None:
    """One person may appear once per role; their details must agree on every row."""
    first_for_email: dict[str, RowPlan] = {}
    first_for_role: dict[tuple[str, str], RowPlan] = {}
    for row in rows:
        if not row.email_ok:
            continue
        if row.role_ok:
            earlier = first_for_role.setdefault((row.email, row.role), row)
            if earlier is not row:
                row.errors.append(
                    f"duplicate row: row {earlier.number} already has {row.email} "
                    f"as {row.role_label}"
                )
                continue
        first = first_for_email.setdefault(row.email, row)
        if first is not row:
            differing = [
                label
                for attr, label in PERSON_FIELDS
                if getattr(row, attr).casefold() != getattr(first, attr).casefold()
            ]
            if differing:
                row.errors.append(
                    f"row {first.number} has the same email with a different "
                    f"{_words(differing)}; one person's details must agree on every row"
                )


def _load_users(emails: set[str]) -> dict[str, User]:
    """Accounts by lower-cased email (an account stored with capitals still matches)."""
    found: dict[str, User] = {}
    if not emails:
        return found
    query = User.objects.annotate(email_lower=Lower("email")).filter(
        Q(email__in=emails) | Q(email_lower__in=emails)
    )
    for user in query:
        key = user.email.lower()
        if key not in found or user.email == key:
            found[key] = user
    return found


def _unit_label(unit: Unit | None) -> str:
    return unit.name if unit else "none"


def _user_label(user: User | None) -> str:
    return user.email if user else "nobody"


def _in_organization(organization_id: int, user_ids: list[int]) -> set[int]:
    """The accounts the organisation knows: a profile there, a membership (even ended)
    in one of its programs, or its administration. Only these are enrolled by an import;
    others are invited."""
    if not user_ids:
        return set()
    with_profile = Profile.objects.filter(
        organization_id=organization_id, user_id__in=user_ids
    ).values_list("user_id", flat=True)
    with_membership = Membership.objects.filter(
        program__organization_id=organization_id, user_id__in=user_ids
    ).values_list("user_id", flat=True)
    admins = OrganizationAdmin.objects.filter(
        organization_id=organization_id, user_id__in=user_ids
    ).values_list("user_id", flat=True)
    return set(with_profile) | set(with_membership) | set(admins)


def plan_import(people_import: PeopleImport, *, skip: frozenset[int] = frozenset()) -> ImportPlan:
    """What confirming the import would do now, row by row, without writing anything.

    Rows numbered in `skip` are left out, as if they were not in the file. Reads a fixed
    number of queries, however many rows the file has.
    """
    plan = ImportPlan(people_import=people_import)
    try:
        source = read_file(people_import.content)
    except ImportFileError as exc:
        plan.file_error = str(exc)
        return plan
    plan.header, plan.ignored_columns = source.header, source.ignored
    program, cohort = people_import.program, people_import.cohort
    organization = program.organization
    organization_id = organization.pk
    rows = plan.rows = [_parse(row) for row in source.rows if row.number not in skip]
    _check_repeats(rows)

    file_emails = {row.email for row in rows if row.email_ok}
    managers = {row.reports_to_email for row in rows if row.reports_to_ok}
    users = _load_users(file_emails | managers)
    known_ids = [user.pk for user in users.values()]
    ours = _in_organization(organization_id, known_ids)
    # An address can also be someone's additional address, under another main address:
    # that person is invited, and accepts with the account the address belongs to.
    other_accounts = set(
        EmailAddress.objects.filter(email__in=file_emails - users.keys()).values_list(
            "email", flat=True
        )
    )
    other_accounts = {email.lower() for email in other_accounts}
    open_invitations = set(
        Invitation.objects.filter(
            program=program,
            email__in=file_emails,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("email", "role")
    )
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(
            organization_id=organization_id, user_id__in=known_ids
        ).select_related("unit", "reports_to")
    }
    memberships: dict[int, dict[str, Membership]] = {}
    for membership in Membership.objects.filter(
        program=program, user_id__in=known_ids
    ).select_related("cohort"):
        memberships.setdefault(membership.user_id, {})[membership.role] = membership
    units = list(Unit.objects.filter(organization_id=organization_id))
    unit_by_name = {unit.name.casefold(): unit for unit in units}
    unit_by_name.update({unit.name: unit for unit in units})
    teams = list(Team.objects.filter(cohort=cohort))
    team_by_name = {team.name.casefold(): team for team in teams}
    team_by_name.update({team.name: team for team in teams})
    placements = {
        placed.user_id: placed
        for placed in TeamMember.objects.filter(
            cohort=cohort, user_id__in=known_ids
        ).select_related("team")
    }

    writes = plan.writes
    new_units: dict[str, Unit] = {}
    new_teams: dict[str, Team] = {}
    person: dict[str, User] = {}  # the account each email in the file stands for
    outside: set[str] = set()  # emails of accounts the organisation does not know
    for row in rows:
        if not row.email_ok or row.email in person:
            continue
        user = users.get(row.email)
        if user is None and row.email in other_accounts:
            outside.add(row.email)
            continue
        if user is None:
            user = User(
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
                time_zone=organization.starting_zone(row.time_zone),
            )
            writes.users.append(user)
        elif user.pk not in ours:
            outside.add(row.email)
        person[row.email] = user
    member_ids = {
        user_id
        for user_id, by_role in memberships.items()
        if any(m.is_active for m in by_role.values())
    }

    def unit_for(row: RowPlan) -> Unit | None:
        if not row.unit:
            return None
        unit = unit_by_name.get(row.unit) or unit_by_name.get(row.unit.casefold())
        if unit is None:
            row.unit_is_unknown = True
            unit = new_units.setdefault(
                row.unit.casefold(), Unit(organization_id=organization_id, name=row.unit)
            )
            if people_import.create_units:
                row.changes.append(f"new unit “{unit.name}” will be created")
            else:
                row.errors.append(
                    f"unknown unit “{row.unit}”: tick “Create these units” to add it, "
                    "or correct the name"
                )
        return unit

    profiled: set[str] = set()
    invited: set[str] = set()
    for row in rows:
        if not row.email_ok:
            row.status = PROBLEM
            continue
        if row.email in outside:
            _plan_invitation(row, cohort, open_invitations, writes)
            row.status = PROBLEM if row.errors else INVITED
            continue
        user = person[row.email]
        is_new = user.pk is None
        profile = profiles.get(user.pk) if not is_new else None

        typed_name = (row.first_name, row.last_name)
        if not is_new and row.first_name and typed_name != (user.first_name, user.last_name):
            row.notes.append("an existing account keeps the name its owner gave")
        if not is_new and row.time_zone and row.time_zone != user.time_zone:
            row.notes.append("an existing account keeps the time zone its owner chose")

        manager: User | None = None
        if row.reports_to_ok:
            if row.reports_to_email in outside:
                row.notes.append(
                    f"reports to {row.reports_to_email}: set once they have joined the program"
                )
            else:
                manager = person.get(row.reports_to_email) or users.get(row.reports_to_email)
                is_current = (
                    profile is not None
                    and profile.reports_to is not None
                    and profile.reports_to.email.lower() == row.reports_to_email
                )
                if (
                    row.reports_to_email not in person
                    and not is_current
                    and (manager is None or manager.pk not in member_ids)
                ):
                    manager = None
                    row.errors.append(
                        f"reports_to_email “{row.reports_to_email}” is neither in this file "
                        "nor a member of the program"
                    )

        unit = unit_for(row)
        if row.email not in profiled:
            profiled.add(row.email)
            unresolved = row.reports_to_ok and manager is None
            _plan_profile(row, user, profile, unit, manager, unresolved, organization_id, writes)
        granted = _plan_membership(
            row, user, memberships.get(user.pk, {}), program, cohort, writes
        )
        if row.is_participant and row.team:
            team = team_by_name.get(row.team) or team_by_name.get(row.team.casefold())
            if team is None:
                team = Team(cohort=cohort, name=row.team)
                team = new_teams.setdefault(row.team.casefold(), team)
            placed = placements.get(user.pk) if not is_new else None
            if placed is None:
                writes.team_members.append(TeamMember(team=team, cohort=cohort, user=user))
                row.changes.append(
                    f"joins team “{team.name}”" + (" (a new team)" if team.pk is None else "")
                )
            elif placed.team_id != team.pk:
                row.errors.append(
                    f"already on team “{placed.team.name}” in {cohort.name}; "
                    "a participant is on one team per cohort"
                )

        if is_new and row.email not in invited and row.role_ok:
            invited.add(row.email)
            if (row.email, row.role) in open_invitations:
                row.notes.append("an invitation is already open; resend it from the people page")
            else:
                writes.invitations.append(
                    PlannedInvitation(row.email, row.role, cohort if row.is_participant else None)
                )
                row.changes.append("gets an invitation to set up their account")
        elif granted and not is_new:
            writes.added[row.email] = user
            row.changes.append("is told by email that they were added")

        if row.errors:
            row.status = PROBLEM
        elif is_new:
            row.status = NEW
        else:
            row.status = UPDATED if row.changes else UNCHANGED

    if people_import.create_units:
        writes.units = list(new_units.values())
    plan.new_units = [unit.name for unit in new_units.values()]
    writes.teams = list(new_teams.values())
    plan.new_teams = [team.name for team in new_teams.values()]
    return plan


def _plan_invitation(
    row: RowPlan,
    cohort: Cohort,
    open_invitations: set[tuple[str, str]],
    writes: _Writes,
) -> None:
    """A row naming an account the organisation does not know: an invitation its owner
    must accept, and nothing else. What is said about it is only what the file says."""
    if not row.role_ok:
        return
    place = f" in {cohort.name}" if row.is_participant else ""
    if (row.email, row.role) in open_invitations:
        row.notes.append(
            f"an invitation to join as {row.role_label}{place} is already open; "
            "resend it from the people page"
        )
    else:
        writes.invitations.append(
            PlannedInvitation(row.email, row.role, cohort if row.is_participant else None)
        )
        row.changes.append(
            f"gets an invitation to join as {row.role_label}{place}; "
            "they join only when they accept it"
        )
    if row.team or row.unit or row.job_title or row.reports_to_email:
        row.notes.append(
            "this row's team, unit, job title and manager are not applied: an invited person "
            "gives their own details when they accept, and is placed on a team afterwards"
        )


def _plan_profile(
    row: RowPlan,
    user: User,
    profile: Profile | None,
    unit: Unit | None,
    manager: User | None,
    unresolved: bool,
    organization_id: int,
    writes: _Writes,
) -> None:
    discipline = row.discipline if row.discipline in DISCIPLINE_LABELS else Discipline.OTHER
    if profile is None:
        # Someone known to the program but not yet to the organisation gets a profile only
        # when the file says something about them.
        if user.pk is None or unit or discipline != Discipline.OTHER or row.job_title or manager:
            writes.new_profiles.append(
                Profile(
                    user=user,
                    organization_id=organization_id,
                    unit=unit,
                    discipline=discipline,
                    job_title=row.job_title,
                    reports_to=manager,
                )
            )
            if user.pk is not None:
                row.changes.append("profile in the organisation created")
        return
    changes = []
    if (unit.pk if unit else None) != profile.unit_id or (unit is not None and unit.pk is None):
        changes.append(f"unit: {_unit_label(profile.unit)} → {_unit_label(unit)}")
        profile.unit = unit
    if discipline != profile.discipline:
        changes.append(
            f"discipline: {profile.get_discipline_display()} → {DISCIPLINE_LABELS[discipline]}"
        )
        profile.discipline = discipline
    if row.job_title != profile.job_title:
        changes.append(f"job title: “{profile.job_title}” → “{row.job_title}”")
        profile.job_title = row.job_title
    if not unresolved and (
        (manager.pk if manager else None) != profile.reports_to_id
        or (manager is not None and manager.pk is None)
    ):
        changes.append(f"reports to: {_user_label(profile.reports_to)} → {_user_label(manager)}")
        profile.reports_to = manager
    if changes:
        row.changes.extend(changes)
        writes.changed_profiles.append(profile)


def _plan_membership(
    row: RowPlan,
    user: User,
    held: dict[str, Membership],
    program: Program,
    cohort: Cohort,
    writes: _Writes,
) -> bool:
    """Plan the row's role in the program; True when it is a new (or returning) role."""
    if not row.role_ok:
        return False
    place = f" in {cohort.name}" if row.is_participant else ""
    membership = held.get(row.role)
    if membership is None:
        writes.new_memberships.append(
            Membership(
                user=user,
                program=program,
                role=row.role,
                cohort=cohort if row.is_participant else None,
            )
        )
        row.changes.append(f"joins the program as {row.role_label}{place}")
        return True
    if not membership.is_active:
        membership.is_active = True
        membership.ended_at, membership.ending = None, ""
        if row.is_participant:
            membership.cohort = cohort
        writes.reactivated.append(membership)
        row.changes.append(f"returns to the program as {row.role_label}{place}")
        return True
    if row.is_participant and membership.cohort_id != cohort.pk:
        row.errors.append(
            f"already a participant in {membership.cohort.name if membership.cohort else '—'}; "
            "import them with that cohort"
        )
    return False


# Writing ---------------------------------------------------------------------------------


def do_upload_people_file(
    *, program: Program, cohort: Cohort, filename: str, content: str, by: User
) -> PeopleImport:
    """Keep an uploaded, readable people file until its preview is confirmed."""
    if cohort.program_id != program.pk:
        raise ValueError("The cohort belongs to another program.")
    return PeopleImport.objects.create(
        program=program,
        cohort=cohort,
        uploaded_by=by,
        filename=filename[:255],
        content=content,
    )


def _write(plan: ImportPlan, *, by: User) -> None:
    writes = plan.writes
    program = plan.people_import.program
    # Parents first: bulk_create fills in the new rows' ids, and the children built
    # around unsaved parents pick those ids up when they are saved in turn.
    Unit.objects.bulk_create(writes.units)
    for user in writes.users:
        # People set up their account through the invitation they are sent.
        user.set_unusable_password()
    User.objects.bulk_create(writes.users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=False, primary=True)
        for user in writes.users
    )
    Profile.objects.bulk_create(writes.new_profiles)
    Profile.objects.bulk_update(
        writes.changed_profiles, ["unit", "discipline", "job_title", "reports_to"]
    )
    Membership.objects.bulk_create(writes.new_memberships)
    Membership.objects.bulk_update(
        writes.reactivated, ["is_active", "ended_at", "ending", "cohort"]
    )
    Team.objects.bulk_create(writes.teams)
    announce(TeamsCreated(teams=tuple(writes.teams)))
    TeamMember.objects.bulk_create(writes.team_members)
    record_members_placed(members=writes.team_members, by=by, how="import")
    # Every role given is a security event, like any grant of a role; one an admin gives
    # herself (listing her own address as coach, say) says so.
    record_events(
        SecurityEvent.Kind.ROLE_GRANTED,
        [
            (
                membership.user,
                {
                    "program": program.pk,
                    "role": membership.role,
                    "how": "import",
                    "by": by.pk,
                    "self_granted": membership.user_id == by.pk,
                    "import_id": plan.people_import.pk,
                },
            )
            for membership in [*writes.new_memberships, *writes.reactivated]
        ],
    )
    do_invite_many(
        program=program,
        invitations=[(i.email, i.role, i.cohort) for i in writes.invitations],
        by=by,
    )
    added = [user.pk for user in writes.added.values()]
    if added:
        from teams.tasks import send_import_added_emails

        import_id = plan.people_import.pk
        transaction.on_commit(lambda: send_import_added_emails.delay(import_id, added))


def _rejected_csv(header: tuple[str, ...], rejected: list[RejectedRow]) -> str:
    """The rejected rows as the file had them, with a last column saying why."""
    width = len(header)
    rows = [[*row.raw, *[""] * (width - len(row.raw)), "; ".join(row.reasons)] for row in rejected]
    return csv_text([[*header, "reason"], *rows])


def rejected_rows_csv(people_import: PeopleImport) -> str:
    """The rows of an import that were not (or would not be) imported, as CSV with a
    `reason` column: the rows kept when the valid ones were imported, or, before that, the
    rows the preview shows a problem for. Every cell is spreadsheet-safe."""
    if people_import.applied_at is not None:
        return people_import.rejected_rows
    plan = plan_import(people_import)
    if plan.file_error:
        return csv_text([["reason"], [plan.file_error]])
    return _rejected_csv(
        plan.header,
        [RejectedRow(r.number, r.raw, tuple(r.errors)) for r in plan.problem_rows],
    )


def _plan_valid_rows(people_import: PeopleImport) -> ImportPlan:
    """The plan without the rows that have a problem. Leaving a row out can make another
    one wrong (its manager was on the row left out), so this repeats until every row left
    is right; each row left out keeps the reasons it was first left out for."""
    plan = plan_import(people_import)
    rejected: dict[int, RejectedRow] = {}
    while plan.problem_rows and not plan.file_error:
        for row in plan.problem_rows:
            rejected[row.number] = RejectedRow(row.number, row.raw, tuple(row.errors))
        plan = plan_import(people_import, skip=frozenset(rejected))
    plan.rejected = sorted(rejected.values(), key=lambda row: row.number)
    if not plan.rows and not plan.file_error:
        plan.file_error = "No row can be imported: every row has a problem."
    return plan


def do_import_people(
    *,
    people_import: PeopleImport,
    by: User,
    create_units: bool | None = None,
    valid_rows_only: bool = False,
) -> ImportPlan:
    """Check the file again against the database as it is now and write every row, or,
    if any row has a problem, nothing. With `valid_rows_only`, write the rows without a
    problem and keep the others, with their reasons, for download. Importing the same file
    again changes nothing.

    `create_units`, when given, records the admin's choice first. The returned plan says
    what was done (`applied`, `rejected`) or what stopped it (`file_error`, `problem_rows`).
    Everyone imported is emailed once the transaction commits: an invitation, or a note
    that they were added.
    """
    if create_units is not None and create_units != people_import.create_units:
        people_import.create_units = create_units
        people_import.save(update_fields=["create_units"])
    try:
        with transaction.atomic():
            locked = (
                PeopleImport.objects.select_for_update(of=("self",))
                .select_related("program__organization", "cohort")
                .get(pk=people_import.pk)
            )
            if locked.applied_at is not None:
                when = timezone.localtime(locked.applied_at)
                return ImportPlan(
                    people_import=locked,
                    file_error=f"This file was already imported on {when:%d %B %Y at %H:%M}.",
                )
            if locked.program.archived_at is not None:
                return ImportPlan(
                    people_import=locked,
                    file_error="The program is archived: restore it before importing people.",
                )
            plan = _plan_valid_rows(locked) if valid_rows_only else plan_import(locked)
            if not plan.is_valid:
                return plan
            _write(plan, by=by)
            locked.applied_at = timezone.now()
            locked.rejected_rows = (
                _rejected_csv(plan.header, plan.rejected) if plan.rejected else ""
            )
            locked.save(update_fields=["applied_at", "rejected_rows"])
    except IntegrityError:
        logger.warning("people import %s collided with a concurrent change", people_import.pk)
        return ImportPlan(
            people_import=people_import,
            file_error=(
                "The program's people changed while this file was being imported, so nothing "
                "was written. Check the preview and confirm again."
            ),
        )
    people_import.applied_at = locked.applied_at
    people_import.rejected_rows = locked.rejected_rows
    plan.applied = True
    logger.info("people import %s applied by user %s: %s", people_import.pk, by.pk, plan.summary)
    return plan


def do_send_import_added_emails(*, people_import_id: int, user_ids: list[int]) -> int:
    """Tell the members of the organisation an import gave a role that they were added,
    with their roles in the program now. Returns the number of emails sent.

    Safe to run twice: the import's row is locked and `notices_sent_at` records the sending.
    """
    with transaction.atomic():
        people_import = (
            PeopleImport.objects.select_for_update(of=("self",))
            .select_related("program__organization", "uploaded_by")
            .filter(pk=people_import_id, notices_sent_at__isnull=True)
            .first()
        )
        if people_import is None:
            return 0
        sent = _send_added_emails(people_import, user_ids)
        people_import.notices_sent_at = timezone.now()
        people_import.save(update_fields=["notices_sent_at"])
    return sent


def _send_added_emails(people_import: PeopleImport, user_ids: list[int]) -> int:
    program = people_import.program
    held: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(
        program=program, user_id__in=user_ids, is_active=True
    ).select_related("user", "cohort"):
        held.setdefault(membership.user_id, []).append(membership)
    messages = []
    for memberships in held.values():
        user = memberships[0].user
        roles = _words(
            [
                f"{m.get_role_display().lower()}"
                + (f" in {m.cohort.name}" if m.cohort and m.role == Role.PARTICIPANT else "")
                for m in memberships
            ]
        )
        context = {
            "user": user,
            "program": program,
            "roles": roles,
            "by": people_import.uploaded_by,
            "url": f"{settings.SITE_URL}{reverse('home')}",
        }
        message = compose_email(
            subject=f"You were added to {program.name}",
            text_template="teams/import/email/added.txt",
            html_template="teams/import/email/added.html",
            context=context,
            to=[user.email],
        )
        messages.append(message)
    if messages:
        mailers.default.send_messages(messages)
    return len(messages)


# Export ----------------------------------------------------------------------------------


def export_people_csv(program: Program, *, cohort: Cohort | None = None) -> str:
    """The program's active people in the import's format, one row per person and role.

    With `cohort`, only that cohort's participants (and every coach, sponsor and admin).
    Cells a spreadsheet would run as a formula get a quote in front; the import takes it
    off again, so the file re-imports with no change.
    """
    memberships = Membership.objects.filter(program=program, is_active=True).select_related("user")
    if cohort is not None:
        memberships = memberships.filter(~Q(role=Role.PARTICIPANT) | Q(cohort=cohort))
    members = list(memberships)
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(
            organization_id=program.organization_id,
            user__memberships__program=program,
            user__memberships__is_active=True,
        )
        .select_related("unit", "reports_to")
        .distinct()
    }
    teams: dict[tuple[int | None, int], str] = {
        (placed.cohort_id, placed.user_id): placed.team.name
        for placed in TeamMember.objects.filter(cohort__program=program).select_related("team")
    }
    role_order = {role: index for index, role in enumerate(ROLE_LABELS)}
    members.sort(
        key=lambda m: (
            m.user.last_name.casefold(),
            m.user.first_name.casefold(),
            m.user.email.lower(),
            role_order.get(m.role, 99),
        )
    )
    rows: list[list[str]] = []
    for membership in members:
        user = membership.user
        profile = profiles.get(user.pk)
        team = ""
        if membership.role == Role.PARTICIPANT:
            team = teams.get((membership.cohort_id, user.pk), "")
        cells = [
            user.email,
            user.first_name,
            user.last_name,
            profile.unit.name if profile and profile.unit else "",
            DISCIPLINE_LABELS.get(profile.discipline, profile.discipline) if profile else "",
            profile.job_title if profile else "",
            ROLE_LABELS.get(membership.role, membership.role),
            team,
            profile.reports_to.email if profile and profile.reports_to else "",
            user.time_zone,
        ]
        rows.append(cells)
    return csv_text([COLUMNS, *rows])


def example_csv() -> str:
    return csv_text([COLUMNS])
