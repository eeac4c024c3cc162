"""A person's own writing, in every program, as a zip of Markdown files and one JSON file
(DESIGN.md, privacy rule 6).

Everything the person wrote, and only that: their journal entries (the bin's too), the
open draft, check-ins, plans and self-assessments; of a team reflection, the versions
*they* saved, never its current text, which teammates may have written after they left;
and what they wrote on their team's project (charter sections they saved, stakeholder
notes, doors asked or answered, status updates, comments). The answers others gave them
are not theirs and are left out. The apps above this one add what they keep of the
person's writing (their coach notes, pulse answers and session learning entries, say)
through `core.exports`."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any

from django.utils.text import slugify

from core.exports import export_sections
from programs.models import SelfAssessment, User
from projects.models import (
    CHARTER_SECTIONS,
    Action,
    CharterChange,
    DoorRequest,
    PhaseEvent,
    SponsorComment,
    StakeholderEngagement,
    StatusUpdate,
)
from reflections.models import (
    CheckIn,
    Draft,
    Plan,
    Reflection,
    TeamReflectionEdit,
)

JSON_NAME = "actionlab-writing.json"


def _when(moment: datetime.datetime | None) -> str | None:
    return moment.astimezone(datetime.UTC).isoformat() if moment else None


def _day(moment: datetime.date | None) -> str | None:
    return moment.isoformat() if moment else None


def slug_or(text: str, fallback: str) -> str:
    """A slug of `text` for a path in the export, or `fallback` if nothing is left."""
    return slugify(text)[:60].strip("-") or fallback


def markdown_file(title: str, facts: list[tuple[str, str]], body: str) -> str:
    """One Markdown file of the export: a title, facts as a list, then the text."""
    lines = [f"# {title}", ""]
    lines += [f"- {label}: {value}" for label, value in facts if value]
    return "\n".join([*lines, "", body.strip(), ""])


def _items_markdown(items: list[dict[str, Any]]) -> str:
    """One section per item, its fields as lines (longer texts as paragraphs)."""
    parts = []
    for item in items:
        lines = []
        for key, value in item.items():
            if value in ("", None):
                continue
            label = key.replace("_", " ").capitalize()
            text = str(value)
            long = "\n" in text or len(text) > 80
            lines.append(f"\n**{label}**\n\n{text}\n" if long else f"- {label}: {text}")
        parts.append("\n".join(lines))
    return "\n\n---\n\n".join(parts)


def _entry(r: Reflection) -> dict[str, Any]:
    return {
        "id": r.pk,
        "program": r.program.name,
        "title": r.title,
        "body": r.body,
        "prompt": r.prompt.text if r.prompt else None,
        "learning_themes": [tag.name for tag in r.tags.all()],
        "visibility": r.visibility,
        "created_at": _when(r.created_at),
        "updated_at": _when(r.updated_at),
        "deleted_at": _when(r.deleted_at),
    }


def _project_writing(user: User) -> dict[str, list[dict[str, Any]]]:
    """What the person wrote on their teams' projects (as a member or an adviser)."""

    def project(obj: Any) -> dict[str, str]:
        return {"project": obj.project.title, "team": obj.project.team.name}

    related = ("project__team",)
    return {
        "charter_sections": [
            {
                **project(c),
                "section": CHARTER_SECTIONS.get(c.section, c.section),
                "version": c.version,
                "text": c.new_text,
                "saved_at": _when(c.changed_at),
            }
            for c in CharterChange.objects.filter(changed_by=user)
            .select_related(*related)
            .order_by("project_id", "version")
        ],
        "actions": [
            {
                **project(a),
                "title": a.title,
                "status": a.get_status_display(),
                "due_on": _day(a.due_on),
            }
            for a in Action.objects.filter(owner=user).select_related(*related)
        ],
        "stakeholder_engagements": [
            {
                **project(e),
                "stakeholder": e.stakeholder,
                "level": e.get_level_display(),
                "engaged_on": _day(e.engaged_on),
                "note": e.note,
            }
            for e in StakeholderEngagement.objects.filter(recorded_by=user).select_related(
                *related
            )
        ],
        "doors_asked": [
            {
                **project(d),
                "kind": d.get_kind_display(),
                "request": d.request,
                "asked_at": _when(d.asked_at),
                "answered": d.answered_at is not None,
            }
            for d in DoorRequest.objects.filter(asked_by=user).select_related(*related)
        ],
        "doors_answered": [
            {**project(d), "answer": d.answer, "answered_at": _when(d.answered_at)}
            for d in DoorRequest.objects.filter(answered_by=user).select_related(*related)
        ],
        "status_updates": [
            {
                **project(u),
                "progress": u.progress,
                "next_steps": u.next_steps,
                "risks": u.risks,
                "created_at": _when(u.created_at),
            }
            for u in StatusUpdate.objects.filter(author=user).select_related(*related)
        ],
        "comments_on_updates": [
            {
                "project": c.update.project.title,
                "team": c.update.project.team.name,
                "comment": c.body,
                "created_at": _when(c.created_at),
            }
            for c in SponsorComment.objects.filter(author=user).select_related(
                "update__project__team"
            )
        ],
        "phase_comments": [
            {
                **project(e),
                "step": e.get_kind_display(),
                "comment": e.comment,
                "at": _when(e.at),
            }
            for e in PhaseEvent.objects.filter(by=user)
            .exclude(comment="")
            .select_related(*related)
        ],
    }


