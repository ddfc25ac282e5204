"""When a member's prompts are due: remote days, overrides, local times, and the DST rules.

The contract (also in README): prompts go only on remote days, at the member's local times; never on
a public holiday of the member's calendar (`rules.holidays`) unless they mark that day remote
themselves. A time that falls in a spring-forward gap is sent at the end of the gap (the first instant
that exists after it); a time that occurs twice in an autumn overlap is sent once, at its first
occurrence. A prompt missed by more than `GRACE` (after downtime) is recorded as missed, not sent late.

Each member has working hours (`WorkingHours`: default 09:00-18:00 local, Monday to Friday, minus days
off and public holidays; a day they mark remote or office is a working day whatever the weekday). Their
start and end are local times read by the same DST rules.

Weekly messages follow the same local-time and DST rules: a manager's digest at their digest weekday and
time in their zone (default Friday 16:00). Each report's recap comes at the report's latest working
moment at or before `RECAP_LEAD` before the digest: within their own working hours, at least an hour
before the digest; when the digest comes before their day starts, at the end of their previous working
day; none that week if they have no working moment in the seven days before it (`recap_due`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from rules.calendar import zone
from rules.deliveries import Kind
from rules.holidays import HolidayCalendar, holiday_name, holidays_between

GRACE = timedelta(hours=2)
HORIZON_DAYS = 400  # look this far ahead for the next remote day
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The slots' kinds, as the schedule's rules name them (defined in rules.deliveries, with the ledger's).
MORNING, EOD, MORNING_SNOOZE = Kind.MORNING, Kind.EOD, Kind.MORNING_SNOOZE
DIGEST, RECAP = Kind.DIGEST, Kind.RECAP  # weekly: the manager's digest, and each report's recap before it
RECAP_LEAD = timedelta(hours=1)
DIGEST_WEEKDAY, DIGEST_AT = 4, time(16, 0)  # Friday 16:00, in the manager's zone
OVERRIDE_KINDS = ("remote", "office", "off")
HOLIDAY = "holiday"  # a day kind `day_kind` gives, never stored: a public holiday of the member's calendar
WORK_START, WORK_END = time(9, 0), time(18, 0)  # default working hours, local
WORKDAYS = frozenset(range(5))  # default working days: Monday to Friday


@dataclass(frozen=True)
class Schedule:
    """A member's prompting settings, as the rules need them."""

    tz: str
    remote_days: frozenset[int] = field(default_factory=frozenset)  # 0 = Monday
    morning: time = time(9, 0)
    eod: time = time(17, 0)
    paused: bool = False
    active: bool = True
    holidays: HolidayCalendar | None = None  # public holidays: no prompts, neither remote nor office

    def at(self, kind: str) -> time:
        return self.morning if kind == MORNING else self.eod


@dataclass(frozen=True)
class DueSlot:
    """When a member's next message of a kind is due (a prompt slot, the clock's memory): the UTC instant,
    and the member's local date it is for."""

    member_id: int
    kind: str
    due_at: datetime
    local_date: date
    workspace_id: str | None = None  # read with the slot (`due_slots`), so a tick can take workspaces in turn


def day_kind(schedule: Schedule, day: date, overrides: Mapping[date, str]) -> str:
    """ "remote", "office", "off" or "holiday" for one of the member's days. An override wins over all
    (`today remote` on a holiday means they work), then a public holiday of their calendar, then the
    weekdays."""
    if day in overrides:
        return overrides[day]
    if holiday_name(schedule.holidays, day) is not None:
        return HOLIDAY
    if day.weekday() in schedule.remote_days:
        return "remote"
    return "office" if day.weekday() < 5 else "off"


def member_holidays(
    holidays: HolidayCalendar | None, first: date, last: date, overrides: Mapping[date, str] | None = None
) -> dict[date, str]:
    """The public holidays (date -> name) a member has off from `first` to `last`: their calendar's, less
    the days they marked remote or office themselves (as `day_kind` reads them). What the digest marks
    "holiday", neither remote nor office."""
    overrides = overrides or {}
    found = holidays_between(holidays, first, last)
    return {day: name for day, name in found.items() if overrides.get(day, "off") == "off"}


def win_day_kind(schedule: Schedule, day: date, overrides: Mapping[date, str]) -> str:
    """How a win logged on `day` is tagged: unknown until the member has said which days are remote."""
    if not schedule.remote_days and day not in overrides:
        return "unknown"
    kind = day_kind(schedule, day, overrides)
    return kind if kind in ("remote", "office") else "unknown"


def local_instant(day: date, at: time, tz: str) -> datetime:
    """A local wall-clock time as a UTC instant: in a gap, the gap's end; in an overlap, the first."""
    zone_info = zone(tz)
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone_info, fold=0).astimezone(UTC)
    if first.astimezone(zone_info).replace(tzinfo=None) == wall:
        return first
    # In a gap: fold=1 reads the wall time with the offset after the change, so it lands before the gap
    # ends; step forward to the first minute whose local time is at or past the wall time.
    instant = wall.replace(tzinfo=zone_info, fold=1).astimezone(UTC).replace(second=0, microsecond=0)
    while instant.astimezone(zone_info).replace(tzinfo=None) < wall:
        instant += timedelta(minutes=1)
    return instant


def next_prompt(
    schedule: Schedule, kind: str, after: datetime, overrides: Mapping[date, str]
) -> tuple[datetime, date] | None:
    """The first `kind` prompt strictly after `after`, as (UTC instant, member's local date); None if none."""
    if schedule.paused or not schedule.active:
        return None
    if not schedule.remote_days and "remote" not in overrides.values():
        return None
    day = after.astimezone(zone(schedule.tz)).date() - timedelta(days=1)
    for offset in range(HORIZON_DAYS):
        candidate = day + timedelta(days=offset)
        if day_kind(schedule, candidate, overrides) != "remote":
            continue
        instant = local_instant(candidate, schedule.at(kind), schedule.tz)
        if instant > after:
            return instant, candidate
    return None


