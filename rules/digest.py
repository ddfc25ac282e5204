"""What goes in a manager's weekly digest, computed from plain data: no Slack, no SQL.

The rules, as a manager can rely on them:

- **The week** is an ISO week (Monday to Sunday) named by the manager's calendar: by default the
  manager's current week when the digest is built. Each report's days are the report's own local
  dates in that week, so a manager a day ahead of a report sees the report's Monday to Sunday, not a
  window shifted by the time difference. A win dated the report's Sunday before belongs to the week
  before, even if it was already Monday for the manager when it was logged.
- **A day's kind** (remote, office, off, unknown) is what the member said on that day's wins when they
  tagged them remote or office (the majority; a tie goes to the schedule), else the schedule: a day
  override, then the remote weekdays, then office on weekdays and off at weekends. A member who never
  set remote weekdays or overrides has days of unknown kind unless their wins say.
- **Wins per remote day vs per office day** compare the four full weeks before the digest's week:
  visible wins on days of each kind divided by the number of such days, counting only days since the
  member joined. Metric values are summed per metric name (case and spacing ignored) the same way. The
  team's figure adds up the reports who logged something in those weeks.
- **Plan completion** is done of planned items over the plans the member posted in the week (plans are
  only asked for on remote days).
- **Quiet**: a report with no visible win and no posted plan in the week gets one quiet line, never a
  row of zeros.
- **Private wins** are never counted or shown, here or anywhere in the digest.
- **Shown and counted**: the digest message shows at most `SHOWN_PER_REPORT` wins of each report (the
  first of the week); every other win is counted in "and N more", and Details shows them all. Counts
  always come from the tallies, so a win is never dropped silently, even one logged while the digest
  was being read from the database.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from rules.calendar import DateRange, local_today, zone
from rules.schedule import Schedule, day_kind, local_instant

COMPARE_WEEKS = 4  # the comparison covers this many full weeks before the digest's week
CHART_WEEKS = 8  # the chart covers the digest's week and the weeks before it, this many in all
SHOWN_PER_REPORT = 10  # wins of one report in the digest message: a minute's reading for a whole team
POSTED = ("posted", "summarized")  # plan statuses that count: the member sent the plan
_MEMBER, _DAY, _KIND, _DAY_THEN_ID = itemgetter(1), itemgetter(3), itemgetter(8), itemgetter(3, 0)  # WeekWin
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


# -- weeks --------------------------------------------------------------------------------------------


def iso_week(day: date) -> str:
    """The ISO week holding `day`, as "2026-W48": the digest's period key (ledger and acks use it)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_range(week: str) -> DateRange:
    """Monday to Sunday of an ISO week given as "2026-W48"; ValueError when there is no such week."""
    match = _WEEK.match(week.strip().upper())
    if not match:
        raise ValueError(f"{week!r} is not an ISO week: use YYYY-Www, like 2026-W48")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {number}") from None
    return DateRange(monday, monday + timedelta(days=6))


def manager_week(now: datetime, manager_tz: str) -> str:
    """The week a digest built at `now` covers: the manager's current ISO week."""
    return iso_week(local_today(now, manager_tz))


def chart_range(period: DateRange) -> DateRange:
    """The days the tallies cover: the chart's weeks, which end with the digest's week."""
    return DateRange(period.first - timedelta(weeks=CHART_WEEKS - 1), period.last)


def compare_range(period: DateRange) -> DateRange:
    return DateRange(period.first - timedelta(weeks=COMPARE_WEEKS), period.first - timedelta(days=1))


# -- what the rules are given ----------------------------------------------------------------------------


class WeekWin(NamedTuple):
    """A win as the digest shows it: `rules.wins.SavedWin`'s fields but `source`.

    A tuple rather than a frozen dataclass because a digest reads thousands of them, and building a
    tuple costs a tenth as much.
    """

    id: int
    member_id: int
    text: str
    local_date: date
    category: str
    metric_name: str | None
    metric_value: float | None
    link: str | None
    day_kind: str
    private: bool = False


@dataclass(frozen=True)
class Report:
    """A member who named the manager and shares with them."""

    member_id: int
    user_id: str
    name: str
    tz: str  # the member's effective zone
    remote_weekdays: frozenset[int] = frozenset()  # 0 = Monday
    tracked_since: date | None = None  # the member's first local day with the bot; earlier days don't count


@dataclass(frozen=True)
class PlanDay:
    """One day's plan and its end-of-day summary, reduced to what the digest shows."""

    member_id: int
    local_date: date
    status: str  # draft, posted, skipped or summarized
    planned: int
    done: int
    blockers: str | None = None  # as typed
    signed_off: str | None = None  # the member's local "HH:MM"


