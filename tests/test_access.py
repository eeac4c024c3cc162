"""Access rules for every page that takes an object id (DESIGN.md, privacy rule 5).

An outsider gets 404, exactly as for an id that does not exist; a member of the program
without the right gets 403. `ID_URLS` lists every such URL of the project; the guard test
at the bottom fails when a new one is added without a row here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from programs.models import Invitation, Milestone, Role
from projects.models import Action, DoorRequest, StatusUpdate
from reflections.models import CheckIn, Reflection, TeamReflection
from reflections.services import do_create_checkin, do_write_reflection, do_write_team_reflection
from teams.models import CoachNote, PeopleImport, PulseSurvey
from tests.conftest import Cast

OUR_APPS = ("core", "programs", "teams", "projects", "reflections", "dashboards")


ADMIN_ONLY = ("program_admin",)
NOT_ADMINS = ("coach", "sponsor", "participant", "former_participant")


@dataclass(frozen=True)
class IdUrl:
    kwargs: Callable[[Cast], dict[str, int]]
    allowed: tuple[str, ...]
    forbidden: tuple[str, ...]
    missing: dict[str, int]
    method: str = "get"
    data: Callable[[Cast], dict[str, object]] = lambda c: {}
    ok: int = 200
    # Program members for whom the object does not exist (someone else's private writing).
    hidden: tuple[str, ...] = ()


def program(c: Cast) -> dict[str, int]:
    return {"program_id": c.program.pk}


def cohort(c: Cast) -> dict[str, int]:
    return {"program_id": c.program.pk, "cohort_id": c.program.cohorts.get().pk}


def milestone(c: Cast) -> dict[str, int]:
    found, _ = Milestone.objects.get_or_create(
        program=c.program, kind="kickoff", defaults={"title": "Kickoff", "due_on": "2026-09-07"}
    )
    return {"program_id": c.program.pk, "milestone_id": found.pk}


def invitation(c: Cast) -> dict[str, int]:
    found = Invitation.objects.filter(program=c.program).first() or Invitation.objects.create(
        program=c.program,
        email="invitee@example.org",
        role=Role.COACH,
        nonce="n",
        expires_at=timezone.now() + datetime.timedelta(days=5),
    )
    return {"program_id": c.program.pk, "invitation_id": found.pk}


def team_in_cohort(c: Cast) -> dict[str, int]:
    return cohort(c) | {"team_id": c.other_team.pk}


def people_import(c: Cast) -> dict[str, int]:
    found = PeopleImport.objects.filter(program=c.program).first() or PeopleImport.objects.create(
        program=c.program,
        cohort=c.program.cohorts.get(),
        uploaded_by=c.program_admin,
        filename="people.csv",
        content="email,first_name,last_name,unit,discipline,job_title,role,team,reports_to_email\n",
    )
    return {"program_id": c.program.pk, "import_id": found.pk}


MISSING = 987654
TEAM = ("participant", "teammate")
TEAM_READERS = ("program_admin", "coach", "sponsor", "participant", "teammate")
OTHER_MEMBERS = ("other_participant", "former_participant")
NOT_TEAM = ("program_admin", "coach", "sponsor", *OTHER_MEMBERS)
NOT_SPONSOR = ("program_admin", "coach", "participant", "teammate", *OTHER_MEMBERS)


def project_id(c: Cast) -> dict[str, int]:
    return {"project_id": c.project.pk}


def project_action(c: Cast) -> dict[str, int]:
    found = c.project.actions.first() or Action.objects.create(
        project=c.project, title="Map the discharge process", owner=c.participant
    )
    return {"project_id": c.project.pk, "action_id": found.pk}


def project_door(c: Cast) -> dict[str, int]:
    found = c.project.doors.first() or DoorRequest.objects.create(
        project=c.project,
        kind="introduction",
        request="An introduction to the CMO.",
        asked_by=c.participant,
    )
    return {"project_id": c.project.pk, "door_id": found.pk}


def project_update(c: Cast) -> dict[str, int]:
    found = c.project.updates.first() or StatusUpdate.objects.create(
        project=c.project,
        progress="Mapped the process.",
        next_steps="Pull data.",
        author=c.participant,
    )
    return {"project_id": c.project.pk, "update_id": found.pk}


PARTICIPANTS_ONLY = ("participant", "teammate", "other_participant")
NOT_PARTICIPANTS = ("program_admin", "coach", "sponsor", "former_participant")
REFLECTION_TEAM_READERS = ("participant", "teammate", "coach", "sponsor")
NOT_REFLECTION_TEAM_READERS = ("program_admin", "other_participant", "former_participant")
TEAM_WRITERS = ("participant", "teammate")
NOT_TEAM_WRITERS = ("program_admin", "coach", "sponsor", "other_participant", "former_participant")


def team_shared_reflection(c: Cast) -> dict[str, int]:
    found = Reflection.objects.filter(author=c.participant, title="Shared with my team").first()
    found = found or do_write_reflection(
        author=c.participant,
        program=c.program,
        title="Shared with my team",
        body="What I learned this week.",
        tags=[],
        visibility="team",
        prompt=None,
    )
    return {"reflection_id": found.pk}


def deleted_reflection(c: Cast) -> dict[str, int]:
    found = Reflection.objects.filter(author=c.participant, title="In the bin").first()
    found = found or do_write_reflection(
        author=c.participant,
        program=c.program,
        title="In the bin",
        body="Second thoughts.",
        tags=[],
        visibility="private",
        prompt=None,
    )
    Reflection.objects.filter(pk=found.pk).update(deleted_at=timezone.now())
    return {"reflection_id": found.pk}


def coach_shared_checkin(c: Cast) -> dict[str, int]:
    found = CheckIn.objects.filter(user=c.participant, program=c.program).first()
    found = found or do_create_checkin(
        user=c.participant,
        program=c.program,
        time_zone="America/New_York",
        steps_taken="Asked first.",
        next_focus="Listen more.",
        progress=3,
        visibility="coach",
    )
    return {"checkin_id": found.pk}


def sponsor_shared_team_reflection(c: Cast) -> dict[str, int]:
    found = TeamReflection.objects.filter(team=c.team).first()
    found = found or do_write_team_reflection(
        team=c.team,
        by=c.participant,
        title="What our stakeholders told us",
        body="Everyone agrees the problem is real.",
        share_with_sponsor=True,
    )
    return {"team_reflection_id": found.pk}


def own_team(c: Cast) -> dict[str, int]:
    return {"team_id": c.team.pk}


def coach_note(c: Cast) -> dict[str, int]:
    found = CoachNote.objects.filter(team=c.team).first() or CoachNote.objects.create(
        team=c.team,
        author=c.coach,
        held_on=datetime.date(2026, 10, 1),
        body="Process note.",
        task_minutes=40,
        process_minutes=20,
        created_at=datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC),
    )
    return {"note_id": found.pk}


def pulse_survey(c: Cast) -> dict[str, int]:
    found, _ = PulseSurvey.objects.get_or_create(
        team=c.team,
        meeting_on=datetime.date(2026, 10, 1),
        defaults={"created_at": datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)},
    )
    return {"survey_id": found.pk}


NOT_TEAM_COACH = (
    "program_admin",
    "sponsor",
    "participant",
    "teammate",
    "other_participant",
    "former_participant",
)
PULSE_TAKERS = ("coach", "participant", "teammate")
NOT_PULSE_TAKERS = ("program_admin", "sponsor", "other_participant", "former_participant")


ID_URLS: dict[str, IdUrl] = {
    "dashboards:program": IdUrl(
        kwargs=program,
        allowed=("program_admin", "coach", "sponsor", "participant", "other_participant"),
        forbidden=("former_participant",),
        missing={"program_id": MISSING},
    ),
    "teams:detail": IdUrl(
        kwargs=lambda c: {"team_id": c.team.pk},
        allowed=("program_admin", "coach", "sponsor", "participant", "teammate"),
        forbidden=("other_participant", "former_participant"),
        missing={"team_id": MISSING},
    ),
    "projects:detail": IdUrl(
        kwargs=lambda c: {"project_id": c.project.pk},
        allowed=("program_admin", "coach", "sponsor", "participant", "teammate"),
        forbidden=("other_participant", "former_participant"),
        missing={"project_id": MISSING},
    ),
    "programs:edit": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "programs:cohort_create": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "programs:cohort_edit": IdUrl(
        cohort, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING, "cohort_id": MISSING}
    ),
    "programs:schedule": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "programs:milestone_edit": IdUrl(
        milestone, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING, "milestone_id": MISSING}
    ),
    "programs:milestone_delete": IdUrl(
        milestone, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING, "milestone_id": MISSING}
    ),
    "programs:invite": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "programs:invitation_resend": IdUrl(
        invitation,
        ADMIN_ONLY,
        NOT_ADMINS,
        {"program_id": MISSING, "invitation_id": MISSING},
        method="post",
        ok=302,
    ),
    "programs:invitation_revoke": IdUrl(
        invitation,
        ADMIN_ONLY,
        NOT_ADMINS,
        {"program_id": MISSING, "invitation_id": MISSING},
        method="post",
        ok=302,
    ),
    "teams:people": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "teams:builder": IdUrl(
        cohort, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING, "cohort_id": MISSING}
    ),
    "teams:builder_assign": IdUrl(
        cohort,
        ADMIN_ONLY,
        NOT_ADMINS,
        {"program_id": MISSING, "cohort_id": MISSING},
        method="post",
        data=lambda c: {"user": c.participant.pk, "team": c.team.pk},
        ok=302,
    ),
    "teams:builder_team_create": IdUrl(
        cohort,
        ADMIN_ONLY,
        NOT_ADMINS,
        {"program_id": MISSING, "cohort_id": MISSING},
        method="post",
        data=lambda c: {"name": "Pathfinders"},
        ok=302,
    ),
    "teams:builder_team_advisors": IdUrl(
        team_in_cohort,
        ADMIN_ONLY,
        NOT_ADMINS,
        {"program_id": MISSING, "cohort_id": MISSING, "team_id": MISSING},
        method="post",
        ok=302,
    ),
    "teams:builder_team_delete": IdUrl(
        team_in_cohort,
        ADMIN_ONLY,
        NOT_ADMINS,
        {"program_id": MISSING, "cohort_id": MISSING, "team_id": MISSING},
    ),
    "teams:builder_propose": IdUrl(
        cohort, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING, "cohort_id": MISSING}, ok=302
    ),
    "people_import:start": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "people_import:preview": IdUrl(
        people_import, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING, "import_id": MISSING}
    ),
    "people_import:confirm": IdUrl(
        people_import,
        ADMIN_ONLY,
        NOT_ADMINS,
        {"program_id": MISSING, "import_id": MISSING},
        method="post",
        ok=302,
    ),
    "people_import:export": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "projects:charter_history": IdUrl(
        lambda c: {"project_id": c.project.pk},
        TEAM_READERS,
        OTHER_MEMBERS,
        {"project_id": MISSING},
    ),
    "projects:charter_section": IdUrl(
        lambda c: {"project_id": c.project.pk, "section": "scope"},
        TEAM_READERS,
        OTHER_MEMBERS,
        {"project_id": MISSING, "section": "scope"},
    ),
    "projects:charter_save": IdUrl(
        lambda c: {"project_id": c.project.pk, "section": "scope"},
        TEAM,
        ("coach", "sponsor", "program_admin", *OTHER_MEMBERS),
        {"project_id": MISSING, "section": "scope"},
        method="post",
        data=lambda c: {"text": "Two units.", "version": c.project.version},
        ok=302,
    ),
    "projects:criterion_save": IdUrl(
        lambda c: {"project_id": c.project.pk, "number": 1},
        TEAM,
        ("coach", "sponsor", "program_admin", *OTHER_MEMBERS),
        {"project_id": MISSING, "number": 1},
        method="post",
        data=lambda c: {"rationale": "We pilot a new huddle."},
        ok=302,
    ),
    "projects:criterion_review": IdUrl(
        lambda c: {"project_id": c.project.pk, "number": 1},
        ("sponsor",),
        ("coach", "participant", "program_admin", *OTHER_MEMBERS),
        {"project_id": MISSING, "number": 1},
        method="post",
        data=lambda c: {"decision": "confirm"},
        ok=302,
    ),
    "projects:gate": IdUrl(
        lambda c: {"project_id": c.project.pk, "action": "submit-charter"},
        TEAM,
        ("coach", "sponsor", "program_admin", *OTHER_MEMBERS),
        {"project_id": MISSING, "action": "submit-charter"},
        method="post",
        ok=302,
    ),
    "projects:transition_plan": IdUrl(
        lambda c: {"project_id": c.project.pk},
        TEAM,
        ("coach", "sponsor", "program_admin", *OTHER_MEMBERS),
        {"project_id": MISSING},
        method="post",
        ok=302,
    ),
    "projects:override": IdUrl(
        lambda c: {"project_id": c.project.pk},
        ADMIN_ONLY,
        ("coach", "sponsor", "participant", *OTHER_MEMBERS),
        {"project_id": MISSING},
    ),
    "project_work:actions": IdUrl(
        project_id, TEAM_READERS, OTHER_MEMBERS, {"project_id": MISSING}
    ),
    "project_work:action_create": IdUrl(
        project_id,
        TEAM,
        NOT_TEAM,
        {"project_id": MISSING},
        method="post",
        data=lambda c: {
            "title": "Call bed management",
            "owner": c.participant.pk,
            "status": "todo",
        },
        ok=302,
    ),
    "project_work:action_row": IdUrl(
        project_action, TEAM_READERS, OTHER_MEMBERS, {"project_id": MISSING, "action_id": MISSING}
    ),
    "project_work:action_edit": IdUrl(
        project_action, TEAM, NOT_TEAM, {"project_id": MISSING, "action_id": MISSING}
    ),
    "project_work:stakeholders": IdUrl(
        project_id, TEAM_READERS, OTHER_MEMBERS, {"project_id": MISSING}
    ),
    "project_work:engagement_create": IdUrl(
        project_id,
        TEAM,
        NOT_TEAM,
        {"project_id": MISSING},
        method="post",
        data=lambda c: {
            "stakeholder": "Director of Patient Access",
            "level": "consult",
            "engaged_on": "2026-10-01",
        },
        ok=302,
    ),
    "project_work:doors": IdUrl(project_id, TEAM_READERS, OTHER_MEMBERS, {"project_id": MISSING}),
    "project_work:door_create": IdUrl(
        project_id,
        TEAM,
        NOT_TEAM,
        {"project_id": MISSING},
        method="post",
        data=lambda c: {"kind": "decision", "request": "Approve two hours of analyst time."},
        ok=302,
    ),
    "project_work:door_answer": IdUrl(
        project_door,
        ("sponsor",),
        NOT_SPONSOR,
        {"project_id": MISSING, "door_id": MISSING},
        method="post",
        data=lambda c: {"answer": "Done: see you on Tuesday."},
        ok=302,
    ),
    "project_work:updates": IdUrl(
        project_id, TEAM_READERS, OTHER_MEMBERS, {"project_id": MISSING}
    ),
    "project_work:update_create": IdUrl(
        project_id,
        TEAM,
        NOT_TEAM,
        {"project_id": MISSING},
        method="post",
        data=lambda c: {"progress": "Baseline done.", "next_steps": "Start the pilot."},
        ok=302,
    ),
    "project_work:update_comment": IdUrl(
        project_update,
        ("sponsor",),
        NOT_SPONSOR,
        {"project_id": MISSING, "update_id": MISSING},
        method="post",
        data=lambda c: {"body": "Good progress."},
        ok=302,
    ),
    "reflections:journal": IdUrl(
        program, PARTICIPANTS_ONLY, NOT_PARTICIPANTS, {"program_id": MISSING}
    ),
    "reflections:write": IdUrl(
        program, PARTICIPANTS_ONLY, NOT_PARTICIPANTS, {"program_id": MISSING}
    ),
    "reflections:draft_save": IdUrl(
        program,
        PARTICIPANTS_ONLY,
        NOT_PARTICIPANTS,
        {"program_id": MISSING},
        method="post",
        data=lambda c: {"draft_token": "page-1", "body": "Half a thought"},
        ok=204,
    ),
    "reflections:draft_discard": IdUrl(
        program,
        PARTICIPANTS_ONLY,
        NOT_PARTICIPANTS,
        {"program_id": MISSING},
        method="post",
        ok=302,
    ),
    "reflections:deleted": IdUrl(
        program, PARTICIPANTS_ONLY, NOT_PARTICIPANTS, {"program_id": MISSING}
    ),
    "reflections:shared": IdUrl(
        program,
        ("participant", "teammate", "other_participant", "coach"),
        ("program_admin", "sponsor", "former_participant"),
        {"program_id": MISSING},
    ),
    "reflections:detail": IdUrl(
        team_shared_reflection,
        ("participant", "teammate", "coach"),
        (),
        {"reflection_id": MISSING},
        hidden=("sponsor", "program_admin", "other_participant", "former_participant"),
    ),
    "reflections:edit": IdUrl(
        team_shared_reflection,
        ("participant",),
        (),
        {"reflection_id": MISSING},
        hidden=("teammate", "coach", "sponsor", "program_admin", "other_participant"),
    ),
    "reflections:delete": IdUrl(
        team_shared_reflection,
        ("participant",),
        (),
        {"reflection_id": MISSING},
        method="post",
        ok=302,
        hidden=("teammate", "coach", "sponsor", "program_admin"),
    ),
    "reflections:restore": IdUrl(
        deleted_reflection,
        ("participant",),
        (),
        {"reflection_id": MISSING},
        method="post",
        ok=302,
        hidden=("teammate", "coach", "sponsor", "program_admin"),
    ),
    "reflections:team_list": IdUrl(
        own_team, REFLECTION_TEAM_READERS, NOT_REFLECTION_TEAM_READERS, {"team_id": MISSING}
    ),
    "reflections:team_write": IdUrl(
        own_team, TEAM_WRITERS, NOT_TEAM_WRITERS, {"team_id": MISSING}
    ),
    "reflections:team_detail": IdUrl(
        sponsor_shared_team_reflection,
        REFLECTION_TEAM_READERS,
        NOT_REFLECTION_TEAM_READERS,
        {"team_reflection_id": MISSING},
    ),
    "reflections:team_edit": IdUrl(
        sponsor_shared_team_reflection,
        TEAM_WRITERS,
        NOT_TEAM_WRITERS,
        {"team_reflection_id": MISSING},
    ),
    "reflections:plan": IdUrl(
        program, PARTICIPANTS_ONLY, NOT_PARTICIPANTS, {"program_id": MISSING}
    ),
    "reflections:plan_calendar": IdUrl(
        program, PARTICIPANTS_ONLY, NOT_PARTICIPANTS, {"program_id": MISSING}
    ),
    "reflections:checkin": IdUrl(
        program, PARTICIPANTS_ONLY, NOT_PARTICIPANTS, {"program_id": MISSING}
    ),
    "reflections:checkin_history": IdUrl(
        program, PARTICIPANTS_ONLY, NOT_PARTICIPANTS, {"program_id": MISSING}
    ),
    "reflections:checkin_detail": IdUrl(
        coach_shared_checkin,
        ("participant", "coach"),
        (),
        {"checkin_id": MISSING},
        hidden=("teammate", "sponsor", "program_admin", "other_participant"),
    ),
    "coaching:dashboard": IdUrl(
        program,
        ("coach",),
        ("program_admin", "sponsor", "participant", "former_participant"),
        {"program_id": MISSING},
    ),
    "coaching:analytics": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "coaching:analytics_csv": IdUrl(
        lambda c: {"program_id": c.program.pk, "table": "teams"},
        ADMIN_ONLY,
        NOT_ADMINS,
        {"program_id": MISSING, "table": "teams"},
    ),
    "coaching:self_assessment": IdUrl(
        program, PARTICIPANTS_ONLY, NOT_PARTICIPANTS, {"program_id": MISSING}
    ),
    "coaching:report": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "coaching:notes": IdUrl(own_team, ("coach",), NOT_TEAM_COACH, {"team_id": MISSING}),
    "coaching:note_new": IdUrl(own_team, ("coach",), NOT_TEAM_COACH, {"team_id": MISSING}),
    "coaching:note": IdUrl(
        coach_note, ("coach",), (), {"note_id": MISSING}, hidden=NOT_TEAM_COACH
    ),
    "coaching:pulse": IdUrl(own_team, PULSE_TAKERS, NOT_PULSE_TAKERS, {"team_id": MISSING}),
    "coaching:pulse_open": IdUrl(
        own_team,
        PULSE_TAKERS,
        NOT_PULSE_TAKERS,
        {"team_id": MISSING},
        method="post",
        data=lambda c: {"meeting_on": "2026-10-01"},
        ok=302,
    ),
    "coaching:pulse_answer": IdUrl(
        pulse_survey,
        ("participant", "teammate"),
        ("program_admin", "coach", "sponsor", "other_participant", "former_participant"),
        {"survey_id": MISSING},
    ),
    "reminders:log": IdUrl(program, ADMIN_ONLY, NOT_ADMINS, {"program_id": MISSING}),
    "reminders:calendar_feed": IdUrl(
        program, PARTICIPANTS_ONLY, NOT_PARTICIPANTS, {"program_id": MISSING}
    ),
    "reminders:calendar_feed_create": IdUrl(
        program,
        PARTICIPANTS_ONLY,
        NOT_PARTICIPANTS,
        {"program_id": MISSING},
        method="post",
        ok=302,
    ),
    "reminders:calendar_feed_revoke": IdUrl(
        program,
        PARTICIPANTS_ONLY,
        NOT_PARTICIPANTS,
        {"program_id": MISSING},
        method="post",
        ok=302,
    ),
}

CASES = [
    (name, who, expected)
    for name, spec in ID_URLS.items()
    for who, expected in (
        [(role, 200) for role in spec.allowed]
        + [(role, 403) for role in spec.forbidden]
        + [(role, 404) for role in spec.hidden]
        + [("outsider", 404)]
    )
]


@pytest.mark.parametrize(("url_name", "who", "expected"), CASES)
def test_each_role_gets_the_status_its_rights_give(
    cast: Cast, url_name: str, who: str, expected: int
) -> None:
    spec = ID_URLS[url_name]
    url = reverse(url_name, kwargs=spec.kwargs(cast))
    client = cast.client_for(who)
    send = client.post if spec.method == "post" else client.get
    status = send(url, spec.data(cast)).status_code
    assert status == (spec.ok if expected == 200 else expected)


@pytest.mark.parametrize("url_name", list(ID_URLS))
def test_outsider_sees_the_same_404_as_for_an_id_that_does_not_exist(
    cast: Cast, url_name: str
) -> None:
    spec = ID_URLS[url_name]
    client = cast.client_for("outsider")
    send = client.post if spec.method == "post" else client.get
    existing = send(reverse(url_name, kwargs=spec.kwargs(cast)), spec.data(cast))
    missing = send(reverse(url_name, kwargs=spec.missing), spec.data(cast))
    assert existing.status_code == missing.status_code == 404
    assert main_region(existing.content) == main_region(missing.content)


def main_region(html: bytes) -> bytes:
    """The page body without the per-request CSRF token in the layout."""
    return html.split(b'<main id="main"', 1)[1].split(b"</main>", 1)[0]


@pytest.mark.parametrize("url_name", list(ID_URLS))
def test_anonymous_visitor_is_sent_to_login(cast: Cast, url_name: str) -> None:
    from django.test import Client

    spec = ID_URLS[url_name]
    url = reverse(url_name, kwargs=spec.kwargs(cast))
    client = Client()
    response = (client.post if spec.method == "post" else client.get)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_forbidden_page_says_why_in_words(cast: Cast) -> None:
    response = cast.client_for("other_participant").get(
        reverse("teams:detail", args=[cast.team.pk])
    )
    assert response.status_code == 403
    assert b"Only this team, its coach, its sponsor and program admins" in response.content


def _patterns(
    resolver: URLResolver, namespace: str = "", route: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, ns, route + str(entry.pattern))
        else:
            yield f"{namespace}{entry.name}", route + str(entry.pattern), entry


def project_urls_with_ids() -> set[str]:
    return {
        name
        for name, route, entry in _patterns(get_resolver())
        if "<int:" in route and entry.callback.__module__.split(".")[0] in OUR_APPS
    }


def test_every_url_that_takes_an_id_has_an_access_test() -> None:
    untested = project_urls_with_ids() - set(ID_URLS)
    assert not untested, (
        f"add these URLs to ID_URLS with their allowed/forbidden roles: {untested}"
    )


def test_the_guard_sees_the_project_urls_with_ids() -> None:
    # The guard above would pass vacuously if it found nothing; it must see these.
    assert {"teams:detail", "projects:detail", "dashboards:program"} <= project_urls_with_ids()
