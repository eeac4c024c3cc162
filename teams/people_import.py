"""Import and export of a program's people as CSV.

A program admin uploads a file for one cohort. The file is checked (size, encoding, header,
number of rows) and kept as a `PeopleImport`; nothing else is written. The preview shows,
row by row, what confirming would do and what stops it. Confirming checks every row again
against the database as it is then and writes all of them in one transaction, or nothing.
The writes are a fixed number of bulk queries, however long the file.

The export writes the same columns, so an exported file imports again with no change.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.csv import csv_text, unquote
from programs.models import Cohort, Discipline, Membership, Profile, Program, Role, Unit, User
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
)
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
PROBLEM = "problem"
STATUS_LABELS = {
    NEW: "New person",
    UPDATED: "Updated",
    UNCHANGED: "Unchanged",
    PROBLEM: "Not imported",
}


class ImportFileError(Exception):
    """Why a file cannot be read as a people file, in words for the admin."""


# Reading the file ------------------------------------------------------------------------


def _choice_key(text: str) -> str:
    """“Allied health”, “allied_health” and “ALLIED-HEALTH” are the same choice."""
    return " ".join(text.replace("_", " ").replace("-", " ").casefold().split())


def _choices(pairs: list[tuple[str, str]], extra: dict[str, str]) -> dict[str, str]:
    found = {_choice_key(value): value for value, _ in pairs}
    found.update({_choice_key(label): value for value, label in pairs})
    found.update({_choice_key(alias): value for alias, value in extra.items()})
    return found


DISCIPLINES = _choices(Discipline.choices, {})
ROLES = _choices(Role.choices, {"admin": Role.PROGRAM_ADMIN})
DISCIPLINE_LABELS = {value: str(label) for value, label in Discipline.choices}
ROLE_LABELS = {value: str(label) for value, label in Role.choices}


def _words(labels: list[str]) -> str:
    return ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else "".join(labels)


DISCIPLINE_HELP = _words([str(label) for _, label in Discipline.choices])
ROLE_HELP = _words([str(label) for _, label in Role.choices])


def _unquote(cell: str) -> str:
    """A cell as the person meant it: trimmed, without the quote an export puts in front of
    a value a spreadsheet would take for a formula."""
    return unquote(cell.strip()).strip()


@dataclass(frozen=True)
class SourceRow:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: tuple[str, ...]
    problem: str = ""


def read_rows(text: str) -> list[SourceRow]:
    """The people rows of a file's text, after checking its header and length.

    Raises ImportFileError for a file that cannot be a people file at all.
    """
    expected = ", ".join(COLUMNS)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header: list[str] | None = None
    rows: list[SourceRow] = []
    try:
        for number, record in enumerate(reader, start=1):
            cells = [cell.strip() for cell in record]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            if header is None:
                header = [cell.casefold() for cell in cells]
                if tuple(header) != COLUMNS:
                    raise ImportFileError(
                        "The first row must name the columns, in this order: "
                        f"{expected}. This file's first row is: {', '.join(cells)}."
                    )
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} people rows; at most {MAX_ROWS:,} can "
                    "be imported at a time. Split it into smaller files."
                )
            problem = ""
            if len(cells) > len(COLUMNS):
                problem = (
                    f"has {len(cells)} values where {len(COLUMNS)} columns are expected "
                    "(is there a comma inside a value that is not in quotes?)"
                )
            cells += [""] * (len(COLUMNS) - len(cells))
            rows.append(SourceRow(number, tuple(_unquote(c) for c in cells), problem))
    except csv.Error as exc:
        raise ImportFileError(
            f"The file could not be read as CSV near row {reader.line_num}: {exc}."
        ) from None
    if header is None:
        raise ImportFileError(f"The file is empty. Its first row must be the header: {expected}.")
    if not rows:
        raise ImportFileError("The file has the header row but no people under it.")
    return rows


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
    read_rows(text)
    return text


# Planning --------------------------------------------------------------------------------


@dataclass
class RowPlan:
    """One row of the file: what it says, what confirming would do, what stops it."""

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
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: str = UNCHANGED
    email_ok: bool = False
    role_ok: bool = False
    reports_to_ok: bool = False
    unit_is_unknown: bool = False

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


@dataclass
class ImportPlan:
    """The preview of an import, and the writes that confirming it makes."""

    people_import: PeopleImport
    rows: list[RowPlan] = field(default_factory=list)
    file_error: str = ""
    new_units: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    applied: bool = False
    writes: _Writes = field(default_factory=_Writes)

    @property
    def problem_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.errors]

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
    def summary(self) -> str:
        parts = [
            f"{self.count(NEW):,} new",
            f"{self.count(UPDATED):,} updated",
            f"{self.count(UNCHANGED):,} unchanged",
        ]
        made = []
        if self.new_units:
            made.append(_plural(len(self.new_units), "unit"))
        if self.new_teams:
            made.append(_plural(len(self.new_teams), "team"))
        created = f"; {' and '.join(made)} created" if made else ""
        return f"{_plural(len(self.rows), 'row')}: {', '.join(parts)}{created}."


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
    email, first, last, unit, discipline, title, role, team, manager = source.cells
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
    )
    if source.problem:
        row.errors.append(source.problem)
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


def plan_import(people_import: PeopleImport) -> ImportPlan:
    """What confirming the import would do now, row by row, without writing anything.

    Reads a fixed number of queries, however many rows the file has.
    """
    plan = ImportPlan(people_import=people_import)
    try:
        source = read_rows(people_import.content)
    except ImportFileError as exc:
        plan.file_error = str(exc)
        return plan
    program, cohort = people_import.program, people_import.cohort
    organization_id = program.organization_id
    rows = plan.rows = [_parse(row) for row in source]
    _check_repeats(rows)

    file_emails = {row.email for row in rows if row.email_ok}
    managers = {row.reports_to_email for row in rows if row.reports_to_ok}
    users = _load_users(file_emails | managers)
    known_ids = [user.pk for user in users.values()]
    # An address can also be someone's additional address, under another main address.
    other_accounts = set(
        EmailAddress.objects.filter(email__in=file_emails - users.keys()).values_list(
            "email", flat=True
        )
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
    for row in rows:
        if not row.email_ok or row.email in person:
            continue
        user = users.get(row.email)
        if user is None:
            user = User(email=row.email, first_name=row.first_name, last_name=row.last_name)
            writes.users.append(user)
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
    for row in rows:
        if not row.email_ok:
            row.status = PROBLEM
            continue
        user = person[row.email]
        is_new = user.pk is None
        profile = profiles.get(user.pk) if not is_new else None

        if is_new and row.email in other_accounts:
            row.errors.append(
                f"{row.email} is an additional address of an existing account; "
                "use that account's main address"
            )
        if is_new and not (row.first_name and row.last_name):
            row.errors.append("first_name and last_name are needed for a new person")
        if (
            not is_new
            and (user.first_name or user.last_name)
            and (row.first_name, row.last_name) != (user.first_name, user.last_name)
        ):
            row.notes.append(f"the account's name, {user.display_name}, is kept")

        manager: User | None = None
        if row.reports_to_ok:
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
                row.errors.append(
                    f"reports_to_email “{row.reports_to_email}” is neither in this file "
                    "nor a member of the program"
                )

        unit = unit_for(row)
        if row.email not in profiled:
            profiled.add(row.email)
            _plan_profile(row, user, profile, unit, manager, organization_id, writes)
        _plan_membership(row, user, memberships.get(user.pk, {}), program, cohort, writes)
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


def _plan_profile(
    row: RowPlan,
    user: User,
    profile: Profile | None,
    unit: Unit | None,
    manager: User | None,
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
    unresolved = row.reports_to_ok and manager is None  # reported as a problem already
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
) -> None:
    if not row.role_ok:
        return
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
    elif not membership.is_active:
        membership.is_active = True
        membership.ended_at, membership.ending = None, ""
        if row.is_participant:
            membership.cohort = cohort
        writes.reactivated.append(membership)
        row.changes.append(f"returns to the program as {row.role_label}{place}")
    elif row.is_participant and membership.cohort_id != cohort.pk:
        row.errors.append(
            f"already a participant in {membership.cohort.name if membership.cohort else '—'}; "
            "import them with that cohort"
        )


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


def _write(plan: ImportPlan) -> None:
    writes = plan.writes
    # Parents first: bulk_create fills in the new rows' ids, and the children built
    # around unsaved parents pick those ids up when they are saved in turn.
    Unit.objects.bulk_create(writes.units)
    for user in writes.users:
        # People sign in with an emailed code or set a password through a reset link.
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
    TeamMember.objects.bulk_create(writes.team_members)


def do_import_people(
    *, people_import: PeopleImport, by: User, create_units: bool | None = None
) -> ImportPlan:
    """Check the file again against the database as it is now and write every row, or,
    if any row has a problem, nothing. Importing the same file again changes nothing.

    `create_units`, when given, records the admin's choice first. The returned plan says
    what was done (`applied`) or what stopped it (`file_error`, `problem_rows`).
    """
    if create_units is not None and create_units != people_import.create_units:
        people_import.create_units = create_units
        people_import.save(update_fields=["create_units"])
    try:
        with transaction.atomic():
            locked = (
                PeopleImport.objects.select_for_update(of=("self",))
                .select_related("program", "cohort")
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
            plan = plan_import(locked)
            if not plan.is_valid:
                return plan
            _write(plan)
            locked.applied_at = timezone.now()
            locked.save(update_fields=["applied_at"])
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
    plan.applied = True
    logger.info("people import %s applied by user %s: %s", people_import.pk, by.pk, plan.summary)
    return plan


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
        ]
        rows.append(cells)
    return csv_text([COLUMNS, *rows])


def example_csv() -> str:
    return csv_text([COLUMNS])
