"""Writes for the journal, drafts, read receipts, team reflections, the Be Better Now plan
and the weekly check-in."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.events import announce
from core.mail import compose_email
from programs.models import Program, User, zone_or_site
from reflections.events import (
    CheckedIn,
    CheckInShared,
    CheckInSlotChanged,
    PartnerNamed,
    ReflectionShared,
    TeamReflectionShared,
)
from reflections.models import (
    RESTORE_DAYS,
    Audience,
    AudienceRole,
    CheckIn,
    CheckInSlot,
    CheckInVisibility,
    Draft,
    Plan,
    Prompt,
    ReadReceipt,
    Reflection,
    Tag,
    TeamReflection,
    TeamReflectionEdit,
    Visibility,
)
from reflections.weeks import LocalWeek
from teams.models import Team, TeamMember

MAX_TAGS = 10
TAG_LENGTH = 40


# Time zones and weeks ------------------------------------------------------------------


def program_week(program: Program, today: datetime.date) -> int:
    """The week of the program that `today` falls in; 1 is the week it starts."""
    return (today - program.starts_on).days // 7 + 1


def prompt_for_week(program: Program, today: datetime.date) -> Prompt | None:
    """The prompt the program's schedule offers this week, if any."""
    return Prompt.objects.filter(program=program, week_number=program_week(program, today)).first()


def team_in_program(user: User, program: Program) -> Team | None:
    """The participant's team in the program, if they are on one."""
    member = (
        TeamMember.objects.filter(user=user, cohort__program=program)
        .select_related("team__coach")
        .first()
    )
    return member.team if member else None


# Audiences -----------------------------------------------------------------------------
#
# DESIGN.md, privacy rule 7: the audience of a piece of writing is fixed when it is shared.
# Each share writes one `Audience` row per person who holds a place then; `for_user` reads
# them. Sharing again adds whoever holds the places now; it never takes anyone away.

Readers = list[tuple[int, str]]


def _team_members(team: Team, *, besides: int | None = None) -> list[int]:
    members = TeamMember.objects.filter(team=team)
    if besides is not None:
        members = members.exclude(user_id=besides)
    return list(members.values_list("user_id", flat=True))


def _grant(readers: Readers, **subject: object) -> Readers:
    """Add the readers to the subject's audience (once each); returns those who were not
    in it yet, the people this share tells."""
    already = set(Audience.objects.filter(**subject).values_list("reader_id", "role"))
    added = [reader for reader in dict.fromkeys(readers) if reader not in already]
    now = timezone.now()
    Audience.objects.bulk_create(
        [
            Audience(reader_id=reader_id, role=role, granted_at=now, **subject)
            for reader_id, role in added
        ],
        ignore_conflicts=True,
    )
    return added


def _reader_ids(readers: Readers) -> tuple[int, ...]:
    return tuple(sorted({reader_id for reader_id, _ in readers}))


def _advisors_now(team_id: int) -> tuple[int | None, int | None]:
    """The team's coach and sponsor as the database has them now (not as a Team object
    loaded earlier remembers them)."""
    row = Team.objects.filter(pk=team_id).values_list("coach_id", "sponsor_id").first()
    return row if row is not None else (None, None)


def reflection_readers_now(reflection: Reflection) -> Readers:
    """Who "my coach" / "my team and coach" means for the entry at this moment."""
    team = reflection.team
    if team is None or reflection.visibility == Visibility.PRIVATE:
        return []
    readers: Readers = []
    coach_id, _ = _advisors_now(team.pk)
    if coach_id is not None and coach_id != reflection.author_id:
        readers.append((coach_id, AudienceRole.COACH))
    if reflection.visibility == Visibility.TEAM:
        readers += [
            (user_id, AudienceRole.MEMBER)
            for user_id in _team_members(team, besides=reflection.author_id)
        ]
    return readers


def share_reflection(reflection: Reflection) -> Readers:
    """Record the entry's audience as its places are held now (see `Audience`); returns
    the readers added."""
    return _grant(reflection_readers_now(reflection), reflection=reflection)


def reflection_shared(reflection: Reflection, added: Readers) -> ReflectionShared:
    """The event of an entry shared with the readers `added` (ids and names only)."""
    return ReflectionShared(
        reflection_id=reflection.pk,
        program_id=reflection.program_id,
        author_id=reflection.author_id,
        author_name=reflection.author.display_name,
        reader_ids=_reader_ids(added),
    )


