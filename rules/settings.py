"""A member's prompt settings: the text shortcuts' arguments, the checks, and the words they are shown in.

Pure: no Slack, no database. The text shortcuts (`days tue,wed,thu`, `times 09:00 17:00`, …) and the
settings modal both end in a `MemberSettings`, and both are checked by `problems`, so a combination
refused in the modal is refused in text too, with the same reasons.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import assert_never
from zoneinfo import available_timezones

from rules.calendar import describe_day, zone
from rules.deliveries import DeliveryRecord
from rules.holidays import HolidayCalendar, UnknownCalendar, calendar_for, holiday_name
from rules.schedule import (
    DAY_NAMES,
    DIGEST,
    DIGEST_AT,
    DIGEST_WEEKDAY,
    EOD,
    MORNING,
    MORNING_SNOOZE,
    OVERRIDE_KINDS,
    RECAP,
    WORK_END,
    WORK_START,
    WORKDAYS,
    DueSlot,
    WorkingHours,
    describe_weekdays,
    parse_weekdays,
)

MAX_OFF_DAYS = 92  # one `off` range; a longer absence is what `pause` is for
SLACKBOT = "USLACKBOT"  # Slack's own bot, which users.info describes as a person (is_bot false)
ZONE_EXAMPLE = "/remote-win tz Europe/Berlin"
SHARE_TO = ("channel", "manager", "self")
_TIME = re.compile(r"^([01]?\d|2[0-3])(?::([0-5]\d))?$")
_HOURS = re.compile(r"^(\S+?)\s*(?:-|–|\s)\s*(\S+?)(?:\s+(\S.*))?$")
_DAY_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?$")
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})  # in the tz folder, but not places


class SettingsProblem(ValueError):
    """The arguments of a settings shortcut don't fit; the message says how to write them."""


# -- what the member has set ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSettings:
    """Everything a member chooses about their prompts; `slack_tz` is Slack's, the rest is theirs."""

    slack_tz: str
    tz_override: str | None = None
    remote_days: frozenset[int] = field(default_factory=frozenset)  # 0 = Monday
    morning: time = time(9, 0)
    eod: time = time(17, 0)
    manager: str | None = None  # Slack user id
    share_to: str = "self"  # "channel", "manager" or "self"
    share_channel: str | None = None  # Slack channel id
    paused: bool = False
    slack_tz_known: bool = True  # False: Slack gave no zone, and `slack_tz` is UTC until it does
    work_start: time = WORK_START  # working hours, local: the recap and posts to them fall within
    work_end: time = WORK_END
    workdays: frozenset[int] = WORKDAYS
    own_holidays: HolidayCalendar | None = None  # the member's own public-holiday calendar
    no_holidays: bool = False  # the member chose none, whatever the workspace's default
    workspace_holidays: HolidayCalendar | None = None  # the workspace's default (an operator's), read only

    @property
    def tz(self) -> str:
        """The zone prompts and dates follow: the member's own choice, else Slack's profile."""
        return self.tz_override or self.slack_tz

    @property
    def tz_unknown(self) -> bool:
        """Nobody has said where the member is: prompts and dates run on UTC meanwhile."""
        return not self.tz_override and not self.slack_tz_known

    @property
    def holidays(self) -> HolidayCalendar | None:
        """The public holidays that apply: the member's own choice, else the workspace's, else none."""
        if self.no_holidays:
            return None
        return self.own_holidays or self.workspace_holidays

    def working_hours(self) -> WorkingHours:
        """Their working hours by the weekdays and the holiday calendar (days off are the caller's)."""
        return WorkingHours(self.tz, self.work_start, self.work_end, self.workdays, holidays=self.holidays)


def problems(settings: MemberSettings, user_id: str) -> dict[str, str]:
    """Why these settings can't be saved, by field ("eod", "manager", "share_channel"); empty when fine."""
    found: dict[str, str] = {}
    if settings.morning >= settings.eod:
        found["eod"] = "The end of the day must come after the morning prompt."
    if settings.work_start >= settings.work_end:
        found["work_end"] = "Your working day must end after it starts."
    if not settings.workdays:
        found["workdays"] = "Pick at least one working day."
    if settings.manager == user_id:
        found["manager"] = "You can't be your own manager: pick the person you report to."
    elif settings.share_to == "manager" and not settings.manager:
        found["manager"] = (
            "Your plans go to your manager's DM, so pick your manager (or send them elsewhere)."
        )
    if settings.share_to == "channel" and not settings.share_channel:
        found["share_channel"] = "Pick the team channel your plans and summaries go to."
    return found