def writing_of(user: User) -> dict[str, Any]:
    """Everything the person wrote, as plain data."""
    reflections = (
        Reflection.objects.filter(author=user)
        .select_related("program", "prompt")
        .prefetch_related("tags")
        .order_by("program__name", "created_at", "pk")
    )
    drafts = [
        d
        for d in Draft.objects.filter(user=user).select_related("program").order_by("pk")
        if d.is_open
    ]
    checkins = (
        CheckIn.objects.filter(user=user)
        .select_related("program")
        .order_by("program__name", "iso_year", "iso_week")
    )
    plans = (
        Plan.objects.filter(user=user)
        .select_related("program", "partner_user")
        .order_by("program__name")
    )
    # Their own revisions: the text of each version they saved, as they saved it.
    revisions = (
        TeamReflectionEdit.objects.filter(editor=user)
        .select_related("team_reflection__team__cohort__program")
        .order_by("team_reflection__team__name", "team_reflection_id", "version")
    )
    assessments = (
        SelfAssessment.objects.filter(user=user)
        .select_related("program")
        .order_by("program__name", "created_at")
    )
    return {
        "person": {"email": user.email, "name": user.display_name},
        "reflections": [_entry(r) for r in reflections if r.deleted_at is None],
        "bin": [_entry(r) for r in reflections if r.deleted_at is not None],
        "drafts": [
            {
                "program": d.program.name,
                "title": d.title,
                "body": d.body,
                "learning_themes": d.tags,
                "saved_at": _when(d.saved_at),
            }
            for d in drafts
        ],
        "check_ins": [
            {
                "id": c.pk,
                "program": c.program.name,
                "week": f"{c.iso_year}-W{c.iso_week:02d}",
                "week_starts_on": c.week_starts_on.isoformat(),
                "time_zone": c.time_zone,
                "steps_taken": c.steps_taken,
                "next_focus": c.next_focus,
                "progress": c.progress,
                "visibility": c.visibility,
                "created_at": _when(c.created_at),
                "updated_at": _when(c.updated_at),
            }
            for c in checkins
        ],
        "be_better_now_plans": [
            {
                "program": p.program.name,
                "aspect": p.aspect,
                "i_will": p.action,
                "accountability_partner": p.partner_display,
                "checkin_weekday": p.get_checkin_weekday_display(),
                "checkin_time": p.checkin_time.strftime("%H:%M"),
                "time_zone": user.time_zone,
                "updated_at": _when(p.updated_at),
            }
            for p in plans
        ],
        "team_reflections": [
            {
                "id": e.team_reflection.pk,
                "program": e.team_reflection.team.cohort.program.name,
                "team": e.team_reflection.team.name,
                "version": e.version,
                "title": e.title,
                "body": e.body,
                "saved_at": _when(e.edited_at),
            }
            for e in revisions
        ],
        "self_assessments": [
            {
                "program": a.program.name,
                "stage": a.get_stage_display(),
                "ratings": a.ratings,
                "updated_at": _when(a.updated_at),
            }
            for a in assessments
        ],
        "project": _project_writing(user),
        **{section.key: section.items(user) for section in export_sections()},
    }