def _widens(old: str, new: str) -> bool:
    order = [Visibility.PRIVATE, Visibility.COACH, Visibility.TEAM]
    return order.index(Visibility(new)) > order.index(Visibility(old))


def share_checkin(checkin: CheckIn) -> Readers:
    """Record the check-in's audience: the coach of the person's team, or the
    accountability partner named in their plan, as they are now. Returns the readers
    added."""
    readers: Readers = []
    if checkin.visibility == CheckInVisibility.COACH and checkin.team_id is not None:
        coach_id, _ = _advisors_now(checkin.team_id)
        if coach_id is not None and coach_id != checkin.user_id:
            readers.append((coach_id, AudienceRole.COACH))
    elif checkin.visibility == CheckInVisibility.PARTNER:
        partner_id = (
            Plan.objects.filter(user_id=checkin.user_id, program_id=checkin.program_id)
            .values_list("partner_user_id", flat=True)
            .first()
        )
        if partner_id is not None:
            readers.append((partner_id, AudienceRole.PARTNER))
    return _grant(readers, checkin=checkin)


def checked_in(checkin: CheckIn, at: datetime.datetime) -> CheckedIn:
    """The event that a check-in was written or changed (its week, never its words)."""
    return CheckedIn(
        checkin_id=checkin.pk,
        program_id=checkin.program_id,
        user_id=checkin.user_id,
        iso_year=checkin.iso_year,
        iso_week=checkin.iso_week,
        time_zone=checkin.time_zone,
        at=at,
    )


def checkin_shared(checkin: CheckIn, added: Readers) -> CheckInShared:
    """The event of a check-in shared with the readers `added` (ids and names only)."""
    return CheckInShared(
        checkin_id=checkin.pk,
        program_id=checkin.program_id,
        author_id=checkin.user_id,
        author_name=checkin.user.display_name,
        week=str(LocalWeek(checkin.iso_year, checkin.iso_week)),
        reader_ids=_reader_ids(added),
    )


def share_team_reflection(entry: TeamReflection) -> Readers:
    """Record a team reflection's audience as the team is now: its members, its coach,
    and its sponsor if the team shares the entry. Every save by the team shares it
    again, so a new member or a new coach reads it once the team saves it. Returns the
    readers added."""
    team = entry.team
    readers: Readers = [(user_id, AudienceRole.MEMBER) for user_id in _team_members(team)]
    coach_id, sponsor_id = _advisors_now(team.pk)
    if coach_id is not None:
        readers.append((coach_id, AudienceRole.COACH))
    if entry.share_with_sponsor and sponsor_id is not None:
        readers.append((sponsor_id, AudienceRole.SPONSOR))
    return _grant(readers, team_reflection=entry)


def team_reflection_shared(
    entry: TeamReflection, *, by: User, added: Readers
) -> TeamReflectionShared:
    """The event of a team reflection saved by `by` and shared with the readers `added`
    (ids and names only)."""
    return TeamReflectionShared(
        team_reflection_id=entry.pk,
        program_id=entry.team.cohort.program_id,
        team_id=entry.team_id,
        team_name=entry.team.name,
        by_id=by.pk,
        reader_ids=_reader_ids(added),
    )


# Journal -------------------------------------------------------------------------------


def normalize_tags(raw: str) -> list[str]:
    """Comma-separated learning themes as stored: lower case, words joined by hyphens,
    only letters, digits and hyphens, each at most 40 characters, no repeats."""
    names: list[str] = []
    for part in raw.split(","):
        text = unicodedata.normalize("NFKC", part).strip().lower()
        text = re.sub(r"[\s_]+", "-", text)
        text = re.sub(r"[^\w-]", "", text).strip("-")
        text = re.sub(r"-{2,}", "-", text)[:TAG_LENGTH].strip("-")
        if text and text not in names:
            names.append(text)
    return names


def _set_tags(reflection: Reflection, names: list[str]) -> None:
    tags = [Tag.objects.get_or_create(name=name)[0] for name in names[:MAX_TAGS]]
    reflection.tags.set(tags)


def _close_draft(*, user: User, program: Program, token: str) -> None:
    """Close the draft the saving page wrote, so that an autosave from that page still on
    its way cannot bring it back. Another page's open draft is left alone."""
    now = timezone.now()
    draft, created = Draft.objects.select_for_update().get_or_create(
        user=user, program=program, defaults={"token": token, "saved_at": now, "closed_at": now}
    )
    if not created and (draft.token == token or draft.closed_at is not None):
        draft.token = token
        draft.closed_at = draft.closed_at or now
        draft.save(update_fields=["token", "closed_at"])