@dataclass(frozen=True)
class SettingsSnapshot:
    """What `settings show` and the modal state: the settings, what comes next, what went wrong."""

    settings: MemberSettings
    today: date  # the member's local date
    next_prompt: DueSlot | None
    overrides: dict[date, str]  # from today on
    problem: DeliveryRecord | None  # the latest refused delivery, unless one was sent since


@dataclass(frozen=True)
class Person:
    """What Slack's `users.info` says of someone a member names as their manager."""

    user_id: str
    found: bool = True  # False: Slack answered user_not_found
    deleted: bool = False  # deactivated in Slack
    bot: bool = False
    name: str = ""


def manager_refusal(person: Person, user_id: str) -> str | None:
    """Why `person` can't be the manager of member `user_id` ("self", "unknown", "deactivated", "bot"), or
    None: a manager receives a digest and plans in their DM, which only a real, active person can read."""
    if person.user_id == user_id:
        return "self"
    if not person.found:
        return "unknown"
    if person.deleted:
        return "deactivated"
    if person.bot or person.user_id == SLACKBOT:
        return "bot"
    return None


def new_channel(current: MemberSettings, wanted: MemberSettings) -> str | None:
    """The channel plans and summaries would start going to with `wanted`, to check before saving."""
    if wanted.share_to != "channel" or not wanted.share_channel:
        return None
    if current.share_to == "channel" and current.share_channel == wanted.share_channel:
        return None
    return wanted.share_channel


def new_manager(current: MemberSettings, wanted: MemberSettings) -> str | None:
    """The manager `wanted` names that `current` doesn't, to check in Slack before saving."""
    return wanted.manager if wanted.manager and wanted.manager != current.manager else None


# -- the text shortcuts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A person or channel picked from Slack's autocomplete: its id, and how it reads once typed out."""

    id: str
    typed: str  # "@ana" or "#team", as `bot.slack_text.as_typed` shows it


@dataclass(frozen=True)
class SlackRefs:
    """The mentions in a command's raw text, which the typed text no longer carries the ids of."""

    users: tuple[Mention, ...] = ()
    channels: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class OpenSettings:
    """`settings`: the modal."""


@dataclass(frozen=True)
class ShowSettings:
    """`settings show`: the settings in words."""


@dataclass(frozen=True)
class SetManager:
    user_id: str | None
    typed: str = field(default="", compare=False)  # "@ana", as the member typed it, to name them back


@dataclass(frozen=True)
class SetDays:
    days: frozenset[int]


@dataclass(frozen=True)
class SetDestination:
    share_to: str
    channel_id: str | None = None


@dataclass(frozen=True)
class SetTimes:
    morning: time
    eod: time


@dataclass(frozen=True)
class SetHours:
    """`hours 08:30-17:30`, optionally with the working weekdays: `hours 08:00-16:00 sun,mon,tue,wed,thu`."""

    start: time
    end: time
    workdays: frozenset[int] | None = None  # None: keep them


@dataclass(frozen=True)
class SetHolidays:
    """`holidays DE BY`; `holidays none` (no calendar); `holidays auto` (the workspace's default)."""

    calendar: HolidayCalendar | None
    none: bool = False  # True: no holidays at all, whatever the workspace says


@dataclass(frozen=True)
class SetZone:
    name: str | None  # None: follow Slack's profile again


@dataclass(frozen=True)
class SetToday:
    kind: str  # "remote", "office" or "off"


@dataclass(frozen=True)
class SetDaysOff:
    first: date
    last: date


@dataclass(frozen=True)
class SetPaused:
    paused: bool


@dataclass(frozen=True)
class DigestTime:
    """When a manager's weekly digest comes, in their own zone; their reports' recaps come before it."""

    weekday: int = DIGEST_WEEKDAY  # 0 = Monday
    at: time = DIGEST_AT


@dataclass(frozen=True)
class DigestSnapshot:
    """What `digest-time` states: when the member's digest comes, as a manager, and the next one."""

    time: DigestTime
    tz: str
    next_digest: datetime | None  # None while nobody names the member as their manager


