"""Weeks and weekly slots on a person's own clock."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class LocalWeek:
    """An ISO week (Monday to Sunday) as seen on one person's clock."""

    iso_year: int
    iso_week: int

    @classmethod
    def of(cls, moment: datetime.datetime, zone: zoneinfo.ZoneInfo) -> LocalWeek:
        iso = moment.astimezone(zone).isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def containing(cls, day: datetime.date) -> LocalWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date.fromisocalendar(self.iso_year, self.iso_week, 1)

    @property
    def ends_on(self) -> datetime.date:
        return self.starts_on + datetime.timedelta(days=6)

    def previous(self) -> LocalWeek:
        return LocalWeek.containing(self.starts_on - datetime.timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"


def streak(weeks: Iterable[tuple[int, int]], current: LocalWeek) -> int:
    """How many consecutive weeks hold a check-in, counting back from this week, or from
    last week when this week's check-in is not written yet."""
    done = {LocalWeek(year, week) for year, week in weeks}
    week = current if current in done else current.previous()
    count = 0
    while week in done:
        count += 1
        week = week.previous()
    return count


def next_slot(
    now: datetime.datetime, weekday: int, at: datetime.time, zone: zoneinfo.ZoneInfo
) -> datetime.datetime:
    """The next moment after `now` that falls on `weekday` (Monday is 0) at `at`, local
    time in `zone`."""
    local = now.astimezone(zone)
    day = local.date() + datetime.timedelta(days=(weekday - local.weekday()) % 7)
    slot = datetime.datetime.combine(day, at, tzinfo=zone)
    if slot <= local:
        slot = datetime.datetime.combine(day + datetime.timedelta(days=7), at, tzinfo=zone)
    return slot
