"""Local days and weeks: what "today" and "this week" mean for a member in their own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The member's zone, or UTC when Slack gave a name this machine doesn't know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a tzdata folder name such as "America"
        return ZoneInfo("UTC")


def local_today(now: datetime, tz: str) -> date:
    """The member's calendar date at the UTC instant `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(zone(tz)).date()


def utc_now() -> datetime:
    """The one place the real clock is read; everything else is handed `now`."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class DateRange:
    first: date
    last: date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def week_of(day: date) -> DateRange:
    """The ISO week (Monday to Sunday) that holds `day`."""
    monday = day - timedelta(days=day.weekday())
    return DateRange(monday, monday + timedelta(days=6))


def describe_day(day: date, today: date) -> str:
    """A date as a member reads it: "today", "yesterday", or "Mon 23 Nov"."""
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    return f"{day:%a} {day.day} {day:%b}" + ("" if day.year == today.year else f" {day.year}")