@dataclass(frozen=True)
class ShowDigestTime:
    """`digest-time`: when the digest comes."""


@dataclass(frozen=True)
class SetDigestTime:
    time: DigestTime


SettingsCommand = (
    OpenSettings
    | ShowSettings
    | SetManager
    | SetDays
    | SetDestination
    | SetTimes
    | SetHours
    | SetHolidays
    | SetZone
    | SetToday
    | SetDaysOff
    | SetPaused
    | ShowDigestTime
    | SetDigestTime
)
SettingsChange = (
    SetManager | SetDays | SetDestination | SetTimes | SetHours | SetHolidays | SetZone | SetPaused
)
SETTINGS_WORDS = (
    "settings",
    "manager",
    "days",
    "channel",
    "times",
    "hours",
    "holidays",
    "tz",
    "today",
    "off",
    "pause",
    "resume",
    "digest-time",
)


def parse_settings(word: str, rest: str, refs: SlackRefs) -> SettingsCommand:
    """One settings shortcut from its (lower-cased) word and what follows; raises SettingsProblem."""
    simple = " ".join(rest.lower().split())
    if word == "settings":
        if simple in ("", "show"):
            return ShowSettings() if simple else OpenSettings()
        raise SettingsProblem("`settings` opens your settings; `settings show` lists them here.")
    if word in ("pause", "resume"):
        if simple:
            raise SettingsProblem(f"`{word}` takes nothing after it.")
        return SetPaused(word == "pause")
    parse = _PARSERS.get(word)
    if parse is None:
        raise ValueError(f"not a settings word: {word}")
    return parse(rest, simple, refs)


def _days(simple: str) -> SetDays:
    days = parse_weekdays(simple) if simple else None
    if days is None:
        raise SettingsProblem("`days` takes weekdays, like `days tue,wed,thu`, or `days none`.")
    return SetDays(days)


def _today(simple: str) -> SetToday:
    if simple not in OVERRIDE_KINDS:
        raise SettingsProblem(
            "`today` takes `remote`, `office` or `off`, like `today remote`. "
            "For a win that starts with “today”, put `log` first: `log today …`."
        )
    return SetToday(simple)


# The settings words that take an argument: (the words after it as typed, lower-cased and spaced once, the
# Slack mentions in them) -> the command.
_PARSERS: dict[str, Callable[[str, str, SlackRefs], SettingsCommand]] = {
    "manager": lambda rest, simple, refs: _manager(rest, refs),
    "channel": lambda rest, simple, refs: _destination(rest, simple, refs),
    "days": lambda rest, simple, refs: _days(simple),
    "times": lambda rest, simple, refs: _times(simple),
    "hours": lambda rest, simple, refs: _hours(simple),
    "holidays": lambda rest, simple, refs: _holidays(rest.split()),
    "tz": lambda rest, simple, refs: _zone(rest.strip()),
    "today": lambda rest, simple, refs: _today(simple),
    "off": lambda rest, simple, refs: _days_off(simple),
    "digest-time": lambda rest, simple, refs: _digest_time(simple),
}


def _manager(rest: str, refs: SlackRefs) -> SetManager:
    if rest.strip().lower() == "none":
        return SetManager(None)
    if len(refs.users) > 1:
        raise SettingsProblem("`manager` takes one person, like `manager @ana`.")
    if refs.users and rest.strip() == refs.users[0].typed:
        return SetManager(refs.users[0].id, refs.users[0].typed)
    if rest.strip().startswith("@") and not refs.users:
        raise SettingsProblem(
            f"I can't tell who “{rest.strip()}” is. Type `@` and pick the person from Slack's list, "
            "so the mention turns into a name."
        )
    raise SettingsProblem("`manager` takes one person, like `manager @ana`, or `manager none`.")


def _destination(rest: str, simple: str, refs: SlackRefs) -> SetDestination:
    if simple == "manager":
        return SetDestination("manager")
    if simple == "me":
        return SetDestination("self")
    if simple == "dm":
        raise SettingsProblem("Whose DM? `channel manager` sends to your manager, `channel me` only to you.")
    if len(refs.channels) == 1 and rest.strip() == refs.channels[0].typed:
        return SetDestination("channel", refs.channels[0].id)
    if rest.strip().startswith("#") and not refs.channels:
        raise SettingsProblem(
            f"I can't tell which channel “{rest.strip()}” is. Type `#` and pick it from Slack's list."
        )
    raise SettingsProblem("`channel` takes `#team` (a channel), `manager` (your manager's DM) or `me`.")


