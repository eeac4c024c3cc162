"""A person's own writing, in every program, as a zip of Markdown files and one JSON file
(DESIGN.md, privacy rule 6). Only what the person wrote: their live journal entries, their
check-ins and plans, and the team reflections they started or edited."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.text import slugify

from programs.models import User
from reflections.models import (
    CheckIn,
    Plan,
    Reflection,
    TeamReflection,
    TeamReflectionEdit,
)

JSON_NAME = "actionlab-writing.json"


def _when(moment: datetime.datetime | None) -> str | None:
    return moment.astimezone(datetime.UTC).isoformat() if moment else None


def _slug(text: str, fallback: str) -> str:
    return slugify(text)[:60].strip("-") or fallback


def _markdown(title: str, facts: list[tuple[str, str]], body: str) -> str:
    lines = [f"# {title}", ""]
    lines += [f"- {label}: {value}" for label, value in facts if value]
    return "\n".join([*lines, "", body.strip(), ""])


def writing_of(user: User) -> dict[str, Any]:
    """Everything the person wrote, as plain data."""
    reflections = (
        Reflection.objects.live()
        .filter(author=user)
        .select_related("program", "prompt")
        .prefetch_related("tags")
        .order_by("program__name", "created_at", "pk")
    )
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
    edited = TeamReflectionEdit.objects.filter(team_reflection=OuterRef("pk"), editor=user)
    team_reflections = (
        TeamReflection.objects.filter(Q(created_by=user) | Exists(edited))
        .select_related("team__cohort__program")
        .order_by("team__name", "created_at", "pk")
    )
    return {
        "person": {"email": user.email, "name": user.display_name},
        "reflections": [
            {
                "id": r.pk,
                "program": r.program.name,
                "title": r.title,
                "body": r.body,
                "prompt": r.prompt.text if r.prompt else None,
                "learning_themes": [tag.name for tag in r.tags.all()],
                "visibility": r.visibility,
                "created_at": _when(r.created_at),
                "updated_at": _when(r.updated_at),
            }
            for r in reflections
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
                "id": t.pk,
                "program": t.team.cohort.program.name,
                "team": t.team.name,
                "title": t.title,
                "body": t.body,
                "version": t.version,
                "shared_with_sponsor": t.share_with_sponsor,
                "created_at": _when(t.created_at),
                "updated_at": _when(t.updated_at),
            }
            for t in team_reflections
        ],
    }


def build_export(user: User, *, now: datetime.datetime) -> bytes:
    """The zip file: one Markdown file per entry, check-in and plan, and all of it again
    in one JSON file."""
    data = writing_of(user)
    data["exported_at"] = _when(now)
    files: dict[str, str] = {}
    for r in data["reflections"]:
        day = r["created_at"][:10]
        path = (
            f"reflections/{_slug(r['program'], 'program')}/"
            f"{day}-{_slug(r['title'], 'entry')}-{r['id']}.md"
        )
        files[path] = _markdown(
            r["title"],
            [
                ("Program", r["program"]),
                ("Written", r["created_at"]),
                ("Who can read it", r["visibility"]),
                ("Prompt", r["prompt"] or ""),
                ("Learning themes", ", ".join(r["learning_themes"])),
            ],
            r["body"],
        )
    for c in data["check_ins"]:
        path = f"check-ins/{_slug(c['program'], 'program')}/{c['week']}.md"
        files[path] = _markdown(
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
        path = f"be-better-now/{_slug(p['program'], 'program')}.md"
        files[path] = _markdown(
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
            f"team-reflections/{_slug(t['program'], 'program')}/{_slug(t['team'], 'team')}/"
            f"{t['created_at'][:10]}-{_slug(t['title'], 'entry')}-{t['id']}.md"
        )
        files[path] = _markdown(
            t["title"],
            [("Team", t["team"]), ("Version", str(t["version"])), ("Updated", t["updated_at"])],
            t["body"],
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