def build_export(user: User, *, now: datetime.datetime) -> bytes:
    """The zip file: one Markdown file per entry, draft, check-in, plan, version of a
    team reflection and self-assessment, one for the project work, those of the apps
    above (`core.exports`), and all of it again in one JSON file."""
    data = writing_of(user)
    data["exported_at"] = _when(now)
    files: dict[str, str] = {}
    for folder, entries in (("reflections", data["reflections"]), ("bin", data["bin"])):
        for r in entries:
            day = r["created_at"][:10]
            path = (
                f"{folder}/{slug_or(r['program'], 'program')}/"
                f"{day}-{slug_or(r['title'], 'entry')}-{r['id']}.md"
            )
            files[path] = markdown_file(
                r["title"],
                [
                    ("Program", r["program"]),
                    ("Written", r["created_at"]),
                    ("Deleted", r["deleted_at"] or ""),
                    ("Who can read it", r["visibility"]),
                    ("Prompt", r["prompt"] or ""),
                    ("Learning themes", ", ".join(r["learning_themes"])),
                ],
                r["body"],
            )
    for d in data["drafts"]:
        path = f"drafts/{slug_or(d['program'], 'program')}.md"
        files[path] = markdown_file(
            d["title"] or "Draft",
            [("Program", d["program"]), ("Saved", d["saved_at"])],
            d["body"],
        )
    for c in data["check_ins"]:
        path = f"check-ins/{slug_or(c['program'], 'program')}/{c['week']}.md"
        files[path] = markdown_file(
            f"Check-in, week of {c['week_starts_on']}",
            [
                ("Program", c["program"]),
                ("Progress (1-5)", str(c["progress"] or "")),
                ("Who can read it", c["visibility"]),
            ],
            f"## {CheckIn.STEPS_QUESTION}\n\n{c['steps_taken']}\n\n"
            f"## {CheckIn.FOCUS_QUESTION}\n\n{c['next_focus']}",
        )
    for p in data["be_better_now_plans"]:
        path = f"be-better-now/{slug_or(p['program'], 'program')}.md"
        files[path] = markdown_file(
            "My Be Better Now plan",
            [
                ("Program", p["program"]),
                ("Accountability partner", p["accountability_partner"]),
                (
                    "Weekly check-in",
                    f"{p['checkin_weekday']} {p['checkin_time']} ({p['time_zone']})",
                ),
            ],
            f"## One aspect to give more attention\n\n{p['aspect']}\n\n"
            f"## One thing I will do\n\nI will {p['i_will']}",
        )
    for t in data["team_reflections"]:
        path = (
            f"team-reflections/{slug_or(t['program'], 'program')}/{slug_or(t['team'], 'team')}/"
            f"{t['id']}-v{t['version']}-{slug_or(t['title'], 'entry')}.md"
        )
        files[path] = markdown_file(
            t["title"] or "Team reflection",
            [
                ("Team", t["team"]),
                ("Version I saved", str(t["version"])),
                ("Saved", t["saved_at"]),
            ],
            t["body"] or "(The text of this version was not kept.)",
        )
    for a in data["self_assessments"]:
        program, stage = slug_or(a["program"], "program"), slug_or(a["stage"], "stage")
        path = f"self-assessments/{program}-{stage}.md"
        ratings = "\n".join(f"- {name}: {value}" for name, value in a["ratings"].items())
        files[path] = markdown_file(
            f"Self-assessment: {a['stage']}", [("Program", a["program"])], ratings
        )
    project_lines = [
        f"## {heading.replace('_', ' ').capitalize()}\n\n"
        + "\n".join(
            "- " + "; ".join(f"{k}: {v}" for k, v in item.items() if v not in ("", None))
            for item in items
        )
        for heading, items in data["project"].items()
        if items
    ]
    for section in export_sections():
        if section.files is not None:
            files.update(section.files(data[section.key]))
        elif data[section.key]:
            files[f"{slug_or(section.key.replace('_', '-'), 'more')}.md"] = markdown_file(
                section.title, [], _items_markdown(data[section.key])
            )
    if project_lines:
        files["project-work.md"] = markdown_file(
            "What I wrote on our project", [], "\n\n".join(project_lines)
        )
    files[JSON_NAME] = json.dumps(data, ensure_ascii=False, indent=2)

    buffer = io.BytesIO()
    stamp = now.astimezone(datetime.UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode())
    return buffer.getvalue()
