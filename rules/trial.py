"""The remote-work trial: what a member proposes, when its check-ins come, and every figure a check-in,
the evidence pack and the overwork guard show, computed from plain data (no Slack, no SQL).

The rules, as a member and their manager can rely on them:

- **The trial** runs from its start date (which may be in the past) for its length (default 90 days):
  day 1 is the start date. It ends early when the member ends it; its last day is then that day.
- **Check-ins** (default 30, 60, 90): check-in N comes on the morning after the trial's Nth day, the
  member's morning prompt time on the first of their working days from that date (`checkin_due`), and
  covers the days 1 to N, all of which are over. The last day of the trial is always a check-in (the
  final one, the evidence pack); a trial ended early gets its final check-in the next morning. A
  check-in whose moment had passed when the trial was recorded is not sent.
- **Day kinds** are the digest's (rules.digest.day_kinds): skipped, off and holiday days are neither
  remote nor office; then what the member's wins and values of that day were tagged; then overrides;
  then, during the trial, the trial's remote weekdays (other weekdays office, weekends off).
- **Wins per remote vs office day** and **metrics per day** are the digest's comparison
  (rules.digest.compare) over the days the check-in covers: logged wins only (no ticked plan items, no
  private wins), every remote and office day counted (a day without a win is a 0 win day), a metric's
  figure the mean of its day values over the days it was logged, with how many. A side without days has
  no figure: "no office days to compare against", never a division by zero.
- **A metric against its target**: a per-day target is held against the mean over the remote and office
  days it was logged (and each side apart); a per-week target against the mean total of the whole
  weeks (Monday to Sunday) inside the covered days in which it was logged (rules.metrics.weekly_totals).
  Met means at least the target when higher is better, at most it when lower is. Never logged: no verdict.
- **Plan completion**: ticked items of the plans posted on covered days, over their items.
- **Start and end of a day**: a day starts at its first recorded moment (the plan sent, or a win logged
  on that date) and ends at the sign-off the member gave, else at the last win logged on that date. Its
  length counts only when it has both and the end is later. Times are the member's local times.
- **Reachability**: of the covered remote days, how many had a plan posted, and how many of those were
  posted within the hours the trial promised. And the questions the manager asked through remote-wins
  (the digest's "Ask a question") on the covered days (the member's dates), answered through the
  question's Answer button: how many were answered, how many by the end of the promised hours of the
  day asked (for a question asked after them, or on a day off, of the next working day), and the median
  time to answer counted in promised hours only (working days and those hours; a question asked on Friday
  evening and answered on Monday at 09:30 took 30 minutes). Promised hours are the trial's hours, else
  the member's working hours, on the member's working days (not days off or public holidays). A
  question still unanswered is counted as asked and not answered; with no question asked there is no
  figure ("no questions asked"), never 0%. Split by the kind of the day asked, remote against office.
- **Trend**: the days since the previous check-in against the days before them, with the same rules.
- **Baseline** (before/after): the whole weeks before the trial (up to `BASELINE_WEEKS`, since the member
  joined) whose record shows office days and no remote day. Before the trial the day kinds come only from
  what was recorded then (the tags of that day's wins and values, and overrides), never from today's
  schedule; in such a week a working day with nothing recorded is an office day with no win.
- **Overwork guard**: over the `OVERWORK_DAYS` days before today, when remote days with a length
  average more than `OVERWORK_MARGIN` longer than office days with one (at least `OVERWORK_MIN_DAYS` of
  each), the member (never the manager) gets a private note with the figures.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import takewhile
from typing import NamedTuple

from rules.calendar import DateRange, zone
from rules.digest import (
    COMPARED,
    Comparison,
    DayTally,
    MetricRates,
    MetricTally,
    Report,
    WinsSeries,
    compare,
    day_kinds,
)
from rules.metrics import MetricDef, metric_key, weekly_totals
from rules.plans import PLAN_SENT, PlanStatus
from rules.schedule import WorkingHours, is_working_day, local_instant

DEFAULT_LENGTH = 90
DEFAULT_CHECKINS = (30, 60, 90)
MIN_LENGTH, MAX_LENGTH = 7, 366
MAX_CHECKINS = 12
MAX_START_BACK = 366  # a trial may be recorded up to this many days after it started
MAX_START_AHEAD = 90
MAX_REACH = 200
BASELINE_WEEKS = 12
OVERWORK_DAYS = 14
OVERWORK_MARGIN = 0.15
OVERWORK_MIN_DAYS = 2
CHECKIN_SEARCH_DAYS = 14  # a check-in on a day off moves to the next working day within this many days
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class TrialProblem(ValueError):
    """The words after `trial` don't fit; the message says how to write them."""


