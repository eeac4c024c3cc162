"""The time-zone picker every form that takes a zone uses: the zones a person can live in,
grouped by region, each with its current offset from UTC; searchable on the page."""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone

from programs.models import validate_time_zone

REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)
FIXED = "UTC and fixed offsets"
# Old names the tz database keeps only so that old configurations still load ("backward"):
# each has a current name in the list, e.g. Asia/Calcutta is Asia/Kolkata. Whole legacy
# families (US/…, Canada/…, EST5EDT, GMT+0, Etc/Greenwich) are left out by region above.
BACKWARD = frozenset(
    {
        "Africa/Asmera",
        "Africa/Timbuktu",
        "America/Argentina/ComodRivadavia",
        "America/Atka",
        "America/Buenos_Aires",
        "America/Catamarca",
        "America/Coral_Harbour",
        "America/Cordoba",
        "America/Ensenada",
        "America/Fort_Wayne",
        "America/Godthab",
        "America/Indianapolis",
        "America/Jujuy",
        "America/Knox_IN",
        "America/Louisville",
        "America/Mendoza",
        "America/Porto_Acre",
        "America/Rosario",
        "America/Santa_Isabel",
        "America/Shiprock",
        "America/Virgin",
        "Antarctica/South_Pole",
        "Asia/Ashkhabad",
        "Asia/Calcutta",
        "Asia/Chongqing",
        "Asia/Chungking",
        "Asia/Dacca",
        "Asia/Harbin",
        "Asia/Istanbul",
        "Asia/Katmandu",
        "Asia/Macao",
        "Asia/Rangoon",
        "Asia/Saigon",
        "Asia/Tel_Aviv",
        "Asia/Thimbu",
        "Asia/Ujung_Pandang",
        "Asia/Ulan_Bator",
        "Atlantic/Faeroe",
        "Atlantic/Jan_Mayen",
        "Australia/Canberra",
        "Australia/Yancowinna",
        "Europe/Belfast",
        "Europe/Kiev",
        "Europe/Tiraspol",
        "Pacific/Enderbury",
        "Pacific/Johnston",
        "Pacific/Ponape",
        "Pacific/Samoa",
        "Pacific/Truk",
        "Pacific/Yap",
    }
)


def is_current_name(name: str) -> bool:
    """Whether `name` is a zone to offer: a region's city (not an old alias such as
    Asia/Calcutta or Australia/NSW), UTC, or a whole-hour fixed offset Etc/GMT±N, which
    the places at UTC−12 need."""
    if name == "UTC":
        return True
    region, _, place = name.partition("/")
    if region == "Etc":
        return place.startswith("GMT") and place[3:].lstrip("+-").isdigit()
    if region not in REGIONS or name in BACKWARD:
        return False
    # Australia/ACT, Australia/NSW and the like are abbreviations kept for old systems.
    return not place.isupper()


def utc_offset(zone: zoneinfo.ZoneInfo, moment: datetime.datetime) -> str:
    """The zone's offset from UTC at `moment`, e.g. UTC+05:30 or UTC−12:00."""
    offset = moment.astimezone(zone).utcoffset() or datetime.timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _label(name: str, moment: datetime.datetime) -> str:
    offset = utc_offset(zoneinfo.ZoneInfo(name), moment)
    if name == "UTC":
        return f"UTC ({offset})"
    region, _, place = name.partition("/")
    if region == "Etc":
        # Etc/GMT+12 is twelve hours *behind* UTC: the POSIX sign is the other way round.
        return f"{offset} (fixed, {name})"
    return f"{place.replace('_', ' ').replace('/', ' / ')} ({offset})"


@functools.lru_cache(maxsize=4)
def _grouped_choices(day: datetime.date, hour: int) -> list[tuple[str, list[tuple[str, str]]]]:
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)
    names = sorted(name for name in zoneinfo.available_timezones() if is_current_name(name))
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in (*REGIONS, FIXED)}
    for name in names:
        region = name.partition("/")[0]
        groups[region if region in REGIONS else FIXED].append((name, _label(name, moment)))
    fixed = groups[FIXED]
    fixed.sort(key=lambda choice: (choice[0] != "UTC", _offset_minutes(choice[0], moment)))
    return [(region, choices) for region, choices in groups.items() if choices]


def _offset_minutes(name: str, moment: datetime.datetime) -> int:
    offset = moment.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or datetime.timedelta()
    return int(offset.total_seconds()) // 60


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones to offer, grouped by region, labelled with the offset they have now
    (recomputed every hour: offsets change with daylight saving time)."""
    now = timezone.now().astimezone(datetime.UTC)
    return _grouped_choices(now.date(), now.hour)


def offered_zone_names() -> set[str]:
    return {name for _, choices in time_zone_choices() for name, _ in choices}


class TimeZoneSelect(forms.Select):
    """A select with a search box above it and the browser's own zone suggested (see
    static/js/time_zone.js); without JavaScript it is a plain grouped select."""

    template_name = "programs/widgets/time_zone_select.html"

    def __init__(self, *, suggest: bool = False, attrs: dict[str, Any] | None = None) -> None:
        attrs = {**(attrs or {}), "data-time-zone": "suggest" if suggest else "keep"}
        super().__init__(attrs=attrs)


class TimeZoneField(forms.ChoiceField):
    """One IANA time zone, picked from the current names. `suggest` lets the page set the
    browser's zone when the form opens (a new person has not chosen one yet)."""

    def __init__(self, *, suggest: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Time zone")
        kwargs.setdefault(
            "help_text",
            "Your check-in week, reminders and every time shown to you follow this zone.",
        )
        super().__init__(
            choices=time_zone_choices,
            widget=TimeZoneSelect(suggest=suggest),
            validators=[validate_time_zone],
            **kwargs,
        )