@transaction.atomic
def do_write_reflection(
    *,
    author: User,
    program: Program,
    title: str,
    body: str,
    tags: list[str],
    visibility: str,
    prompt: Prompt | None,
    draft_token: str = "",
) -> Reflection:
    """Add an entry to the author's journal. The entry remembers the author's team, whose
    members and coach "my team and coach" means, and who they are now (its audience);
    the draft it came from is closed."""
    now = timezone.now()
    reflection = Reflection.objects.create(
        author=author,
        program=program,
        team=team_in_program(author, program),
        prompt=prompt,
        title=title,
        body=body,
        visibility=visibility,
        created_at=now,
        updated_at=now,
    )
    _set_tags(reflection, tags)
    added = share_reflection(reflection)
    if added:
        announce(reflection_shared(reflection, added))
    _close_draft(user=author, program=program, token=draft_token)
    return reflection


@transaction.atomic
def do_edit_reflection(
    *,
    reflection: Reflection,
    title: str,
    body: str,
    tags: list[str],
    visibility: str,
    prompt: Prompt | None,
) -> Reflection:
    """Change an entry's text, tags, prompt or who may read it. Widening who may read it
    (private to "my coach", or to "my team and coach") shares it with the people who
    hold those places now; an edit that keeps the audience adds nobody."""
    widened = _widens(reflection.visibility, visibility)
    reflection.title = title
    reflection.body = body
    reflection.visibility = visibility
    reflection.prompt = prompt
    if reflection.team_id is None:
        reflection.team = team_in_program(reflection.author, reflection.program)
        widened = widened or reflection.team is not None
    reflection.updated_at = timezone.now()
    reflection.save(update_fields=["title", "body", "visibility", "prompt", "team", "updated_at"])
    _set_tags(reflection, tags)
    if widened and (added := share_reflection(reflection)):
        announce(reflection_shared(reflection, added))
    return reflection


@transaction.atomic
def do_share_reflection_again(*, reflection: Reflection) -> list[str]:
    """The author shares an entry again: "my coach" and "my team" now mean the author's
    current team and the people on it and coaching it now (those who read it before
    keep it while they hold their place). Returns the names of the people added."""
    if reflection.visibility == Visibility.PRIVATE or reflection.deleted_at is not None:
        raise ValueError("Only a shared entry that is not in the bin can be shared again.")
    team = team_in_program(reflection.author, reflection.program)
    if team is not None and team.pk != reflection.team_id:
        reflection.team = team
        reflection.save(update_fields=["team"])
    added = share_reflection(reflection)
    if added:
        announce(reflection_shared(reflection, added))
    names = User.objects.filter(pk__in=[user_id for user_id, _ in added])
    return sorted(user.display_name for user in names)


def do_delete_reflection(*, reflection: Reflection) -> Reflection:
    """Move an entry to the bin: nobody else can read it any more, and its author can
    restore it for 30 days."""
    reflection.deleted_at = timezone.now()
    reflection.save(update_fields=["deleted_at"])
    return reflection


def do_restore_reflection(*, reflection: Reflection) -> Reflection:
    """Bring an entry back from the bin, with the readers it had."""
    reflection.deleted_at = None
    reflection.save(update_fields=["deleted_at"])
    return reflection


def do_purge_deleted_reflections(*, now: datetime.datetime | None = None) -> int:
    """Delete for good the entries that have been in the bin for more than 30 days, with
    their read receipts. Returns how many entries went."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=RESTORE_DAYS)
    _, per_model = Reflection.objects.filter(deleted_at__lt=cutoff).delete()
    return per_model.get(Reflection._meta.label, 0)


# Drafts --------------------------------------------------------------------------------


def open_draft(user: User, program: Program) -> Draft | None:
    """The person's unsaved draft in the program, if it holds any text."""
    draft = Draft.objects.filter(user=user, program=program, closed_at__isnull=True).first()
    return draft if draft is not None and draft.is_open else None