# -- what a trial is -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrangement:
    """What the member proposes: remote weekdays, the hours they can be reached, and how."""

    remote_days: frozenset[int]
    hours: tuple[time, time] | None = None
    reach_via: str | None = None


@dataclass(frozen=True)
class TrialPlan:
    start: date
    arrangement: Arrangement
    length: int = DEFAULT_LENGTH
    checkins: tuple[int, ...] = DEFAULT_CHECKINS
    metrics: tuple[MetricDef, ...] = ()
    ended_on: date | None = None  # the last day, when the member ended it early

    @property
    def planned_last(self) -> date:
        return self.start + timedelta(days=self.length - 1)

    @property
    def last_day(self) -> date:
        return min(self.planned_last, self.ended_on) if self.ended_on else self.planned_last

    def day_number(self, day: date) -> int:
        """Day 1 is the start date."""
        return (day - self.start).days + 1

    def checkin_date(self, day: int) -> date:
        """Check-in `day` comes the day after the trial's `day`th day."""
        return self.start + timedelta(days=day)

    def covered(self, day: int) -> DateRange:
        """The days check-in `day` covers: 1 to `day`, never past the trial's last day."""
        return DateRange(self.start, min(self.start + timedelta(days=day - 1), self.last_day))


def checkin_days(checkins: Iterable[int], length: int) -> tuple[int, ...]:
    """Sorted, without repeats, within the trial, and ending with its last day (the final check-in)."""
    days = sorted({d for d in checkins if 1 <= d <= length} | {length})
    return tuple(days)


def checkin_due(day: date, morning: time, hours: WorkingHours) -> tuple[datetime, date]:
    """When a check-in for `day` comes: the member's morning on the first of their working days from
    `day` (within `CHECKIN_SEARCH_DAYS`; else on `day` itself), read as any local time is (DST rules)."""
    for offset in range(CHECKIN_SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate, hours):
            return local_instant(candidate, morning, hours.tz), candidate
    return local_instant(day, morning, hours.tz), day


# -- the modal and the text form ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialForm:
    """The raw values of the trial modal (or the text form), validated by `validate_trial`."""

    start: str | None
    length: str | None
    checkins: str | None
    remote_days: tuple[str, ...]  # weekday numbers, "0" = Monday
    hours_start: str | None  # "HH:MM"
    hours_end: str | None
    reach_via: str | None
    metrics: tuple[str, ...]  # names of the member's metrics that count


def parse_checkins(text: str) -> tuple[int, ...]:
    """ "30, 60, 90" or "30 60 90" as day numbers; TrialProblem when one isn't a whole number."""
    words = [w for w in re.split(r"[,\s]+", text.strip()) if w]
    if not words or not all(w.isdigit() for w in words):
        raise TrialProblem("Give the check-in days as whole numbers of days, like `30, 60, 90`.")
    if len(words) > MAX_CHECKINS:
        raise TrialProblem(f"At most {MAX_CHECKINS} check-ins.")
    return tuple(int(w) for w in words)


def validate_trial(
    form: TrialForm, today: date, available: Sequence[MetricDef]
) -> tuple[TrialPlan | None, dict[str, str]]:
    """The trial, or errors keyed by the modal's block ids; `today` is the member's local date."""
    errors: dict[str, str] = {}
    start = _trial_start(form.start, today, errors)
    length = _trial_length(form.length, errors)
    checkins = _trial_checkins(form.checkins, length, errors)
    weekdays = frozenset(int(d) for d in form.remote_days if str(d).isdigit() and 0 <= int(d) <= 6)
    if not weekdays:
        errors["remote_days"] = "Pick the weekdays you propose to work remotely."
    hours = _reach_hours(form.hours_start, form.hours_end, errors)
    reach = " ".join((form.reach_via or "").split()) or None
    if reach and len(reach) > MAX_REACH:
        errors["reach_via"] = f"Keep it under {MAX_REACH} characters."
    picked = _trial_metrics(form.metrics, available, errors)
    if errors:
        return None, errors
    plan = TrialPlan(
        start=start,
        arrangement=Arrangement(weekdays, hours, reach),
        length=length,
        checkins=checkin_days(checkins, length),
        metrics=tuple(picked),
    )
    return plan, {}


# Each of the form's fields below: its value, with what is wrong with it put in `errors` under its block id.