class DayTally(NamedTuple):
    """One member's visible wins on one day: how many, and how many of them they tagged remote or office.

    A tuple, like `WeekWin`, because a digest reads one per member and day over eight weeks.
    """

    member_id: int
    local_date: date
    wins: int
    remote: int = 0  # wins tagged remote
    office: int = 0  # wins tagged office


class MetricTally(NamedTuple):
    """One member's values of one metric on one day, as typed: the comparison sums them per kind of day."""

    member_id: int
    local_date: date
    name: str
    wins: int
    total: float


@dataclass(frozen=True)
class DigestInputs:
    """Everything one manager's digest is built from; storage loads it in one query per table."""

    workspace_id: str
    manager_user_id: str
    manager_tz: str
    week: str
    reports: Sequence[Report]
    wins: Sequence[WeekWin]  # the week's wins to show: all of them, or the first few of each report
    tallies: Sequence[DayTally]  # every visible win in `chart_range` (the digest's week too), counted
    plans: Sequence[PlanDay]  # the week's plans
    overrides: Mapping[int, Mapping[date, str]] = field(default_factory=dict)  # member -> day -> kind
    acknowledged_at: datetime | None = None
    metrics: Sequence[MetricTally] = ()  # the visible wins' metrics in `compare_range`


# -- what the rules return -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayWins:
    day: date
    kind: str  # the day's kind: remote, office, off or unknown
    count: int  # the day's visible wins
    wins: tuple[WeekWin, ...]  # those loaded to show: all `count`, or fewer


@dataclass(frozen=True)
class SignOff:
    day: date  # the member's local date
    local: str  # as the member gave it, their "HH:MM"
    at: datetime  # the same instant in the manager's zone


@dataclass(frozen=True)
class Blocker:
    day: date
    text: str


@dataclass(frozen=True)
class MetricRates:
    """One metric, summed per day of each kind; None where there were no such days."""

    name: str
    remote: float | None
    office: float | None


@dataclass(frozen=True)
class Comparison:
    """Remote days against office days over `period`: wins and metrics per day."""

    period: DateRange
    remote_days: int = 0
    office_days: int = 0
    remote_wins: int = 0
    office_wins: int = 0
    metrics: tuple[MetricRates, ...] = ()

    @property
    def remote_rate(self) -> float | None:
        return self.remote_wins / self.remote_days if self.remote_days else None

    @property
    def office_rate(self) -> float | None:
        return self.office_wins / self.office_days if self.office_days else None


@dataclass(frozen=True)
class ReportWeek:
    """One report's week, as the digest and its Details view show it."""

    report: Report
    week: str
    period: DateRange
    manager_tz: str
    remote_days: tuple[date, ...]
    days: tuple[DayWins, ...]  # the week's days with visible wins, in order
    planned: int
    done: int
    blockers: tuple[Blocker, ...]
    sign_offs: tuple[SignOff, ...]
    comparison: Comparison
    plans_posted: int = 0
    # Over the chart's weeks (`chart_range`): each day's kind, and the visible wins on each day.
    kinds: Mapping[date, str] = field(default_factory=dict, repr=False)
    daily: Mapping[date, int] = field(default_factory=dict, repr=False)

    @property
    def wins(self) -> tuple[WeekWin, ...]:
        """The wins loaded to show (see `complete`)."""
        return tuple(win for day in self.days for win in day.wins)

    @cached_property
    def win_count(self) -> int:
        return sum(day.count for day in self.days)

    @property
    def complete(self) -> bool:
        """Every visible win of the week is loaded, as Details needs."""
        return all(len(day.wins) == day.count for day in self.days)

    @property
    def quiet(self) -> bool:
        return self.win_count == 0 and self.plans_posted == 0

    @property
    def completion(self) -> float | None:
        return self.done / self.planned if self.planned else None


@dataclass(frozen=True)
class TeamLine:
    reports: int
    remote_days: int
    wins: int
    planned: int
    done: int
    quiet: int

    @property
    def completion(self) -> float | None:
        return self.done / self.planned if self.planned else None


@dataclass(frozen=True)
class WinsSeries:
    """The team's visible wins per day, split by the day's kind: the data behind the chart."""

    days: tuple[date, ...]
    remote: tuple[int, ...]
    office: tuple[int, ...]
    other: tuple[int, ...]  # days off, and days of unknown kind: shown, so no win goes missing

    @property
    def total(self) -> int:
        return sum(self.remote) + sum(self.office) + sum(self.other)


@dataclass(frozen=True)
class Digest:
    workspace_id: str
    manager_user_id: str
    manager_tz: str
    week: str
    period: DateRange
    team: TeamLine
    comparison: Comparison  # the team's, wins only (metrics differ from report to report)
    reports: tuple[ReportWeek, ...]  # reports with something logged, then quiet ones; each by name
    chart: WinsSeries
    acknowledged_at: datetime | None = None

    @property
    def active(self) -> tuple[ReportWeek, ...]:
        return tuple(r for r in self.reports if not r.quiet)

    @property
    def quiet(self) -> tuple[ReportWeek, ...]:
        return tuple(r for r in self.reports if r.quiet)