def next_weekly(weekday: int, at: time, tz: str, after: datetime) -> tuple[datetime, date]:
    """The first instant strictly after `after` that is `weekday` (0 = Monday) at `at` in `tz`, as
    (UTC instant, local date); a time in a DST gap or overlap is read as `local_instant` reads it."""
    today = after.astimezone(zone(tz)).date()
    # Start a week early: near midnight, or in a gap, this week's instant may already be past.
    day = today + timedelta(days=(weekday - today.weekday()) % 7 - 7)
    while (instant := local_instant(day, at, tz)) <= after:
        day += timedelta(days=7)
    return instant, day


def recap_due(digest: datetime, hours: WorkingHours | None) -> datetime | None:
    """When the report's recap for the digest at `digest` is due: their latest working moment at or before
    `RECAP_LEAD` before it (so, on their previous working day's end when the digest comes before their
    day starts). None when their last working moment is not after the week before the digest (off all
    week): no recap that week. Without `hours`, simply `RECAP_LEAD` before the digest."""
    latest = digest - RECAP_LEAD
    if hours is None:
        return latest
    due = last_working_moment_at_or_before(latest, hours)
    return due if due is not None and due > digest - timedelta(days=7) else None


def next_recap(
    weekday: int, at: time, manager_tz: str, after: datetime, hours: WorkingHours | None = None
) -> tuple[datetime, date] | None:
    """A report's next recap strictly after `after` (`recap_due`, by their `hours`), for the first of their
    manager's digests that still has one. The date is the digest's, in the manager's zone, so the recap
    and the digest name the same ISO week. None if no digest within `HORIZON_DAYS` has one."""
    digest, day = next_weekly(weekday, at, manager_tz, after)  # an earlier digest's recap is before `after`
    for _ in range(HORIZON_DAYS // 7):
        due = recap_due(digest, hours)
        if due is not None and due > after:
            return due, day
        digest, day = next_weekly(weekday, at, manager_tz, digest)
    return None


# -- working hours -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingHours:
    """When a member is at work: from `start` to `end` (local, both included) on their working days.

    A working day is one of `workdays` (0 = Monday) that is neither in `days_off` nor a public holiday
    of `holidays`; a date in `extra_days` (a `today remote` / `today office` on a weekend or holiday) is
    one whatever the weekday. `start` and `end` are read as `local_instant` reads any local time, so in
    a DST gap the day starts at the gap's end, and in an overlap at its first occurrence.
    """

    tz: str
    start: time = WORK_START
    end: time = WORK_END
    workdays: frozenset[int] = WORKDAYS
    days_off: frozenset[date] = frozenset()
    extra_days: frozenset[date] = frozenset()
    holidays: HolidayCalendar | None = None

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The UTC instants the working day `day` starts and ends (whether or not it is a working day)."""
        return local_instant(day, self.start, self.tz), local_instant(day, self.end, self.tz)


def is_working_day(day: date, hours: WorkingHours) -> bool:
    if day in hours.extra_days:
        return True
    if day in hours.days_off or day.weekday() not in hours.workdays:
        return False
    return holiday_name(hours.holidays, day) is None


def is_working_time(instant: datetime, hours: WorkingHours) -> bool:
    """Whether `instant` falls within the member's working hours on one of their working days."""
    day = instant.astimezone(zone(hours.tz)).date()
    if not is_working_day(day, hours):
        return False
    start, end = hours.window(day)
    return start <= instant <= end


def next_working_start(instant: datetime, hours: WorkingHours) -> datetime | None:
    """The start of the member's first working day that starts at or after `instant` (their next morning,
    for something held outside their hours); None when no working day comes within `HORIZON_DAYS`."""
    day = instant.astimezone(zone(hours.tz)).date()
    for offset in range(HORIZON_DAYS + 1):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate, hours):
            start = hours.window(candidate)[0]
            if start >= instant:
                return start
    return None


def last_working_moment_at_or_before(instant: datetime, hours: WorkingHours) -> datetime | None:
    """`instant` itself if it is working time, else the end of the member's latest working day that ended
    before it; None when none did within `HORIZON_DAYS`."""
    day = instant.astimezone(zone(hours.tz)).date()
    for offset in range(HORIZON_DAYS + 1):
        candidate = day - timedelta(days=offset)
        if not is_working_day(candidate, hours):
            continue
        start, end = hours.window(candidate)
        if start <= instant:
            return min(instant, end)
    return None


def is_late(due_at: datetime, now: datetime) -> bool:
    """Too late to send: the member has moved on, so the prompt is recorded as missed instead."""
    return now - due_at > GRACE


def weekdays_of(mask: int) -> frozenset[int]:
    """The weekdays in a stored bitmask (bit d = weekday d, 0 = Monday)."""
    return frozenset(d for d in range(7) if mask >> d & 1)


def parse_weekdays(text: str) -> frozenset[int] | None:
    """`tue,wed,thu` (or `none`) to weekday numbers; None when a name isn't a weekday."""
    names = [n for n in text.replace(" ", ",").lower().split(",") if n]
    if names == ["none"]:
        return frozenset()
    days = set()
    for name in names:
        matches = [i for i, full in enumerate(DAY_NAMES) if len(name) >= 3 and full.startswith(name)]
        if len(matches) != 1:
            return None
        days.add(matches[0])
    return frozenset(days) if days else None


def describe_weekdays(days: frozenset[int]) -> str:
    return ", ".join(WEEKDAYS[d].title() for d in sorted(days)) or "none"