@transaction.atomic
def do_save_draft(
    *,
    user: User,
    program: Program,
    token: str,
    title: str,
    body: str,
    tags: str,
    visibility: str,
    prompt: Prompt | None,
) -> Draft | None:
    """Keep what the person is writing. Returns None when the page that sends it has
    already saved its entry or discarded its draft (a late autosave)."""
    existing = Draft.objects.select_for_update().filter(user=user, program=program).first()
    if existing is not None and existing.closed_at is not None and existing.token == token:
        return None
    draft, _ = Draft.objects.update_or_create(
        user=user,
        program=program,
        defaults={
            "token": token,
            "title": title,
            "body": body,
            "tags": tags,
            "visibility": visibility,
            "prompt": prompt,
            "saved_at": timezone.now(),
            "closed_at": None,
        },
    )
    return draft


def do_discard_draft(*, user: User, program: Program) -> bool:
    """Throw the unsaved draft away. Returns whether there was one."""
    return bool(
        Draft.objects.filter(user=user, program=program, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
    )


# Reads ---------------------------------------------------------------------------------


def do_record_read(
    *, reader: User, reflection: Reflection | None = None, checkin: CheckIn | None = None
) -> ReadReceipt | None:
    """Record that someone other than the author read an entry (DESIGN.md, privacy rule
    2). The author's own reads are not recorded."""
    if reflection is not None:
        author_id = reflection.author_id
    elif checkin is not None:
        author_id = checkin.user_id
    else:
        raise ValueError("A read is of a reflection or of a check-in.")
    if author_id == reader.pk:
        return None
    return ReadReceipt.objects.create(
        reader=reader, reflection=reflection, checkin=checkin, read_at=timezone.now()
    )


def do_record_team_read(
    *, reader: User, team_reflection: TeamReflection, reader_is_member: bool
) -> ReadReceipt | None:
    """Record a read of a team reflection by someone outside the team (its coach, or its
    sponsor when shared); the team, its authors, sees who read it."""
    if reader_is_member:
        return None
    return ReadReceipt.objects.create(
        reader=reader, team_reflection=team_reflection, read_at=timezone.now()
    )


# Team reflections ----------------------------------------------------------------------


class EditConflict(Exception):
    """Someone saved a newer version of the team reflection since this edit began and
    changed the same field(s) differently. `fields` names them ("title", "body",
    "share_with_sponsor"); `merged` holds, for the other fields, the text that stands
    (theirs, or this edit's where only this edit changed it)."""

    def __init__(
        self,
        current: TeamReflection,
        fields: Sequence[str] = ("title", "body"),
        merged: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"Version {current.version} was saved in the meantime.")
        self.current = current
        self.fields = list(fields)
        self.merged = dict(merged or {})


def _merge_team_fields(
    current: TeamReflection, base: TeamReflectionEdit | None, mine: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Each field on its own: a field only this edit changed takes this edit's text, a
    field only others changed keeps theirs; a field both changed differently is a clash.
    Without the text of the version this edit started from, every differing field is."""
    merged: dict[str, str] = {}
    clashes: list[str] = []
    known = base is not None and bool(base.title or base.body)
    for name, text in mine.items():
        theirs = getattr(current, name)
        if text == theirs:
            merged[name] = text
            continue
        if not known or base is None:
            clashes.append(name)
            continue
        original = getattr(base, name)
        if theirs == original:
            merged[name] = text  # only this edit changed it
        elif text == original:
            merged[name] = theirs  # only they changed it
        else:
            clashes.append(name)
    return merged, clashes


@transaction.atomic
def do_write_team_reflection(
    *, team: Team, by: User, title: str, body: str, share_with_sponsor: bool
) -> TeamReflection:
    """Start a team reflection (version 1)."""
    now = timezone.now()
    entry = TeamReflection.objects.create(
        team=team,
        title=title,
        body=body,
        share_with_sponsor=share_with_sponsor,
        created_by=by,
        created_at=now,
        updated_by=by,
        updated_at=now,
    )
    TeamReflectionEdit.objects.create(
        team_reflection=entry, editor=by, version=1, edited_at=now, title=title, body=body
    )
    if added := share_team_reflection(entry):
        announce(team_reflection_shared(entry, by=by, added=added))
    return entry


@transaction.atomic
def do_edit_team_reflection(
    *,
    team_reflection: TeamReflection,
    by: User,
    title: str,
    body: str,
    share_with_sponsor: bool,
    base_version: int,
) -> TeamReflection:
    """Save a new version of a team reflection. `base_version` is the version the editor
    started from: if others saved since, each field is merged on its own (title and body),
    and only a field both changed differently raises EditConflict. Sharing with the
    sponsor changed meanwhile is always a conflict: nobody re-shares or un-shares by
    accident. The row is locked, so two saves from the same version queue up."""
    now = timezone.now()
    current = TeamReflection.objects.select_for_update().get(pk=team_reflection.pk)
    if current.version != base_version:
        base = TeamReflectionEdit.objects.filter(
            team_reflection=current, version=base_version
        ).first()
        merged, clashes = _merge_team_fields(current, base, {"title": title, "body": body})
        if share_with_sponsor != current.share_with_sponsor:
            clashes.append("share_with_sponsor")
        if clashes:
            team_reflection.refresh_from_db()
            raise EditConflict(team_reflection, fields=clashes, merged=merged)
        title, body = merged["title"], merged["body"]
    TeamReflection.objects.filter(pk=current.pk).update(
        title=title,
        body=body,
        share_with_sponsor=share_with_sponsor,
        version=F("version") + 1,
        updated_by=by,
        updated_at=now,
    )
    team_reflection.refresh_from_db()
    TeamReflectionEdit.objects.create(
        team_reflection=team_reflection,
        editor=by,
        version=team_reflection.version,
        edited_at=now,
        title=title,
        body=body,
    )
    if added := share_team_reflection(team_reflection):
        announce(team_reflection_shared(team_reflection, by=by, added=added))
    return team_reflection


# Be Better Now plan --------------------------------------------------------------------

PARTNER_SALT = "actionlab.reflections.partner"


def plan_defaults(*, user: User, program: Program) -> dict[str, object]:
    """A new plan's check-in slot: the person's slot before they have a plan (the
    program's check-in day and time, on the person's own clock, as every slot is)."""
    slot = CheckInSlot.of(user, program, None)
    return {"checkin_weekday": slot.weekday, "checkin_time": slot.at}


@transaction.atomic
def do_save_plan(
    *,
    user: User,
    program: Program,
    aspect: str,
    action: str,
    partner_user: User | None,
    partner_name: str,
    partner_email: str,
    checkin_weekday: int,
    checkin_time: datetime.time,
    notify_partner: bool = False,
) -> Plan:
    """Create or update the person's plan. A partner from outside the program gets one
    opt-in email, sent after the transaction commits; a new address gets its own. With
    `notify_partner` the partner hears each week that the person checked in."""
    now = timezone.now()
    partner_email = "" if partner_user is not None else partner_email.strip().lower()
    partner_name = "" if partner_user is not None else partner_name.strip()
    plan = Plan.objects.select_for_update().filter(user=user, program=program).first()
    # Until now the person's slot was their plan's, or the program's without one.
    before = CheckInSlot.of(user, program, plan)
    slot_before = (before.weekday, before.at)
    if plan is None:
        plan = Plan(user=user, program=program, created_at=now)
    partner_changed = (plan.partner_user_id, plan.partner_email) != (
        partner_user.pk if partner_user else None,
        partner_email,
    )
    plan.aspect = aspect.strip()
    plan.action = action.strip()
    plan.partner_user = partner_user
    plan.partner_name = partner_name
    plan.partner_email = partner_email
    plan.checkin_weekday = checkin_weekday
    plan.checkin_time = checkin_time
    plan.notify_partner = notify_partner
    plan.updated_at = now
    if partner_changed:
        plan.partner_confirmed_at = None
    plan.save()
    if partner_changed and partner_user is not None:
        announce(
            PartnerNamed(
                plan_id=plan.pk,
                program_id=program.pk,
                person_id=user.pk,
                person_name=user.display_name,
                partner_id=partner_user.pk,
            )
        )
    if slot_before != (checkin_weekday, checkin_time):
        announce(CheckInSlotChanged(user_id=user.pk, program_id=program.pk))
    if partner_email and partner_email != plan.partner_invited_email:
        from reflections.tasks import send_partner_invitation

        plan_id = plan.pk
        transaction.on_commit(lambda: send_partner_invitation.delay(plan_id))
    return plan


def partner_token(plan: Plan) -> str:
    return signing.dumps({"plan": plan.pk, "email": plan.partner_email}, salt=PARTNER_SALT)


def plan_from_partner_token(token: str) -> Plan | None:
    """The plan whose partner the token names, while that is still its partner."""
    try:
        data = signing.loads(token, salt=PARTNER_SALT, max_age=datetime.timedelta(days=60))
    except signing.BadSignature:
        return None
    plan = (
        Plan.objects.select_related("user", "program__organization")
        .filter(pk=data.get("plan"))
        .first()
    )
    if plan is None or not plan.partner_email or plan.partner_email != data.get("email"):
        return None
    return plan


def do_send_partner_invitation(*, plan_id: int) -> bool:
    """Send the one opt-in email to the plan's partner from outside the program, unless
    this address already had it. Safe to run twice: the row is locked and
    `partner_invited_email` records the sending."""
    with transaction.atomic():
        plan = (
            Plan.objects.select_for_update()
            .select_related("user", "program__organization")
            .filter(pk=plan_id)
            .first()
        )
        if plan is None or not plan.partner_email:
            return False
        if plan.partner_email == plan.partner_invited_email:
            return False
        context = {
            "plan": plan,
            "person": plan.user,
            "program": plan.program,
            "url": settings.SITE_URL
            + reverse("reflections:partner_confirm", args=[partner_token(plan)]),
        }
        message = compose_email(
            subject=f"{plan.user.display_name} asks you to be their accountability partner",
            text_template="reflections/email/partner_invitation.txt",
            html_template="reflections/email/partner_invitation.html",
            context=context,
            to=[plan.partner_email],
        )
        message.send()
        plan.partner_invited_email = plan.partner_email
        plan.partner_invited_at = timezone.now()
        plan.save(update_fields=["partner_invited_email", "partner_invited_at"])
    return True


def do_confirm_partner(*, plan: Plan) -> Plan:
    """The partner from outside the program agrees to be named."""
    if plan.partner_confirmed_at is None:
        plan.partner_confirmed_at = timezone.now()
        plan.save(update_fields=["partner_confirmed_at"])
    return plan


# Weekly check-in -----------------------------------------------------------------------


class CheckInExists(Exception):
    """The person already checked in this week (perhaps a moment ago, elsewhere)."""

    def __init__(self, existing: CheckIn) -> None:
        super().__init__("This week's check-in already exists.")
        self.existing = existing


class WeekIsOver(Exception):
    """A check-in can be changed only during its own week."""


def do_create_checkin(
    *,
    user: User,
    program: Program,
    time_zone: str,
    steps_taken: str,
    next_focus: str,
    progress: int | None,
    visibility: str,
    now: datetime.datetime | None = None,
) -> CheckIn:
    """Write this week's check-in, the week being the ISO week on the person's own clock.

    The database's unique constraint decides between two concurrent submissions: the
    second raises CheckInExists carrying the check-in that was saved first. The person's
    accountability partner hears that they checked in, if they asked for it."""
    now = now or timezone.now()
    zone = zone_or_site(time_zone)
    week = LocalWeek.of(now, zone)
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                user=user,
                program=program,
                team=team_in_program(user, program),
                iso_year=week.iso_year,
                iso_week=week.iso_week,
                week_starts_on=week.starts_on,
                time_zone=zone.key,
                steps_taken=steps_taken,
                next_focus=next_focus,
                progress=progress,
                visibility=visibility,
                created_at=now,
                updated_at=now,
            )
            if added := share_checkin(checkin):
                announce(checkin_shared(checkin, added))
            announce(checked_in(checkin, now))
            return checkin
    except IntegrityError:
        existing = CheckIn.objects.filter(
            user=user, program=program, iso_year=week.iso_year, iso_week=week.iso_week
        ).first()
        if existing is None:
            raise
        raise CheckInExists(existing) from None


def do_update_checkin(
    *,
    checkin: CheckIn,
    steps_taken: str,
    next_focus: str,
    progress: int | None,
    visibility: str,
    now: datetime.datetime | None = None,
) -> CheckIn:
    """Change this week's check-in; raises WeekIsOver once its week has ended. The
    partner hears of the week once: an edit plans the note only when none was planned
    yet (the person may have switched the notes on after checking in)."""
    now = now or timezone.now()
    if LocalWeek.of(now, zone_or_site(checkin.time_zone)) != LocalWeek(
        checkin.iso_year, checkin.iso_week
    ):
        raise WeekIsOver("That week is over; its check-in can no longer be changed.")
    reshared = visibility != checkin.visibility
    checkin.steps_taken = steps_taken
    checkin.next_focus = next_focus
    checkin.progress = progress
    checkin.visibility = visibility
    checkin.updated_at = now
    with transaction.atomic():
        checkin.save(
            update_fields=["steps_taken", "next_focus", "progress", "visibility", "updated_at"]
        )
        if reshared and (added := share_checkin(checkin)):
            announce(checkin_shared(checkin, added))
        announce(checked_in(checkin, now))
    return checkin