# -- the rules -----------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _days(first: date, count: int) -> tuple[tuple[date, int], ...]:
    """Each day from `first` with its weekday; the same window serves every report of a digest."""
    return tuple((day, day.weekday()) for day in (first + timedelta(days=d) for d in range(count)))


def day_kinds(
    report: Report, period: DateRange, overrides: Mapping[date, str], lean: Mapping[date, int]
) -> dict[date, str]:
    """The kind of each day in `period` for one member (see the module's rules).

    `lean` is, per day, the member's wins tagged remote minus those tagged office: what they said.
    """
    schedule = Schedule(tz=report.tz, remote_days=report.remote_weekdays)
    # The schedule's answer depends only on the weekday once overrides are set aside: ask it once per weekday.
    monday = period.first - timedelta(days=period.first.weekday())
    by_weekday = [
        day_kind(schedule, monday + timedelta(days=d), {}) if report.remote_weekdays else "unknown"
        for d in range(7)
    ]
    kinds = {}
    for day, weekday in _days(period.first, period.days):
        said = lean.get(day)
        if said:
            kinds[day] = "remote" if said > 0 else "office"
        elif day in overrides:
            kinds[day] = overrides[day]
        else:
            kinds[day] = by_weekday[weekday]
    return kinds


def compare(
    report: Report,
    period: DateRange,
    kinds: Mapping[date, str],
    daily: Mapping[date, int],
    metrics: Iterable[MetricTally] = (),
) -> Comparison:
    """Wins and metric values per remote day and per office day over `period`."""
    since = max(period.first, report.tracked_since or period.first)
    counted = {
        day: kind
        for day, kind in kinds.items()
        if since <= day <= period.last and kind in ("remote", "office")
    }
    days = Counter(counted.values())
    wins: Counter[str] = Counter()
    for day, kind in counted.items():
        wins[kind] += daily.get(day, 0)
    metric_totals: defaultdict[str, Counter[str]] = defaultdict(Counter)
    spellings: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in metrics:
        kind = counted.get(row.local_date)
        spelling = " ".join(row.name.split())
        if kind is None or not spelling:
            continue
        key = spelling.casefold()
        spellings[key][spelling] += row.wins
        metric_totals[key][kind] += row.total
    rates = tuple(
        MetricRates(
            name=_most_used(spellings[key]),
            remote=totals["remote"] / days["remote"] if days["remote"] else None,
            office=totals["office"] / days["office"] if days["office"] else None,
        )
        for key, totals in sorted(metric_totals.items())
    )
    return Comparison(
        period=period,
        remote_days=days["remote"],
        office_days=days["office"],
        remote_wins=wins["remote"],
        office_wins=wins["office"],
        metrics=rates,
    )


def _most_used(spellings: Counter[str]) -> str:
    """The spelling of a metric's name that the member used most (the first alphabetically on a tie)."""
    return max(sorted(spellings), key=lambda spelling: spellings[spelling])


def _sign_off(plan: PlanDay, report_tz: str, manager_tz: str) -> SignOff | None:
    match = _HHMM.match((plan.signed_off or "").strip())
    if not match:
        return None
    at = local_instant(plan.local_date, time(int(match.group(1)), int(match.group(2))), report_tz)
    return SignOff(plan.local_date, match.group(0), at.astimezone(zone(manager_tz)))


