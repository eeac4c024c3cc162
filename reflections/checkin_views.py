"""The Be Better Now plan with its calendar event, the weekly check-in and its history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import PageForm
from core.page_cache import render_kept
from core.pagination import paginate
from programs.http import AuthenticatedHttpRequest
from programs.models import Membership, Role, User, zone_or_site
from reflections.access import (
    ProgramSpace,
    get_checkin_for_user,
    get_personal_space_for_user,
)
from reflections.calendar import checkin_calendar
from reflections.forms import CheckInForm, PlanForm
from reflections.models import CheckIn, CheckInSlot, Plan, ReadReceipt
from reflections.services import (
    CheckInExists,
    WeekIsOver,
    do_confirm_partner,
    do_create_checkin,
    do_record_read,
    do_save_plan,
    do_update_checkin,
    plan_defaults,
    plan_from_partner_token,
)
from reflections.views import read_receipts
from reflections.weeks import LocalWeek, next_slot, streak

PAGE_SIZE = 20


# Be Better Now plan --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """My Be Better Now plan: one aspect, one thing I will do, an accountability partner
    and the weekly check-in slot, with the slot as a calendar download."""
    space = get_personal_space_for_user(request.user, program_id)
    program = space.program
    current = Plan.objects.filter(user=request.user, program=program).first()
    # After the program, its alumni stay each other's partners.
    taking_part = Q(memberships__is_active=True)
    if space.ended:
        taking_part |= Q(
            memberships__ending=Membership.Ending.ARCHIVED, memberships__role=Role.PARTICIPANT
        )
    partners = (
        User.objects.filter(taking_part, memberships__program=program)
        .exclude(pk=request.user.pk)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )
    if current is not None:
        initial: dict[str, object] = {
            "aspect": current.aspect,
            "action": current.action,
            "partner_user": current.partner_user_id,
            "partner_name": current.partner_name,
            "partner_email": current.partner_email,
            "notify_partner": current.notify_partner,
            "checkin_weekday": current.checkin_weekday,
            "checkin_time": current.checkin_time,
        }
    else:
        initial = plan_defaults(user=request.user, program=program)
    form = PlanForm(request.POST or None, initial=initial, partners=partners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invited_before = current.partner_invited_email if current else ""
        saved = do_save_plan(
            user=request.user,
            program=program,
            aspect=data["aspect"],
            action=data["action"],
            partner_user=data["partner_user"],
            partner_name=data["partner_name"],
            partner_email=data["partner_email"],
            checkin_weekday=data["checkin_weekday"],
            checkin_time=data["checkin_time"],
            notify_partner=data["notify_partner"],
        )
        note = ""
        if saved.partner_email and saved.partner_email != invited_before:
            note = (
                f" We are emailing {saved.partner_name} once, to ask whether they agree to "
                "be your accountability partner."
            )
        messages.success(
            request,
            "Your Be Better Now plan is saved." + note + " Add the weekly check-in to your "
            "calendar with the download below.",
        )
        return redirect("reflections:plan", program.pk)
    # The next check-in is shown once the plan is made.
    slot = None
    if current is not None:
        own = CheckInSlot.of(request.user, program, current)
        slot = next_slot(timezone.now(), own.weekday, own.at, zone_or_site(own.zone_name))
    return render(
        request,
        "reflections/plan.html",
        {
            "program": program,
            "team_id": space.team_id,
            "form": form,
            "plan": current,
            "next_slot": slot,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def plan_calendar(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The weekly ten-minute check-in as an .ics file, from my plan's slot (or the
    program's default slot in my time zone, before I have a plan)."""
    space = get_personal_space_for_user(request.user, program_id)
    program = space.program
    slot = Plan.objects.slot_for(request.user, program)
    body = checkin_calendar(
        user=request.user,
        program=program,
        weekday=slot.weekday,
        at=slot.at,
        time_zone=slot.zone_name,
        now=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="be-better-now-check-in.ics"'
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def partner_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the opt-in email: someone outside the program agrees to be named as an
    accountability partner. GET asks; only POST records it (mail scanners open links)."""
    found = plan_from_partner_token(token)
    if found is None:
        raise Http404("This link no longer works.")
    confirmed = False
    if request.method == "POST":
        do_confirm_partner(plan=found)
        confirmed = True
    return render(
        request, "reflections/partner_confirm.html", {"plan": found, "confirmed": confirmed}
    )


# Weekly check-in -----------------------------------------------------------------------


def _week_label(week: LocalWeek) -> str:
    start, end = week.starts_on, week.ends_on
    if start.month == end.month:
        return f"{start:%-d}–{end:%-d %B %Y}"
    return f"{start:%-d %B} – {end:%-d %B %Y}"


@require_http_methods(["GET", "POST"])
def checkin(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """This week's check-in (the ISO week on my own clock), with last week's answer to
    "What will I focus on next week?" beside it. Editable until the week ends."""
    space = get_personal_space_for_user(request.user, program_id)
    if request.method == "POST":
        return _save_checkin(request, space)
    # Kept between visits: the form shows what is saved, and any save renews it.
    return render_kept(
        request,
        "reflections/checkin.html",
        f"checkin:{request.user.pk}:{program_id}",
        lambda: _checkin_page(request.user, space, _CheckInWeek.of(request.user, space)),
    )


@dataclass(frozen=True)
class _CheckInWeek:
    """This week and last on the reader's clock, with their check-ins in the program."""

    now: datetime.datetime
    week: LocalWeek
    this_week: CheckIn | None
    last_week: CheckIn | None
    has_member_partner: bool

    @classmethod
    def of(cls, user: User, space: ProgramSpace) -> _CheckInWeek:
        now = timezone.now()
        week = LocalWeek.of(now, space.zone)
        mine = CheckIn.objects.filter(user=user, program=space.program)
        previous = week.previous()
        return cls(
            now=now,
            week=week,
            this_week=mine.filter(iso_year=week.iso_year, iso_week=week.iso_week).first(),
            last_week=mine.filter(iso_year=previous.iso_year, iso_week=previous.iso_week).first(),
            has_member_partner=Plan.objects.filter(
                user=user, program=space.program, partner_user__isnull=False
            ).exists(),
        )


def _checkin_page(
    user: User,
    space: ProgramSpace,
    facts: _CheckInWeek,
    *,
    form: CheckInForm | None = None,
    this_week: CheckIn | None = None,
    saved_elsewhere: CheckIn | None = None,
) -> dict[str, object]:
    """The page's context: `form` as sent back, else the saved check-in's answers."""
    this_week = this_week or facts.this_week
    if form is None:
        form = CheckInForm(
            initial={
                "steps_taken": this_week.steps_taken,
                "next_focus": this_week.next_focus,
                "progress": this_week.progress,
                "visibility": this_week.visibility,
            }
            if this_week is not None
            else None,
            has_member_partner=facts.has_member_partner,
        )
    return {
        "program": space.program,
        "team_id": space.team_id,
        "zone": space.zone,
        "form": form,
        "week": facts.week,
        "week_label": _week_label(facts.week),
        "this_week": this_week,
        "last_week": facts.last_week,
        "has_member_partner": facts.has_member_partner,
        "saved_elsewhere": saved_elsewhere,
    }


def _save_checkin(request: AuthenticatedHttpRequest, space: ProgramSpace) -> HttpResponse:
    program, zone = space.program, space.zone
    facts = _CheckInWeek.of(request.user, space)
    now, week, this_week = facts.now, facts.week, facts.this_week
    saved_elsewhere = None
    form = CheckInForm(request.POST, has_member_partner=facts.has_member_partner)
    if not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data
        fields = {
            "steps_taken": data["steps_taken"],
            "next_focus": data["next_focus"],
            "progress": data["progress"],
            "visibility": data["visibility"],
        }
        try:
            if this_week is None:
                saved = do_create_checkin(
                    user=request.user, program=program, time_zone=zone.key, now=now, **fields
                )
                done = "is saved"
            else:
                saved = do_update_checkin(checkin=this_week, now=now, **fields)
                done = "is updated"
        except CheckInExists as exists:
            this_week = saved_elsewhere = exists.existing
            form.add_error(
                None,
                "This week's check-in was saved a moment ago, from another window or "
                "device; it is shown above. Nothing from this form was saved — add "
                "what is missing and save again.",
            )
            status = 409
        except WeekIsOver as over:
            form.add_error(None, str(over))
            status = 400
        else:
            messages.success(
                request,
                f"Your check-in for the week of {_week_label(week)} {done}. You can "
                f"change it until the end of Sunday, {week.ends_on:%-d %B}.",
            )
            return redirect("reflections:checkin", saved.program_id)
    context = _checkin_page(
        request.user,
        space,
        facts,
        form=form,
        this_week=this_week,
        saved_elsewhere=saved_elsewhere,
    )
    # A form sent back is the page whole, never kept.
    context["kept_part"] = mark_safe(  # noqa: S308 (a rendered template)
        render_to_string("reflections/checkin.html#kept", context, request=request)
    )
    return render(request, "reflections/checkin.html", context, status=status)


@require_GET
def checkin_history(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """My check-ins, newest first, 20 to a page, with the current streak of weeks."""
    space = get_personal_space_for_user(request.user, program_id)
    program = space.program
    week = LocalWeek.of(timezone.now(), space.zone)
    mine = CheckIn.objects.filter(user=request.user, program=program)
    readers = (
        ReadReceipt.objects.filter(checkin=OuterRef("pk"))
        .values("checkin")
        .annotate(n=Count("reader", distinct=True))
        .values("n")
    )
    entries = mine.annotate(
        reader_count=Coalesce(Subquery(readers, output_field=IntegerField()), 0)
    )
    page = paginate(entries, PageForm(request.GET).number(), per_page=PAGE_SIZE)
    return render(
        request,
        "reflections/checkin_history.html",
        {
            "program": program,
            "team_id": space.team_id,
            "zone": space.zone,
            "page": page,
            "week": week,
            "streak": streak(mine.values_list("iso_year", "iso_week"), week),
        },
    )


@require_GET
def checkin_detail(request: AuthenticatedHttpRequest, checkin_id: int) -> HttpResponse:
    """One check-in, for its author (with who read it) and for those it is shared with
    (their read is recorded)."""
    found = get_checkin_for_user(request.user, checkin_id)
    own = found.user_id == request.user.pk
    if not own:
        do_record_read(reader=request.user, checkin=found)
    week = LocalWeek(found.iso_year, found.iso_week)
    return render(
        request,
        "reflections/checkin_detail.html",
        {
            "checkin": found,
            "program": found.program,
            "own": own,
            "week_label": _week_label(week),
            "zone": request.user.zone,
            "receipts": read_receipts(checkin=found) if own else [],
            "editable": own
            and week == LocalWeek.of(timezone.now(), zone_or_site(found.time_zone)),
        },
    )
