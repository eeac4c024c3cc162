"""Deleting and leaving: a program is archived first (and can be restored) and deleted for
good only from the archive, after typing its name, leaving no row behind that belonged to
it; a team is deleted only while nothing depends on it; a person's membership ends on a
confirmation page, and a participant who left keeps their own writing. Program admins only:
others in the program get 403, outsiders 404."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections import defaultdict
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coaching.models import CoachNote, TeamSession
from coaching.notes import do_hand_over_notes, do_record_note_read
from coaching.services import do_add_coach_question
from devtools.demo.program import PROGRAM as DEMO_PROGRAM
from programs.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationSignOn,
    Program,
    Role,
    SelfAssessment,
    User,
)
from programs.services import do_invite, invitation_token
from projects.models import Action, CharterChange, Project, TransitionPlan
from reflections.export import JSON_NAME
from reflections.feeds import do_create_calendar_feed
from reflections.models import Reflection
from reflections.services import do_create_checkin, do_save_draft, do_write_reflection
from teams.models import PeopleImport, Team, TeamMember
from tests import factories as f
from tests.conftest import Cast

NOT_ADMINS = ("coach", "sponsor", "participant", "teammate", "former_participant")


def url(name: str, *args: int) -> str:
    return reverse(name, args=args)


def archive(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(url("programs:archive", cast.program.pk))
    assert response.status_code == 302
    cast.program.refresh_from_db()


# Archiving and restoring a program ----------------------------------------------------


def test_archiving_is_confirmed_on_a_page_with_a_post_form_and_a_get_changes_nothing(
    cast: Cast,
) -> None:
    page = cast.client_for("program_admin").get(url("programs:archive", cast.program.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post"' in html
    assert "Nothing is deleted" in html
    cast.program.refresh_from_db()
    assert not cast.program.is_archived
    overview = cast.client_for("program_admin").get(url("dashboards:program", cast.program.pk))
    assert url("programs:archive", cast.program.pk) in overview.content.decode()


def test_an_archived_program_closes_to_everyone_but_its_admins_and_deletes_nothing(
    cast: Cast,
) -> None:
    do_write_reflection(
        author=cast.participant,
        program=cast.program,
        title="Before the archive",
        body="Still mine.",
        tags=[],
        visibility="private",
        prompt=None,
    )
    archive(cast)
    assert cast.program.is_archived
    assert cast.program.archived_by == cast.program_admin
    assert Reflection.objects.filter(author=cast.participant).count() == 1

    refused = cast.client_for("participant").get(url("dashboards:program", cast.program.pk))
    assert refused.status_code == 403
    assert "archived" in refused.content.decode()
    for who in ("coach", "sponsor"):
        assert cast.client_for(who).get(url("teams:detail", cast.team.pk)).status_code == 403
    admin_page = cast.client_for("program_admin").get(url("dashboards:program", cast.program.pk))
    assert admin_page.status_code == 200
    assert "Archived" in admin_page.content.decode()
    assert url("programs:restore", cast.program.pk) in admin_page.content.decode()
    assert Membership.objects.get(user=cast.program_admin, program=cast.program).is_active


def test_restoring_brings_back_the_memberships_archiving_paused_and_no_others(
    cast: Cast,
) -> None:
    archive(cast)
    response = cast.client_for("program_admin").post(url("programs:restore", cast.program.pk))
    assert response.status_code == 302
    cast.program.refresh_from_db()
    assert not cast.program.is_archived
    assert Membership.objects.get(user=cast.participant, program=cast.program).is_active
    assert cast.client_for("participant").get(url("teams:detail", cast.team.pk)).status_code == 200
    # The participant who had left before the archive stays a former participant.
    former = Membership.objects.get(user=cast.former_participant, program=cast.program)
    assert not former.is_active


def test_restore_refuses_get(cast: Cast) -> None:
    archive(cast)
    response = cast.client_for("program_admin").get(url("programs:restore", cast.program.pk))
    assert response.status_code == 405
    cast.program.refresh_from_db()
    assert cast.program.is_archived


def test_an_invitation_to_an_archived_program_cannot_be_used_or_sent(cast: Cast) -> None:
    invitation = do_invite(
        program=cast.program, email="late@example.org", role=Role.COACH, cohort=None, by=None
    )
    archive(cast)
    page = Client().get(reverse("programs:invitation", args=[invitation_token(invitation)]))
    assert page.status_code == 410
    assert "archived" in page.content.decode()
    form = cast.client_for("program_admin").post(
        url("programs:invite", cast.program.pk), {"email": "new@example.org", "role": "coach"}
    )
    assert form.status_code == 400
    assert "restore it before inviting" in form.content.decode()
    assert not Invitation.objects.filter(email="new@example.org").exists()
    resend = cast.client_for("program_admin").post(
        url("programs:invitation_resend", cast.program.pk, invitation.pk), follow=True
    )
    assert "restore it before sending invitations" in resend.content.decode()


def test_people_are_not_imported_into_an_archived_program(cast: Cast) -> None:
    upload = PeopleImport.objects.create(
        program=cast.program,
        cohort=cast.team.cohort,
        uploaded_by=cast.program_admin,
        filename="people.csv",
        content=(
            "email,first_name,last_name,unit,discipline,job_title,role,team,reports_to_email\n"
            "new.person@example.org,New,Person,,nurse,Nurse,participant,,\n"
        ),
    )
    archive(cast)
    response = cast.client_for("program_admin").post(
        url("teams:import_confirm", cast.program.pk, upload.pk), follow=True
    )
    assert "restore it before importing people" in response.content.decode()
    assert not User.objects.filter(email="new.person@example.org").exists()


# Deleting a program for good ----------------------------------------------------------


def test_a_program_that_is_not_archived_cannot_be_deleted_even_with_its_name(
    cast: Cast,
) -> None:
    client = cast.client_for("program_admin")
    page = client.get(url("programs:delete", cast.program.pk))
    assert page.status_code == 200
    assert "Archive it first" in page.content.decode()
    response = client.post(url("programs:delete", cast.program.pk), {"name": cast.program.name})
    assert response.status_code == 400
    assert Program.objects.filter(pk=cast.program.pk).exists()


def test_deleting_needs_the_programs_name_typed_exactly(cast: Cast) -> None:
    archive(cast)
    client = cast.client_for("program_admin")
    page = client.get(url("programs:delete", cast.program.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post"' in html
    assert "This cannot be undone" in html
    for typed in ("", "system leadership academy", "System Leadership"):
        response = client.post(url("programs:delete", cast.program.pk), {"name": typed})
        assert response.status_code == 400, typed
        assert Program.objects.filter(pk=cast.program.pk).exists()
    assert "not the program" in response.content.decode()


# Rows of an organisation that only name one of its programs as an option: deleting the
# program clears the option and the row stays (checked below).
ORGANISATION_ROWS = (OrganizationSignOn,)


def _paths_to_program(
    model: type[models.Model], depth: int = 0, seen: tuple[type[models.Model], ...] = ()
) -> list[str]:
    """Every chain of foreign keys from `model` to Program (as ORM lookups), not through
    the people and organisations a program itself belongs to."""
    found: list[str] = []
    if depth > 6 or model in ORGANISATION_ROWS:
        return found
    for field in model._meta.get_fields():
        if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
            continue
        target = field.related_model
        assert isinstance(target, type)
        if target is Program:
            found.append(field.name)
        elif target not in (User, Organization) and target not in (*seen, model):
            found += [
                f"{field.name}__{path}"
                for path in _paths_to_program(target, depth + 1, (*seen, model))
            ]
    return found


def _rows_of(program: Program) -> dict[type[models.Model], set[object]]:
    """The ids of every row, in every model with a path to Program, that reaches `program`."""
    rows: dict[type[models.Model], set[object]] = {}
    for model in apps.get_models(include_auto_created=True):
        paths = _paths_to_program(model)
        if not paths:
            continue
        reaches = Q()
        for path in paths:
            reaches |= Q(**{path: program})
        rows[model] = set(model._base_manager.filter(reaches).values_list("pk", flat=True))
    return rows


def _fill_the_tables_the_demo_leaves_empty(program: Program) -> None:
    admin = User.objects.get(memberships__program=program, memberships__role=Role.PROGRAM_ADMIN)
    participant = User.objects.filter(
        memberships__program=program, memberships__role=Role.PARTICIPANT
    ).first()
    assert participant is not None
    cohort = program.cohorts.get()
    project = Project.objects.filter(team__cohort=cohort).first()
    assert project is not None
    now = timezone.now()
    PeopleImport.objects.create(
        program=program, cohort=cohort, uploaded_by=admin, filename="people.csv", content=""
    )
    # The demo's participants rated themselves at the baseline, which is closed (a
    # SelfAssessmentStage row); one has rated the mid-point too.
    SelfAssessment.objects.create(
        user=participant,
        program=program,
        stage=SelfAssessment.Stage.MIDPOINT,
        ratings={"Leading across boundaries": 3},
        created_at=now,
        updated_at=now,
    )
    CharterChange.objects.create(
        project=project, section="scope", old_text="", new_text="Two units.", version=99
    )
    TransitionPlan.objects.get_or_create(
        project=project,
        defaults={
            "new_owner_name": "Director of Patient Flow",
            "new_owner_unit": f.UnitFactory(organization=program.organization),
            "sustainment": "A monthly review.",
        },
    )
    do_save_draft(
        user=participant,
        program=program,
        token="page-1",
        title="Half a thought",
        body="To be continued.",
        tags="",
        visibility="private",
        prompt=None,
    )
    do_create_calendar_feed(user=participant, program=program)
    # A coach hands their notes on a team over to another coach, who reads one.
    note = CoachNote.objects.filter(team__cohort=cohort).select_related("team").first()
    assert note is not None and note.author is not None
    other_coach = (
        User.objects.filter(memberships__program=program, memberships__role=Role.COACH)
        .exclude(pk=note.author.pk)
        .first()
    )
    assert other_coach is not None
    do_hand_over_notes(team=note.team, by=note.author, to=other_coach)
    do_record_note_read(note=note, reader=other_coach)
    # The coach extends the program's question bank; a session decided an action.
    do_add_coach_question(
        program=program, by=note.author, purpose="process", text="Where is our energy now?"
    )
    session = TeamSession.objects.filter(team__cohort=cohort).first()
    action = Action.objects.filter(project__team__cohort=cohort).first()
    assert session is not None and action is not None
    session.actions.add(action)


def test_deleting_an_archived_program_leaves_no_row_anywhere_that_belonged_to_it(
    cast: Cast,
) -> None:
    call_command("seed_demo", stdout=StringIO())
    doomed = Program.objects.get(name=DEMO_PROGRAM)
    _fill_the_tables_the_demo_leaves_empty(doomed)
    admin = User.objects.get(memberships__program=doomed, memberships__role=Role.PROGRAM_ADMIN)
    people = set(
        Membership.objects.filter(program=doomed).values_list("user_id", flat=True).distinct()
    )
    before = _rows_of(doomed)
    empty = sorted(model._meta.label for model, ids in before.items() if not ids)
    assert not empty, (
        f"every model with a path to Program must hold a row of the doomed program, so that "
        f"deleting it is checked for that model too; add rows for {empty} above"
    )
    survivors = {model: len(ids) for model, ids in _rows_of(cast.program).items()}
    # The organisation lets anyone from its domains join the doomed program's cohort.
    sign_on = OrganizationSignOn.objects.get(organization=doomed.organization)
    sign_on.join_cohort = doomed.cohorts.get()
    sign_on.save()

    client = Client()
    client.force_login(admin)
    assert client.post(url("programs:archive", doomed.pk)).status_code == 302
    summary = client.get(url("programs:delete", doomed.pk)).content.decode()
    assert "Reflections" in summary and "Memberships" in summary
    response = client.post(url("programs:delete", doomed.pk), {"name": doomed.name})
    assert response.status_code == 302
    assert not Program.objects.filter(pk=doomed.pk).exists()

    # Every row that reached the program is gone ...
    left = {
        model._meta.label: model._base_manager.filter(pk__in=ids).count()
        for model, ids in before.items()
        if model._base_manager.filter(pk__in=ids).exists()
    }
    assert not left, f"rows of the deleted program are left: {left}"
    # ... the organisation's single sign-on stays, without the option ...
    sign_on.refresh_from_db()
    assert sign_on.join_cohort is None
    # ... no row anywhere refers to a deleted row ...
    deleted: dict[type[models.Model], set[object]] = defaultdict(set)
    for model, ids in before.items():
        deleted[model] |= ids
    deleted[Program].add(doomed.pk)
    dangling = []
    checked = 0
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target in deleted:
                checked += 1
                lookup = {f"{field.attname}__in": deleted[target]}  # type: ignore[index]
                if model._base_manager.filter(**lookup).exists():
                    dangling.append(f"{model._meta.label}.{field.name}")
    assert not dangling, f"rows still point at deleted rows through {dangling}"
    assert checked >= len(before)
    print(f"deleted program: {len(before)} models with a path to it checked, {checked} links")
    # ... and nothing outside it was touched: the other program, and people's accounts.
    assert {model: len(ids) for model, ids in _rows_of(cast.program).items()} == survivors
    assert User.objects.filter(pk__in=people).count() == len(people)


# Deleting a team ----------------------------------------------------------------------


def team_delete_url(cast: Cast, team: Team) -> str:
    return url("teams:builder_team_delete", cast.program.pk, team.cohort_id, team.pk)


def test_a_team_with_a_project_is_kept_and_the_page_says_why(cast: Cast) -> None:
    TeamMember.objects.filter(team=cast.team).delete()
    # The team has worked on its charter (one saved edit), so the project is a record.
    Project.objects.filter(pk=cast.project.pk).update(version=2)
    client = cast.client_for("program_admin")
    page = client.get(team_delete_url(cast, cast.team))
    assert page.status_code == 200
    html = page.content.decode()
    assert "It has a project, which stays with the program" in html
    assert "Delete team</button>" not in html
    client.post(team_delete_url(cast, cast.team))
    assert Team.objects.filter(pk=cast.team.pk).exists()
    assert Project.objects.filter(pk=cast.project.pk).exists()


def test_an_empty_team_holding_a_coach_note_is_kept(cast: Cast) -> None:
    spare = Team.objects.create(cohort=cast.team.cohort, name="Spare", coach=cast.coach)
    CoachNote.objects.create(
        team=spare,
        author=cast.coach,
        held_on=datetime.date(2026, 10, 1),
        body="Process note.",
        task_minutes=30,
        process_minutes=30,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    client = cast.client_for("program_admin")
    assert "holds writing or records" in client.get(team_delete_url(cast, spare)).content.decode()
    client.post(team_delete_url(cast, spare))
    assert CoachNote.objects.filter(team=spare).exists()


def test_an_empty_team_is_deleted_only_by_the_confirming_post(cast: Cast) -> None:
    spare = Team.objects.create(cohort=cast.team.cohort, name="Spare")
    client = cast.client_for("program_admin")
    page = client.get(team_delete_url(cast, spare))
    assert 'method="post"' in page.content.decode()
    assert Team.objects.filter(pk=spare.pk).exists()
    assert client.post(team_delete_url(cast, spare)).status_code == 302
    assert not Team.objects.filter(pk=spare.pk).exists()


# Ending a membership ------------------------------------------------------------------


def membership_of(cast: Cast, who: str) -> Membership:
    return Membership.objects.get(user=getattr(cast, who), program=cast.program)


def end_url(cast: Cast, membership: Membership) -> str:
    return url("teams:membership_end", cast.program.pk, membership.pk)


def test_ending_a_membership_is_confirmed_and_a_get_changes_nothing(cast: Cast) -> None:
    membership = membership_of(cast, "participant")
    page = cast.client_for("program_admin").get(end_url(cast, membership))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post"' in html
    assert "Flow Forward" in html
    assert "Nothing they wrote is deleted" in html
    membership.refresh_from_db()
    assert membership.is_active
    people = cast.client_for("program_admin").get(url("teams:people", cast.program.pk))
    assert end_url(cast, membership) in people.content.decode()


def test_a_participant_who_left_keeps_their_writing_and_loses_the_team(cast: Cast) -> None:
    for title, visibility in (("Private thoughts", "private"), ("For my team", "team")):
        do_write_reflection(
            author=cast.participant,
            program=cast.program,
            title=title,
            body=f"{title}: what I learned.",
            tags=["listening"],
            visibility=visibility,
            prompt=None,
        )
    do_create_checkin(
        user=cast.participant,
        program=cast.program,
        time_zone="America/New_York",
        steps_taken="Asked first.",
        next_focus="Listen more.",
        progress=4,
        visibility="private",
    )
    membership = membership_of(cast, "participant")
    response = cast.client_for("program_admin").post(end_url(cast, membership))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert membership.ending == Membership.Ending.LEFT and membership.ended_at is not None
    assert not TeamMember.objects.filter(user=cast.participant).exists()
    assert Reflection.objects.filter(author=cast.participant).count() == 2

    leaver = cast.client_for("participant")
    home = leaver.get(reverse("home")).content.decode()
    assert "Download all my writing" in home
    assert reverse("reflections:export") in home
    export = leaver.get(reverse("reflections:export"))
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive_file:
        data = json.loads(archive_file.read(JSON_NAME))
    assert {r["title"] for r in data["reflections"]} == {"Private thoughts", "For my team"}
    assert [c["steps_taken"] for c in data["check_ins"]] == ["Asked first."]

    for name, args in (
        ("teams:detail", (cast.team.pk,)),
        ("projects:detail", (cast.project.pk,)),
        ("reflections:team_list", (cast.team.pk,)),
        ("dashboards:program", (cast.program.pk,)),
        ("reflections:journal", (cast.program.pk,)),
    ):
        assert leaver.get(url(name, *args)).status_code == 403, name
    team_page = cast.client_for("teammate").get(url("teams:detail", cast.team.pk)).content.decode()
    members = team_page.split('id="members-heading"', 1)[1]
    assert "Pat Participant" not in members
    # The team is told that she left (every change of a role is shown to those it affects).
    assert "Pat Participant left the team" in team_page


def test_a_coach_who_steps_down_leaves_their_teams_without_a_coach(cast: Cast) -> None:
    cast.client_for("program_admin").post(end_url(cast, membership_of(cast, "coach")))
    cast.team.refresh_from_db()
    assert cast.team.coach is None
    assert cast.client_for("coach").get(url("teams:detail", cast.team.pk)).status_code == 403


def test_the_last_program_admin_cannot_be_ended(cast: Cast) -> None:
    membership = membership_of(cast, "program_admin")
    client = cast.client_for("program_admin")
    assert "only program admin" in client.get(end_url(cast, membership)).content.decode()
    client.post(end_url(cast, membership))
    membership.refresh_from_db()
    assert membership.is_active


def test_a_membership_that_ended_can_be_given_back_without_its_team(cast: Cast) -> None:
    membership = membership_of(cast, "participant")
    client = cast.client_for("program_admin")
    client.post(end_url(cast, membership))
    people = client.get(url("teams:people", cast.program.pk)).content.decode()
    restore = url("teams:membership_restore", cast.program.pk, membership.pk)
    assert restore in people
    assert client.get(restore).status_code == 405
    assert client.post(restore).status_code == 302
    membership.refresh_from_db()
    assert membership.is_active and membership.ended_at is None and membership.ending == ""
    assert not TeamMember.objects.filter(user=cast.participant).exists()
    assert (
        cast.client_for("participant").get(url("reflections:journal", cast.program.pk)).status_code
        == 200
    )


def test_a_membership_paused_by_the_archive_and_then_ended_stays_ended_on_restore(
    cast: Cast,
) -> None:
    archive(cast)
    membership = membership_of(cast, "teammate")
    client = cast.client_for("program_admin")
    assert client.post(end_url(cast, membership)).status_code == 302
    client.post(url("programs:restore", cast.program.pk))
    membership.refresh_from_db()
    assert not membership.is_active
    assert membership.ending == Membership.Ending.LEFT
    assert membership_of(cast, "participant").is_active


# Only program admins ------------------------------------------------------------------


def _deletion_requests(cast: Cast) -> list[tuple[str, str, dict[str, str]]]:
    membership = membership_of(cast, "participant")
    return [
        ("get", url("programs:archive", cast.program.pk), {}),
        ("post", url("programs:archive", cast.program.pk), {}),
        ("post", url("programs:restore", cast.program.pk), {}),
        ("get", url("programs:delete", cast.program.pk), {}),
        ("post", url("programs:delete", cast.program.pk), {"name": cast.program.name}),
        ("get", end_url(cast, membership), {}),
        ("post", end_url(cast, membership), {}),
        ("post", url("teams:membership_restore", cast.program.pk, membership.pk), {}),
    ]


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_members_who_are_not_program_admins_get_403_and_change_nothing(
    cast: Cast, who: str
) -> None:
    client = cast.client_for(who)
    for method, address, data in _deletion_requests(cast):
        response = getattr(client, method)(address, data)
        assert response.status_code == 403, (method, address)
    cast.program.refresh_from_db()
    assert not cast.program.is_archived
    assert membership_of(cast, "participant").is_active


def test_an_outsider_gets_404_for_every_deletion_page(cast: Cast) -> None:
    client = cast.client_for("outsider")
    for method, address, data in _deletion_requests(cast):
        assert getattr(client, method)(address, data).status_code == 404, (method, address)
    assert Program.objects.filter(pk=cast.program.pk, archived_at__isnull=True).exists()


def test_a_membership_of_another_program_is_not_found(cast: Cast) -> None:
    elsewhere = Membership.objects.get(user=cast.outsider)
    client = cast.client_for("program_admin")
    assert client.get(end_url(cast, elsewhere)).status_code == 404
    assert client.post(end_url(cast, elsewhere)).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.is_active


def test_the_django_admin_deletes_only_an_archived_program(cast: Cast) -> None:
    staff = User.objects.create_superuser(email="site.admin@example.org", password="x")
    client = Client()
    client.force_login(staff)
    delete = reverse("admin:programs_program_delete", args=[cast.program.pk])
    assert client.get(delete).status_code == 403
    organization = reverse(
        "admin:programs_organization_delete", args=[cast.program.organization_id]
    )
    client.post(organization, {"post": "yes"})
    assert Program.objects.filter(pk=cast.program.pk).exists()
    archive(cast)
    assert client.get(delete).status_code == 200
