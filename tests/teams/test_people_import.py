"""Importing a program's people from CSV (upload, preview, confirm) and exporting them."""

from __future__ import annotations

import csv
import html
import io
import time
from collections.abc import Iterable

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from programs.models import (
    Discipline,
    Invitation,
    Membership,
    Profile,
    Program,
    Role,
    Unit,
    User,
)
from teams.models import PeopleImport, Team, TeamMember
from teams.people_import import COLUMNS, MAX_UPLOAD_BYTES, do_send_import_added_emails
from tests import factories as f
from tests.conftest import Cast

Row = Iterable[str]


def csv_text(*rows: Row, header: Row = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def person(
    email: str,
    *,
    first: str = "Ana",
    last: str = "Lee",
    unit: str = "",
    discipline: str = "Nurse",
    title: str = "Charge Nurse",
    role: str = "participant",
    team: str = "",
    reports_to: str = "",
    zone: str = "",
) -> list[str]:
    return [email, first, last, unit, discipline, title, role, team, reports_to, zone]


def make_people_import(cast: Cast, content: str = "", create_units: bool = False) -> PeopleImport:
    """A kept upload for the cast's cohort (by default a header and no people)."""
    return PeopleImport.objects.create(
        program=cast.program,
        cohort=cast.team.cohort,
        uploaded_by=cast.program_admin,
        filename="people.csv",
        content=content or csv_text(),
        create_units=create_units,
    )


def upload(
    client: Client, program: Program, cohort_id: int, content: str | bytes, name: str = "p.csv"
) -> object:
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse("teams:import", args=[program.pk]),
        {"cohort": cohort_id, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def upload_and_preview(cast: Cast, content: str | bytes) -> tuple[PeopleImport, str]:
    client = cast.client_for("program_admin")
    response = upload(client, cast.program, cast.team.cohort_id, content)
    assert response.status_code == 302, response.content.decode()  # type: ignore[attr-defined]
    people_import = PeopleImport.objects.latest("pk")
    assert response["Location"] == preview_url(people_import)  # type: ignore[index]
    page = client.get(preview_url(people_import))
    assert page.status_code == 200
    return people_import, text(page.content)


def text(content: bytes) -> str:
    """A page as a reader sees it: no tags, entities resolved, spaces collapsed."""
    return " ".join(html.unescape(strip_tags(content.decode())).split())


def assert_no_problems(page: str) -> None:
    assert "With problems 0" in page
    assert "Not imported" not in page


def preview_url(people_import: PeopleImport) -> str:
    return reverse("teams:import_preview", args=[people_import.program_id, people_import.pk])


def confirm(
    client: Client, people_import: PeopleImport, create_units: bool = False, rows: str = "all"
) -> str:
    url = reverse("teams:import_confirm", args=[people_import.program_id, people_import.pk])
    data = {"rows": rows} | ({"create_units": "on"} if create_units else {})
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == preview_url(people_import)
    return text(response.content)


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row an import may write, as plain values."""
    return {
        "users": sorted(
            User.objects.values_list(
                "pk", "email", "first_name", "last_name", "password", "time_zone"
            )
        ),
        "email_addresses": sorted(
            EmailAddress.objects.values_list("user_id", "email", "verified", "primary")
        ),
        "profiles": sorted(
            Profile.objects.values_list(
                "pk",
                "user_id",
                "organization_id",
                "unit_id",
                "discipline",
                "job_title",
                "reports_to_id",
            )
        ),
        "memberships": sorted(
            Membership.objects.values_list(
                "pk", "user_id", "program_id", "cohort_id", "role", "is_active"
            )
        ),
        "units": sorted(Unit.objects.values_list("pk", "organization_id", "name")),
        "teams": sorted(Team.objects.values_list("pk", "cohort_id", "name", "coach_id")),
        "team_members": sorted(
            TeamMember.objects.values_list("pk", "team_id", "cohort_id", "user_id")
        ),
    }


def unit_of(user: User) -> Unit:
    unit = user.profiles.get().unit
    assert unit is not None
    return unit


# Upload and preview ------------------------------------------------------------------------


def test_upload_shows_every_row_in_a_preview_and_writes_nothing(cast: Cast) -> None:
    unit = unit_of(cast.participant).name
    before = snapshot()
    people_import, page = upload_and_preview(
        cast,
        csv_text(
            person(
                "new.one@example.org", first="Nia", last="Newton", unit=unit, team="Flow Forward"
            ),
            person("new.two@example.org", first="Ola", last="Obi", unit=unit, team="Night Owls"),
        ),
    )
    assert snapshot() == before
    assert people_import.applied_at is None
    assert "new.one@example.org" in page and "Nia Newton" in page
    assert "New person" in page
    assert "joins team “Flow Forward”" in page
    assert "joins team “Night Owls” (a new team)" in page
    assert "Import 2 rows" in page


def test_preview_names_the_row_and_the_problem_for_each_kind_of_error(cast: Cast) -> None:
    unit = unit_of(cast.participant).name
    _, page = upload_and_preview(
        cast,
        csv_text(
            person("not-an-email", unit=unit),  # row 2
            person("a@example.org", unit=unit, discipline="Surgeon"),  # row 3
            person("b@example.org", unit=unit, role="Chief"),  # row 4
            person("c@example.org", unit=unit),  # row 5
            person("C@example.org", unit=unit),  # row 6: same email again
            person("d@example.org", unit=unit, reports_to="nobody@example.org"),  # row 7
            person("e@example.org", unit=unit, role="coach", team="Flow Forward"),  # row 8
            person("f@example.org", unit="Imaginary Ward"),  # row 9
            person(cast.participant.email, unit=unit, team="Safe Passage"),  # row 10
            person("g@example.org", unit=unit, zone="Mars/Olympus"),  # row 11
        ),
    )
    expected = [
        "Row 2: “not-an-email” is not a valid email address",
        "Row 3: unknown discipline “Surgeon” (use Physician, Nurse, Administrator, "
        "Allied health, Research or Other)",
        "Row 4: unknown role “Chief” (use Program admin, Learning coach, Executive sponsor "
        "or Participant)",
        "Row 6: duplicate row: row 5 already has c@example.org as Participant",
        "Row 7: reports_to_email “nobody@example.org” is neither in this file nor a member "
        "of the program",
        "Row 8: team “Flow Forward” is given, but only participants are on teams "
        "(this row's role is Learning coach)",
        "Row 9: unknown unit “Imaginary Ward”: tick “Create these units” to add it",
        "Row 10: already on team “Flow Forward” in Cohort 1; a participant is on one team "
        "per cohort",
        "Row 11: unknown time zone “Mars/Olympus” (use an IANA name such as Europe/London",
    ]
    for message in expected:
        assert message in page
    assert "9 rows have problems" in page
    assert (
        "Import 10 rows" not in page and "Row 5:" not in page
    )  # nothing to confirm until the file is corrected


def test_same_person_with_two_roles_is_fine_but_their_details_must_agree(cast: Cast) -> None:
    _, page = upload_and_preview(
        cast,
        csv_text(
            person("lead@example.org", role="Learning coach", title="Director"),
            person("lead@example.org", role="Executive sponsor", title="Director"),
            person("vp@example.org", role="coach", title="VP"),
            person("vp@example.org", role="sponsor", title="SVP"),
        ),
    )
    assert "Row 3:" not in page
    assert (
        "Row 5: row 4 has the same email with a different job title; one person's details "
        "must agree on every row" in page
    )


def test_an_additional_address_of_an_existing_account_is_invited_not_made_a_new_person(
    cast: Cast,
) -> None:
    EmailAddress.objects.create(user=cast.coach, email="casey.alt@example.org", verified=True)
    users = User.objects.count()
    people_import, page = upload_and_preview(cast, csv_text(person("casey.alt@example.org")))
    assert (
        "gets an invitation to join as Participant in Cohort 1; they join only when they "
        "accept it" in page
    )
    assert "Casey Coach" not in page.split("Rows")[-1]
    confirm(cast.client_for("program_admin"), people_import)
    assert User.objects.count() == users
    invitation = Invitation.objects.get(email="casey.alt@example.org")
    assert (invitation.role, invitation.cohort) == (Role.PARTICIPANT, cast.team.cohort)


def test_values_and_labels_are_accepted_in_any_case(cast: Cast) -> None:
    people_import, page = upload_and_preview(
        cast,
        csv_text(
            person("p1@example.org", discipline="allied health", role="Participant"),
            person("p2@example.org", discipline="Allied_Health", role="learning coach"),
            person("p3@example.org", discipline="PHYSICIAN", role="Executive sponsor"),
            person("p4@example.org", discipline="research", role="program admin"),
            person("p5@example.org", discipline="", role="program_admin"),
        ),
    )
    assert_no_problems(page)
    confirm(cast.client_for("program_admin"), people_import)
    roles = dict(
        Membership.objects.filter(program=cast.program, user__email__startswith="p")
        .filter(user__email__endswith="@example.org", user__email__regex=r"^p\d@")
        .values_list("user__email", "role")
    )
    assert roles == {
        "p1@example.org": Role.PARTICIPANT,
        "p2@example.org": Role.COACH,
        "p3@example.org": Role.SPONSOR,
        "p4@example.org": Role.PROGRAM_ADMIN,
        "p5@example.org": Role.PROGRAM_ADMIN,
    }
    disciplines = dict(
        Profile.objects.filter(user__email__regex=r"^p\d@").values_list(
            "user__email", "discipline"
        )
    )
    assert (
        disciplines["p1@example.org"] == disciplines["p2@example.org"] == Discipline.ALLIED_HEALTH
    )
    assert disciplines["p5@example.org"] == Discipline.OTHER


# Confirm ---------------------------------------------------------------------------------


def test_a_file_with_one_bad_row_writes_nothing_even_when_confirmed(cast: Cast) -> None:
    unit = unit_of(cast.participant).name
    people_import, _ = upload_and_preview(
        cast,
        csv_text(
            person("good@example.org", unit=unit, team="Night Owls"),
            person("bad@example.org", unit=unit, discipline="Wizard"),
        ),
    )
    before = snapshot()
    page = confirm(cast.client_for("program_admin"), people_import, create_units=True)
    assert "Nothing was imported: 1 row has a problem" in page
    assert "Row 3: unknown discipline “Wizard”" in page
    assert snapshot() == before
    people_import.refresh_from_db()
    assert people_import.applied_at is None


def test_confirm_creates_people_profiles_memberships_units_teams_and_team_members(
    cast: Cast,
) -> None:
    organization = cast.program.organization
    existing_unit = unit_of(cast.participant)
    people_import, page = upload_and_preview(
        cast,
        csv_text(
            person(
                "Nia.Newton@Example.org",
                first="Nia",
                last="Newton",
                unit="Cardiology",
                discipline="Physician",
                title="Attending",
                team="Night Owls",
                reports_to="boss@example.org",
            ),
            person(
                "ola@example.org",
                first="Ola",
                last="Obi",
                unit="cardiology",
                team="night owls",
                reports_to=cast.coach.email,
            ),
            person(
                "boss@example.org",
                first="Bo",
                last="Boss",
                unit=existing_unit.name,
                discipline="Administrator",
                title="VP",
                role="Executive sponsor",
            ),
            person(
                "tim@example.org",
                first="Tim",
                last="Tan",
                unit=existing_unit.name,
                team="Flow Forward",
            ),
        ),
    )
    assert "Units not yet in Lakeside Health" in page and "Create these units" in page
    assert "Row 2: unknown unit “Cardiology”" in page

    client = cast.client_for("program_admin")
    page = confirm(client, people_import, create_units=True)
    assert "Imported. 4 rows: 4 new, 0 updated, 0 unchanged; 1 unit and 1 team created." in page

    cardiology = Unit.objects.get(organization=organization, name="Cardiology")
    nia = User.objects.get(email="nia.newton@example.org")
    boss = User.objects.get(email="boss@example.org")
    assert (nia.first_name, nia.last_name) == ("Nia", "Newton")
    assert not nia.has_usable_password()
    assert EmailAddress.objects.filter(
        user=nia, email="nia.newton@example.org", verified=False, primary=True
    ).exists()
    profile = nia.profiles.get(organization=organization)
    assert (profile.unit, profile.discipline, profile.job_title, profile.reports_to) == (
        cardiology,
        Discipline.PHYSICIAN,
        "Attending",
        boss,
    )
    assert User.objects.get(email="ola@example.org").profiles.get().reports_to == cast.coach
    night_owls = Team.objects.get(cohort=cast.team.cohort, name="Night Owls")
    assert set(night_owls.members.values_list("user__email", flat=True)) == {
        "nia.newton@example.org",
        "ola@example.org",
    }
    assert TeamMember.objects.get(user__email="tim@example.org").team == cast.team
    assert Membership.objects.get(user=boss, program=cast.program).role == Role.SPONSOR
    assert Membership.objects.get(user=nia, program=cast.program).cohort == cast.team.cohort
    assert not TeamMember.objects.filter(user=boss).exists()
    people_import.refresh_from_db()
    assert people_import.applied_at is not None and people_import.create_units
    assert "This file was imported on" in page


def test_unknown_units_stay_errors_when_the_box_is_not_ticked(cast: Cast) -> None:
    people_import, _ = upload_and_preview(cast, csv_text(person("x@example.org", unit="Oncology")))
    before = snapshot()
    page = confirm(cast.client_for("program_admin"), people_import, create_units=False)
    assert "Nothing was imported: 1 row has a problem" in page
    assert "Row 2: unknown unit “Oncology”" in page
    assert snapshot() == before


def test_existing_person_is_matched_by_email_in_any_case_and_brought_up_to_date(
    cast: Cast,
) -> None:
    newcomer = f.UserFactory(email="rae@example.org", first_name="Rae", last_name="Ray")
    f.ProfileFactory(user=newcomer, organization=cast.program.organization, job_title="Old")
    unit = unit_of(cast.participant)
    users_before = User.objects.count()
    people_import, page = upload_and_preview(
        cast,
        csv_text(
            person(
                "RAE@Example.org",
                first="Rachel",
                last="Ray",
                unit=unit.name,
                discipline="Research",
                title="Scientist",
                role="coach",
                reports_to=cast.sponsor.email,
            ),
        ),
    )
    assert "Updated" in page
    assert "job title: “Old” → “Scientist”" in page
    assert "an existing account keeps the name its owner gave" in page
    assert "Rae Ray" not in page.split("Rows")[-1]
    confirm(cast.client_for("program_admin"), people_import)
    assert User.objects.count() == users_before
    newcomer.refresh_from_db()
    assert newcomer.first_name == "Rae"
    profile = newcomer.profiles.get()
    assert (profile.unit, profile.discipline, profile.job_title, profile.reports_to) == (
        unit,
        Discipline.RESEARCH,
        "Scientist",
        cast.sponsor,
    )
    assert Membership.objects.get(user=newcomer, program=cast.program).role == Role.COACH


def test_a_former_participant_returns_to_the_program(cast: Cast) -> None:
    former = cast.former_participant
    people_import, page = upload_and_preview(
        cast, csv_text(person(former.email, first=former.first_name, last=former.last_name))
    )
    assert "returns to the program as Participant in Cohort 1" in page
    confirm(cast.client_for("program_admin"), people_import)
    assert Membership.objects.get(user=former, program=cast.program).is_active


def test_importing_the_same_file_twice_changes_nothing_the_second_time(cast: Cast) -> None:
    content = csv_text(
        person(
            "n1@example.org", unit="Cardiology", team="Night Owls", reports_to="n2@example.org"
        ),
        person("n2@example.org", unit="Cardiology", role="sponsor"),
        person(
            cast.participant.email,
            first="Pat",
            last="Participant",
            unit="Cardiology",
            discipline="Physician",
            team="Flow Forward",
        ),
    )
    client = cast.client_for("program_admin")
    first, _ = upload_and_preview(cast, content)
    confirm(client, first, create_units=True)
    after_first = snapshot()

    second, page = upload_and_preview(cast, content)
    assert page.count("Unchanged") >= 3
    assert "New person" not in page and ">Updated<" not in page
    page = confirm(client, second)
    assert "Imported. 3 rows: 0 new, 0 updated, 3 unchanged." in page
    assert snapshot() == after_first


def test_confirm_checks_again_against_what_changed_since_the_preview(cast: Cast) -> None:
    newcomer = f.UserFactory()
    f.MembershipFactory(user=newcomer, program=cast.program, role=Role.PARTICIPANT)
    people_import, page = upload_and_preview(
        cast, csv_text(person(newcomer.email, team="Flow Forward"))
    )
    assert "joins team “Flow Forward”" in page
    f.TeamMemberFactory(team=cast.other_team, user=newcomer)  # placed meanwhile
    before = snapshot()
    page = confirm(cast.client_for("program_admin"), people_import)
    assert "already on team “Safe Passage”" in page
    assert snapshot() == before


def test_a_participant_of_another_cohort_is_not_moved_by_an_import(cast: Cast) -> None:
    second = f.CohortFactory(program=cast.program, name="Cohort 2")
    later = f.UserFactory()
    f.MembershipFactory(user=later, program=cast.program, cohort=second, role=Role.PARTICIPANT)
    _, page = upload_and_preview(cast, csv_text(person(later.email)))
    assert "Row 2: already a participant in Cohort 2; import them with that cohort" in page


def test_a_change_made_by_someone_else_during_the_write_leaves_nothing_written(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from teams import people_import as module

    people_import = make_people_import(
        cast, csv_text(person("race@example.org"), person("other@example.org"))
    )
    plan_now = module.plan_import

    def plan_then_someone_else_creates_the_account(*args: object) -> module.ImportPlan:
        plan = plan_now(*args)  # type: ignore[arg-type]
        f.UserFactory(email="race@example.org")
        return plan

    monkeypatch.setattr(module, "plan_import", plan_then_someone_else_creates_the_account)
    page = confirm(cast.client_for("program_admin"), people_import)
    assert "Nothing was imported. The program's people changed while this file was being" in page
    assert not User.objects.filter(email__in=["race@example.org", "other@example.org"]).exists()
    people_import.refresh_from_db()
    assert people_import.applied_at is None


def test_a_confirmed_import_cannot_be_applied_again(cast: Cast) -> None:
    people_import = make_people_import(cast, csv_text(person("once@example.org")))
    client = cast.client_for("program_admin")
    confirm(client, people_import)
    page = confirm(client, people_import)
    assert "Nothing was imported. This file was already imported on" in page
    assert User.objects.filter(email="once@example.org").count() == 1


# Export ----------------------------------------------------------------------------------


def export(client: Client, program: Program, **params: str) -> str:
    response = client.get(reverse("teams:people_export", args=[program.pk]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content.decode("utf-8")


def test_export_lists_the_programs_active_people_in_the_import_format(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    response = client.get(reverse("teams:people_export", args=[cast.program.pk]))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="system-leadership-academy-people-'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    by_email = {row[0]: row for row in rows[1:]}
    assert cast.former_participant.email not in by_email
    assert cast.outsider.email not in by_email
    pat = by_email[cast.participant.email]
    assert pat[1:3] == ["Pat", "Participant"]
    assert pat[3] == unit_of(cast.participant).name
    assert pat[4:] == [
        "Nurse",
        "Nurse Manager",
        "Participant",
        "Flow Forward",
        "",
        cast.participant.time_zone,
    ]
    assert by_email[cast.coach.email][6:8] == ["Learning coach", ""]


def test_export_then_import_changes_nothing(cast: Cast) -> None:
    profile = cast.teammate.profiles.get()
    profile.reports_to = cast.participant
    profile.save()
    client = cast.client_for("program_admin")
    content = export(client, cast.program)
    before = snapshot()
    people_import, page = upload_and_preview(cast, content.encode("utf-8"))
    assert_no_problems(page)
    page = confirm(client, people_import)
    assert "updated" in page and "0 new, 0 updated" in page
    assert snapshot() == before


def test_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(cast: Cast) -> None:
    profile = cast.participant.profiles.get()
    profile.job_title = '=HYPERLINK("http://evil.example","Click")'
    profile.save()
    User.objects.filter(pk=cast.teammate.pk).update(first_name="+Terry", last_name="-Teammate")
    cast.team.name = "@Flow"
    cast.team.save()
    client = cast.client_for("program_admin")
    content = export(client, cast.program)
    rows = {row[0]: row for row in csv.reader(io.StringIO(content.removeprefix("\ufeff")))}
    assert rows[cast.participant.email][5] == '\'=HYPERLINK("http://evil.example","Click")'
    assert rows[cast.participant.email][7] == "'@Flow"
    assert rows[cast.teammate.email][1:3] == ["'+Terry", "'-Teammate"]
    # The import takes the quote off again.
    before = snapshot()
    people_import, page = upload_and_preview(cast, content)
    assert_no_problems(page)
    confirm(client, people_import)
    assert snapshot() == before


def test_export_of_one_cohort_leaves_out_other_cohorts_participants(cast: Cast) -> None:
    second = f.CohortFactory(program=cast.program, name="Cohort 2")
    later = f.UserFactory()
    f.MembershipFactory(user=later, program=cast.program, cohort=second, role=Role.PARTICIPANT)
    client = cast.client_for("program_admin")
    cohort_one = export(client, cast.program, cohort=str(cast.team.cohort_id))
    assert later.email not in cohort_one and cast.participant.email in cohort_one
    assert cast.coach.email in cohort_one
    assert later.email in export(client, cast.program)
    missing = reverse("teams:people_export", args=[cast.program.pk])
    assert client.get(missing, {"cohort": "987654"}).status_code == 404


def test_example_file_has_the_header_row(cast: Cast) -> None:
    response = cast.client_for("program_admin").get(reverse("teams:import_example"))
    assert response.status_code == 200
    assert response.content.decode().strip() == ",".join(COLUMNS)


# Size, encoding and header ---------------------------------------------------------------


def start_page_error(cast: Cast, content: str | bytes) -> str:
    before = PeopleImport.objects.count()
    response = upload(cast.client_for("program_admin"), cast.program, cast.team.cohort_id, content)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert PeopleImport.objects.count() == before
    return text(response.content)  # type: ignore[attr-defined]


def test_a_file_over_2_mb_is_refused_with_a_clear_error(cast: Cast) -> None:
    big = csv_text(person("x@example.org")) + "#" * MAX_UPLOAD_BYTES
    page = start_page_error(cast, big)
    assert "The file is 2.1 MB; the limit is 2 MB. Split it into smaller files." in page


def test_a_file_with_more_than_5000_rows_is_refused(cast: Cast) -> None:
    content = csv_text(*(person(f"p{i}@x.org", first="A", last="B") for i in range(5001)))
    page = start_page_error(cast, content)
    assert "more than 5,000 people rows; at most 5,000 can be imported at a time" in page


def test_a_header_without_email_or_role_names_the_columns_it_needs(cast: Cast) -> None:
    page = start_page_error(cast, "E-mail,Name,Position\nx@example.org,X,Nurse\n")
    assert (
        "The first row must name the columns, and at least role. This file's first row is: "
        "E-mail, Name, Position. Known columns: email, first_name, last_name, unit, "
        "discipline, job_title, role, team, reports_to_email, time_zone" in page
    )


def test_two_columns_that_mean_the_same_are_refused(cast: Cast) -> None:
    page = start_page_error(cast, "Email,Role,Surname,Family name\nx@example.org,coach,A,B\n")
    assert (
        "Two columns of the first row mean last name: “Surname” and “Family name”. "
        "Keep one of them." in page
    )


def test_a_file_that_is_not_utf8_is_refused(cast: Cast) -> None:
    page = start_page_error(cast, csv_text(person("zoë@example.org")).encode("utf-16"))
    assert "The file is not UTF-8 text" in page


def test_an_empty_file_and_a_header_without_people_are_refused(cast: Cast) -> None:
    assert "The submitted file is empty." in start_page_error(cast, "")
    assert "The file is empty." in start_page_error(cast, "\n\n")
    assert "no people under it" in start_page_error(cast, csv_text())


def test_a_byte_order_mark_and_spreadsheet_line_endings_are_accepted(cast: Cast) -> None:
    content = csv_text(person("bom@example.org")).replace("\r\n", "\n").replace("\n", "\r\n")
    _, page = upload_and_preview(cast, b"\xef\xbb\xbf" + content.encode())
    assert "bom@example.org" in page
    assert_no_problems(page)


# Query count -----------------------------------------------------------------------------


def program_with_admin(name: str) -> tuple[Program, Client, int]:
    program = f.ProgramFactory(organization=f.OrganizationFactory(name=f"{name} Health"))
    cohort = f.CohortFactory(program=program)
    admin = f.UserFactory()
    f.MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)
    existing = f.UserFactory(email=f"existing@{name.lower()}.example")
    f.MembershipFactory(user=existing, program=program, cohort=cohort, role=Role.PARTICIPANT)
    f.ProfileFactory(user=existing, organization=program.organization)
    client = Client()
    client.force_login(admin)
    return program, client, cohort.pk


def big_file(domain: str, count: int) -> str:
    disciplines = ["Physician", "nurse", "allied health", "Research"]
    rows = [person(f"existing@{domain}", unit="Unit A", discipline="Physician", team="Team 0")] + [
        person(
            f"person{i}@{domain}",
            first="Person",
            last=str(i),
            unit=f"Unit {'ABC'[i % 3]}",
            discipline=disciplines[i % 4],
            role="coach" if i % 10 == 1 else "participant",
            team="" if i % 10 == 1 else f"Team {i % 4}",
            reports_to=f"person{i - 1}@{domain}" if i else "",
        )
        for i in range(count - 1)
    ]
    return csv_text(*rows)


def confirm_counting_queries(name: str, rows: int) -> tuple[int, float, int]:
    program, client, cohort_id = program_with_admin(name)
    response = upload(client, program, cohort_id, big_file(f"{name.lower()}.example", rows))
    assert response.status_code == 302  # type: ignore[attr-defined]
    people_import = PeopleImport.objects.get(program=program)
    url = reverse("teams:import_confirm", args=[program.pk, people_import.pk])
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(url, {"create_units": "on"})
        elapsed = time.perf_counter() - started
    assert response.status_code == 302  # type: ignore[attr-defined]
    people_import.refresh_from_db()
    assert people_import.applied_at is not None
    created = Membership.objects.filter(program=program).count() - 2
    return len(queries), elapsed, created


def test_confirm_runs_the_same_number_of_queries_for_20_and_2000_rows(db: None) -> None:
    small, _, small_created = confirm_counting_queries("Small", 20)
    large, seconds, large_created = confirm_counting_queries("Large", 2000)
    assert (small_created, large_created) == (19, 1999)
    assert small == large, f"{small} queries for 20 rows, {large} for 2,000 ({seconds:.1f} s)"


# Access ----------------------------------------------------------------------------------


def test_confirm_refuses_get(cast: Cast) -> None:
    people_import = make_people_import(cast, csv_text(person("get@example.org")))
    url = reverse("teams:import_confirm", args=[cast.program.pk, people_import.pk])
    assert cast.client_for("program_admin").get(url).status_code == 405
    assert not User.objects.filter(email="get@example.org").exists()


def test_another_programs_admin_cannot_reach_an_import_through_their_own_program(
    cast: Cast,
) -> None:
    people_import = make_people_import(cast, csv_text(person("mine@example.org")))
    own_program = cast.outsider.memberships.get().program
    client = cast.client_for("outsider")
    preview = reverse("teams:import_preview", args=[own_program.pk, people_import.pk])
    confirm_url = reverse("teams:import_confirm", args=[own_program.pk, people_import.pk])
    assert client.get(preview).status_code == 404
    assert client.post(confirm_url).status_code == 404
    assert not User.objects.filter(email="mine@example.org").exists()


def test_a_participant_cannot_upload(cast: Cast) -> None:
    response = upload(
        cast.client_for("participant"), cast.program, cast.team.cohort_id, csv_text()
    )
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert not PeopleImport.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(cast: Cast) -> None:
    people_import = make_people_import(cast)
    url = reverse("teams:import_confirm", args=[cast.program.pk, people_import.pk])
    response = Client().post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Real spreadsheets ------------------------------------------------------------------------


SPREADSHEET_HEADER = (
    "Given Name",
    "Surname",
    "E-mail Address",
    "Dept",
    "Position",
    "Reports-to email",
    "Program Role",
    "Time zone",
    "Employee ID",
)


def test_a_spreadsheet_header_is_read_whatever_its_case_order_and_synonyms(cast: Cast) -> None:
    unit = unit_of(cast.participant).name
    people_import, page = upload_and_preview(
        cast,
        csv_text(
            [
                "Nia",
                "Newton",
                "nia@example.org",
                unit,
                "Attending",
                "",
                "participant",
                "asia/kolkata",
                "E-1",
            ],
            ["Bo", "Boss", "bo@example.org", unit, "VP", "", "Executive sponsor", "", "E-2"],
            ["Ola", "Obi", "ola@example.org", unit, "", "bo@example.org", "coach", "", "E-3"],
            header=SPREADSHEET_HEADER,
        ),
    )
    assert_no_problems(page)
    assert "Columns not used: Employee ID" in page
    confirm(cast.client_for("program_admin"), people_import)
    nia = User.objects.get(email="nia@example.org")
    assert (nia.first_name, nia.last_name, nia.time_zone) == ("Nia", "Newton", "Asia/Kolkata")
    assert nia.profiles.get().job_title == "Attending"
    bo = User.objects.get(email="bo@example.org")
    assert bo.time_zone == cast.program.organization.time_zone
    assert User.objects.get(email="ola@example.org").profiles.get().reports_to == bo


def test_a_time_zone_that_is_not_an_iana_zone_is_a_problem(cast: Cast) -> None:
    _, page = upload_and_preview(cast, csv_text(person("x@example.org", zone="EST+5")))
    assert "Row 2: unknown time zone “EST+5”" in page


def test_a_legacy_zone_name_the_picker_does_not_offer_is_a_problem(cast: Cast) -> None:
    _, page = upload_and_preview(cast, csv_text(person("x@example.org", zone="US/Eastern")))
    assert "Row 2: unknown time zone “US/Eastern”" in page


def test_a_value_a_spreadsheet_would_run_is_flagged_even_as_a_valid_address(cast: Cast) -> None:
    unit = unit_of(cast.participant).name
    _, page = upload_and_preview(
        cast,
        csv_text(
            person("-cmd@example.org", unit=unit),
            person("ok@example.org", first='=HYPERLINK("http://x")', unit=unit),
            person("tab@example.org", title="\tNurse", unit=unit),
        ),
    )
    assert (
        "Row 2: email “-cmd@example.org” starts with “-”, which a spreadsheet would run as "
        "a formula" in page
    )
    assert 'Row 3: first name “=HYPERLINK("http://x")” starts with “=”' in page
    assert "Row 4: job title “Nurse” starts with “a tab”" in page
    assert page.count("Formula") >= 3


@pytest.mark.parametrize("discipline", ["Nurse", "Wizard"])
def test_create_these_units_is_a_real_box_whenever_unknown_units_are_a_problem(
    cast: Cast, discipline: str
) -> None:
    """Offered when the other rows have other problems, and even when the row with the
    unknown unit has another problem too."""
    people_import, page = upload_and_preview(
        cast,
        csv_text(
            person("x@example.org", unit="Oncology", discipline=discipline),
            person("bad", unit="Oncology"),
        ),
    )
    assert "tick “Create these units” to add it" in page
    html_page = cast.client_for("program_admin").get(preview_url(people_import)).content
    assert b'<input type="checkbox" name="create_units" id="id_create_units">' in html_page
    assert b'<label class="checkbox" for="id_create_units">' in html_page
    assert "Import the valid rows" in page


def test_the_preview_table_wraps_instead_of_scrolling_sideways(cast: Cast) -> None:
    people_import, _ = upload_and_preview(cast, csv_text(person("x@example.org")))
    page = cast.client_for("program_admin").get(preview_url(people_import)).content.decode()
    assert '<table class="stack wrap">' in page
    assert "table-scroll" not in page


def rejected_csv(client: Client, people_import: PeopleImport) -> list[list[str]]:
    url = reverse("teams:import_rejected", args=[people_import.program_id, people_import.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_import_the_valid_rows_keeps_the_others_for_download_with_a_reason(cast: Cast) -> None:
    unit = unit_of(cast.participant).name
    people_import, page = upload_and_preview(
        cast,
        csv_text(
            person("good@example.org", unit=unit, team="Night Owls"),
            person("bad@example.org", unit=unit, discipline="Wizard"),
            person("@SUM(1+1)", unit=unit),
            person("needs-boss@example.org", unit=unit, reports_to="bad@example.org"),
        ),
    )
    assert "Import the valid rows" in page
    client = cast.client_for("program_admin")
    before = rejected_csv(client, people_import)
    assert before[0] == [*COLUMNS, "reason"]
    assert [row[0] for row in before[1:]] == ["bad@example.org", "'@SUM(1+1)"]

    page = confirm(client, people_import, rows="valid")
    assert (
        "Imported. 1 row: 1 new, 0 updated, 0 unchanged; 1 team created. 3 rows not imported."
        in page
    )
    assert "Some rows were not imported" in page
    assert set(
        Membership.objects.filter(
            program=cast.program,
            user__email__in=["good@example.org", "needs-boss@example.org", "bad@example.org"],
        ).values_list("user__email", flat=True)
    ) == {"good@example.org"}

    rows = rejected_csv(client, people_import)
    assert rows[0] == [*COLUMNS, "reason"]
    by_email = {row[0]: row for row in rows[1:]}
    assert list(by_email) == ["bad@example.org", "'@SUM(1+1)", "needs-boss@example.org"]
    assert "unknown discipline “Wizard”" in by_email["bad@example.org"][-1]
    assert "is not a valid email address" in by_email["'@SUM(1+1)"][-1]  # formula-safe
    # Its manager's row was left out, so this row was too, rather than lose its manager.
    assert (
        "reports_to_email “bad@example.org” is neither in this file nor a member"
        in by_email["needs-boss@example.org"][-1]
    )


def test_import_the_valid_rows_with_none_valid_writes_nothing(cast: Cast) -> None:
    people_import, _ = upload_and_preview(cast, csv_text(person("nope")))
    before = snapshot()
    page = confirm(cast.client_for("program_admin"), people_import, rows="valid")
    assert "Nothing was imported. No row can be imported: every row has a problem." in page
    assert snapshot() == before


# Everyone imported is told -----------------------------------------------------------------


def test_new_people_get_an_invitation_and_members_a_note_that_they_were_added(
    cast: Cast,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    member = f.UserFactory(email="rae@example.org", first_name="Rae")
    f.ProfileFactory(user=member, organization=cast.program.organization)
    unit = unit_of(cast.participant).name
    people_import, _ = upload_and_preview(
        cast,
        csv_text(
            person("new@example.org", first="Nia", last="New", unit=unit),
            person("rae@example.org", role="coach", unit=unit, discipline="Nurse"),
            person(cast.participant.email, unit=unit, team="Flow Forward"),  # unchanged
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirm(cast.client_for("program_admin"), people_import, create_units=True)
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"new@example.org", "rae@example.org"}
    invitation = by_recipient["new@example.org"]
    assert invitation.subject.endswith("You are invited to System Leadership Academy")
    assert Invitation.objects.get(email="new@example.org").role == Role.PARTICIPANT
    added = by_recipient["rae@example.org"]
    assert added.subject.endswith("You were added to System Leadership Academy")
    assert "Dana Admin added you to System Leadership Academy" in added.body
    assert "you are now learning coach" in added.body
    assert added.alternatives
    # The task may run again (a retry, a redelivery): nobody is told twice.
    assert (
        do_send_import_added_emails(people_import_id=people_import.pk, user_ids=[member.pk]) == 0
    )
    assert len(mail.outbox) == 2


def test_a_new_person_sets_up_the_account_the_import_made_through_their_invitation(
    cast: Cast,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    unit = unit_of(cast.participant).name
    people_import, _ = upload_and_preview(
        cast,
        csv_text(person("nia@example.org", first="Nia", last="N", unit=unit, team="Night Owls")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirm(cast.client_for("program_admin"), people_import)
    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/invitations/" in word)
    visitor = Client()
    assert "Create my account" in text(visitor.get(link).content)
    signup = reverse("programs:invitation_signup", args=[link.rstrip("/").split("/")[-1]])
    form = text(visitor.get(signup).content)
    assert "nia@example.org" in form
    response = visitor.post(
        signup,
        {
            "first_name": "Nia",
            "last_name": "Newton",
            "time_zone": "Europe/Lisbon",
            "password1": "a-Strong-passphrase-9",
            "password2": "a-Strong-passphrase-9",
        },
        follow=True,
    )
    assert "Welcome to System Leadership Academy, Nia" in text(response.content)
    nia = User.objects.get(email="nia@example.org")  # the same account, set up
    assert (nia.last_name, nia.time_zone) == ("Newton", "Europe/Lisbon")
    assert nia.check_password("a-Strong-passphrase-9")
    assert EmailAddress.objects.get(user=nia).verified
    assert TeamMember.objects.get(user=nia).team.name == "Night Owls"
    assert Invitation.objects.get(email="nia@example.org").accepted_by == nia