def parse_time(text: str) -> time | None:
    """`09:00`, `9:00` or a whole hour, `9`, 24-hour; None for anything else."""
    match = _TIME.match(text.strip())
    return time(int(match.group(1)), int(match.group(2) or 0)) if match else None


def _times(simple: str) -> SetTimes:
    parts = simple.split()
    parsed = [parse_time(p) for p in parts]
    if len(parts) != 2 or None in parsed:
        raise SettingsProblem(
            "`times` takes two 24-hour times, morning then end of day: `times 09:00 17:00`."
        )
    morning, eod = parsed
    assert morning is not None and eod is not None
    if morning >= eod:
        raise SettingsProblem("The morning time must come before the end-of-day time: `times 09:00 17:00`.")
    return SetTimes(morning, eod)


HOURS_EXAMPLE = "`hours 09:00-18:00`"


def _hours(simple: str) -> SetHours:
    match = _HOURS.match(simple)
    start = parse_time(match.group(1)) if match else None
    end = parse_time(match.group(2)) if match else None
    if match is None or start is None or end is None:
        raise SettingsProblem(
            f"`hours` takes your working hours, 24-hour, in your time zone: {HOURS_EXAMPLE}, optionally "
            "with your working days: `hours 08:00-16:00 sun,mon,tue,wed,thu`."
        )
    if start >= end:
        raise SettingsProblem(f"Your working day must end after it starts: {HOURS_EXAMPLE}.")
    days = None
    if match.group(3):
        days = parse_weekdays(match.group(3))
        if not days:
            raise SettingsProblem(
                "After the hours come your working days, like `hours 08:00-16:00 mon,tue,wed,thu,fri`."
            )
    return SetHours(start, end, days)


def _holidays(words: list[str]) -> SetHolidays:
    simple = [w.lower() for w in words]
    if simple == ["none"]:
        return SetHolidays(None, none=True)
    if simple == ["auto"]:
        return SetHolidays(None)
    if not 1 <= len(words) <= 2:
        raise SettingsProblem(
            "`holidays` takes a country code and optionally a region, like `holidays DE BY` or "
            "`holidays US`; `holidays none` for no public holidays, `holidays auto` for your workspace's."
        )
    try:
        return SetHolidays(calendar_for(words[0], words[1] if len(words) == 2 else None))
    except UnknownCalendar as unknown:
        raise SettingsProblem(str(unknown)) from None


def _digest_time(simple: str) -> ShowDigestTime | SetDigestTime:
    if not simple:
        return ShowDigestTime()
    parts = simple.split()
    days = parse_weekdays(parts[0]) if len(parts) == 2 else None
    at = parse_time(parts[1]) if len(parts) == 2 else None
    if not days or len(days) != 1 or at is None:
        raise SettingsProblem(
            "`digest-time` takes one weekday and a 24-hour time in your time zone, like "
            "`digest-time fri 16:00`; `digest-time` alone says when your digest comes."
        )
    (weekday,) = days
    return SetDigestTime(DigestTime(weekday, at))


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones() if name not in _NOT_ZONES}


def known_zone(name: str) -> str | None:
    """The IANA zone `name` stands for, spelled as the database spells it (any case); None if unknown."""
    return _zones_by_folded_name().get(name.strip().casefold())


def _zone(name: str) -> SetZone:
    if name.lower() == "auto":
        return SetZone(None)
    found = known_zone(name) if name else None
    if found is None:
        raise SettingsProblem(
            "`tz` takes a time zone name like `tz Europe/Berlin` or `tz Asia/Kathmandu` "
            "(the names on https://en.wikipedia.org/wiki/List_of_tz_database_time_zones), "
            "or `tz auto` to follow your Slack profile."
        )
    return SetZone(found)