def report_week(
    report: Report,
    week: str,
    manager_tz: str,
    wins: Iterable[WeekWin],
    tallies: Iterable[DayTally],
    plans: Iterable[PlanDay],
    overrides: Mapping[date, str] | None = None,
    metrics: Iterable[MetricTally] = (),
) -> ReportWeek:
    """One report's week and comparison, from that report's data (anyone else's is ignored)."""
    period = week_range(week)
    window = chart_range(period)
    first, last, member_id = period.first, period.last, report.member_id
    mine = sorted(
        (w for w in wins if w.member_id == member_id and not w.private and first <= w.local_date <= last),
        key=_DAY_THEN_ID,
    )
    shown = {day: tuple(group) for day, group in groupby(mine, key=_DAY)}
    counted = [t for t in tallies if t.member_id == member_id and window.first <= t.local_date <= last]
    lean: defaultdict[date, int] = defaultdict(int)
    daily: defaultdict[date, int] = defaultdict(int)
    for row in counted:
        daily[row.local_date] += row.wins
        lean[row.local_date] += row.remote - row.office
    for day, group in shown.items():
        if len(group) > daily[day]:  # a win logged between the two reads: count what is shown
            said = Counter(map(_KIND, group))
            lean[day], daily[day] = said["remote"] - said["office"], len(group)
    kinds = day_kinds(report, window, overrides or {}, lean)
    days = tuple(
        DayWins(day, kinds[day], daily[day], shown.get(day, ()))
        for day in sorted(d for d in daily if first <= d <= last and daily[d])
    )

    week_plans = sorted(
        (p for p in plans if p.member_id == member_id and first <= p.local_date <= last),
        key=lambda p: p.local_date,
    )
    posted = [p for p in week_plans if p.status in POSTED]
    blockers = tuple(
        Blocker(p.local_date, p.blockers) for p in week_plans if p.blockers and p.blockers.strip()
    )
    sign_offs = tuple(s for p in week_plans if (s := _sign_off(p, report.tz, manager_tz)) is not None)
    compared = compare_range(period)
    mine_metrics = [
        m for m in metrics if m.member_id == member_id and compared.first <= m.local_date <= compared.last
    ]
    return ReportWeek(
        report=report,
        week=week,
        period=period,
        manager_tz=manager_tz,
        remote_days=tuple(day for day, kind in kinds.items() if kind == "remote" and first <= day <= last),
        days=days,
        planned=sum(p.planned for p in posted),
        done=sum(min(p.done, p.planned) for p in posted),
        blockers=blockers,
        sign_offs=sign_offs,
        comparison=compare(report, compared, kinds, daily, mine_metrics),
        plans_posted=len(posted),
        kinds=kinds,
        daily={day: n for day, n in daily.items() if n},
    )


def _team_comparison(period: DateRange, weeks: Sequence[ReportWeek]) -> Comparison:
    """The reports who logged anything in the period: a silent member's days would only dilute it."""
    weeks = [r for r in weeks if r.comparison.remote_wins or r.comparison.office_wins]
    return Comparison(
        period=period,
        remote_days=sum(r.comparison.remote_days for r in weeks),
        office_days=sum(r.comparison.office_days for r in weeks),
        remote_wins=sum(r.comparison.remote_wins for r in weeks),
        office_wins=sum(r.comparison.office_wins for r in weeks),
    )


def wins_per_day(weeks: Sequence[ReportWeek], window: DateRange) -> WinsSeries:
    """The team's visible wins on each day of `window`, split by each member's kind of that day."""
    days = [window.first + timedelta(days=i) for i in range(window.days)]
    split: defaultdict[date, Counter[str]] = defaultdict(Counter)
    for week in weeks:
        for day, count in week.daily.items():
            kind = week.kinds.get(day, "unknown")
            split[day][kind if kind in ("remote", "office") else "other"] += count
    return WinsSeries(
        days=tuple(days),
        remote=tuple(split[d]["remote"] for d in days),
        office=tuple(split[d]["office"] for d in days),
        other=tuple(split[d]["other"] for d in days),
    )


def build_digest(inputs: DigestInputs) -> Digest:
    """The whole digest: a team line, then each report's week (by name; quiet reports last)."""
    period = week_range(inputs.week)
    wins_of: defaultdict[int, list[WeekWin]] = defaultdict(list)
    for member_id, group in groupby(sorted(inputs.wins, key=_MEMBER), key=_MEMBER):
        wins_of[member_id].extend(group)
    tallies_of: defaultdict[int, list[DayTally]] = defaultdict(list)
    for row in inputs.tallies:
        tallies_of[row.member_id].append(row)
    plans_of: defaultdict[int, list[PlanDay]] = defaultdict(list)
    for plan in inputs.plans:
        plans_of[plan.member_id].append(plan)
    metrics_of: defaultdict[int, list[MetricTally]] = defaultdict(list)
    for metric in inputs.metrics:
        metrics_of[metric.member_id].append(metric)
    weeks = [
        report_week(
            report,
            inputs.week,
            inputs.manager_tz,
            wins_of[report.member_id],
            tallies_of[report.member_id],
            plans_of[report.member_id],
            inputs.overrides.get(report.member_id, {}),
            metrics_of[report.member_id],
        )
        for report in inputs.reports
    ]
    weeks.sort(key=lambda r: (r.quiet, r.report.name.casefold(), r.report.user_id))
    team = TeamLine(
        reports=len(weeks),
        remote_days=sum(len(r.remote_days) for r in weeks),
        wins=sum(r.win_count for r in weeks),
        planned=sum(r.planned for r in weeks),
        done=sum(r.done for r in weeks),
        quiet=sum(r.quiet for r in weeks),
    )
    return Digest(
        workspace_id=inputs.workspace_id,
        manager_user_id=inputs.manager_user_id,
        manager_tz=inputs.manager_tz,
        week=inputs.week,
        period=period,
        team=team,
        comparison=_team_comparison(compare_range(period), weeks),
        reports=tuple(weeks),
        chart=wins_per_day(weeks, chart_range(period)),
        acknowledged_at=inputs.acknowledged_at,
    )