def _trial_start(text: str | None, today: date, errors: dict[str, str]) -> date:
    start = today
    if text:
        try:
            start = date.fromisoformat(text)
        except ValueError:
            errors["start"] = "Pick a date."
        else:
            if start < today - timedelta(days=MAX_START_BACK):
                errors["start"] = f"A trial can start at most {MAX_START_BACK} days ago."
            elif start > today + timedelta(days=MAX_START_AHEAD):
                errors["start"] = f"A trial can start at most {MAX_START_AHEAD} days ahead."
    return start


def _trial_length(text: str | None, errors: dict[str, str]) -> int:
    length = DEFAULT_LENGTH
    if text not in (None, ""):
        try:
            length = int(str(text).strip())
        except ValueError:
            errors["length"] = "Give the length in whole days, like 90."
        else:
            if not MIN_LENGTH <= length <= MAX_LENGTH:
                errors["length"] = f"A trial lasts {MIN_LENGTH} to {MAX_LENGTH} days."
    return length


def _trial_checkins(text: str | None, length: int, errors: dict[str, str]) -> tuple[int, ...]:
    """The check-in days, all within a trial of a valid `length`."""
    checkins = tuple(d for d in DEFAULT_CHECKINS if d <= length)  # the trial's last day is added later
    if text and text.strip():
        try:
            checkins = parse_checkins(text)
        except TrialProblem as problem:
            errors["checkins"] = str(problem)
    if "length" not in errors and "checkins" not in errors:
        past = [d for d in checkins if d < 1 or d > length]
        if past:
            errors["checkins"] = f"Check-in days are within the trial: 1 to {length} (not {past[0]})."
    return checkins


def _reach_hours(start: str | None, end: str | None, errors: dict[str, str]) -> tuple[time, time] | None:
    """The hours the member can be reached: both times or neither."""
    if not (start or end):
        return None
    begin, until = _hhmm(start), _hhmm(end)
    if begin is None:
        errors["hours_start"] = "Pick the time you can be reached from, or leave both empty."
    elif until is None:
        errors["hours_end"] = "Pick the time you can be reached until, or leave both empty."
    elif until <= begin:
        errors["hours_end"] = "The hours end after they start."
    else:
        return begin, until
    return None


def _trial_metrics(
    names: Iterable[str], available: Sequence[MetricDef], errors: dict[str, str]
) -> list[MetricDef]:
    """The member's metrics picked by name, each once; a name no longer theirs is an error."""
    by_key = {m.key: m for m in available}
    picked: list[MetricDef] = []
    for name in names:
        metric = by_key.get(metric_key(name))
        if metric is None:
            errors["metrics"] = f"“{name}” is no longer one of your metrics: pick again."
        elif metric not in picked:
            picked.append(metric)
    return picked