def _days_off(simple: str) -> SetDaysOff:
    match = _DAY_RANGE.match(simple)
    if not match:
        raise SettingsProblem(
            "`off` takes a date or a range: `off 2026-12-24` or `off 2026-12-24..2026-12-31`."
        )
    try:
        first = date.fromisoformat(match.group(1))
        last = date.fromisoformat(match.group(2) or match.group(1))
    except ValueError:
        raise SettingsProblem("That has a date that doesn't exist.") from None
    if first > last:
        raise SettingsProblem("The range ends before it starts.")
    if (last - first).days >= MAX_OFF_DAYS:
        raise SettingsProblem(f"Take at most {MAX_OFF_DAYS} days off at a time; for longer, use `pause`.")
    return SetDaysOff(first, last)


def changed(settings: MemberSettings, change: SettingsChange) -> MemberSettings:
    """The settings with one text shortcut applied (checked afterwards with `problems`)."""
    match change:
        case SetManager(user_id):
            return replace(settings, manager=user_id)
        case SetDays(days):
            return replace(settings, remote_days=days)
        case SetDestination(share_to, channel_id):
            return replace(settings, share_to=share_to, share_channel=channel_id or settings.share_channel)
        case SetTimes(morning, eod):
            return replace(settings, morning=morning, eod=eod)
        case SetHours(start, end, workdays):
            return replace(settings, work_start=start, work_end=end, workdays=workdays or settings.workdays)
        case SetHolidays(calendar, none):
            return replace(settings, own_holidays=calendar, no_holidays=none)
        case SetZone(name):
            return replace(settings, tz_override=name)
        case SetPaused(paused):
            return replace(settings, paused=paused)
        case _:
            assert_never(change)


# -- the settings modal's values -------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsForm:
    """The raw values of the settings modal, as Slack sends them; checked by `settings_from_form`."""

    remote_days: tuple[str, ...]
    morning: str | None
    eod: str | None
    tz: str | None
    manager: str | None
    share_to: str | None
    share_channel: str | None
    paused: bool
    work_start: str | None = None  # None (not in the form): keep the current ones
    work_end: str | None = None
    workdays: tuple[str, ...] | None = None


def settings_from_form(
    form: SettingsForm, current: MemberSettings, user_id: str
) -> tuple[MemberSettings | None, dict[str, str]]:
    """The settings the modal asks for, or the errors to mark in it by field (block id)."""
    errors: dict[str, str] = {}
    morning, eod = parse_time(form.morning or ""), parse_time(form.eod or "")
    if morning is None:
        errors["morning"] = "Pick the time of your morning prompt."
    if eod is None:
        errors["eod"] = "Pick the time of your end-of-day prompt."
    work_start = current.work_start if form.work_start is None else parse_time(form.work_start)
    work_end = current.work_end if form.work_end is None else parse_time(form.work_end)
    if work_start is None:
        errors["work_start"] = "Pick when your working day starts."
    if work_end is None:
        errors["work_end"] = "Pick when your working day ends."
    workdays = current.workdays
    if form.workdays is not None:
        workdays = frozenset(int(d) for d in form.workdays if d.isdigit() and int(d) < 7)
    typed_zone = (form.tz or "").strip()
    override: str | None = None
    if typed_zone and typed_zone.lower() != "auto":
        found = known_zone(typed_zone)
        if found is None:
            errors["tz"] = "That isn't a time zone name I know. Try one like Europe/Berlin or Asia/Kathmandu."
        elif found != current.slack_tz or not current.slack_tz_known:  # Slack's own: keep following it
            override = found
    share_to = form.share_to if form.share_to in SHARE_TO else "self"
    days = frozenset(int(d) for d in form.remote_days if d.isdigit() and int(d) < 7)
    if errors:
        return None, errors
    assert morning is not None and eod is not None and work_start is not None and work_end is not None
    wanted = replace(
        current,
        tz_override=override,
        remote_days=days,
        morning=morning,
        eod=eod,
        manager=form.manager,
        share_to=share_to,
        share_channel=form.share_channel,
        paused=form.paused,
        work_start=work_start,
        work_end=work_end,
        workdays=workdays,
    )
    found_problems = problems(wanted, user_id)
    return (None, found_problems) if found_problems else (wanted, {})


# -- words -------------------------------------------------------------------------------------------------

PROMPT_NAMES: dict[str, str] = {
    MORNING: "morning plan prompt",
    EOD: "end-of-day prompt",
    MORNING_SNOOZE: "snoozed plan prompt",
    DIGEST: "weekly digest of your team",
    RECAP: "weekly recap, before your manager's digest",
}


def clock_time(at: time) -> str:
    return f"{at:%H:%M}"