def _hhmm(text: str | None) -> time | None:
    match = _HHMM.match((text or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


@dataclass(frozen=True)
class OpenTrialForm:
    """`trial` alone: the modal."""


@dataclass(frozen=True)
class ShowTrial:
    """`trial show`: the member's trial, its check-ins and answers."""


@dataclass(frozen=True)
class EndTrial:
    """`trial end`: today is the last day; the final check-in comes tomorrow morning."""


@dataclass(frozen=True)
class StartTrial:
    """`trial start [date] [N days] [checkins 30,60,90]`: the text form; the rest is the member's settings."""

    start: str | None = None
    length: int | None = None
    checkins: tuple[int, ...] | None = None


@dataclass(frozen=True)
class OverworkGuard:
    """`overwork on` / `overwork off`: the overwork guard's private notes."""

    on: bool


@dataclass(frozen=True)
class ExportPack:
    """`export [first..last]`: the evidence pack, for the range or else the member's latest trial."""

    first: date | None = None
    last: date | None = None


TrialCommand = OpenTrialForm | ShowTrial | EndTrial | StartTrial | OverworkGuard | ExportPack
MAX_EXPORT_DAYS = 400
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
TRIAL_USAGE = (
    "`trial` opens the form; `trial start 2026-03-02 90 days checkins 30,60,90` starts one with your "
    "settings (remote days, hours) and all your metrics; `trial show`; `trial end` ends it early."
)


def parse_trial(rest: str) -> TrialCommand:
    """What the words after `trial` ask for; TrialProblem when they don't fit."""
    words = rest.lower().replace(",", " , ").split()
    if not words:
        return OpenTrialForm()
    first, tail = words[0], [w for w in words[1:] if w != ","]
    if first in ("show", "status") and not tail:
        return ShowTrial()
    if first in ("end", "stop") and not tail:
        return EndTrial()
    if first != "start":
        raise TrialProblem(f"I didn't understand `trial {rest.strip()}`. {TRIAL_USAGE}")
    return _start_trial(tail)


def _start_trial(words: list[str]) -> StartTrial:
    """`[date] [N days] [checkins 30 60 90]`, in any order (commas already dropped)."""
    start, length, checkins = None, None, None
    i = 0
    while i < len(words):
        word = words[i]
        if _ISO_DATE.match(word) or word == "today":
            start = word
        elif word in ("checkins", "check-ins", "checkin"):
            numbers = list(takewhile(str.isdigit, words[i + 1 :]))
            if not numbers:
                raise TrialProblem("`checkins` needs day numbers, like `checkins 30,60,90`.")
            i += len(numbers)
            checkins = tuple(int(n) for n in numbers)
        elif word.rstrip("d").isdigit() and length is None:
            length = int(word.rstrip("d"))
            if i + 1 < len(words) and words[i + 1] in ("days", "day"):
                i += 1
        else:
            raise TrialProblem(f"I didn't understand “{word}”. {TRIAL_USAGE}")
        i += 1
    return StartTrial(start, length, checkins)


def form_of(
    command: StartTrial,
    remote_days: frozenset[int],
    hours: tuple[time, time] | None,
    metrics: Sequence[MetricDef],
) -> TrialForm:
    """The text form as the modal's values: the member's remote days and working hours, all their metrics."""
    return TrialForm(
        start=None if command.start in (None, "today") else command.start,
        length=None if command.length is None else str(command.length),
        checkins=None if command.checkins is None else ",".join(map(str, command.checkins)),
        remote_days=tuple(str(d) for d in sorted(remote_days)),
        hours_start=hours[0].strftime("%H:%M") if hours else None,
        hours_end=hours[1].strftime("%H:%M") if hours else None,
        reach_via="Slack",
        metrics=tuple(m.name for m in metrics),
    )


# -- the figures -----------------------------------------------------------------------------------------


class Moment(NamedTuple):
    """An instant the member was active on one of their days: a win logged on that date (created_at)."""

    local_date: date
    at: datetime


@dataclass(frozen=True)
class PlanFacts:
    """A day's plan, as the trial's figures need it."""

    local_date: date
    status: PlanStatus
    planned: int
    done: int
    posted_at: datetime | None = None
    signed_off: str | None = None  # the member's local "HH:MM"

    @property
    def posted(self) -> bool:
        return self.status in PLAN_SENT


class Asked(NamedTuple):
    """A question the manager asked the member through remote-wins, and when the member first answered it."""

    asked_at: datetime
    answered_at: datetime | None = None


class Value(NamedTuple):
    """A metric value: `metric <name> <number>`, or a logged win's metric; `tag` the day kind it carried."""

    local_date: date
    name: str
    value: float
    tag: str = "unknown"


@dataclass(frozen=True)
class TrialInputs:
    """Everything the figures of one trial are computed from; storage loads it (storage/trials.py)."""

    report: Report  # the member; their weekdays are replaced by the trial's during it
    plan: TrialPlan
    tallies: Sequence[DayTally] = ()  # shared wins per day (logged ones and their tags)
    values: Sequence[Value] = ()
    plans: Sequence[PlanFacts] = ()
    moments: Sequence[Moment] = ()
    overrides: Mapping[date, str] = field(default_factory=dict)  # holidays as kind "holiday"
    skipped: Collection[date] = frozenset()
    workdays: frozenset[int] = frozenset(range(5))
    questions: Sequence[Asked] = ()
    hours: WorkingHours | None = None  # the member's working hours and days; the figures put in the trial's


@dataclass(frozen=True)
class MetricResult:
    """One of the trial's metrics over the covered days, against its target."""

    metric: MetricDef
    rates: MetricRates  # per remote and per office day, with the days behind each
    mean: float | None  # per day over the remote and office days it was logged
    days: int
    weekly: float | None = None  # the mean total of the whole weeks it was logged (a per-week target)
    weeks: int = 0

    @property
    def figure(self) -> float | None:
        """What the target is held against."""
        return self.weekly if self.metric.per == "week" else self.mean

    @property
    def met(self) -> bool | None:
        """None when there is no target, or nothing to hold against it."""
        if self.metric.target is None or self.figure is None:
            return None
        return self.metric.met(self.figure)

    def side_met(self, side: str) -> bool | None:
        """A per-day target on remote days, or on office days; None for a per-week target or no days."""
        value = self.rates.remote if side == "remote" else self.rates.office
        if self.metric.target is None or self.metric.per != "day" or value is None:
            return None
        return self.metric.met(value)


@dataclass(frozen=True)
class TimeFigures:
    """Local start, end and length of the days of one kind that have them; None where none has."""

    start: float | None = None  # minutes after local midnight, the mean
    starts: int = 0
    end: float | None = None
    ends: int = 0
    length: float | None = None  # minutes, the mean
    lengths: int = 0


@dataclass(frozen=True)
class Answers:
    """The manager's questions asked on the covered days and the member's answers (see the module's rules)."""

    hours: tuple[time, time]  # the hours measured in
    promised: bool  # the trial's promised hours; False: the member's working hours
    asked: int = 0
    answered: int = 0
    in_hours: int = 0  # answered by the end of the promised hours of the day asked
    median: float | None = None  # minutes of promised time from question to answer, over the answered
    sides: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # kind: (asked, answered in hours)


@dataclass(frozen=True)
class Reach:
    remote_days: int
    plans_posted: int
    within_hours: int | None  # plans posted within the promised hours; None without promised hours
    answers: Answers | None = None  # None when the member's working hours are not known


@dataclass(frozen=True)
class Baseline:
    """The office-only weeks before the trial, with the digest's comparison over them."""

    weeks: tuple[date, ...]  # their Mondays
    comparison: Comparison  # office days only
    metrics: tuple[MetricRates, ...]

    @property
    def period(self) -> DateRange:
        return DateRange(self.weeks[0], self.weeks[-1] + timedelta(days=6))


@dataclass(frozen=True)
class Figures:
    """A check-in's (or the evidence pack's) figures over `period`."""

    period: DateRange
    comparison: Comparison
    planned: int
    done: int
    metrics: tuple[MetricResult, ...]
    times: Mapping[str, TimeFigures]  # "remote", "office"
    reach: Reach
    chart: WinsSeries
    kinds: Mapping[date, str] = field(default_factory=dict, repr=False)
    logged: Mapping[date, int] = field(default_factory=dict, repr=False)

    @property
    def completion(self) -> float | None:
        return self.done / self.planned if self.planned else None


@dataclass(frozen=True)
class Trend:
    """The days since the previous check-in against the days before them."""

    before: Comparison
    since: Comparison


@dataclass(frozen=True)
class CheckinReport:
    day: int
    final: bool
    figures: Figures
    trend: Trend | None
    baseline: Baseline | None


def _lean(tallies: Iterable[DayTally], values: Iterable[Value]) -> dict[date, int]:
    """Per day, what the record says: logged wins and values tagged remote minus those tagged office."""
    lean: defaultdict[date, int] = defaultdict(int)
    for row in tallies:
        lean[row.local_date] += row.remote - row.office
    for value in values:
        lean[value.local_date] += (value.tag == "remote") - (value.tag == "office")
    return dict(lean)


def trial_kinds(inputs: TrialInputs, period: DateRange) -> dict[date, str]:
    """Each day's kind over `period`: before the trial only what was recorded then, during it the digest's
    rules with the trial's remote weekdays (see the module's rules)."""
    lean = _lean(inputs.tallies, inputs.values)
    skipped = set(inputs.skipped) | {p.local_date for p in inputs.plans if p.status == PlanStatus.SKIPPED}
    kinds: dict[date, str] = {}
    start = inputs.plan.start
    if period.first < start:
        before = DateRange(period.first, min(period.last, start - timedelta(days=1)))
        unscheduled = replace(inputs.report, remote_weekdays=frozenset())
        kinds.update(day_kinds(unscheduled, before, inputs.overrides, lean, skipped))
    if period.last >= start:
        during = DateRange(max(period.first, start), period.last)
        scheduled = replace(inputs.report, remote_weekdays=inputs.plan.arrangement.remote_days)
        kinds.update(day_kinds(scheduled, during, inputs.overrides, lean, skipped))
    return kinds


def _logged(tallies: Iterable[DayTally]) -> dict[date, int]:
    logged: defaultdict[date, int] = defaultdict(int)
    for row in tallies:
        logged[row.local_date] += row.wins if row.logged is None else row.logged
    return dict(logged)


def _metric_tallies(member_id: int, values: Iterable[Value]) -> list[MetricTally]:
    grouped: defaultdict[tuple[date, str], list[float]] = defaultdict(list)
    for value in values:
        grouped[(value.local_date, value.name)].append(value.value)
    return [MetricTally(member_id, day, name, len(v), sum(v)) for (day, name), v in grouped.items()]


def _metric_results(
    plan: TrialPlan,
    comparison: Comparison,
    values: Sequence[Value],
    kinds: Mapping[date, str],
    period: DateRange,
) -> tuple[MetricResult, ...]:
    rates_by_key = {metric_key(r.name): r for r in comparison.metrics}
    results = []
    for metric in plan.metrics:
        days: defaultdict[date, float] = defaultdict(float)
        for value in values:
            if metric_key(value.name) == metric.key and value.local_date in period:
                days[value.local_date] += value.value
        compared = [v for d, v in days.items() if kinds.get(d) in COMPARED and d >= comparison.period.first]
        weeks = weekly_totals(days, period.first, period.last)
        results.append(
            MetricResult(
                metric=metric,
                rates=rates_by_key.get(metric.key, MetricRates(metric.name, None, None)),
                mean=sum(compared) / len(compared) if compared else None,
                days=len(compared),
                weekly=sum(weeks.values()) / len(weeks) if weeks else None,
                weeks=len(weeks),
            )
        )
    return tuple(results)


def _local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(zone(tz))


def day_bounds(inputs: TrialInputs, period: DateRange) -> dict[date, tuple[datetime | None, datetime | None]]:
    """Each day's first and last recorded moment (see the module's rules), as UTC instants."""
    tz = inputs.report.tz
    first: dict[date, datetime] = {}
    last: dict[date, datetime] = {}
    for moment in inputs.moments:
        day = moment.local_date
        if day not in period or _local(moment.at, tz).date() != day:
            continue  # a win logged on another day for this one says nothing about this day's hours
        first[day] = min(first.get(day, moment.at), moment.at)
        last[day] = max(last.get(day, moment.at), moment.at)
    for plan in inputs.plans:
        day = plan.local_date
        if day not in period:
            continue
        if plan.posted_at is not None and _local(plan.posted_at, tz).date() == day:
            first[day] = min(first.get(day, plan.posted_at), plan.posted_at)
        match = _HHMM.match((plan.signed_off or "").strip())
        if match:
            last[day] = local_instant(day, time(int(match.group(1)), int(match.group(2))), tz)
    return {day: (first.get(day), last.get(day)) for day in set(first) | set(last)}


def _minutes(instant: datetime, tz: str) -> int:
    local = _local(instant, tz)
    return local.hour * 60 + local.minute


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def time_figures(inputs: TrialInputs, period: DateRange, kinds: Mapping[date, str]) -> dict[str, TimeFigures]:
    tz = inputs.report.tz
    bounds = day_bounds(inputs, period)
    out = {}
    for kind in COMPARED:
        starts, ends, lengths = [], [], []
        for day, (begin, end) in bounds.items():
            if kinds.get(day) != kind:
                continue
            if begin is not None:
                starts.append(_minutes(begin, tz))
            if end is not None:
                ends.append(_minutes(end, tz))
            if begin is not None and end is not None and end > begin:
                lengths.append((end - begin).total_seconds() / 60)
        out[kind] = TimeFigures(
            _mean(starts), len(starts), _mean(ends), len(ends), _mean(lengths), len(lengths)
        )
    return out


def _reach(inputs: TrialInputs, period: DateRange, kinds: Mapping[date, str]) -> Reach:
    remote = {day for day, kind in kinds.items() if kind == "remote" and day in period}
    posted = [p for p in inputs.plans if p.posted and p.local_date in remote]
    hours = inputs.plan.arrangement.hours
    within = None
    if hours is not None:
        within = 0
        for plan in posted:
            if plan.posted_at is None:
                continue
            local = _local(plan.posted_at, inputs.report.tz)
            if (
                local.date() == plan.local_date
                and hours[0] <= local.time().replace(second=0, microsecond=0) <= hours[1]
            ):
                within += 1
    return Reach(len(remote), len({p.local_date for p in posted}), within, answers(inputs, period, kinds))


ANSWER_SEARCH_DAYS = 31  # a question asked before a long absence waits this long for its working day


def promised_hours(inputs: TrialInputs) -> tuple[WorkingHours, bool] | None:
    """The member's working days with the trial's promised hours (True), else their working hours (False)."""
    if inputs.hours is None:
        return None
    promised = inputs.plan.arrangement.hours
    if promised is None:
        return inputs.hours, False
    return replace(inputs.hours, start=promised[0], end=promised[1]), True


def answer_deadline(asked: datetime, hours: WorkingHours) -> datetime | None:
    """The end of the promised hours of the day `asked` falls on, or of the next working day when it came
    after them or on a day off; None when no working day comes within `ANSWER_SEARCH_DAYS`."""
    day = _local(asked, hours.tz).date()
    for offset in range(ANSWER_SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate, hours):
            end = hours.window(candidate)[1]
            if end > asked:
                return end
    return None


def promised_minutes(start: datetime, end: datetime, hours: WorkingHours) -> float:
    """Minutes of promised time (working days, within the hours) from `start` to `end`."""
    total = 0.0
    day, last = _local(start, hours.tz).date(), _local(end, hours.tz).date()
    while day <= last:
        if is_working_day(day, hours):
            opens, closes = hours.window(day)
            low, high = max(start, opens), min(end, closes)
            if high > low:
                total += (high - low).total_seconds() / 60
        day += timedelta(days=1)
    return total


def answers(inputs: TrialInputs, period: DateRange, kinds: Mapping[date, str]) -> Answers | None:
    """The questions asked on the days of `period` and their answers (see the module's rules)."""
    measured = promised_hours(inputs)
    if measured is None:
        return None
    hours, promised = measured
    asked = [q for q in inputs.questions if _local(q.asked_at, hours.tz).date() in period]
    answered = [q for q in asked if q.answered_at is not None]
    in_hours = []
    for question in answered:
        deadline = answer_deadline(question.asked_at, hours)
        if deadline is not None and question.answered_at is not None and question.answered_at <= deadline:
            in_hours.append(question)
    taken = [
        promised_minutes(q.asked_at, q.answered_at, hours) for q in answered if q.answered_at is not None
    ]
    sides = {}
    for kind in COMPARED:
        mine = [q for q in asked if kinds.get(_local(q.asked_at, hours.tz).date()) == kind]
        sides[kind] = (len(mine), sum(1 for q in mine if q in in_hours))
    return Answers(
        hours=(hours.start, hours.end),
        promised=promised,
        asked=len(asked),
        answered=len(answered),
        in_hours=len(in_hours),
        median=statistics.median(taken) if taken else None,
        sides=sides,
    )


def series(period: DateRange, kinds: Mapping[date, str], logged: Mapping[date, int]) -> WinsSeries:
    """Logged wins per day over `period`, split by the day's kind (the digest's chart, for one member)."""
    days = tuple(period.first + timedelta(days=i) for i in range(period.days))
    split: dict[str, list[int]] = {kind: [] for kind in ("remote", "office", "other")}
    for day in days:
        kind = kinds.get(day, "unknown")
        for side in split:
            split[side].append(logged.get(day, 0) if side == (kind if kind in COMPARED else "other") else 0)
    return WinsSeries(days, tuple(split["remote"]), tuple(split["office"]), tuple(split["other"]))


def figures(inputs: TrialInputs, period: DateRange) -> Figures:
    """Every figure over `period` (days that are over, within the trial or the export's range)."""
    member_id = inputs.report.member_id
    kinds = trial_kinds(inputs, period)
    logged = _logged(inputs.tallies)
    values = [v for v in inputs.values if v.local_date in period]
    comparison = compare(inputs.report, period, kinds, logged, _metric_tallies(member_id, values))
    posted = [p for p in inputs.plans if p.posted and p.local_date in period]
    return Figures(
        period=period,
        comparison=comparison,
        planned=sum(p.planned for p in posted),
        done=sum(min(p.done, p.planned) for p in posted),
        metrics=_metric_results(inputs.plan, comparison, values, kinds, period),
        times=time_figures(inputs, period, kinds),
        reach=_reach(inputs, period, kinds),
        chart=series(period, kinds, logged),
        kinds=kinds,
        logged={day: n for day, n in logged.items() if n and day in period},
    )


def baseline(inputs: TrialInputs) -> Baseline | None:
    """The office-only whole weeks before the trial (see the module's rules); None when there are none."""
    start = inputs.plan.start
    last_monday = start - timedelta(days=start.weekday() + 7)  # the last whole week before the start
    first_monday = last_monday - timedelta(weeks=BASELINE_WEEKS - 1)
    joined = inputs.report.tracked_since
    if joined is not None:  # the first whole week since the member joined
        first_monday = max(first_monday, joined + timedelta(days=(7 - joined.weekday()) % 7))
    if first_monday > last_monday:
        return None
    span = DateRange(first_monday, last_monday + timedelta(days=6))
    kinds = trial_kinds(inputs, span)
    weeks: list[date] = []
    office_kinds: dict[date, str] = {}
    monday = first_monday
    while monday <= last_monday:
        week = [monday + timedelta(days=d) for d in range(7)]
        said = [kinds.get(day, "unknown") for day in week]
        if "remote" not in said and "office" in said:
            weeks.append(monday)
            for day, kind in zip(week, said, strict=True):
                if kind == "office" or (kind == "unknown" and day.weekday() in inputs.workdays):
                    office_kinds[day] = "office"
        monday += timedelta(weeks=1)
    if not weeks:
        return None
    values = [v for v in inputs.values if v.local_date in office_kinds]
    period = DateRange(weeks[0], weeks[-1] + timedelta(days=6))
    comparison = compare(
        replace(inputs.report, tracked_since=None),
        period,
        office_kinds,
        _logged(inputs.tallies),
        _metric_tallies(inputs.report.member_id, values),
    )
    return Baseline(tuple(weeks), comparison, comparison.metrics)


def checkin_report(inputs: TrialInputs, day: int, previous: int | None, final: bool) -> CheckinReport:
    """Check-in `day`: the figures over the days it covers, the trend since `previous`, the baseline."""
    plan = inputs.plan
    covered = plan.covered(day)
    trend = None
    if previous is not None and plan.start + timedelta(days=previous) <= covered.last:
        before = DateRange(plan.start, plan.start + timedelta(days=previous - 1))
        since = DateRange(plan.start + timedelta(days=previous), covered.last)
        trend = Trend(figures(inputs, before).comparison, figures(inputs, since).comparison)
    return CheckinReport(day, final, figures(inputs, covered), trend, baseline(inputs))


# -- the overwork guard ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overwork:
    period: DateRange
    remote: TimeFigures
    office: TimeFigures

    @property
    def longer_by(self) -> float:
        """How much longer remote days ran, as a share of office days (0.2 = 20%)."""
        assert self.remote.length is not None and self.office.length
        return self.remote.length / self.office.length - 1


def overwork(inputs: TrialInputs, today: date) -> Overwork | None:
    """The note's figures when remote days ran more than `OVERWORK_MARGIN` longer than office days over
    the `OVERWORK_DAYS` days before `today`; None otherwise, and when either side has too few days."""
    period = DateRange(today - timedelta(days=OVERWORK_DAYS), today - timedelta(days=1))
    kinds = trial_kinds(inputs, period)
    times = time_figures(inputs, period, kinds)
    remote, office = times["remote"], times["office"]
    if remote.lengths < OVERWORK_MIN_DAYS or office.lengths < OVERWORK_MIN_DAYS:
        return None
    if remote.length is None or not office.length:
        return None
    if remote.length <= office.length * (1 + OVERWORK_MARGIN):
        return None
    return Overwork(period, remote, office)


# -- words ---------------------------------------------------------------------------------------------


def clock(minutes: float | None) -> str:
    """A mean local time as "HH:MM"."""
    if minutes is None:
        return "–"
    whole = round(minutes)
    return f"{whole // 60 % 24:02d}:{whole % 60:02d}"


def duration(minutes: float | None) -> str:
    if minutes is None:
        return "–"
    whole = round(minutes)
    return f"{whole // 60}h{whole % 60:02d}"


def share(part: int, whole: int) -> str:
    """ "18 of 20 (90%)", or "0 of 0" without the percentage: never a division by zero."""
    return f"{part} of {whole}" + (f" ({part / whole:.0%})" if whole else "")


def parse_overwork(rest: str) -> OverworkGuard:
    word = rest.strip().lower()
    if word not in ("on", "off"):
        raise TrialProblem(
            "`overwork off` stops the overwork guard's private notes; `overwork on` starts them."
        )
    return OverworkGuard(word == "on")


def parse_export(rest: str) -> ExportPack:
    """`export`, or `export 2026-01-05..2026-04-04`."""
    text = " ".join(rest.split())
    if not text:
        return ExportPack()
    match = _RANGE.match(text)
    if not match:
        raise TrialProblem(
            "`export` makes the evidence pack of your trial; `export 2026-01-05..2026-04-04` of any range."
        )
    try:
        first, last = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
    except ValueError:
        raise TrialProblem("That range has a date that doesn't exist.") from None
    if first > last:
        raise TrialProblem("The range ends before it starts.")
    if (last - first).days >= MAX_EXPORT_DAYS:
        raise TrialProblem(f"Export at most {MAX_EXPORT_DAYS} days at a time.")
    return ExportPack(first, last)