def describe_instant(instant: datetime, tz: str, now: datetime) -> str:
    """An instant as the member reads it in their zone: "today at 17:00", "tomorrow (Tue 24 Nov) at 09:00"."""
    local = instant.astimezone(zone(tz))
    today = now.astimezone(zone(tz)).date()
    words = describe_day(local.date(), today)
    if local.date() == today + timedelta(days=1):
        words = f"tomorrow ({words})"
    return f"{words} at {local:%H:%M}"


def describe_prompt(kind: str, instant: datetime, tz: str, now: datetime) -> str:
    """Which prompt comes when, in the member's zone, named so they can't mistake it for UTC."""
    name = PROMPT_NAMES.get(kind, kind.replace("_", " "))
    return f"your {name}, {describe_instant(instant, tz, now)} ({tz})"


def describe_digest_time(digest_time: DigestTime) -> str:
    """ "Fridays at 16:00": a weekly time, read in the manager's zone."""
    return f"{DAY_NAMES[digest_time.weekday].title()}s at {clock_time(digest_time.at)}"


def why_no_prompt(settings: MemberSettings, overrides: Mapping[date, str]) -> str:
    """Why nothing is scheduled, with the shortcut that changes it."""
    if settings.paused:
        return "none: your prompts are paused (`/remote-win resume` starts them again)."
    if not settings.remote_days and "remote" not in overrides.values():
        return "none: you have no remote days yet (`/remote-win days tue,wed,thu` sets them)."
    return "none scheduled."


def describe_span(first: date, last: date, today: date) -> str:
    """One day, or a run of days with its length: "Thu 24 Dec – Thu 31 Dec (8 days)"."""
    if first == last:
        return describe_day(first, today)
    return f"{describe_day(first, today)} – {describe_day(last, today)} ({(last - first).days + 1} days)"


def describe_overrides(overrides: Mapping[date, str], today: date, limit: int = 8) -> list[str]:
    """Upcoming single-day changes as runs: "off Thu 24 Dec – Thu 31 Dec (8 days)", "remote today"."""
    runs: list[tuple[str, date, date]] = []
    for day in sorted(d for d in overrides if d >= today):
        kind = overrides[day]
        if runs and runs[-1][0] == kind and runs[-1][2] == day - timedelta(days=1):
            runs[-1] = (kind, runs[-1][1], day)
        else:
            runs.append((kind, day, day))
    return [f"{kind} {describe_span(first, last, today)}" for kind, first, last in runs[:limit]]


def describe_hours(settings: MemberSettings) -> str:
    """ "09:00–18:00, Mon, Tue, Wed, Thu, Fri": when the member is at work, in their zone."""
    return (
        f"{clock_time(settings.work_start)}–{clock_time(settings.work_end)}, "
        f"{describe_weekdays(settings.workdays)}"
    )


def describe_holidays(settings: MemberSettings) -> str:
    """Which public-holiday calendar applies, and where it comes from, with the shortcut that changes it."""
    if settings.no_holidays:
        return "none, by your choice (`holidays DE BY` picks a calendar)"
    if settings.own_holidays:
        return f"{settings.own_holidays.describe()}, set by you (`holidays auto` follows your workspace's)"
    if settings.workspace_holidays:
        return f"{settings.workspace_holidays.describe()}, your workspace's (`holidays none` opts out)"
    return "none set (`holidays DE BY` picks your country's, and region's)"


def working_words(settings: MemberSettings, today: date) -> str:
    """The member's working hours and holiday calendar in a line (the Home), and today's holiday, if any."""
    words = f"Working hours {describe_hours(settings)}; public holidays: {describe_holidays(settings)}."
    name = holiday_name(settings.holidays, today)
    return f"{words} Today is a public holiday ({name}): no prompts." if name else words


def plain_zone_note(settings: MemberSettings) -> str:
    """Where the zone comes from, so a member knows whether Slack's profile still moves it."""
    if settings.tz_override:
        return f"{settings.tz_override}, set by you (`tz auto` follows your Slack profile again)"
    if settings.tz_unknown:
        return (
            f"{settings.slack_tz} for now, because your time zone is unknown (Slack didn't give one): "
            f"set yours with `{ZONE_EXAMPLE}`"
        )
    return f"{settings.slack_tz}, from your Slack profile"
